"""Demo only: the invoices of the demo's year of history (spid_helpdesk's
spid_demo.py). Called by the demo data, never by a request."""

from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class SpidTicketDemo(models.Model):
    _inherit = "spid.ticket"

    @api.model
    def _spid_demo_invoice_history(self):
        """Invoice, at the end of each month, the billable tickets closed in
        that month, up to two months ago, and post the invoices in date
        order; the tickets closed since are still to invoice. One draft
        invoice per client and month, as the invoicing wizard makes them."""
        company = self.env.company
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        if not journal:
            return
        until = fields.Date.today().replace(day=1) - relativedelta(months=1)
        tickets = self.search(
            [
                ("company_id", "=", company.id),
                ("invoice_state", "=", "to_invoice"),
                ("date_closed", "<", until),
                ("reference", "!=", False),
            ],
            order="date_closed, id",
        )
        by_month = defaultdict(self.browse)
        for ticket in tickets:
            by_month[ticket.date_closed.date().replace(day=1)] |= ticket
        moves = self.env["account.move"]
        for month, month_tickets in sorted(by_month.items()):
            moves |= month_tickets._spid_create_invoices(journal, month + relativedelta(months=1, days=-1))
        moves.sorted(lambda move: (move.invoice_date, move.id)).action_post()
