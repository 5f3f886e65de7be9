from odoo import _, api, fields, models

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch


class AccountMove(models.Model):
    _inherit = "account.move"

    spid_ticket_ids = fields.One2many("spid.ticket", "move_id", string="Tickets", readonly=True)
    spid_ticket_count = fields.Integer(compute="_compute_spid_ticket_count", string="Ticket count")

    @api.depends("spid_ticket_ids")
    def _compute_spid_ticket_count(self):
        counts = {
            move.id: count
            for move, count in self.env["spid.ticket"]
            .sudo()
            ._read_group([("move_id", "in", self.ids)], ["move_id"], ["__count"])
        }
        for move in self:
            move.spid_ticket_count = counts.get(move.id, 0)

    def _spid_line_tickets(self):
        """Tickets billed by the lines of these customer invoices."""
        return self.filtered(lambda m: m.move_type == "out_invoice").invoice_line_ids.spid_ticket_id

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        for move in posted.filtered(lambda m: m.move_type == "out_invoice"):
            tickets = move._spid_line_tickets()
            tickets._spid_check_not_invoiced(move)
            tickets.filtered(lambda t: not t.move_id)._spid_set_invoice(move)
            tickets._spid_invoice_lock(True)
        return posted

    def button_draft(self):
        cancelled = self.filtered(lambda m: m.state == "cancel")
        res = super().button_draft()
        # only what this invoice locked: a line never names another's ticket
        self._spid_line_tickets().filtered(lambda t: t.move_id in self)._spid_invoice_lock(False)
        # A cancelled invoice let its tickets go: it takes back those still free.
        for move in cancelled:
            tickets = move._spid_line_tickets()
            tickets._spid_check_not_invoiced(move)
            tickets._spid_set_invoice(move)
        return res

    def button_cancel(self):
        # a posted invoice goes through button_draft first, which releases the lock
        res = super().button_cancel()
        self._spid_line_tickets().filtered(lambda t: t.move_id in self)._spid_set_invoice(self.browse())
        return res

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """A credit note names the tickets of the invoice it reverses, so that
        the turnover nets them: our own copy of lines the invoicing made."""
        return (
            super(AccountMove, with_switch(self, SYSTEM))
            ._reverse_moves(default_values_list=default_values_list, cancel=cancel)
            .with_env(self.env)
        )

    def action_view_spid_tickets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Tickets"),
            "res_model": "spid.ticket",
            "view_mode": "list,form",
            "domain": [("move_id", "=", self.id)],
        }
