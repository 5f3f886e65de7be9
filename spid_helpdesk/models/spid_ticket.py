from collections import defaultdict

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import is_html_empty

from ..internal import (
    BATCH_CREATE,
    SLA_SYSTEM,
    SYSTEM,
    TYPE_OPTIONAL,
    check_system_fields,
    switched,
    with_switch,
    without_switch,
)

TICKET_SEQUENCE_CODE = "spid.ticket"
LEVELS = [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Critical")]
CHANNELS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("portal", "Portal"),
    ("web", "Web form"),
    ("chat", "Chat"),
    ("walk_in", "Walk-in"),
    ("other", "Other"),
]
RESOLUTIONS = [
    ("solved", "Solved"),
    ("rejected", "Rejected"),
    ("missing_data", "Missing data"),
    ("expired", "Expired"),
    ("duplicate", "Duplicate"),
    ("cancelled", "Cancelled"),
]
# Fields that stay writable on a locked ticket: the chatter, activities and
# ratings live beside the ticket's facts, and a manager may unlock it.
LOCK_EXEMPT_PREFIXES = ("message_", "activity_", "rating_", "website_message")
# access_token: the portal creates it when a locked ticket's email is sent.
LOCK_EXEMPT_FIELDS = {"is_locked", "email_cc", "limit_warning", "auto_close_warned_date", "access_token"}
# Readonly fields that callers may still write: the mixins' own (chatter,
# activities, ratings, portal token) are guarded by their modules.
SYSTEM_EXEMPT_FIELDS = {"access_token"}
# Internal fields that are tracked: a field with a group stays out of the
# tracking that notification emails carry to customers.
INTERNAL = "base.group_user"
# Fields whose change may change the service-level policies of a ticket.
SLA_MATCH_FIELDS = ("team_id", "client_id", "partner_id", "category_id", "type_id", "priority", "company_id")


