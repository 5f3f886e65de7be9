from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_duration

from odoo.addons.spid_helpdesk.internal import SYSTEM, switched, with_switch

CONTRACT_STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("expired", "Expired"),
    ("closed", "Closed"),
]
BILLING = "spid_helpdesk_invoicing.group_spid_billing"
# written by the bank itself only (its ledger, its actions), never by a caller
SYSTEM_FIELDS = {
    "hours_bought",
    "hours_used",
    "hours_left",
    "state",
    "warning_sent",
    "line_ids",
    "previous_id",
    "hours_expired",
    "hours_carried",
    "hours_corrected",
}
# What a client's portal user reads of a bank: what /my/contracts shows (its
# figures and validity), nothing of who follows it, its threshold, tariff,
# scope or chatter.
PORTAL_READABLE_FIELDS = frozenset(
    {
        "id",
        "display_name",
        "name",
        "description",
        "date_start",
        "date_end",
        "rollover",
        "state",
        "hours_bought",
        "hours_used",
        "hours_expired",
        "hours_carried",
        "hours_corrected",
        "hours_left",
    }
)
# The figures of a bank, from its ledger (`_spid_ledger_figures`).
FIGURES = ("hours_bought", "hours_used", "hours_expired", "hours_carried", "hours_corrected", "hours_left")


