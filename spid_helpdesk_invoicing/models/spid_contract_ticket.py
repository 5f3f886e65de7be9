from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round, format_duration

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch

INTERNAL = "base.group_user"
# what decides which bank a closed ticket draws on
SCOPE_FIELDS = {"client_id", "site_id", "category_id", "company_id"}


class SpidTicket(models.Model):
    """Prepaid hour banks on tickets: a closed billable ticket draws what its
    time is worth (`_spid_value_hours`) from its client's running bank; only
    the rest (the overage) and travel fees are invoiced."""

    _inherit = "spid.ticket"

    spid_contract_line_ids = fields.One2many(
        "spid.contract.line", "ticket_id", string="Hour bank entries", groups=INTERNAL, readonly=True
    )
    spid_contract_id = fields.Many2one(
        "spid.contract",
        string="Hour bank",
        compute="_compute_spid_contract_draw",
        store=True,
        groups=INTERNAL,
        index="btree_not_null",
        help="The prepaid hour bank this ticket drew on when it was closed.",
    )
    spid_contract_hours = fields.Float(
        string="Hours from the bank",
        compute="_compute_spid_contract_draw",
        store=True,
        groups=INTERNAL,
        help="Hours this ticket drew on its client's prepaid hour bank.",
    )
    spid_overage_hours = fields.Float(
        string="Overage hours",
        compute="_compute_spid_contract_draw",
        store=True,
        groups=INTERNAL,
        help="Hours beyond the bank's balance, invoiced at the overage tariff.",
    )
    spid_contract_balance = fields.Char(
        string="Hour bank balance", compute="_compute_spid_contract_balance", groups=INTERNAL
    )

    @api.depends("spid_contract_line_ids.hours", "spid_contract_line_ids.ticket_hours")
    def _compute_spid_contract_draw(self):
        for ticket in self:
            draw = ticket.spid_contract_line_ids.filtered(lambda line: line.kind == "draw")[:1]
            ticket.spid_contract_id = draw.contract_id
            ticket.spid_contract_hours = -draw.hours
            ticket.spid_overage_hours = draw.ticket_hours + draw.hours if draw else 0.0

    def _compute_spid_contract_balance(self):
        """'Bank C: 12:00 h left' for the bank the ticket drew on, else the bank
        it would draw on if it closed now (one search for all)."""
        candidates = self.filtered(lambda t: not t.spid_contract_id)._spid_contract_candidates()
        for ticket in self:
            contract = ticket.spid_contract_id or candidates.get(ticket.id)
            ticket.spid_contract_balance = (
                _(
                    "Bank %(bank)s: %(hours)s h left",
                    bank=contract.name,
                    hours=format_duration(contract.sudo().hours_left),
                )
                if contract
                else False
            )

    @api.depends("spid_contract_line_ids.hours", "spid_contract_line_ids.ticket_hours")
    def _compute_billing(self):
        """A ticket that drew on a bank bills only its overage (at the bank's
        overage tariff, else its own) and its travel fees."""
        res = super()._compute_billing()
        # only a closed ticket has a draw (reopening gives it back): no query for the others
        for ticket in self.filtered(lambda t: t.invoice_state == "to_invoice" and t.is_closed):
            draw = ticket.spid_contract_line_ids.filtered(lambda line: line.kind == "draw")[:1]
            if not draw:
                continue
            itariff = ticket.intervention_tariff_id
            travel = len(ticket.spid_onsite_hours or {}) * itariff.price if itariff else 0.0
            tariff = draw.contract_id.tariff_id or ticket.tariff_id
            if not tariff:
                continue
            overage = draw.ticket_hours + draw.hours
            ticket.amount_to_invoice = tariff._spid_overage_quantity(overage) * tariff.price + travel
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_drawn(self):
        drawn = self.sudo().spid_contract_line_ids[:1]
        if drawn:
            raise UserError(
                _(
                    "Ticket %(ticket)s drew on hour bank %(bank)s: reopen it first to give the hours back.",
                    ticket=drawn.ticket_id.reference,
                    bank=drawn.contract_id.name,
                )
            )

    # ------------------------------------------------------------------
    # Drawing
    # ------------------------------------------------------------------

    def write(self, vals):
        resync = False
        if "status_id" in vals:
            status = self.env["spid.ticket.status"].browse(vals["status_id"])
            resync = status.is_closed or any(self.mapped("is_closed"))
        elif SCOPE_FIELDS.intersection(vals):
            # a closed ticket moved to another client, site or category: its
            # draw follows (another bank, or none)
            resync = any(self.mapped("is_closed"))
        res = super().write(vals)
        if resync:
            self._spid_contract_sync()
        return res

    @api.model
    def _spid_recompute_billing(self, companies):
        """Tariffs or public holidays changed: what the tickets to invoice are
        worth changed, and so does what they draw."""
        res = super()._spid_recompute_billing(companies)
        if companies:
            self.sudo().search(
                [
                    ("company_id", "in", companies.ids),
                    ("invoice_state", "=", "to_invoice"),
                    ("is_closed", "=", True),
                    ("spid_contract_id", "!=", False),
                ]
            )._spid_contract_sync()
        return res

    @staticmethod
    def _spid_contract_covers(contract, ticket):
        """Whether `contract`'s client, company, site and category cover `ticket`."""
        return (
            contract.company_id == ticket.company_id
            and contract.client_id == ticket.client_id.commercial_partner_id
            and (not contract.site_id or contract.site_id == ticket.site_id)
            and (
                not contract.category_id
                or (
                    ticket.category_id
                    and ticket.category_id.parent_path.startswith(contract.category_id.parent_path)
                )
            )
        )

    def _spid_contract_candidates(self):
        """{ticket id: the running bank that covers it}: same company and
        client, site and category in scope, closing day (today if open) in
        validity; the most specific bank first, then the one ending first."""
        tickets = self.sudo()
        result = {}
        # a stored flag of the client, read with it: no search for clients without a running bank
        clients = tickets.client_id.commercial_partner_id.filtered("spid_contract_running")
        if not clients:
            return result
        contracts = (
            self.env["spid.contract"]
            .sudo()
            .search(
                [
                    ("state", "=", "running"),
                    ("client_id", "in", clients.ids),
                    ("company_id", "in", tickets.company_id.ids),
                ],
                order="date_end, id",
            )
        )
        if not contracts:
            return result
        today = fields.Date.context_today(self)
        for ticket in tickets:
            day = fields.Date.to_date(ticket.date_closed) if ticket.date_closed else today
            matching = contracts.filtered(
                lambda c, t=ticket, d=day: c.date_start <= d <= c.date_end
                and self._spid_contract_covers(c, t)
            )
            if matching:
                result[ticket.id] = max(
                    matching,
                    key=lambda c: (bool(c.site_id) + bool(c.category_id), -c.date_end.toordinal(), -c.id),
                )
        return result

    def _spid_contract_sync(self):
        """Make these tickets' draws match what they are worth now: a closed
        ticket to invoice draws from its bank (up to the balance), a reopened
        one gives its hours back, a changed one draws again. An invoiced
        ticket's draw is what its invoice billed: never touched.

        A bank that ended (expired or closed) was settled with its draws: it
        never gets hours back. A draw on it that still covers the ticket stays
        as it is; only what the ticket is worth follows (more time: more
        overage; less: less overage, and the hours the bank covered stay drawn).
        A draw on it that no longer covers the ticket (another client, site or
        category) leaves the ticket, and the hours it held are written off on
        the ended bank (an expiry entry): its balance does not move."""
        tickets = self.sudo().filtered(lambda t: not t.move_id)
        if not tickets:
            return
        Line = with_switch(self.env["spid.contract.line"].sudo(), SYSTEM)
        existing = Line.search([("ticket_id", "in", tickets.ids), ("kind", "=", "draw")])
        if not existing and not tickets.filtered("is_closed"):
            return
        eligible = tickets.filtered(lambda t: t.is_closed and t.invoice_state == "to_invoice")
        values = eligible._spid_value_hours() if eligible else {}
        candidates = eligible._spid_contract_candidates() if eligible else {}
        draws = {line.ticket_id.id: line for line in existing}
        stale = Line.browse()
        written_off = []
        wanted = {}
        today = fields.Date.context_today(self)
        for ticket in tickets:
            hours = values.get(ticket.id, 0.0)
            draw = draws.get(ticket.id)
            if draw and draw.contract_id.state in ("expired", "closed"):
                if self._spid_contract_covers(draw.contract_id, ticket):
                    if ticket in eligible:
                        worth = max(hours, -draw.hours)
                        if float_compare(draw.ticket_hours, worth, precision_digits=4):
                            draw.ticket_hours = worth
                    continue
                stale |= draw
                if draw.hours:
                    written_off.append(
                        {
                            "contract_id": draw.contract_id.id,
                            "kind": "expiry",
                            "hours": draw.hours,
                            "date": today,
                            "name": _(
                                "Hours of ticket %s, drawn before the bank ended: written off",
                                ticket.reference,
                            ),
                        }
                    )
                draw = None
            contract = candidates.get(ticket.id) if hours > 0 else None
            if draw and (
                contract != draw.contract_id or float_compare(draw.ticket_hours, hours, precision_digits=4)
            ):
                stale |= draw
                draw = None
            if contract and not draw:
                wanted[ticket] = (contract, hours)
        contracts = stale.contract_id | self.env["spid.contract"].sudo().union(
            *(c for c, _h in wanted.values())
        )
        # the rows first, then the balance: no two closings spend the same hours
        contracts._spid_lock()
        if stale:
            stale.unlink()
        if written_off:
            Line.create(written_off)
        if wanted:
            balances = contracts._spid_balances()
            vals_list = []
            for ticket, (contract, hours) in wanted.items():
                drawn = float_round(min(hours, max(balances[contract.id], 0.0)), precision_digits=4)
                balances[contract.id] -= drawn
                vals_list.append(
                    {
                        "contract_id": contract.id,
                        "kind": "draw",
                        "date": fields.Date.to_date(ticket.date_closed) if ticket.date_closed else today,
                        "hours": -drawn,
                        "ticket_hours": hours,
                        "ticket_id": ticket.id,
                        "name": f"[{ticket.reference}] {ticket.name}",
                    }
                )
            Line.create(vals_list)
        elif contracts:
            contracts._spid_check_warning()

    # ------------------------------------------------------------------
    # Invoicing: consumption line at 0 and the overage at the tariff
    # ------------------------------------------------------------------

    def _spid_take_for_invoicing(self, invoice_date):
        """The tickets taken draw what they are worth now (a fact changed
        since closing that no write told us about is caught here), and never
        from another client's bank."""
        tickets = super()._spid_take_for_invoicing(invoice_date)
        tickets._spid_contract_sync()
        foreign = tickets.sudo().spid_contract_line_ids.filtered(
            lambda line: line.kind == "draw"
            and line.contract_id.client_id != line.ticket_id.client_id.commercial_partner_id
        )
        if foreign:
            raise UserError(
                _(
                    "Ticket %(ticket)s draws on hour bank %(bank)s of another client: "
                    "reopen and close the ticket again before invoicing it.",
                    ticket=foreign[0].ticket_id.reference,
                    bank=foreign[0].contract_id.name,
                )
            )
        return tickets

    def _spid_create_invoices(self, journal, invoice_date):
        moves = super()._spid_create_invoices(journal, invoice_date)
        for line in moves.sudo().invoice_line_ids.filtered("spid_contract_line_id"):
            with_switch(line.spid_contract_line_id, SYSTEM).move_line_id = line
        return moves

    def _spid_invoice_vals(self, journal, invoice_date, client, order_ref):
        """The time lines of a ticket that drew on a bank (those naming the
        ticket and no intervention) become one line at price 0 saying the
        hours drawn and the balance, and an overage line if any."""
        vals = super()._spid_invoice_vals(journal, invoice_date, client, order_ref)
        draws = {
            line.ticket_id.id: line for line in self.sudo().spid_contract_line_ids if line.kind == "draw"
        }
        if not draws:
            return vals
        company = self.env.company
        currency = self.env["res.currency"].browse(vals["currency_id"])
        partner = self.env["res.partner"].browse(vals["partner_id"])
        client_env = self.with_context(lang=partner.lang or self.env.lang).env
        balances = {
            line.id: line.balance
            for line in self.env["spid.contract.line"].sudo().browse([d.id for d in draws.values()])
        }
        lines = []
        replaced = set()
        for command in vals["invoice_line_ids"]:
            line_vals = command[2] if command[0] == Command.CREATE else {}
            ticket_id = line_vals.get("spid_ticket_id")
            if ticket_id not in draws or line_vals.get("spid_intervention_id"):
                lines.append(command)
                continue
            if ticket_id in replaced:
                continue
            replaced.add(ticket_id)
            draw = draws[ticket_id]
            ticket = draw.ticket_id
            tariff = draw.contract_id.tariff_id or ticket.tariff_id
            analytic = line_vals.get("analytic_distribution") or False
            lines.append(
                Command.create(
                    {
                        "product_id": tariff.product_id.id,
                        "name": client_env._(
                            "[%(reference)s] %(title)s: %(hours)s h from contract %(contract)s"
                            " (balance %(balance)s h)",
                            reference=ticket.reference,
                            title=ticket.name,
                            hours=format_duration(-draw.hours),
                            contract=draw.contract_id.name,
                            balance=format_duration(balances[draw.id]),
                        ),
                        "quantity": -draw.hours,
                        "price_unit": 0.0,
                        "spid_ticket_id": ticket.id,
                        "spid_contract_line_id": draw.id,
                        "analytic_distribution": analytic,
                    }
                )
            )
            overage = draw.ticket_hours + draw.hours
            if float_compare(overage, 0.0, precision_digits=4) > 0:
                lines.append(
                    Command.create(
                        {
                            "product_id": tariff.product_id.id,
                            "name": client_env._(
                                "[%(reference)s] %(title)s: %(hours)s h beyond contract %(contract)s",
                                reference=ticket.reference,
                                title=ticket.name,
                                hours=format_duration(overage),
                                contract=draw.contract_id.name,
                            ),
                            "quantity": tariff._spid_overage_quantity(overage),
                            "price_unit": company.currency_id._convert(
                                tariff.price, currency, company, invoice_date
                            ),
                            "spid_ticket_id": ticket.id,
                            "analytic_distribution": analytic,
                        }
                    )
                )
        vals["invoice_line_ids"] = lines
        return vals


class SpidWorkunit(models.Model):
    """Time changed on a closed ticket: its draw follows."""

    _inherit = "spid.workunit"

    @api.model_create_multi
    def create(self, vals_list):
        units = super().create(vals_list)
        units.ticket_id.filtered("is_closed")._spid_contract_sync()
        return units

    def write(self, vals):
        before = self.ticket_id
        res = super().write(vals)
        if {"billable", "duration", "date", "user_id", "ticket_id", "intervention_id"}.intersection(vals):
            (before | self.ticket_id).filtered("is_closed")._spid_contract_sync()
        return res

    def unlink(self):
        tickets = self.ticket_id.filtered("is_closed")
        res = super().unlink()
        tickets.exists()._spid_contract_sync()
        return res


class SpidTariff(models.Model):
    _inherit = "spid.tariff"

    def _spid_overage_quantity(self, hours):
        """Hours beyond a bank in this tariff's unit (already rounded: they are
        part of the ticket's billed hours)."""
        self.ensure_one()
        if self.unit == "day":
            return float_round(hours / self.hours_per_day, precision_digits=4)
        return hours
