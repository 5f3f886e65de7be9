from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch

INVOICE_STATES = [
    ("not_billable", "Not billable"),
    ("to_invoice", "To invoice"),
    ("invoiced", "Invoiced"),
]
# Prices and invoices are for the helpdesk's users, never for portal users.
INTERNAL = "base.group_user"
# What an invoice line was made of: fixed while the ticket is on an invoice
# (the requester too: changing it may change the client billed).
BILLED_FIELDS = {"status_id", "order_ref", "client_id", "partner_id", "company_id", "category_id", "type_id"}


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    invoice_state = fields.Selection(
        INVOICE_STATES,
        compute="_compute_invoice_state",
        store=True,
        index=True,
        string="Invoicing",
        help="To invoice: billable work in a billable status. Invoiced: on a customer invoice.",
    )
    move_id = fields.Many2one(
        "account.move",
        groups=INTERNAL,
        string="Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
    )
    order_ref = fields.Char(
        groups=INTERNAL,
        string="Order reference",
        compute="_compute_order_ref",
        store=True,
        readonly=False,
        copy=False,
        help="The client's purchase order: tickets of one order go on one invoice.",
    )
    billable_hours = fields.Float(
        groups=INTERNAL,
        string="Billable hours",
        compute="_compute_invoice_state",
        store=True,
        help="Hours of the billable work units.",
    )
    tariff_id = fields.Many2one(
        "spid.tariff",
        groups=INTERNAL,
        string="Tariff",
        compute="_compute_billing",
        store=True,
        help="The most specific active tariff line: the client's own grid first, "
        "then status, category and type.",
    )
    invoice_quantity = fields.Float(
        groups=INTERNAL,
        string="Quantity to invoice",
        compute="_compute_billing",
        store=True,
        help="Billable time after the tariff's minimum and rounding, in the tariff's unit.",
    )
    amount_to_invoice = fields.Monetary(
        groups=INTERNAL,
        string="Amount to invoice",
        compute="_compute_billing",
        store=True,
        currency_field="company_currency_id",
        help="What invoicing this ticket now would bill, before taxes.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    spid_invoice_locked = fields.Boolean(
        groups=INTERNAL,
        string="Locked by its invoice",
        copy=False,
        readonly=True,
        help="Locked by its posted invoice; released if the invoice is reset.",
    )

    @api.depends("client_id")
    def _compute_order_ref(self):
        for ticket in self:
            if not ticket.move_id:
                ticket.order_ref = ticket.client_id.commercial_partner_id.spid_order_ref
            else:
                ticket.order_ref = ticket.order_ref

    @api.depends("move_id", "status_id.spid_billable", "workunit_ids.billable", "workunit_ids.duration")
    def _compute_invoice_state(self):
        """Billable hours and invoicing state: from the work units in cache (a
        new ticket's, known empty: no query), else from one grouped query."""
        field = self._fields["workunit_ids"]
        cached = self.filtered(lambda t: self.env.cache.contains(t, field))
        totals = {}
        for ticket in cached.sudo():
            units = ticket.workunit_ids.filtered("billable")
            if units:
                totals[ticket.id] = sum(units.mapped("duration"))
        others = (self - cached).ids
        if others:
            groups = (
                self.env["spid.workunit"]
                .sudo()
                ._read_group(
                    [("ticket_id", "in", others), ("billable", "=", True)], ["ticket_id"], ["duration:sum"]
                )
            )
            totals.update((ticket.id, hours) for ticket, hours in groups)
        for ticket in self:
            ticket.billable_hours = totals.get(ticket.id, 0.0)
            if ticket.move_id:
                ticket.invoice_state = "invoiced"
            elif ticket.status_id.spid_billable and ticket.id in totals:
                ticket.invoice_state = "to_invoice"
            else:
                ticket.invoice_state = "not_billable"

    @api.depends(
        "invoice_state", "billable_hours", "client_id", "status_id", "category_id", "type_id", "company_id"
    )
    def _compute_billing(self):
        # Only tickets to invoice are priced; an invoiced ticket keeps the
        # tariff and quantity it was billed with.
        pending = self.filtered(lambda t: t.invoice_state == "to_invoice")
        tariffs = self.env["spid.tariff"]._spid_resolve(pending) if pending else {}
        for ticket in pending:
            tariff = tariffs.get(ticket.id, self.env["spid.tariff"])
            quantity = tariff._spid_quantity(ticket.billable_hours) if tariff else 0.0
            ticket.tariff_id = tariff
            ticket.invoice_quantity = quantity
            ticket.amount_to_invoice = quantity * tariff.price
        for ticket in self - pending:
            if ticket.invoice_state != "invoiced":
                ticket.tariff_id = False
                ticket.invoice_quantity = 0.0
            ticket.amount_to_invoice = 0.0

    @api.model
    def _spid_recompute_billing(self, companies):
        """Tariffs changed: the tickets still to invoice take the new prices."""
        tickets = self.sudo().search(
            [("company_id", "in", companies.ids), ("invoice_state", "=", "to_invoice")]
        )
        self.env.add_to_compute(self._fields["tariff_id"], tickets)
        tickets.flush_recordset(["tariff_id", "invoice_quantity", "amount_to_invoice"])

    # ------------------------------------------------------------------
    # What an invoice freezes
    # ------------------------------------------------------------------

    def write(self, vals):
        if BILLED_FIELDS.intersection(vals):
            self._spid_check_not_invoiced()
        return super().write(vals)

    def _spid_check_not_invoiced(self, move=None):
        """Refuse tickets that are on an invoice (other than `move`)."""
        billed = self.sudo().filtered(lambda t: t.move_id and t.move_id != move)
        if billed:
            raise UserError(
                _(
                    "Ticket %(ticket)s is on invoice %(invoice)s: take it off that invoice first "
                    "(delete its line, or cancel the invoice).",
                    ticket=billed[0].reference,
                    invoice=billed[0].move_id.display_name,
                )
            )

    def _spid_reopen(self, reason=None):
        self._spid_check_not_invoiced()
        return super()._spid_reopen(reason=reason)

    def action_unlock(self):
        posted = self.sudo().filtered(lambda t: t.move_id.state == "posted")
        if posted:
            raise AccessError(
                _(
                    "Ticket %(ticket)s is locked by its posted invoice %(invoice)s: "
                    "reset the invoice to draft to release it.",
                    ticket=posted[0].reference,
                    invoice=posted[0].move_id.display_name,
                )
            )
        return super().action_unlock()

    def _spid_set_invoice(self, move):
        """Put the tickets on an invoice (or off, with an empty move)."""
        with_switch(self.sudo(), SYSTEM).write({"move_id": move.id})

    def _spid_invoice_lock(self, locked):
        """Lock the tickets of a posted invoice, or release those it locked."""
        tickets = with_switch(self.sudo(), SYSTEM)
        if locked:
            tickets.filtered(lambda t: not t.is_locked).write(
                {"is_locked": True, "spid_invoice_locked": True}
            )
        else:
            tickets.filtered("spid_invoice_locked").write({"is_locked": False, "spid_invoice_locked": False})

    def action_view_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }
