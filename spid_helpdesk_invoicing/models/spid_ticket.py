from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_round, format_duration

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch

from .spid_tariff import RATE_KINDS

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
    intervention_tariff_id = fields.Many2one(
        "spid.tariff",
        groups=INTERNAL,
        string="Interventions tariff",
        compute="_compute_billing",
        store=True,
        help="The most specific active interventions line: the travel fee of each billable intervention"
        " and the minimum time on site.",
    )
    spid_onsite_hours = fields.Json(
        groups=INTERNAL,
        string="Hours on site billed",
        compute="_compute_invoice_state",
        store=True,
        help="Hours on site of each technician of each billed intervention, for the minimum on site.",
    )
    spid_rate_hours = fields.Json(
        groups=INTERNAL,
        string="Billed hours per rate",
        compute="_compute_billing",
        store=True,
        help="The billed hours at each rate of the tariff ({kind: {hours, rate}}): normal, out of hours,"
        " weekend, public holiday; the minimum and the rounding are at the normal rate.",
    )
    spid_rate_summary = fields.Char(
        groups=INTERNAL,
        string="Hours per rate",
        compute="_compute_spid_rate_summary",
        help="The billed hours at each rate, as the invoice lines say them.",
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

    @api.depends(
        "move_id",
        "status_id.spid_billable",
        "workunit_ids.billable",
        "workunit_ids.duration",
        "workunit_ids.user_id",
        "workunit_ids.intervention_id.billable",
        "workunit_ids.intervention_id.state",
    )
    def _compute_invoice_state(self):
        """Billable hours and invoicing state: from the work units in cache (a
        new ticket's, known empty: no query), else from one grouped query.
        The time of an intervention counts once it is billable and done (or
        signed); a non-billable intervention's never does."""
        field = self._fields["workunit_ids"]
        cached = self.filtered(lambda t: self.env.cache.contains(t, field))
        totals = {}
        # {ticket id: {intervention id: {technician id: hours}}} of the billed interventions
        onsite = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
        for ticket in cached.sudo():
            units = ticket.workunit_ids._spid_billed()
            if units:
                totals[ticket.id] = sum(units.mapped("duration"))
            for unit in units.filtered("intervention_id"):
                onsite[ticket.id][str(unit.intervention_id.id)][unit.user_id.id] += unit.duration
        # a new record of an existing ticket (a form's onchange, e.g. the
        # invoicing wizard's preview) counts the work units of that ticket
        others = (self - cached)._origin.ids
        if others:
            groups = (
                self.env["spid.workunit"]
                .sudo()
                ._read_group(
                    [("ticket_id", "in", others), *self.env["spid.workunit"]._spid_billed_domain()],
                    ["ticket_id", "intervention_id", "user_id"],
                    ["duration:sum"],
                )
            )
            origins = {ticket._origin.id: ticket.id for ticket in self - cached}
            for ticket, intervention, user, hours in groups:
                ticket_id = origins[ticket.id]
                totals[ticket_id] = totals.get(ticket_id, 0.0) + hours
                if intervention:
                    onsite[ticket_id][str(intervention.id)][user.id] += hours
        for ticket in self:
            ticket.billable_hours = totals.get(ticket.id, 0.0)
            ticket.spid_onsite_hours = {
                intervention: sorted(hours.values()) for intervention, hours in onsite[ticket.id].items()
            } or False
            if ticket.move_id:
                ticket.invoice_state = "invoiced"
            elif ticket.status_id.spid_billable and ticket.id in totals:
                ticket.invoice_state = "to_invoice"
            else:
                ticket.invoice_state = "not_billable"

    @api.depends(
        "invoice_state",
        "billable_hours",
        "client_id",
        "status_id",
        "category_id",
        "type_id",
        "company_id",
        "spid_onsite_hours",
        # surcharges: when the billable time was worked
        "workunit_ids.date",
    )
    def _compute_billing(self):
        # Only tickets to invoice are priced; an invoiced ticket keeps the
        # tariffs and quantity it was billed with.
        pending = self.filtered(lambda t: t.invoice_state == "to_invoice")
        Tariff = self.env["spid.tariff"]
        tariffs = Tariff._spid_resolve(pending) if pending else {}
        # interventions billed with the tickets: their lines (travel, minimum on site)
        with_onsite = pending.filtered("spid_onsite_hours")
        itariffs = Tariff._spid_resolve(with_onsite, "intervention") if with_onsite else {}
        # surcharged tariffs: their tickets' time split against the calendars
        surcharged = pending.filtered(
            lambda t: tariffs.get(t.id, Tariff) and tariffs[t.id]._spid_has_surcharge()
        )
        split = surcharged._spid_split_hours(tariffs) if surcharged else {}
        for ticket in pending:
            tariff = tariffs.get(ticket.id, Tariff)
            itariff = itariffs.get(ticket.id, Tariff)
            hours = ticket.billable_hours
            travel = 0.0
            if itariff:
                # each technician's time on site raised to the minimum (at the normal rate)
                onsite = ticket.spid_onsite_hours or {}
                hours += sum(
                    itariff._spid_onsite_hours(technicians) - sum(technicians)
                    for technicians in onsite.values()
                )
                travel = len(onsite) * itariff.price
            quantity = tariff._spid_quantity(hours) if tariff else 0.0
            rate_hours = False
            amount = quantity * tariff.price
            if tariff and tariff.unit != "ticket":
                raw = split.get(ticket.id) or {"normal": ticket.billable_hours}
                rate_hours = tariff._spid_rate_hours(raw, hours)
                amount = sum(
                    tariff._spid_kind_quantity(value["hours"]) * tariff.price * value["rate"]
                    for value in rate_hours.values()
                )
            ticket.tariff_id = tariff
            ticket.intervention_tariff_id = itariff
            ticket.invoice_quantity = quantity
            ticket.spid_rate_hours = rate_hours
            ticket.amount_to_invoice = amount + travel
        for ticket in self - pending:
            if ticket.invoice_state != "invoiced":
                ticket.tariff_id = False
                ticket.intervention_tariff_id = False
                ticket.invoice_quantity = 0.0
                ticket.spid_rate_hours = False
            ticket.amount_to_invoice = 0.0

    def _spid_split_hours(self, tariffs):
        """{ticket id: {kind: hours}} of these tickets' billable time split
        against their tariffs' calendars (`tariffs`: {ticket id: tariff}).
        The work units come from the cache when the tickets hold them, else
        from one query; each calendar is read once for all its units. A unit
        counts from its date (its creation if it has none) for its duration."""
        field = self._fields["workunit_ids"]
        cached = self.filtered(lambda t: self.env.cache.contains(t, field))
        rows = []  # (ticket id, unit start, hours)
        for ticket in cached.sudo():
            rows.extend(
                (ticket.id, unit.date or unit.create_date or fields.Datetime.now(), unit.duration)
                for unit in ticket.workunit_ids._spid_billed()
            )
        others = self - cached
        if others:
            origins = {ticket._origin.id: ticket.id for ticket in others}
            units = (
                self.env["spid.workunit"]
                .sudo()
                .search_fetch(
                    [("ticket_id", "in", list(origins)), *self.env["spid.workunit"]._spid_billed_domain()],
                    ["ticket_id", "date", "duration", "create_date"],
                    order="id",
                )
            )
            rows.extend(
                (origins[unit.ticket_id.id], unit.date or unit.create_date, unit.duration) for unit in units
            )
        by_calendar = defaultdict(list)
        for index, (ticket_id, start, hours) in enumerate(rows):
            tariff = tariffs[ticket_id]
            by_calendar[tariff.calendar_id, tariff.company_id].append((index, start, hours))
        result = defaultdict(lambda: defaultdict(float))
        for (calendar, company), units in by_calendar.items():
            for index, kinds in self.env["spid.tariff"]._spid_split(calendar, company, units).items():
                for kind, hours in kinds.items():
                    result[rows[index][0]][kind] += hours
        return result

    @api.depends("spid_rate_hours", "tariff_id")
    def _compute_spid_rate_summary(self):
        labels = self._spid_rate_labels()
        for ticket in self:
            rate_hours = ticket.spid_rate_hours or {}
            ticket.spid_rate_summary = (
                " · ".join(
                    self.env._(
                        "%(hours)s h %(rate)s",
                        hours=format_duration(rate_hours[kind]["hours"]),
                        rate=labels(kind, rate_hours[kind]["rate"]),
                    )
                    for kind in RATE_KINDS[::-1]
                    if kind in rate_hours
                )
                or False
            )

    def _spid_rate_labels(self):
        """A function (kind, rate) -> the rate's words, in the env's language."""
        names = {
            "normal": self.env._("normal rate"),
            "out_of_hours": self.env._("out of hours"),
            "weekend": self.env._("weekend"),
            "holiday": self.env._("public holiday"),
        }

        def label(kind, rate):
            if kind == "normal":
                return names[kind]
            return f"{names[kind]} x{rate:g}"

        return label

    def _spid_value_hours(self):
        """{ticket id: hours} what each of these tickets bills for its time,
        in hours at its tariff's base price, after the minimum and rounding:
        the hours a prepaid hour bank draws for it. Surcharged hours weigh
        their rate (2 h on a weekend at x1.5 are worth 3 h), as the contract
        wording "out-of-hours time counts x1.5" says. The travel fees of
        interventions are not in it. A flat per-ticket tariff bills no hours."""
        result = {}
        for ticket in self.sudo():
            tariff = ticket.tariff_id
            rate_hours = ticket.spid_rate_hours
            if not tariff or tariff.unit == "ticket":
                result[ticket.id] = 0.0
            elif rate_hours:
                # surcharged hours weigh their rate: 2 h at x1.5 are worth 3 h
                quantity = sum(
                    tariff._spid_kind_quantity(value["hours"]) * value["rate"]
                    for value in rate_hours.values()
                )
                hours_per_unit = tariff.hours_per_day if tariff.unit == "day" else 1.0
                result[ticket.id] = float_round(quantity * hours_per_unit, precision_digits=6)
            elif tariff.unit == "day":
                result[ticket.id] = ticket.invoice_quantity * tariff.hours_per_day
            else:
                result[ticket.id] = ticket.invoice_quantity
        return result

    @api.model
    def _spid_recompute_billing(self, companies):
        """Tariffs changed: the tickets still to invoice take the new prices."""
        if not companies:
            return
        tickets = self.sudo().search(
            [("company_id", "in", companies.ids), ("invoice_state", "=", "to_invoice")]
        )
        self.env.add_to_compute(self._fields["tariff_id"], tickets)
        tickets.flush_recordset(
            [
                "tariff_id",
                "intervention_tariff_id",
                "invoice_quantity",
                "amount_to_invoice",
                "spid_rate_hours",
            ]
        )

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

    # ------------------------------------------------------------------
    # Invoicing (the wizard spid.ticket.invoice.wizard calls it)
    # ------------------------------------------------------------------

    @api.model
    def _spid_invoiceable_domain(self, invoice_date):
        """The tickets that an invoicing dated `invoice_date` bills: to invoice
        (billable work in a billable status, on no invoice), closed on or
        before that day, the whole day included. The one rule of what "to
        invoice" means for finance: the wizard's selection and preview, the
        tickets the invoicing takes, and the turnover still to invoice."""
        domain = [("invoice_state", "=", "to_invoice"), ("is_closed", "=", True)]
        if invoice_date:
            end = datetime.combine(invoice_date + timedelta(days=1), time.min)
            domain.append(("date_closed", "<", fields.Datetime.to_string(end)))
        return domain

    def _spid_create_invoices(self, journal, invoice_date):
        """Invoice these tickets in the current company (env.company): one
        draft customer invoice per client and order reference, in `journal`
        and dated `invoice_date`, one line per ticket (one per rate when some of
        its time is surcharged) and one per travel fee; returns the invoices.

        Private, so that no request calls it: the caller chooses the tickets
        as its user (record rules), the invoices are created as that user,
        and only the invoicing's own values (which ticket a line bills, the
        ticket's invoice) are written under the SYSTEM switch."""
        # who may invoice: the users of the invoicing wizard (billing)
        self.env["spid.ticket.invoice.wizard"].check_access("create")
        company = self.env.company
        if not journal:
            raise UserError(_("Choose a sales journal of %s.", company.name))
        tickets = self._spid_take_for_invoicing(invoice_date)
        if not tickets:
            raise UserError(
                _("No closed ticket is left to invoice on or before %s for these clients.", invoice_date)
            )
        untariffed = tickets.filtered(lambda t: not t.tariff_id)
        if untariffed:
            raise UserError(
                _(
                    "No tariff applies to tickets %(tickets)s: add a general tariff line "
                    "of company %(company)s or one for their client.",
                    tickets=", ".join(untariffed[:10].mapped("reference")),
                    company=company.name,
                )
            )
        groups = defaultdict(self.browse)
        for ticket in tickets:
            groups[ticket.client_id.commercial_partner_id, ticket.order_ref or ""] |= ticket
        keys = list(groups)
        # the lines name their tickets: the invoicing's own (SYSTEM) values
        moves = (
            with_switch(self.env["account.move"], SYSTEM)
            .with_company(company)
            .create(
                [
                    groups[client, ref]._spid_invoice_vals(journal, invoice_date, client, ref)
                    for client, ref in keys
                ]
            )
            .with_env(self.env)
        )
        for key, move in zip(keys, moves):
            groups[key]._spid_set_invoice(move)
        return moves

    def _spid_take_for_invoicing(self, invoice_date):
        """Those of these tickets that an invoice dated `invoice_date` bills in
        the current company, locked for this transaction: a ticket that another
        user is invoicing at this moment is skipped, and so is one that became
        invoiced (or reopened) meanwhile."""
        if not self:
            return self
        query = self.sudo()._search(
            [
                ("id", "in", self.ids),
                ("company_id", "=", self.env.company.id),
                *self._spid_invoiceable_domain(invoice_date),
            ],
            order="id",
        )
        # execute_query flushes the fields the selection reads
        rows = self.env.execute_query(SQL("%s FOR UPDATE OF spid_ticket SKIP LOCKED", query.select()))
        free = {row[0] for row in rows}
        return self.filtered(lambda t: t.id in free)

    def _spid_invoice_vals(self, journal, invoice_date, client, order_ref):
        """The values of the invoice of these tickets, of one client and order."""
        partner = client._spid_invoice_address()
        company = self.env.company
        # the client's currency is its pricelist's; tariffs are in the company's
        currency = client.with_company(company).property_product_pricelist.currency_id or company.currency_id
        tariffs = self.tariff_id | self.intervention_tariff_id
        prices = {
            tariff: company.currency_id._convert(tariff.price, currency, company, invoice_date)
            for tariff in tariffs
        }
        analytic = self._spid_analytic_distribution(partner, tariffs.product_id)
        # labels in the client's language (env._, as _() finds none in a comprehension)
        client_env = self.with_context(lang=partner.lang or self.env.lang).env
        return {
            "move_type": "out_invoice",
            "company_id": company.id,
            "journal_id": journal.id,
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "currency_id": currency.id,
            "ref": order_ref or False,
            "invoice_origin": client.spid_contract_ref or False,
            "invoice_line_ids": [
                Command.create(line)
                for ticket in self
                for line in ticket._spid_time_lines(client_env, prices, analytic)
            ]
            + self._spid_travel_lines(client_env, prices, analytic),
        }

    def _spid_time_lines(self, client_env, prices, analytic):
        """The invoice lines of this ticket's time: one line, or one per rate
        when some of its hours are surcharged ("2:00 h weekend x1.5": the
        quantity in the tariff's unit, the price times the rate). Each carries
        the ticket and no intervention: how the hour banks find a ticket's
        time on an invoice, however many rates it has."""
        self.ensure_one()
        tariff = self.tariff_id
        common = {
            "product_id": tariff.product_id.id,
            "spid_ticket_id": self.id,
            "analytic_distribution": analytic[tariff.product_id] or False,
        }
        rate_hours = self.spid_rate_hours or {}
        if tariff.unit == "ticket" or set(rate_hours) <= {"normal"}:
            return [
                dict(
                    common,
                    name=client_env._(
                        "[%(reference)s] %(title)s, %(hours)s h",
                        reference=self.reference,
                        title=self.name,
                        # hours:minutes for people, as the screens and reports show
                        # them; the line's quantity stays a number of hours
                        hours=format_duration(self.billable_hours),
                    ),
                    quantity=self.invoice_quantity,
                    price_unit=prices[tariff],
                )
            ]
        label = self.with_env(client_env)._spid_rate_labels()
        return [
            dict(
                common,
                name=client_env._(
                    "[%(reference)s] %(title)s, %(hours)s h %(rate)s",
                    reference=self.reference,
                    title=self.name,
                    hours=format_duration(rate_hours[kind]["hours"]),
                    rate=label(kind, rate_hours[kind]["rate"]),
                ),
                quantity=tariff._spid_kind_quantity(rate_hours[kind]["hours"]),
                price_unit=prices[tariff] * rate_hours[kind]["rate"],
            )
            for kind in RATE_KINDS[::-1]
            if kind in rate_hours
        ]

    def _spid_travel_lines(self, client_env, prices, analytic):
        """The travel fee of each billable intervention done or signed of these
        tickets, one line each, after the lines of the tickets' time."""
        lines = []
        for ticket in self.filtered("intervention_tariff_id"):
            tariff = ticket.intervention_tariff_id
            billed = (
                self.env["spid.intervention"].sudo().browse(sorted(map(int, ticket.spid_onsite_hours or {})))
            )
            for intervention in billed:
                lines.append(
                    Command.create(
                        {
                            "product_id": tariff.product_id.id,
                            "name": client_env._(
                                "[%(reference)s] Travel, intervention %(intervention)s",
                                reference=ticket.reference,
                                intervention=intervention.name,
                            ),
                            "quantity": 1.0,
                            "price_unit": prices[tariff],
                            "spid_ticket_id": ticket.id,
                            "spid_intervention_id": intervention.id,
                            "analytic_distribution": analytic[tariff.product_id] or False,
                        }
                    )
                )
        return lines

    @api.model
    def _spid_analytic_distribution(self, partner, products):
        """{product: analytic distribution} of an invoice's lines, found once per
        product (Odoo's own compute looks them up line by line)."""
        commercial = partner.commercial_partner_id
        company = self.env.company
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
                    "company_id": company.id,
                }
            )
        return result
