from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, format_duration

from odoo.addons.spid_helpdesk.internal import SYSTEM, switched, with_switch


class ProductTemplate(models.Model):
    _inherit = "product.template"

    spid_prepaid_hours = fields.Float(
        string="Prepaid helpdesk hours",
        help="Hours of helpdesk support one unit buys: posting a customer invoice of this product "
        "credits the client's running hour bank (or opens one). 0: not a prepaid product.",
    )
    spid_prepaid_months = fields.Integer(
        string="Validity (months)",
        default=12,
        help="How long a bank opened by selling this product runs.",
    )

    _sql_constraints = [
        (
            "spid_prepaid_hours_positive",
            "CHECK(spid_prepaid_hours >= 0)",
            "Prepaid hours cannot be negative.",
        ),
    ]


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # the draw a ticket's line at price 0 bills (set by the invoicing only).
    # "set null": a cancelled invoice let its tickets go; reopening one (or
    # changing its time) replaces its draw, and the cancelled line, which
    # bills nothing, must not hold the old draw alive.
    spid_contract_line_id = fields.Many2one(
        "spid.contract.line",
        string="Hour bank draw",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("spid_contract_line_id") for vals in vals_list):
            self._spid_check_contract_link()
        return super().create(vals_list)

    def write(self, vals):
        if "spid_contract_line_id" in vals:
            self._spid_check_contract_link()
        return super().write(vals)

    def _spid_check_contract_link(self):
        if not (self.env.su or switched(self.env, SYSTEM)):
            raise AccessError(
                _("The hour bank draw an invoice line bills is set by the helpdesk's invoicing only.")
            )


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._spid_contract_credit()
        return posted

    def button_draft(self):
        self._spid_contract_uncredit()
        return super().button_draft()

    def _spid_prepaid_lines(self):
        return self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        ).invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and line.product_id.spid_prepaid_hours > 0
        )

    def _spid_contract_credit(self):
        """Posted customer invoices selling prepaid hours credit the client's
        running bank valid on the invoice date (without site or category
        scope), or open one for the product's validity."""
        lines = self.sudo()._spid_prepaid_lines()
        if not lines:
            return
        Contract = with_switch(self.env["spid.contract"].sudo(), SYSTEM)
        Line = with_switch(self.env["spid.contract.line"].sudo(), SYSTEM)
        vals_list = []
        refunded = Contract.browse()
        for line in lines:
            move = line.move_id
            if move.move_type == "out_refund":
                vals = self._spid_contract_refund_vals(line, Contract, Line)
                refunded |= Contract.browse(vals["contract_id"])
                vals_list.append(vals)
                continue
            client = move.partner_id.commercial_partner_id
            if not client.spid_is_client:
                raise UserError(
                    _(
                        "%(client)s buys helpdesk hours (%(product)s) but is not a helpdesk client: "
                        "check 'Helpdesk client' on its form first.",
                        client=client.display_name,
                        product=line.product_id.display_name,
                    )
                )
            day = move.invoice_date or fields.Date.context_today(self)
            contract = Contract.search(
                [
                    ("company_id", "=", move.company_id.id),
                    ("client_id", "=", client.id),
                    ("state", "=", "running"),
                    ("site_id", "=", False),
                    ("category_id", "=", False),
                    ("date_start", "<=", day),
                    ("date_end", ">=", day),
                ],
                order="date_end desc, id desc",
                limit=1,
            )
            if not contract:
                months = line.product_id.spid_prepaid_months or 12
                contract = Contract.create(
                    {
                        "company_id": move.company_id.id,
                        "client_id": client.id,
                        "description": line.product_id.name,
                        "date_start": day,
                        "date_end": day + relativedelta(months=months, days=-1),
                        "state": "running",
                        "user_id": move.invoice_user_id.id or self.env.user.id,
                    }
                )
            hours = line.quantity * line.product_id.spid_prepaid_hours
            vals_list.append(
                {
                    "contract_id": contract.id,
                    "kind": "purchase",
                    "hours": hours,
                    "date": day,
                    "move_line_id": line.id,
                    "name": _(
                        "%(hours)s h bought, %(invoice)s", hours=format_duration(hours), invoice=move.name
                    ),
                }
            )
        # a credit note takes back hours not drawn yet, never more
        refunded._spid_lock()
        Line.create(vals_list)
        if refunded:
            balances = refunded._spid_balances()
            short = refunded.filtered(lambda c: float_compare(balances[c.id], 0.0, precision_digits=4) < 0)
            if short:
                raise UserError(
                    _(
                        "Bank %(bank)s has fewer hours left than this credit note takes back: "
                        "credit only the hours not drawn yet.",
                        bank=short[0].name,
                    )
                )

    def _spid_contract_refund_vals(self, line, Contract, Line):
        """The debit of a credit note's prepaid line: on the bank its invoice
        credited, else the client's running bank."""
        move = line.move_id
        hours = line.quantity * line.product_id.spid_prepaid_hours
        credit = Line.search(
            [
                ("kind", "=", "purchase"),
                ("move_line_id.move_id", "=", move.reversed_entry_id.id or 0),
                ("move_line_id.product_id", "=", line.product_id.id),
            ],
            limit=1,
        )
        contract = credit.contract_id or Contract.search(
            [
                ("company_id", "=", move.company_id.id),
                ("client_id", "=", move.partner_id.commercial_partner_id.id),
                ("state", "=", "running"),
            ],
            order="date_end desc, id desc",
            limit=1,
        )
        if not contract:
            raise UserError(
                _(
                    "%(client)s has no running hour bank to take %(product)s back from.",
                    client=move.partner_id.commercial_partner_id.display_name,
                    product=line.product_id.display_name,
                )
            )
        return {
            "contract_id": contract.id,
            "kind": "purchase",
            "hours": -hours,
            "date": move.invoice_date or fields.Date.context_today(self),
            "move_line_id": line.id,
            "name": _(
                "%(hours)s h credited back, %(refund)s", hours=format_duration(hours), refund=move.name
            ),
        }

    def _spid_contract_uncredit(self):
        """Resetting (or cancelling) an invoice that bought hours takes the
        credit back, unless the hours were already drawn: a clear error then."""
        credits = (
            self.env["spid.contract.line"]
            .sudo()
            .search([("kind", "=", "purchase"), ("move_line_id.move_id", "in", self.ids)])
        )
        if not credits:
            return
        contracts = credits.contract_id
        contracts._spid_lock()
        balances = contracts._spid_balances()
        for credit in credits:
            balances[credit.contract_id.id] -= credit.hours
        for contract in contracts:
            if float_compare(balances[contract.id], 0.0, precision_digits=4) < 0:
                raise UserError(
                    _(
                        "Bank %(bank)s has only %(left)s h left of the hours this invoice bought: "
                        "they were drawn by tickets. Issue a credit note for the unused hours instead.",
                        bank=contract.name,
                        left=format_duration(max(contract._spid_balances()[contract.id], 0.0)),
                    )
                )
        with_switch(credits, SYSTEM).unlink()
        contracts._spid_check_warning()
