from odoo import _, api, fields, models


class SpidTicketInvoiceWizard(models.TransientModel):
    _name = "spid.ticket.invoice.wizard"
    _description = "Invoice closed tickets"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    invoice_date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Tickets closed on or before this date are invoiced, with this invoice date.",
    )
    client_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        domain="[('spid_is_client', '=', True)]",
        help="Leave empty to invoice every client.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Journal",
        check_company=True,
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
    )
    ticket_ids = fields.Many2many(
        "spid.ticket",
        compute="_compute_preview",
        string="Tickets it will invoice",
        help="The tickets that the Create invoices button bills.",
    )
    ticket_count = fields.Integer(compute="_compute_preview", string="Tickets to invoice")
    client_count = fields.Integer(compute="_compute_preview", string="Clients to invoice")
    amount_total = fields.Monetary(compute="_compute_preview", string="Amount untaxed")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("company_id")
    def _compute_journal_id(self):
        for wizard in self:
            wizard.journal_id = self.env["account.journal"].search(
                [
                    ("type", "=", "sale"),
                    *self.env["account.journal"]._check_company_domain(wizard.company_id),
                ],
                limit=1,
            )

    @api.depends("company_id", "invoice_date", "client_ids")
    def _compute_preview(self):
        for wizard in self:
            tickets = wizard._spid_tickets()
            wizard.ticket_ids = tickets
            wizard.ticket_count = len(tickets)
            wizard.client_count = len(tickets.client_id)
            wizard.amount_total = sum(tickets.mapped("amount_to_invoice"))

    def _spid_ticket_domain(self):
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            *self.env["spid.ticket"]._spid_invoiceable_domain(self.invoice_date),
        ]
        if self.client_ids:
            domain.append(("client_id", "in", self.client_ids.ids))
        return domain

    def _spid_tickets(self):
        """The tickets this wizard invoices, as its user sees them."""
        return self.env["spid.ticket"].search(self._spid_ticket_domain(), order="client_id, id")

    def action_create_invoices(self):
        """One draft customer invoice per client and order reference, one line
        per ticket; returns an action on the invoices."""
        self.ensure_one()
        moves = (
            self._spid_tickets()
            .with_company(self.company_id)
            ._spid_create_invoices(self.journal_id, self.invoice_date)
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Ticket invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
            "context": {"default_move_type": "out_invoice"},
        }
