from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch


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
            groups = self.env["spid.ticket"]._read_group(
                wizard._spid_ticket_domain(), ["client_id"], ["__count", "amount_to_invoice:sum"]
            )
            wizard.client_count = len(groups)
            wizard.ticket_count = sum(count for _client, count, _amount in groups)
            wizard.amount_total = sum(amount for _client, _count, amount in groups)

    def _spid_ticket_domain(self):
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("invoice_state", "=", "to_invoice"),
            ("is_closed", "=", True),
        ]
        if self.invoice_date:
            # closed on or before the invoice date, that whole day included
            end = datetime.combine(self.invoice_date + timedelta(days=1), time.min)
            domain.append(("date_closed", "<", fields.Datetime.to_string(end)))
        if self.client_ids:
            domain.append(("client_id", "in", self.client_ids.ids))
        return domain

    def _spid_take_tickets(self):
        """The tickets to invoice, locked for this transaction: a ticket that
        another user is invoicing at this moment is skipped, and one that
        became invoiced meanwhile is no longer selected."""
        tickets = self.env["spid.ticket"].search(self._spid_ticket_domain(), order="client_id, id")
        if not tickets:
            return tickets
        self.env.cr.execute(
            "SELECT id FROM spid_ticket WHERE id = ANY(%s) AND move_id IS NULL FOR UPDATE SKIP LOCKED",
            [tickets.ids],
        )
        free = {row[0] for row in self.env.cr.fetchall()}
        return tickets.filtered(lambda t: t.id in free)

    def _spid_analytic_distribution(self, partner, products):
        """{product: analytic distribution} of an invoice's lines, found once per
        product (Odoo's own compute looks them up line by line)."""
        commercial = partner.commercial_partner_id
        company = self.company_id
        position = self.env["account.fiscal.position"].with_company(company)._get_fiscal_position(partner)
        Model = self.env["account.analytic.distribution.model"]
        result = {}
        for product in products:
            account = product.product_tmpl_id.with_company(company).get_product_accounts(position)["income"]
            result[product] = Model._get_distribution(
                {
                    "product_id": product.id,
                    "product_categ_id": product.categ_id.id,
                    "partner_id": commercial.id,
                    "partner_category_id": commercial.category_id.ids,
                    "account_prefix": account.code,
                    "company_id": self.company_id.id,
                }
            )
        return result

    def _spid_invoice_vals(self, client, order_ref, tickets):
        partner = client._spid_invoice_address()
        company = self.company_id
        # the client's currency is its pricelist's; tariffs are in the company's
        currency = client.with_company(company).property_product_pricelist.currency_id or company.currency_id
        prices = {
            tariff: company.currency_id._convert(tariff.price, currency, company, self.invoice_date)
            for tariff in tickets.tariff_id
        }
        analytic = self._spid_analytic_distribution(partner, tickets.tariff_id.product_id)
        # labels in the client's language (env._, as _() finds none in a comprehension)
        client_env = self.with_context(lang=partner.lang or self.env.lang).env
        return {
            "move_type": "out_invoice",
            "company_id": self.company_id.id,
            "journal_id": self.journal_id.id,
            "partner_id": partner.id,
            "invoice_date": self.invoice_date,
            "currency_id": currency.id,
            "ref": order_ref or False,
            "invoice_origin": client.spid_contract_ref or False,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": ticket.tariff_id.product_id.id,
                        "name": client_env._(
                            "[%(reference)s] %(title)s, %(hours)s h",
                            reference=ticket.reference,
                            title=ticket.name,
                            hours=round(ticket.billable_hours, 2),
                        ),
                        "quantity": ticket.invoice_quantity,
                        "price_unit": prices[ticket.tariff_id],
                        "spid_ticket_id": ticket.id,
                        "analytic_distribution": analytic[ticket.tariff_id.product_id] or False,
                    }
                )
                for ticket in tickets
            ],
        }

    def action_create_invoices(self):
        """One draft customer invoice per client and order reference, one line
        per ticket; returns an action on the invoices."""
        self.ensure_one()
        if not self.journal_id:
            raise UserError(_("Choose a sales journal of %s.", self.company_id.name))
        tickets = self._spid_take_tickets()
        if not tickets:
            raise UserError(
                _("No closed ticket is left to invoice on or before %s for these clients.", self.invoice_date)
            )
        untariffed = tickets.filtered(lambda t: not t.tariff_id)
        if untariffed:
            raise UserError(
                _(
                    "No tariff applies to tickets %(tickets)s: add a general tariff line "
                    "of company %(company)s or one for their client.",
                    tickets=", ".join(untariffed[:10].mapped("reference")),
                    company=self.company_id.name,
                )
            )
        groups = defaultdict(lambda: self.env["spid.ticket"])
        for ticket in tickets:
            groups[ticket.client_id.commercial_partner_id, ticket.order_ref or ""] |= ticket
        keys = list(groups)
        # the lines name their tickets: the invoicing's own (SYSTEM) values
        moves = (
            with_switch(self.env["account.move"], SYSTEM)
            .with_company(self.company_id)
            .create([self._spid_invoice_vals(client, ref, groups[client, ref]) for client, ref in keys])
            .with_env(self.env)
        )
        for key, move in zip(keys, moves):
            groups[key]._spid_set_invoice(move)
        return {
            "type": "ir.actions.act_window",
            "name": _("Ticket invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
            "context": {"default_move_type": "out_invoice"},
        }