class SpidTicket(models.Model):
    _name = "spid.ticket"
    _description = "Helpdesk ticket"
    _inherit = ["mail.thread.cc", "mail.activity.mixin", "rating.mixin"]
    _order = "priority desc, id desc"
    _rec_names_search = ["reference", "name"]
    _check_company_auto = True
    _mail_post_access = "read"
    _primary_email = "email_from"

    reference = fields.Char(readonly=True, copy=False, index="trigram", default="/")
    name = fields.Char(string="Title", required=True, tracking=True)
    description = fields.Html(compute="_compute_description", store=True, readonly=False)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)
    color = fields.Integer()

    # Who
    client_id = fields.Many2one(
        "res.partner",
        string="Client",
        compute="_compute_client_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        help="The demanding client or team: the requester's company.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Requester",
        index=True,
        tracking=True,
        domain="[('commercial_partner_id', '=', client_id), ('type', '=', 'contact')]"
        " if client_id else [('type', '=', 'contact')]",
        help="The person who asks, a contact of the client.",
    )
    partner_phone = fields.Char(related="partner_id.phone", string="Requester phone")
    partner_email = fields.Char(related="partner_id.email", string="Requester email")
    site_id = fields.Many2one(
        "res.partner",
        string="Site",
        tracking=True,
        domain="['|', ('id', '=', client_id), '&', ('parent_id', '=', client_id),"
        " ('type', 'in', ('delivery', 'other'))]",
        help="Where the intervention takes place: an address of the client.",
    )
    reporter_id = fields.Many2one(
        "res.partner",
        string="Reporter",
        help="Who reported the problem, when it is not the requester.",
    )
    channel = fields.Selection(CHANNELS, default="phone", required=True)
    email_from = fields.Char(
        string="Sender email",
        index=True,
        readonly=True,
        copy=False,
        help="Address of the email that opened the ticket.",
    )
    requester_unconfirmed = fields.Boolean(
        string="Requester to classify",
        copy=False,
        help="The requester was created from an unknown email address and attached to no client:"
        " an agent should check it.",
    )
    notify_customer = fields.Boolean(
        string="Notify the customer",
        default=True,
        help="When off, public updates are logged but not sent to the requester"
        " and the third parties in copy.",
    )
    editor_id = fields.Many2one(
        "res.users",
        string="Entered by",
        default=lambda self: self.env.user,
        readonly=True,
        copy=False,
    )

    # Routing
    category_id = fields.Many2one(
        "spid.ticket.category", string="Category", tracking=True, index=True, check_company=True
    )
    team_id = fields.Many2one(
        "spid.team",
        string="Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
        check_company=True,
        groups=INTERNAL,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        tracking=True,
        index=True,
        domain=lambda self: self.env["res.users"]._spid_agent_domain(),
        help="The one person accountable for the ticket.",
    )
    participant_ids = fields.Many2many(
        "res.users",
        "spid_ticket_participant_rel",
        "ticket_id",
        "user_id",
        string="Participants",
        domain=lambda self: self.env["res.users"]._spid_agent_domain(),
        help="Other agents working on the ticket.",
    )
    type_id = fields.Many2one(
        "spid.ticket.type",
        string="Type",
        tracking=True,
        index=True,
        domain="[('selectable_by_user', '=', True)]",
    )
    properties = fields.Properties(definition="type_id.properties_definition", copy=True)
    common_properties = fields.Properties(
        string="Fields of every ticket",
        definition="company_id.spid_ticket_properties_definition",
        copy=True,
    )
    type_required = fields.Boolean(related="company_id.spid_type_required")
    type_locked = fields.Boolean(related="company_id.spid_type_locked")
    external_ref = fields.Char(
        string="External reference",
        copy=False,
        index=True,
        help="The ticket's identifier in the tool it was imported from; importing the same"
        " reference again updates this ticket.",
    )
    urgency = fields.Selection(LEVELS, default="1", required=True, help="The requester's view.")
    priority = fields.Selection(
        LEVELS, default="1", required=True, tracking=True, groups=INTERNAL, help="The technician's view."
    )
    date_deadline = fields.Datetime(string="Deadline", tracking=True, groups=INTERNAL)

    # Workflow
    status_id = fields.Many2one(
        "spid.ticket.status",
        string="Status",
        required=True,
        tracking=True,
        index=True,
        ondelete="restrict",
        copy=False,
        default=lambda self: self._default_status(),
        group_expand="_read_group_status_id",
    )
    is_closed = fields.Boolean(related="status_id.is_closed", store=True, index=True)
    is_new = fields.Boolean(related="status_id.is_start", string="Is new")
    date_status = fields.Datetime(string="Status since", readonly=True, copy=False)
    resolution = fields.Selection(RESOLUTIONS, tracking=True, copy=False)
    epilogue = fields.Html(copy=False, help="How the ticket ended, for the requester.")
    date_closed = fields.Datetime(string="Closed on", readonly=True, copy=False, index=True)
    closed_by_id = fields.Many2one("res.users", string="Closed by", readonly=True, copy=False)
    is_locked = fields.Boolean(
        string="Locked",
        readonly=True,
        copy=False,
        tracking=True,
        help="A locked ticket is closed for good: it can be neither changed nor reopened.",
    )

    # Service levels
    sla_line_ids = fields.One2many("spid.ticket.sla", "ticket_id", string="Service levels")
    sla_status = fields.Selection(
        [("none", "No SLA"), ("ongoing", "Ongoing"), ("met", "Met"), ("failed", "Failed")],
        string="SLA",
        compute="_compute_sla",
        store=True,
        index=True,
    )
    sla_deadline = fields.Datetime(
        string="SLA deadline", compute="_compute_sla", store=True, help="The nearest running SLA deadline."
    )
    sla_compliance = fields.Float(
        string="SLA met (%)",
        compute="_compute_sla",
        store=True,
        aggregator="avg",
        help="Share of this ticket's finished service-level clocks that were met.",
    )
    sla_at_risk = fields.Boolean(
        string="SLA at risk", compute="_compute_sla_at_risk", search="_search_sla_at_risk"
    )
    auto_close_warned_date = fields.Datetime(
        readonly=True, copy=False, help="When the requester was warned of the automatic closing."
    )
    limit_warning = fields.Char(readonly=True, copy=False, help="A creation limit this ticket went past.")

    # Links
    parent_id = fields.Many2one(
        "spid.ticket", string="Parent ticket", index=True, tracking=True, groups=INTERNAL
    )
    merged_into_id = fields.Many2one(
        "spid.ticket",
        string="Merged into",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The ticket this duplicate was merged into.",
    )
    child_ids = fields.One2many("spid.ticket", "parent_id", string="Sub-tickets")
    related_ticket_ids = fields.Many2many(
        "spid.ticket",
        "spid_ticket_related_rel",
        "ticket_id",
        "related_id",
        string="Related tickets",
    )
    link_ids = fields.One2many("spid.ticket.link", "ticket_id", string="Links")
    calendar_event_ids = fields.One2many(
        "calendar.event", compute="_compute_calendar_event_ids", string="Meetings"
    )
    calendar_event_count = fields.Integer(compute="_compute_calendar_event_ids")

    # Work order and statistics
    signed_workorder = fields.Binary(string="Signed work order", attachment=True, copy=False)
    signed_workorder_name = fields.Char(copy=False)
    statistics_html = fields.Html(string="Statistics", compute="_compute_statistics_html", sanitize=False)

    # Work
    workunit_ids = fields.One2many("spid.workunit", "ticket_id", string="Work units")
    total_hours = fields.Float(
        string="Time spent", compute="_compute_total_hours", store=True, help="Hours of all work units."
    )
    workunit_count = fields.Integer(compute="_compute_total_hours", store=True)

    _sql_constraints = [
        (
            "reference_company_uniq",
            "unique(company_id, reference)",
            "The ticket reference must be unique per company.",
        ),
        (
            "external_ref_company_uniq",
            "unique(company_id, external_ref)",
            "The external reference must be unique per company.",
        ),
    ]

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------

    @api.model
    def _default_status(self):
        return self.env["spid.ticket.status"].search([("is_start", "=", True)], limit=1)

    @api.model
    def _read_group_status_id(self, statuses, domain):
        return statuses.search([])

    @api.depends("partner_id")
    def _compute_client_id(self):
        for ticket in self:
            if ticket.partner_id:
                ticket.client_id = ticket.partner_id.commercial_partner_id

    @api.depends("category_id")
    def _compute_team_id(self):
        for ticket in self:
            team = ticket.category_id._spid_team() if ticket.category_id else False
            if team:
                ticket.team_id = team

    @api.depends("category_id")
    def _compute_description(self):
        for ticket in self:
            template = ticket.category_id.description_template
            if is_html_empty(ticket.description) and not is_html_empty(template):
                ticket.description = template

    @api.depends("workunit_ids.duration")
    def _compute_total_hours(self):
        totals = {
            ticket.id: (hours, count)
            for ticket, hours, count in self.env["spid.workunit"]._read_group(
                [("ticket_id", "in", self.ids)], ["ticket_id"], ["duration:sum", "__count"]
            )
        }
        for ticket in self:
            ticket.total_hours, ticket.workunit_count = totals.get(ticket.id, (0.0, 0))

    @api.depends("sla_line_ids.status", "sla_line_ids.deadline")
    def _compute_sla(self):
        for ticket in self:
            lines = ticket.sla_line_ids
            statuses = set(lines.mapped("status"))
            if not lines:
                ticket.sla_status = "none"
            elif "failed" in statuses:
                ticket.sla_status = "failed"
            elif "ongoing" in statuses:
                ticket.sla_status = "ongoing"
            else:
                ticket.sla_status = "met"
            deadlines = [
                d for d in lines.filtered(lambda line: line.status == "ongoing").mapped("deadline") if d
            ]
            ticket.sla_deadline = min(deadlines) if deadlines else False
            done = lines.filtered(lambda line: line.status != "ongoing")
            met = len(done.filtered(lambda line: line.status == "met"))
            ticket.sla_compliance = 100.0 * met / len(done) if done else 0.0

    def _compute_sla_at_risk(self):
        at_risk = self.search([("id", "in", self.ids), ("sla_at_risk", "=", True)]) if self.ids else self
        for ticket in self:
            ticket.sla_at_risk = ticket in at_risk

    def _search_sla_at_risk(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on SLA at risk."))
        domain = [
            (
                "sla_line_ids",
                "any",
                [("status", "=", "ongoing"), ("risk_date", "<=", fields.Datetime.now())],
            )
        ]
        if (operator == "=") == value:
            return domain
        return [("id", "not in", self._search(domain))]

    def _compute_statistics_html(self):
        """Time to first response and to resolution, time in each status and
        hours per agent, from the SLA clocks, the tracking and the work units."""
        status_times = self._spid_time_in_statuses()
        hours = defaultdict(list)
        for ticket, user, total in (
            self.env["spid.workunit"]
            .sudo()
            ._read_group([("ticket_id", "in", self.ids)], ["ticket_id", "user_id"], ["duration:sum"])
        ):
            hours[ticket.id].append((user.name or "", total))
        for ticket in self:
            lines = ticket.sudo().sla_line_ids
            response = lines.filtered(lambda line: line.kind == "response" and line.reached_date)[:1]
            rows = [
                (_("First response (working hours)"), f"{response.spent_hours:.2f}" if response else "—"),
                (
                    _("Resolution (hours)"),
                    f"{(ticket.date_closed - ticket.create_date).total_seconds() / 3600:.2f}"
                    if ticket.date_closed and ticket.create_date
                    else "—",
                ),
            ]
            # plain loops: _() finds the language in this frame, not in a comprehension's
            for name, spent in status_times.get(ticket.id, []):
                rows.append((_("In %s (hours)", name), f"{spent:.2f}"))
            for name, total in hours.get(ticket.id, []):
                rows.append((_("Work of %s (hours)", name), f"{total:.2f}"))
            ticket.statistics_html = Markup('<table class="table table-sm">%s</table>') % Markup("").join(
                Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>") % row for row in rows
            )

    def _spid_time_in_statuses(self):
        """{ticket id: [(status name, hours)]} from the status tracking."""
        if not self.ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT m.res_id, v.old_value_char, m.date
              FROM mail_tracking_value v
              JOIN mail_message m ON m.id = v.mail_message_id
              JOIN ir_model_fields f ON f.id = v.field_id
             WHERE m.model = 'spid.ticket' AND m.res_id = ANY(%s)
               AND f.model = 'spid.ticket' AND f.name = 'status_id'
             ORDER BY m.res_id, m.date, m.id
            """,
            [self.ids],
        )
        changes = defaultdict(list)
        for ticket_id, old_status, date in self.env.cr.fetchall():
            changes[ticket_id].append((old_status, date))
        now = fields.Datetime.now()
        result = {}
        for ticket in self:
            spent = defaultdict(float)
            start = ticket.create_date or now
            for old_status, date in changes.get(ticket.id, []):
                spent[old_status] += (date - start).total_seconds() / 3600
                start = date
            spent[ticket.status_id.name] += ((ticket.date_closed or now) - start).total_seconds() / 3600
            result[ticket.id] = sorted(spent.items(), key=lambda item: -item[1])
        return result

    def _spid_property_rows(self):
        """[(label, value as text)] of the ticket's custom fields that are
        set: the fields of every ticket, then those of its type."""
        self.ensure_one()
        rows = []
        values = self.read(["common_properties", "properties"])[0]
        for prop in (values["common_properties"] or []) + (values["properties"] or []):
            value, kind = prop.get("value"), prop.get("type")
            if value in (False, None, "", []):
                continue
            if kind == "selection":
                value = dict(prop.get("selection") or []).get(value, value)
            elif kind == "many2one" and isinstance(value, list | tuple):
                value = value[1]
            elif kind in ("many2many", "tags") and isinstance(value, list):
                value = ", ".join(str(v[1]) if isinstance(v, list | tuple) else str(v) for v in value)
            elif kind == "boolean":
                value = _("Yes")
            rows.append((prop.get("string") or prop.get("name"), value))
        return rows

    def action_print_workorder(self):
        return self.env.ref("spid_helpdesk.action_report_spid_workorder").report_action(self)

    def _compute_calendar_event_ids(self):
        events = self.env["calendar.event"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        )
        by_ticket = defaultdict(lambda: self.env["calendar.event"])
        for event in events:
            by_ticket[event.res_id] |= event
        for ticket in self:
            ticket.calendar_event_ids = by_ticket[ticket.id]
            ticket.calendar_event_count = len(by_ticket[ticket.id])

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for ticket in self:
            ticket.display_name = f"[{ticket.reference}] {ticket.name}" if ticket.reference else ticket.name

    # ------------------------------------------------------------------
    # Constraints and onchanges
    # ------------------------------------------------------------------

    @api.constrains("client_id", "partner_id", "site_id")
    def _check_client_contacts(self):
        for ticket in self:
            client = ticket.client_id
            if ticket.partner_id and client and ticket.partner_id.commercial_partner_id != client:
                raise ValidationError(
                    _(
                        "The requester %(requester)s is not a contact of the client %(client)s.",
                        requester=ticket.partner_id.display_name,
                        client=client.display_name,
                    )
                )
            site = ticket.site_id
            if site and client and site != client and site.commercial_partner_id != client:
                raise ValidationError(
                    _(
                        "The site %(site)s is not an address of the client %(client)s.",
                        site=site.display_name,
                        client=client.display_name,
                    )
                )

    @api.constrains("user_id", "participant_ids")
    def _check_agents(self):
        """Owner and participants are helpdesk agents: anyone else would
        follow the ticket and get its updates without being allowed to
        read it (a customer of another client, an employee outside the
        helpdesk), whatever the form's domain offered."""
        people = (self.user_id | self.participant_ids).sudo()
        outsiders = people - people.filtered_domain(self.env["res.users"]._spid_agent_domain())
        if outsiders:
            raise ValidationError(
                _(
                    "%s is not a helpdesk agent: only agents own or work on tickets.",
                    outsiders[0].name,
                )
            )

    @api.constrains("type_id", "properties", "common_properties")
    def _check_dependent_choices(self):
        self.env["spid.ticket.field.rule"]._spid_check_tickets(self)

    def _spid_custom_field_values(self):
        """[{name: property}] per ticket: the type's custom fields and the
        fields of every ticket, each with its value, label and choices."""
        result = []
        for row in self.sudo().read(["properties", "common_properties"]):
            values = {}
            for prop in (row["common_properties"] or []) + (row["properties"] or []):
                values[prop["name"]] = prop
            result.append(values)
        return result

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(_("A ticket cannot be its own parent."))

    @api.onchange("client_id")
    def _onchange_client_id(self):
        if self.partner_id and self.partner_id.commercial_partner_id != self.client_id:
            self.partner_id = False
        if self.site_id and self.site_id.commercial_partner_id != self.client_id:
            self.site_id = False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._spid_check_system_fields(vals_list)
        # the caller's dicts stay as they were given: an import retries a
        # failed batch row by row with them, and must not find our values
        vals_list = [dict(vals) for vals in vals_list]
        self._spid_check_type_on_create(vals_list)
        self._spid_prepare_create(vals_list)
        batch = len(vals_list) > 1
        # Batches (imports, API) stay set-based: one batched creation log
        # instead of a notification per ticket, followers added per group of
        # tickets, no "you have been assigned" email per ticket (owners find
        # them in My tickets) and no status email (no acknowledgement flood
        # when old tickets are imported).
        creator = self
        if batch:
            creator = with_switch(self, BATCH_CREATE).with_context(
                mail_auto_subscribe_no_notify=True, mail_notrack=True
            )
        # Work units given with the ticket (imports) are created once the
        # ticket and its followers exist: each is posted in its chatter.
        new_units = [
            [command[2] for command in vals.pop("workunit_ids")]
            if all(command[0] == Command.CREATE for command in vals.get("workunit_ids") or [[0]])
            and vals.get("workunit_ids")
            else []
            for vals in vals_list
        ]
        tickets = super(SpidTicket, creator).create(vals_list)
        if batch:
            without_switch(tickets, BATCH_CREATE)._spid_auto_subscribe_grouped()
        tickets = tickets.with_env(self.env)
        if any(new_units):
            self.env["spid.workunit"].create(
                [
                    dict(unit, ticket_id=ticket.id)
                    for ticket, units in zip(tickets, new_units)
                    for unit in units
                ]
            )
        tickets._spid_subscribe_requesters()
        tickets._spid_sla_apply(new=True)
        tickets._spid_check_created_status()
        closed = tickets.filtered("is_closed")
        if closed:
            # created closed: the same rules as closing an open ticket
            closed._spid_check_may_close()
            for status in closed.status_id:
                closed.filtered(lambda t, s=status: t.status_id == s)._spid_check_required_fields(status)
            with_switch(closed, SYSTEM).write(
                {"date_closed": fields.Datetime.now(), "closed_by_id": self.env.uid}
            )
        return tickets

    def _spid_check_system_fields(self, vals_list):
        """Closing data, lock, merge link, editor, totals and every other
        field the model declares readonly are written by the helpdesk's own
        code only; the mixins' fields (chatter, activities, ratings) are
        guarded by their own modules."""
        check_system_fields(self, vals_list, SYSTEM_EXEMPT_FIELDS, LOCK_EXEMPT_PREFIXES)

    def _spid_prepare_create(self, vals_list):
        """Fill reference, team and owner of new tickets, set-based: the
        queries do not grow with the number of tickets."""
        Category = self.env["spid.ticket.category"]
        now = fields.Datetime.now()
        default_status = None
        categories = Category.browse({v["category_id"] for v in vals_list if v.get("category_id")})
        categories.mapped("team_id")  # prefetch
        to_assign = defaultdict(list)
        by_company = defaultdict(list)
        for vals in vals_list:
            vals.setdefault("date_status", now)
            vals.setdefault("editor_id", self.env.uid)  # callers cannot give it (system field)
            if "status_id" not in vals and "default_status_id" not in self.env.context:
                if default_status is None:
                    default_status = self._default_status()
                vals["status_id"] = default_status.id
            category = Category.browse(vals.get("category_id"))
            if not vals.get("team_id") and category:
                team = category._spid_team()
                if team:
                    vals["team_id"] = team.id
            if vals.get("team_id") and "user_id" not in vals:
                to_assign[vals["team_id"]].append(vals)
            if vals.get("reference", "/") in ("/", False, None):
                company_id = vals.get("company_id") or self.env.company.id
                by_company[company_id].append(vals)
        for team_id, team_vals in to_assign.items():
            team = self.env["spid.team"].browse(team_id)
            owners = team._spid_pick_owners([Category.browse(v.get("category_id")) for v in team_vals])
            for vals, owner in zip(team_vals, owners):
                vals["user_id"] = owner.id or False
        self._spid_check_creation_limits(vals_list)
        for company_id, company_vals in by_company.items():
            references = self._spid_next_references(
                self.env["res.company"].browse(company_id), len(company_vals)
            )
            for vals, reference in zip(company_vals, references):
                vals["reference"] = reference

    @api.model
    def _spid_ticket_sequence(self, company):
        """The company's ticket sequence, else the shared one."""
        return (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [("code", "=", TICKET_SEQUENCE_CODE), ("company_id", "in", [company.id, False])],
                order="company_id",
                limit=1,
            )
        )

    @api.model
    def _spid_next_references(self, company, count):
        """`count` new references from the company's ticket sequence, drawn
        with one query for the standard (gapped) implementation."""
        sequence = self._spid_ticket_sequence(company)
        if not sequence:
            raise UserError(_("No ticket sequence is configured for %s.", company.name))
        if sequence.implementation == "standard" and not sequence.use_date_range:
            self.env.cr.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                ["ir_sequence_%03d" % sequence.id, count],
            )
            numbers = sorted(row[0] for row in self.env.cr.fetchall())
            prefix, suffix = sequence._get_prefix_suffix()
            return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]
        return [sequence._next() for _i in range(count)]

    def _message_subscribe(self, partner_ids=None, subtype_ids=None, customer_ids=None):
        if partner_ids and not self.env.su:
            self._spid_check_may_follow(partner_ids)
        return super()._message_subscribe(partner_ids, subtype_ids, customer_ids=customer_ids)

    def _spid_check_may_follow(self, partner_ids):
        """Following gives no access (the record rules do), but it sends the
        ticket's updates: a user who could not read a ticket never follows
        it, whoever subscribes them (the Follow button, message_subscribe
        over RPC, a post that adds its recipients). The current user was
        checked by mail itself; the requester always follows their ticket;
        addresses without a user are the caller's choice (write access)."""
        partners = self.env["res.partner"].sudo().browse(set(partner_ids) - {self.env.user.partner_id.id})
        for user in partners.user_ids:
            tickets = self.filtered(lambda t, p=user.partner_id: t.partner_id != p)
            unreadable = tickets - tickets._spid_readable_by(user)
            if unreadable:
                raise AccessError(
                    _(
                        "%(user)s cannot read ticket %(ref)s, so they cannot follow it.",
                        user=user.name,
                        ref=unreadable[0].reference,
                    )
                )

    def _spid_readable_by(self, user):
        """The tickets of `self` that the record rules let `user` read, in
        any of the user's companies (whatever companies the current request
        runs in: a recipient or a sender is not the current user)."""
        readable = (
            self.with_user(user)
            .with_context(allowed_company_ids=user.sudo().company_ids.ids)
            ._filtered_access("read")
        )
        return self.browse(readable.ids)

    def _message_auto_subscribe(self, updated_values, followers_existing_policy="skip"):
        if switched(self.env, BATCH_CREATE):
            return True  # done per group by _spid_auto_subscribe_grouped
        return super()._message_auto_subscribe(updated_values, followers_existing_policy)

    def _spid_auto_subscribe_grouped(self):
        """Owner and team followers of a batch, one call per (team, owner)."""
        groups = defaultdict(list)
        for ticket in self:
            groups[(ticket.team_id.id, ticket.user_id.id)].append(ticket.id)
        for (team_id, user_id), ticket_ids in groups.items():
            values = {"team_id": team_id, "user_id": user_id}
            self.browse(ticket_ids)._message_auto_subscribe(
                {k: v for k, v in values.items() if v}, followers_existing_policy="update"
            )

    def _spid_subscribe_requesters(self):
        """The requester follows their ticket, so that public updates reach
        them. What message_subscribe() does for one requester (access check,
        active partners only, default subtypes, external ones for customers,
        existing followers kept), done for every requester at once: a batch
        of tickets from 1,000 clients costs a few queries, not 5,000."""
        tickets = self.filtered("partner_id")
        if not tickets:
            return
        me = self.env.user.partner_id
        own = tickets.filtered(lambda ticket: ticket.partner_id == me)
        if own and not own.has_access("read"):
            own = own.browse()
        others = tickets - own
        others.check_access("write")
        tickets = own | others
        Followers = self.env["mail.followers"].sudo()
        existing = {
            (follower.res_id, follower.partner_id.id)
            for follower in Followers.search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", tickets.ids),
                    ("partner_id", "in", tickets.partner_id.ids),
                ],
                ["res_id", "partner_id"],
            )
        }
        missing = tickets.filtered(lambda ticket: (ticket.id, ticket.partner_id.id) not in existing)
        if not missing:
            return
        # like message_subscribe: the current user's own partner is taken as
        # is, with the default subtypes; other partners only when active
        others_missing = missing - own
        partners = self.env["res.partner"].sudo()
        if others_missing:
            partners = partners.search_fetch(
                [("id", "in", others_missing.partner_id.ids), ("active", "=", True)], ["partner_share"]
            )
        own_ids = set(own.ids)
        customer_ids = set(partners.filtered("partner_share").ids)
        active_ids = set(partners.ids) | {me.id}
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        Followers.with_context(default_partner_id=False).create(
            [
                {
                    "res_model": self._name,
                    "res_id": ticket.id,
                    "partner_id": ticket.partner_id.id,
                    "subtype_ids": [
                        Command.set(
                            (
                                external
                                if ticket.partner_id.id in customer_ids and ticket.id not in own_ids
                                else default
                            ).ids
                        )
                    ],
                }
                for ticket in missing
                if ticket.partner_id.id in active_ids
            ]
        )

    def write(self, vals):
        self._spid_check_system_fields([vals])
        self._spid_check_lock(vals)
        if "type_id" in vals:
            self._spid_check_type_change(vals["type_id"])
        status = closing = None
        if vals.get("status_id"):
            status = self.env["spid.ticket.status"].browse(vals["status_id"])
            changing = self.filtered(lambda t: t.status_id != status)
            changing._spid_check_status_change(status)
            vals = dict(vals, date_status=fields.Datetime.now(), auto_close_warned_date=False)
            closing = changing.filtered(lambda t: not t.is_closed) if status.is_closed else None
            if not status.is_closed:
                vals.update(date_closed=False, closed_by_id=False)
        old_statuses = {ticket.id: ticket.status_id for ticket in self} if status else None
        res = super().write(vals)
        if vals.get("partner_id"):
            self.message_subscribe(partner_ids=[vals["partner_id"]])
        self._spid_sla_after_write(vals, old_statuses)
        if status:
            if closing:
                super(SpidTicket, closing).write(
                    {"date_closed": fields.Datetime.now(), "closed_by_id": self.env.uid}
                )
            changing._spid_check_required_fields(status)
            if closing:
                closing._spid_post_closing_feedback()
        return res

    def _spid_check_type_on_create(self, vals_list):
        """A type reserved to groups is refused to other users, and a type is
        required when the company says so (tickets opened by email or the
        public form, created by the system, get theirs later)."""
        self.env["spid.ticket.type"].browse(
            {v["type_id"] for v in vals_list if v.get("type_id")}
        )._spid_check_selectable()
        if self.env.su or switched(self.env, TYPE_OPTIONAL):
            return
        companies = self.env["res.company"].browse(
            {v.get("company_id") or self.env.company.id for v in vals_list}
        )
        required = set(companies.filtered("spid_type_required").ids)
        for vals in vals_list:
            if not vals.get("type_id") and (vals.get("company_id") or self.env.company.id) in required:
                raise ValidationError(
                    _("Choose a type for the ticket “%s”: every ticket needs one.", vals.get("name") or "")
                )

    def _spid_check_type_change(self, type_id):
        kind = self.env["spid.ticket.type"].browse(type_id)
        kind._spid_check_selectable()
        if self.env.su:
            return
        for ticket in self:
            if not kind and ticket.company_id.spid_type_required:
                raise ValidationError(_("Ticket %s must keep a type.", ticket.reference))
            if ticket.type_id and ticket.type_id != kind and ticket.company_id.spid_type_locked:
                raise UserError(
                    _(
                        "The type of ticket %(ref)s (%(type)s) can no longer be changed.",
                        ref=ticket.reference,
                        type=ticket.type_id.name,
                    )
                )

    def _spid_check_lock(self, vals):
        locked = self.filtered("is_locked")
        if not locked or switched(self.env, SYSTEM):
            return
        blocked = [
            name
            for name in vals
            if name not in LOCK_EXEMPT_FIELDS and not name.startswith(LOCK_EXEMPT_PREFIXES)
        ]
        if blocked:
            raise UserError(
                _(
                    "Ticket %(ref)s is locked: it can no longer be changed.",
                    ref=locked[0].reference,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        if self.filtered("is_locked"):
            raise UserError(_("A locked ticket cannot be deleted."))

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for ticket, vals in zip(self, vals_list):
            vals.setdefault("name", _("%s (copy)", ticket.name))
        return vals_list

    # ------------------------------------------------------------------
    # Service levels
    # ------------------------------------------------------------------

    def _spid_sla_apply(self, new=False):
        """Start the clocks of the policies matching each ticket, drop the
        running clocks of policies that no longer match."""
        if not self:
            return
        Line = self.env["spid.ticket.sla"].sudo()
        policies = self.env["spid.sla.policy"].sudo().search([("company_id", "in", self.company_id.ids)])
        if not policies and new:
            return
        existing = Line if new else Line.search([("ticket_id", "in", self.ids)])
        existing_keys = {(line.ticket_id.id, line.policy_id.id, line.kind) for line in existing}
        now = fields.Datetime.now()
        to_create, matched = [], set()
        for ticket in self:
            for policy in policies:
                if not policy._spid_matches(ticket):
                    continue
                matched.add((ticket.id, policy.id))
                running = policy._spid_counts_in(ticket.status_id) and not ticket.is_closed
                for kind, hours in policy._spid_targets().items():
                    if (ticket.id, policy.id, kind) not in existing_keys:
                        to_create.append(
                            {
                                "ticket_id": ticket.id,
                                "policy_id": policy.id,
                                "kind": kind,
                                "target_hours": hours,
                                "running_since": now if running else False,
                            }
                        )
        existing.filtered(
            lambda line: line.status == "ongoing" and (line.ticket_id.id, line.policy_id.id) not in matched
        ).unlink()
        Line.create(to_create)._spid_plan()
        if new:
            self._spid_check_max_open(policies.filtered("max_open_tickets"), matched)

    def _spid_check_max_open(self, policies, matched):
        """Warn the team leader when a client has more open tickets under a
        policy than it allows (one grouped query)."""
        if not policies:
            return
        counts = {
            (policy.id, client.id): count
            for policy, client, count in self.env["spid.ticket.sla"]
            .sudo()
            ._read_group(
                [
                    ("policy_id", "in", policies.ids),
                    ("client_id", "in", self.client_id.ids),
                    ("ticket_id.is_closed", "=", False),
                ],
                ["policy_id", "client_id"],
                ["ticket_id:count_distinct"],
            )
        }
        activities = []
        model_id = self.env["ir.model"]._get_id(self._name)
        for ticket in self:
            for policy in policies:
                count = counts.get((policy.id, ticket.client_id.id), 0)
                if (ticket.id, policy.id) in matched and count > policy.max_open_tickets:
                    leader = ticket.team_id.leader_id or ticket.user_id
                    if not leader:
                        continue
                    activities.append(
                        {
                            "res_model_id": model_id,
                            "res_id": ticket.id,
                            "user_id": leader.id,
                            "summary": _(
                                "%(client)s has %(count)s open tickets under %(policy)s (at most %(max)s).",
                                client=ticket.client_id.name,
                                count=count,
                                policy=policy.name,
                                max=policy.max_open_tickets,
                            ),
                        }
                    )
        if activities:
            self.env["mail.activity"].sudo().create(activities)

    def _spid_sla_after_write(self, vals, old_statuses):
        if not self.env["spid.sla.policy"].sudo().search_count([], limit=1):
            return
        now = fields.Datetime.now()
        if old_statuses:
            self._spid_sla_on_status(old_statuses, now)
        if any(name in vals for name in SLA_MATCH_FIELDS):
            self._spid_sla_apply()
        if not switched(self.env, SLA_SYSTEM) and any(
            name not in LOCK_EXEMPT_FIELDS and not name.startswith(LOCK_EXEMPT_PREFIXES) for name in vals
        ):
            self._spid_sla_touch(now)

    def _spid_sla_on_status(self, old_statuses, now):
        for ticket in self:
            old, new = old_statuses[ticket.id], ticket.status_id
            if old == new:
                continue
            lines = ticket.sudo().sla_line_ids
            if new.is_closed and not old.is_closed:
                lines._spid_reach(now)
                continue
            if old.is_closed and not new.is_closed:
                # reopened: the resolution clock goes on from where it stopped
                lines.filtered(lambda line: line.kind == "resolution").write(
                    {"status": "ongoing", "reached_date": False}
                )
            ongoing = lines.filtered(lambda line: line.status == "ongoing")
            running = ongoing.filtered(lambda line, status=new: line.policy_id._spid_counts_in(status))
            running._spid_resume(now)
            (ongoing - running)._spid_pause(now)

    def _spid_sla_touch(self, now):
        """Any update restarts the inactivity clocks of open tickets."""
        lines = self.sudo().sla_line_ids.filtered(
            lambda line: line.kind == "inactivity" and not line.ticket_id.is_closed
        )
        running = lines.filtered(lambda line: line.policy_id._spid_counts_in(line.ticket_id.status_id))
        running._spid_restart(now, True)
        (lines - running)._spid_restart(now, False)

    def _spid_sla_answered(self, now):
        self.sudo().sla_line_ids.filtered(lambda line: line.kind == "response")._spid_reach(now)

    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        if message.message_type in ("comment", "email") and not switched(self.env, SLA_SYSTEM):
            now = fields.Datetime.now()
            self._spid_sla_touch(now)
            if self.filtered("auto_close_warned_date") and not message.subtype_id.internal:
                self.sudo().write({"auto_close_warned_date": False})
            author_user = message.author_id.user_ids[:1]
            if author_user and not author_user.share and not message.subtype_id.internal:
                self._spid_sla_answered(now)
            elif not message.subtype_id.internal:
                self._spid_on_requester_reply(message)
        return res

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _spid_is_supervisor(self):
        return self.env.su or self.env.user.has_group("spid_helpdesk.group_spid_supervisor")

    def _spid_check_status_change(self, status):
        """Refuse what the workflow forbids, before anything is written."""
        if not self:
            return
        transitions = self.env["spid.ticket.transition"].sudo().search([])
        outgoing = defaultdict(dict)
        for transition in transitions:
            outgoing[transition.from_status_id.id][transition.to_status_id.id] = transition
        supervisor = self._spid_is_supervisor()
        user = self.env.user
        for ticket in self:
            current = ticket.status_id
            if ticket.is_locked:
                raise UserError(_("Ticket %s is locked: its status can no longer change.", ticket.reference))
            allowed = outgoing.get(current.id)
            transition = allowed.get(status.id) if allowed else None
            if allowed and not transition:
                raise UserError(
                    _(
                        "Ticket %(ref)s cannot go from %(from)s to %(to)s."
                        " Allowed next statuses: %(allowed)s.",
                        ref=ticket.reference,
                        to=status.name,
                        allowed=", ".join(t.to_status_id.name for t in allowed.values()),
                        **{"from": current.name},
                    )
                )
            if (
                transition
                and transition.group_ids
                and not self.env.su
                and not (transition.group_ids & user.groups_id)
            ):
                raise AccessError(
                    _(
                        "Only %(groups)s may move a ticket from %(from)s to %(to)s.",
                        groups=", ".join(transition.group_ids.mapped("full_name")),
                        to=status.name,
                        **{"from": current.name},
                    )
                )
            if status.is_closed and not current.is_closed:
                ticket._spid_check_may_close(supervisor)
            if current.is_closed and not status.is_closed:
                ticket._spid_check_may_reopen(supervisor)

    def _spid_check_created_status(self):
        """A ticket created past the starting status: whoever creates it must
        be allowed to bring a ticket there. When every transition into that
        status is reserved to groups the user is not in, they may not."""
        if self.env.su:
            return
        statuses = self.status_id.filtered(lambda status: not status.is_start)
        if not statuses:
            return
        user_groups = self.env.user.groups_id
        into = self.env["spid.ticket.transition"].sudo().search([("to_status_id", "in", statuses.ids)])
        for status in statuses:
            transitions = into.filtered(lambda t, s=status: t.to_status_id == s)
            if transitions and all(t.group_ids and not t.group_ids & user_groups for t in transitions):
                raise AccessError(
                    _(
                        "Only %(groups)s may put a ticket in %(status)s.",
                        groups=", ".join(transitions.group_ids.mapped("full_name")),
                        status=status.name,
                    )
                )

    def _spid_check_may_close(self, supervisor=None):
        """Only the owner or a supervisor closes a ticket, whether it is
        created closed or moved to a closing status."""
        if supervisor is None:
            supervisor = self._spid_is_supervisor()
        if supervisor:
            return
        for ticket in self:
            if ticket.user_id != self.env.user:
                raise AccessError(
                    _("Only the owner of ticket %s or a supervisor may close it.", ticket.reference)
                )

    def _spid_check_may_reopen(self, supervisor):
        """Only the requester or a supervisor reopens a closed ticket."""
        self.ensure_one()
        if not supervisor and not (self.partner_id and self.partner_id == self.env.user.partner_id):
            raise AccessError(
                _("Only the requester of ticket %s or a supervisor may reopen it.", self.reference)
            )

    def _spid_required_fields(self, status):
        """The fields to fill before entering `status`: those asked by any
        transition into it, whichever way the ticket comes."""
        transitions = self.env["spid.ticket.transition"].sudo().search([("to_status_id", "=", status.id)])
        return transitions.required_field_ids

    def _spid_check_required_fields(self, status):
        required = self._spid_required_fields(status)
        if not required:
            return
        for ticket in self:
            missing = [
                field.field_description
                for field in required
                if field.name in ticket._fields
                and (
                    is_html_empty(ticket[field.name])
                    if ticket._fields[field.name].type == "html"
                    else not ticket[field.name]
                )
            ]
            if missing:
                raise ValidationError(
                    _(
                        "Fill in %(fields)s before moving ticket %(ref)s to %(status)s.",
                        fields=", ".join(missing),
                        ref=ticket.reference,
                        status=status.name,
                    )
                )

    def _spid_next_open_status(self):
        """The first open status reachable from a starting status, used when a
        ticket gets its owner."""
        self.ensure_one()
        if not self.status_id.is_start:
            return self.env["spid.ticket.status"]
        candidates = self.status_id.transition_ids.to_status_id.filtered(
            lambda s: not s.is_closed and not s.is_start
        )
        return candidates.sorted("sequence")[:1]

    def action_take(self):
        """The current agent becomes the owner."""
        user = self.env.user
        if not user.has_group("spid_helpdesk.group_spid_agent"):
            raise AccessError(_("Only helpdesk agents can take tickets."))
        for ticket in self:
            if ticket.is_closed:
                raise UserError(_("Ticket %s is closed.", ticket.reference))
            vals = {"user_id": user.id}
            status = ticket._spid_next_open_status()
            if status:
                vals["status_id"] = status.id
            ticket.write(vals)
        return True

    def action_lock(self):
        for ticket in self:
            if not ticket.is_closed:
                raise UserError(_("Only a closed ticket can be locked (%s).", ticket.reference))
            if not self._spid_is_supervisor() and ticket.user_id != self.env.user:
                raise AccessError(
                    _("Only the owner of ticket %s or a supervisor may lock it.", ticket.reference)
                )
        with_switch(self, SYSTEM).write({"is_locked": True})
        return True

    def action_unlock(self):
        if not (self.env.su or self.env.user.has_group("spid_helpdesk.group_spid_manager")):
            raise AccessError(_("Only a helpdesk manager may unlock a ticket."))
        with_switch(self, SYSTEM).write({"is_locked": False})
        return True

    def action_reopen(self, reason=None):
        """Reopen closed tickets into the reopening status, with a reason."""
        status = self.env["spid.ticket.status"].search([("is_reopen", "=", True)], limit=1)
        if not status:
            raise UserError(_("No reopening status is configured."))
        supervisor = self._spid_is_supervisor()
        for ticket in self:
            if not ticket.is_closed:
                raise UserError(_("Ticket %s is not closed.", ticket.reference))
            if ticket.is_locked:
                raise UserError(_("Ticket %s is locked: it cannot be reopened.", ticket.reference))
            ticket._spid_check_may_reopen(supervisor)
        # Checked above for the requester, who has no group of the transition.
        self.sudo().write({"status_id": status.id, "resolution": False})
        if reason:
            for ticket in self:
                ticket.message_post(body=_("Reopened: %s", reason), subtype_xmlid="mail.mt_comment")
        return True

    def action_open_reopen_wizard(self):
        return self._spid_wizard_action("spid.ticket.reopen.wizard", _("Reopen"))

    def action_open_escalate_wizard(self):
        return self._spid_wizard_action("spid.ticket.escalate.wizard", _("Escalate"))

    def action_open_close_wizard(self):
        return self._spid_wizard_action("spid.ticket.close.wizard", _("Close"))

    def _spid_wizard_action(self, model, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def action_escalate(self, user, reason):
        """Change the owner with a reason, logged in the chatter."""
        if not reason or not reason.strip():
            raise UserError(_("Say why the ticket is escalated."))
        for ticket in self:
            previous = ticket.user_id
            ticket.write({"user_id": user.id})
            ticket._spid_log_note(
                _(
                    "Escalated from %(old)s to %(new)s: %(reason)s",
                    old=previous.name or _("nobody"),
                    new=user.name,
                    reason=reason,
                )
            )
        return True

    def _spid_log_note(self, body):
        """An internal note: a comment with the note subtype, which Odoo
        hides from portal users by any route (a `notification` message with
        the same subtype is readable by id)."""
        for ticket in self:
            ticket.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    def action_schedule_event(self):
        self.ensure_one()
        partners = self.partner_id | self.user_id.partner_id | self.env.user.partner_id
        return {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "view_mode": "calendar,list,form",
            "name": _("Meetings"),
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
            "context": {
                "default_res_model_id": self.env["ir.model"]._get_id(self._name),
                "default_res_id": self.id,
                "default_name": self.display_name,
                "default_partner_ids": partners.ids,
                "default_description": self.description,
            },
        }

    @api.model
    def spid_waiting_count(self):
        """Open tickets owned by the current user, for the top bar."""
        return self.search_count([("user_id", "=", self.env.uid), ("is_closed", "=", False)])

    def action_view_workunits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("spid_helpdesk.spid_workunit_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def _creation_subtype(self):
        if switched(self.env, BATCH_CREATE):
            return self.env["mail.message.subtype"]
        return self.env.ref("spid_helpdesk.mt_ticket_new")

    def _creation_message(self):
        self.ensure_one()
        return _("Ticket %(ref)s opened by %(user)s.", ref=self.reference, user=self.env.user.name)

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "status_id" in init_values:
            return self.env.ref("spid_helpdesk.mt_ticket_status")
        return super()._track_subtype(init_values)

    def _track_template(self, changes):
        res = super()._track_template(changes)
        ticket = self[0]
        if (
            "status_id" in changes
            and ticket.status_id.mail_template_id
            # no "rate us" for a duplicate merged into another ticket
            and not ticket.merged_into_id
        ):
            res["status_id"] = (
                ticket.status_id.mail_template_id,
                {
                    "auto_delete_keep_log": False,
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                    "email_layout_xmlid": "mail.mail_notification_light",
                },
            )
        return res
