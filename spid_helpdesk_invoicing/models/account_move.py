from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.spid_helpdesk.internal import SYSTEM, switched, with_switch


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


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Copied into credit notes, so that the turnover nets them; a credit note
    # never takes a ticket off its invoice.
    spid_ticket_id = fields.Many2one(
        "spid.ticket", string="Ticket", index="btree_not_null", ondelete="restrict", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("spid_ticket_id") for vals in vals_list):
            self._spid_check_ticket_link()
        return super().create(vals_list)

    def write(self, vals):
        if "spid_ticket_id" in vals:
            self._spid_check_ticket_link()
        return super().write(vals)

    def copy_data(self, default=None):
        """A duplicated invoice bills no ticket: only a credit note keeps them."""
        vals_list = super().copy_data(default=default)
        if not switched(self.env, SYSTEM):
            for vals in vals_list:
                vals.pop("spid_ticket_id", None)
        return vals_list

    def _spid_check_ticket_link(self):
        """Which ticket a line bills is set by the invoicing itself (the
        wizard, the credit notes of its invoices), never by a caller: a line
        pointed at any ticket would lock it when posted, release another
        invoice's lock when reset, move turnover, and show any ticket's
        title to whoever may write invoice lines."""
        if not (self.env.su or switched(self.env, SYSTEM)):
            raise AccessError(_("The ticket an invoice line bills is set by the helpdesk's invoicing only."))

    @api.ondelete(at_uninstall=False)
    def _unlink_release_tickets(self):
        """Deleting a draft invoice's line (or the draft itself) frees its ticket."""
        self.filtered(
            lambda line: line.spid_ticket_id.move_id == line.move_id
        ).spid_ticket_id._spid_set_invoice(self.env["account.move"])