class SpidContract(models.Model):
    """A prepaid hour bank: hours a client bought, drawn by its closed
    tickets. The balance is the sum of its ledger (spid.contract.line)."""

    _name = "spid.contract"
    _description = "Prepaid hour bank"
    _inherit = ["mail.thread", "mail.activity.mixin", "spid.readable.fields.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        default=lambda self: _("New"),
        tracking=True,
    )
    description = fields.Char(string="Title", help="What the client bought, e.g. 'Support 2026, 20 hours'.")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    client_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        tracking=True,
        domain="[('spid_is_client', '=', True), ('is_company', '=', True)]",
        help="The helpdesk client (a company) whose tickets draw on this bank.",
    )
    site_id = fields.Many2one(
        "res.partner",
        string="Site",
        domain="[('parent_id', '=', client_id)]",
        help="Only tickets of this site draw on the bank (empty: every site).",
    )
    category_id = fields.Many2one(
        "spid.ticket.category",
        string="Category",
        help="Only tickets of this category or its subcategories draw on the bank (empty: every category).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Receives the activity when the balance falls under the warning threshold.",
    )
    date_start = fields.Date(
        string="Valid from", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date(
        string="Valid until",
        required=True,
        default=lambda self: fields.Date.context_today(self) + relativedelta(years=1, days=-1),
        tracking=True,
        help="Tickets closed after this day no longer draw on the bank.",
    )
    rollover = fields.Boolean(
        tracking=True,
        help="Checked: the hours left when the bank expires are carried to the client's next bank "
        "(a new one, running for the same length, is opened if there is none). "
        "Unchecked: the hours left expire on the last day of validity.",
    )
    tariff_id = fields.Many2one(
        "spid.tariff",
        string="Overage tariff",
        check_company=True,
        groups=BILLING,
        domain="[('applies_to', '=', 'ticket'), ('unit', '!=', 'ticket')]",
        help="Hours beyond the balance are invoiced at this tariff; empty: at the ticket's own tariff.",
    )
    threshold_hours = fields.Float(
        string="Warning threshold",
        default=2.0,
        tracking=True,
        help="When a ticket brings the balance under this many hours, the responsible gets an activity "
        "and the client's invoicing contact an email (once per crossing).",
    )
    state = fields.Selection(
        CONTRACT_STATES,
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
        help="Running banks are drawn; an expired or closed bank draws no more.",
    )
    line_ids = fields.One2many("spid.contract.line", "contract_id", string="Ledger", readonly=True)
    hours_bought = fields.Float(
        compute="_compute_hours",
        store=True,
        string="Hours credited",
        help="Hours bought, added by hand or carried over from the previous bank.",
    )
    hours_used = fields.Float(
        compute="_compute_hours",
        store=True,
        help="Hours drawn by tickets (net of the hours reopened tickets gave back).",
    )
    hours_expired = fields.Float(
        compute="_compute_hours",
        store=True,
        string="Hours expired",
        help="Hours written off: not used by the end of validity.",
    )
    hours_carried = fields.Float(
        compute="_compute_hours",
        store=True,
        string="Hours carried over",
        help="Hours carried over to the client's next bank when this one ended.",
    )
    hours_corrected = fields.Float(
        compute="_compute_hours",
        store=True,
        string="Hours taken back",
        help="Hours taken back by credit notes and corrections entered by hand.",
    )
    hours_left = fields.Float(
        compute="_compute_hours",
        store=True,
        string="Balance",
        help="Hours credited, less hours used, expired, carried over and taken back.",
    )
    warning_sent = fields.Boolean(
        readonly=True,
        copy=False,
        help="The balance is under the threshold and the warning was given; cleared when hours are added.",
    )
    previous_id = fields.Many2one(
        "spid.contract", string="Previous bank", readonly=True, copy=False, check_company=True
    )

    _sql_constraints = [
        ("threshold_positive", "CHECK(threshold_hours >= 0)", "The warning threshold cannot be negative."),
    ]

    @api.depends("line_ids.hours", "line_ids.kind")
    def _compute_hours(self):
        figures = self._spid_ledger_figures() if self.ids else {}
        for contract in self:
            contract.update(figures.get(contract.id) or dict.fromkeys(FIGURES, 0.0))

    def _spid_ledger_figures(self, date_to=None):
        """{bank id: {figure: hours}} from these banks' ledgers (up to
        `date_to` included when given), in one query. The one definition of a
        bank's figures, for its form, the portal and the service statements:
        credited (every credit: bought, added, carried in), used (tickets'
        draws), expired, carried over (to the next bank), taken back (credit
        notes and negative corrections), and the balance, their sum."""
        domain = [("contract_id", "in", self.ids)]
        if date_to:
            domain.append(("date", "<=", date_to))
        result = {contract_id: dict.fromkeys(FIGURES, 0.0) for contract_id in self.ids}
        for contract, kind, is_credit, hours in (
            self.env["spid.contract.line"]
            .sudo()
            ._read_group(domain, ["contract_id", "kind", "is_credit"], ["hours:sum"])
        ):
            figures = result[contract.id]
            figures["hours_left"] += hours
            if is_credit:
                figures["hours_bought"] += hours
            elif kind == "draw":
                figures["hours_used"] -= hours
            elif kind == "expiry":
                figures["hours_expired"] -= hours
            elif kind == "rollover":
                figures["hours_carried"] -= hours
            else:
                figures["hours_corrected"] -= hours
        return result

    def _spid_readable_fields(self):
        if not self.env.su and self.env.user.share:
            return PORTAL_READABLE_FIELDS
        return super()._spid_readable_fields()

    @api.depends("name", "description", "hours_left")
    def _compute_display_name(self):
        for contract in self:
            contract.display_name = (
                f"{contract.name} ({contract.description})" if contract.description else contract.name
            )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end < contract.date_start:
                raise ValidationError(
                    _("Bank %s: the end of validity comes before its start.", contract.name)
                )

    @api.constrains("client_id", "site_id")
    def _check_scope(self):
        for contract in self:
            if (
                not contract.client_id.spid_is_client
                or contract.client_id != contract.client_id.commercial_partner_id
            ):
                raise ValidationError(
                    _("Bank %s: the client must be a helpdesk client company.", contract.name)
                )
            if contract.site_id and contract.site_id.commercial_partner_id != contract.client_id:
                raise ValidationError(_("Bank %s: the site must be an address of the client.", contract.name))

    def _spid_check_system_fields(self, vals_list, creating=False):
        if self.env.su or switched(self.env, SYSTEM):
            return
        for vals in vals_list:
            # a new bank may be said to be a draft, what it is anyway
            allowed = {"state"} if creating and vals.get("state") == "draft" else set()
            forbidden = SYSTEM_FIELDS.intersection(vals) - allowed
            if forbidden:
                raise AccessError(
                    _(
                        "%(fields)s of an hour bank come from its ledger and buttons, never from a caller.",
                        fields=", ".join(sorted(forbidden)),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._spid_check_system_fields(vals_list, creating=True)
        for vals in vals_list:
            if not vals.get("name") or vals["name"] == _("New"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "spid.contract"
                ) or _("New")
        return super().create(vals_list)

    def write(self, vals):
        self._spid_check_system_fields([vals])
        if {"client_id", "company_id"}.intersection(vals) and self.sudo().line_ids.filtered("ticket_id"):
            raise UserError(_("Tickets drew on this bank: its client and company are fixed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_empty(self):
        if self.sudo().line_ids:
            raise UserError(
                _(
                    "Bank %s has ledger entries: close it instead of deleting it.",
                    self.sudo().line_ids[0].contract_id.name,
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        # the buttons write under the SYSTEM switch: only who may write the bank presses them
        self.check_access("write")
        for contract in self:
            if contract.state != "draft":
                raise UserError(_("Only a draft bank can be started (%s).", contract.name))
        with_switch(self, SYSTEM).write({"state": "running"})

    def action_close(self):
        """Closed by hand: no more draws; the balance expires or rolls over as at its end."""
        self.check_access("write")
        for contract in self:
            if contract.state not in ("draft", "running"):
                raise UserError(_("Bank %s is already expired or closed.", contract.name))
        self._spid_settle("closed")

    def action_view_tickets(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Tickets drawn on %s", self.name),
            "res_model": "spid.ticket",
            "view_mode": "list,form",
            "domain": [("id", "in", self.line_ids.ticket_id.ids)],
        }

    def action_add_hours(self):
        """Billing users credit hours by hand, with a reason."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": _("Add hours to %s", self.name),
            "res_model": "spid.contract.line",
            "view_mode": "form",
            "view_id": self.env.ref("spid_helpdesk_invoicing.spid_contract_line_view_form_manual").id,
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    # ------------------------------------------------------------------
    # Expiry and rollover
    # ------------------------------------------------------------------

    @api.model
    def _cron_expire(self):
        """Banks past their last day: the balance rolls over or expires."""
        today = fields.Date.context_today(self)
        contracts = self.sudo().search([("state", "=", "running"), ("date_end", "<", today)], limit=500)
        contracts._spid_settle("expired")
        if len(contracts) == 500:
            self.env.ref("spid_helpdesk_invoicing.ir_cron_spid_contract_expire")._trigger()

    def _spid_settle(self, state):
        """End these banks: a rollover bank carries its balance to the client's
        next bank (opened if none), another writes it off; one entry each."""
        contracts = with_switch(self.sudo(), SYSTEM)
        contracts._spid_lock()
        balances = contracts._spid_balances() if contracts else {}
        Line = contracts.env["spid.contract.line"]
        lines = []
        today = fields.Date.context_today(self)
        for contract in contracts:
            left = balances[contract.id]
            if left > 0 and contract.rollover:
                target = contract._spid_next_bank()
                lines += [
                    {
                        "contract_id": contract.id,
                        "kind": "rollover",
                        "hours": -left,
                        "date": today,
                        "name": _("Carried over to %s", target.name),
                    },
                    {
                        "contract_id": target.id,
                        "kind": "rollover",
                        "hours": left,
                        "date": today,
                        "name": _("Carried over from %s", contract.name),
                    },
                ]
            elif left > 0:
                lines.append(
                    {
                        "contract_id": contract.id,
                        "kind": "expiry",
                        "hours": -left,
                        "date": today,
                        "name": _("Hours not used by the end of validity"),
                    }
                )
        Line.create(lines)
        contracts.write({"state": state})

    def _spid_next_bank(self):
        """The client's next bank (same company and scope, starting after this
        one began), or a new one running for the same length from the day after."""
        self.ensure_one()
        following = self.search(
            [
                ("id", "!=", self.id),
                ("company_id", "=", self.company_id.id),
                ("client_id", "=", self.client_id.id),
                ("site_id", "=", self.site_id.id),
                ("category_id", "=", self.category_id.id),
                ("state", "in", ("draft", "running")),
                ("date_start", ">", self.date_start),
            ],
            order="date_start, id",
            limit=1,
        )
        if following:
            return following
        length = self.date_end - self.date_start
        start = self.date_end + relativedelta(days=1)
        return self.create(
            {
                "company_id": self.company_id.id,
                "client_id": self.client_id.id,
                "site_id": self.site_id.id,
                "category_id": self.category_id.id,
                "description": self.description,
                "user_id": self.user_id.id,
                "date_start": start,
                "date_end": start + length,
                "rollover": True,
                "tariff_id": self.tariff_id.id,
                "threshold_hours": self.threshold_hours,
                "previous_id": self.id,
                "state": "running",
            }
        )

    # ------------------------------------------------------------------
    # Balance under lock
    # ------------------------------------------------------------------

    def _spid_lock(self):
        """Lock these banks' rows for this transaction, before their balance
        is read: two closings at once draw one after the other (the second
        waits, then fails and is retried if the first changed the row)."""
        if self:
            self.env.cr.execute(
                SQL("SELECT id FROM spid_contract WHERE id IN %s ORDER BY id FOR UPDATE", tuple(self.ids))
            )

    def _spid_balances(self):
        """{bank id: hours left} read from the ledger in the database (after a lock)."""
        self.env["spid.contract.line"].flush_model(["contract_id", "hours"])
        self.env.cr.execute(
            SQL(
                "SELECT contract_id, COALESCE(SUM(hours), 0) FROM spid_contract_line"
                " WHERE contract_id IN %s GROUP BY contract_id",
                tuple(self.ids),
            )
        )
        balances = dict.fromkeys(self.ids, 0.0)
        balances.update(dict(self.env.cr.fetchall()))
        return balances

    def _spid_check_warning(self):
        """A balance that fell under its threshold warns once: an activity for
        the responsible, an email to the client's invoicing contact. Going back
        over the threshold (hours added) arms the warning again."""
        contracts = with_switch(self.sudo(), SYSTEM)
        rearm = contracts.filtered(lambda c: c.warning_sent and c.hours_left >= c.threshold_hours)
        rearm.write({"warning_sent": False})
        crossing = contracts.filtered(
            lambda c: not c.warning_sent and c.state == "running" and c.hours_left < c.threshold_hours
        )
        if not crossing:
            return
        crossing.write({"warning_sent": True})
        template = self.env.ref(
            "spid_helpdesk_invoicing.mail_template_spid_contract_low", raise_if_not_found=False
        )
        for contract in crossing:
            contract.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(contract.user_id or self.env.ref("base.user_admin")).id,
                summary=_("Hour bank %s is running low", contract.name),
                note=_(
                    "%(hours)s h left (warning under %(threshold)s h): offer the client a renewal.",
                    hours=format_duration(contract.hours_left),
                    threshold=format_duration(contract.threshold_hours),
                ),
            )
            if template and contract._spid_notify_partner():
                contract.message_post_with_source(template, subtype_xmlid="mail.mt_comment")

    def _spid_notify_partner(self):
        """Who is told the balance is low: the client's invoicing contact."""
        self.ensure_one()
        partner = self.client_id._spid_invoice_address()
        return partner if partner.email else self.env["res.partner"]

    def _spid_low_balance_text(self):
        """The balance as the warning email says it, in hours:minutes."""
        self.ensure_one()
        return format_duration(self.hours_left)
