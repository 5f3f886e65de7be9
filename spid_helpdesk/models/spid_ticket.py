import logging
import textwrap
from collections import defaultdict

import psycopg2

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, create_index, html2plaintext, is_html_empty

from ..internal import (
    BATCH_CREATE,
    SLA_SYSTEM,
    SYSTEM,
    check_system_fields,
    switched,
    with_switch,
    without_switch,
)

_logger = logging.getLogger(__name__)

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
# is_read: the owner's own mark, set when they open the ticket.
LOCK_EXEMPT_FIELDS = {
    "is_locked",
    "email_cc",
    "limit_warning",
    "auto_close_warned_date",
    "access_token",
    "is_read",
}
# The dates of a ticket's past, given only when it is created by an import
# of historical tickets (a helpdesk manager): never rewritten afterwards.
HISTORICAL_DATES = ("date_opened", "date_closed")
# What a closed ticket of a company whose closed tickets are
# "reclassifiable" may still change: its classification.
RECLASSIFY_FIELDS = frozenset({"category_id", "type_id", "team_id", "properties", "common_properties"})
# The companies' options that freeze the facts of closed tickets.
FROZEN_POLICIES = ("readonly", "reclassify")
# Readonly fields that callers may still write: the mixins' own (chatter,
# activities, ratings, portal token) are guarded by their modules.
SYSTEM_EXEMPT_FIELDS = {"access_token"}
# Internal fields that are tracked: a field with a group stays out of the
# tracking that notification emails carry to customers.
INTERNAL = "base.group_user"
# The tracked fields whose changes a customer may read (emails and portal
# chatter): those the portal shows. Participants, reporter, copies, channel,
# related tickets, custom fields and the internal ones stay the agents'.
CUSTOMER_TRACKED_FIELDS = frozenset(
    {
        "name",
        "description",
        "client_id",
        "partner_id",
        "site_id",
        "category_id",
        "type_id",
        "urgency",
        "status_id",
        "resolution",
        "epilogue",
        "user_id",
        "is_locked",
    }
)
# Tracked fields that change only when written (neither computed nor
# related): their old values are read for a write that names them, not for
# every write as Odoo does for the tracked fields (a status change would
# read both many2many tables and both properties definitions).
TRACKED_WHEN_WRITTEN = frozenset({"participant_ids", "related_ticket_ids", "properties", "common_properties"})
# How much of a long text a tracking line keeps.
TRACKED_TEXT_LENGTH = 200


def is_ticket_fact(name):
    """Whether field `name` is one of the ticket's facts, which a lock
    freezes and whose update restarts the inactivity clocks, as opposed to
    its chatter, activities, ratings and the system's reminders."""
    return name not in LOCK_EXEMPT_FIELDS and not name.startswith(LOCK_EXEMPT_PREFIXES)


class SpidTicket(models.Model):
    _name = "spid.ticket"
    _description = "Helpdesk ticket"
    _inherit = ["mail.thread.cc", "mail.activity.mixin", "rating.mixin", "spid.readable.fields.mixin"]
    _order = "priority desc, id desc"
    _rec_names_search = ["reference", "name"]
    _check_company_auto = True
    _mail_post_access = "read"
    _primary_email = "email_from"

    reference = fields.Char(readonly=True, copy=False, index="trigram", default="/")
    name = fields.Char(string="Title", required=True, tracking=True, index="trigram")
    description = fields.Html(
        compute="_compute_description", store=True, readonly=False, index="trigram", tracking=True
    )
    search_text = fields.Char(
        string="Text",
        compute="_compute_search_text",
        search="_search_search_text",
        help="Search only: reference, title, description and work-unit descriptions, through their"
        " trigram indexes.",
    )
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
        tracking=True,
        help="Who reported the problem, when it is not the requester.",
    )
    channel = fields.Selection(CHANNELS, default="phone", required=True, tracking=True)
    date_reported = fields.Datetime(
        string="Reported on",
        default=fields.Datetime.now,
        copy=False,
        tracking=True,
        help="When the problem was signalled, which may be before the ticket was entered"
        " (a phone call written down later, a ticket imported from another tool).",
    )
    date_opened = fields.Datetime(
        string="Opened on",
        copy=False,
        index=True,
        help="When the helpdesk received the ticket: its creation, or the original opening date of a"
        " ticket imported from another tool. Statistics, limits and the ticket analysis count"
        " tickets opened on this date. Set at creation only.",
    )
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
    email_cc = fields.Char(
        string="In copy",
        tracking=True,
        help="Addresses that receive the ticket's public updates by email, as followers.",
    )
    notify_customer = fields.Boolean(
        string="Notify the customer",
        default=True,
        tracking=True,
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
        tracking=True,
        domain=lambda self: self.env["res.users"]._spid_agent_domain(),
        help="Other agents working on the ticket.",
    )
    # The agent's record rule, written once: ticket, work units, links, SLA
    # clocks and both analyses search `(…, "=", user.id)` on it. Rules are
    # evaluated as superuser, so the user comes from the value, never from
    # the environment.
    visible_to_agent_id = fields.Many2one(
        "res.users",
        string="Visible to agent",
        compute="_compute_visible_to_agent_id",
        search="_search_visible_to_agent_id",
        help="Search only: the tickets an agent's rule shows (no team, a team of theirs, owned,"
        " taking part, entered). Read, it holds the current user when that rule shows them the ticket.",
    )
    type_id = fields.Many2one(
        "spid.ticket.type",
        string="Type",
        tracking=True,
        index=True,
        domain="[('selectable_by_user', '=', True)]",
    )
    properties = fields.Properties(definition="type_id.properties_definition", copy=True, tracking=True)
    common_properties = fields.Properties(
        string="Fields of every ticket",
        definition="company_id.spid_ticket_properties_definition",
        copy=True,
        tracking=True,
    )
    type_required = fields.Boolean(related="company_id.spid_type_required")
    type_locked = fields.Boolean(related="company_id.spid_type_locked")
    external_ref = fields.Char(
        string="External reference",
        copy=False,
        index=True,
        tracking=True,
        help="The ticket's identifier in the tool it was imported from; importing the same"
        " reference again updates this ticket.",
    )
    urgency = fields.Selection(
        LEVELS, default="1", required=True, tracking=True, help="The requester's view."
    )
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
    epilogue = fields.Html(copy=False, tracking=True, help="How the ticket ended, for the requester.")
    # not readonly for Odoo's import (which lists no readonly field) of
    # historical tickets; written otherwise by the closing only (write()
    # refuses it from any caller)
    date_closed = fields.Datetime(
        string="Closed on",
        copy=False,
        index=True,
        help="Set when the ticket is closed; an import of historical tickets may give it.",
    )
    closed_by_id = fields.Many2one("res.users", string="Closed by", readonly=True, copy=False)
    is_locked = fields.Boolean(
        string="Locked",
        readonly=True,
        copy=False,
        tracking=True,
        help="A locked ticket is closed for good: it can be neither changed nor reopened.",
    )
    # What the current user may do now, for the form: the server's rules
    # decide, these only keep the screen from offering what they refuse.
    allowed_status_ids = fields.Many2many(
        "spid.ticket.status",
        compute="_compute_allowed_actions",
        string="Allowed statuses",
    )
    can_close = fields.Boolean(compute="_compute_allowed_actions", string="May close")
    closed_edit = fields.Selection(
        [("all", "Everything"), ("reclassify", "Classification only"), ("none", "Nothing")],
        string="Editable while closed",
        compute="_compute_closed_edit",
        help="What the ticket's facts allow changing now (the company's closed-tickets option).",
    )
    is_read = fields.Boolean(
        string="Read by the owner",
        default=True,
        readonly=True,
        copy=False,
        index=True,
        help="Off when the ticket gets a new owner or a customer or colleague writes on it; on again"
        " when the owner opens it.",
    )
    can_take = fields.Boolean(compute="_compute_allowed_actions", string="May take")

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
        tracking=True,
    )
    link_ids = fields.One2many("spid.ticket.link", "ticket_id", string="Links")
    calendar_event_ids = fields.One2many(
        "calendar.event", compute="_compute_calendar_event_ids", string="Meetings"
    )
    calendar_event_count = fields.Integer(compute="_compute_calendar_event_ids")

    # Work order and statistics
    signed_workorder = fields.Binary(string="Signed work order", attachment=True, copy=False)
    signed_workorder_name = fields.Char(copy=False)

    # Work
    workunit_ids = fields.One2many("spid.workunit", "ticket_id", string="Work units")
    intervention_ids = fields.One2many("spid.intervention", "ticket_id", string="Interventions")
    intervention_count = fields.Integer(compute="_compute_intervention_count")
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

    def init(self):
        self._spid_ensure_trigram()
        # the lists' and columns' order (`_order`): an agent's first page
        # reads its 80 rows from this index instead of sorting every
        # ticket they see
        create_index(self.env.cr, "spid_ticket_priority_id_index", self._table, ["priority DESC", "id DESC"])
        # open tickets per owner (the balanced assignment counts them at
        # every creation) and per team (the teams' overview): read from
        # the open ones only, 400 ms -> 12 ms for an owner of 60,000 open
        # tickets among 1,000,000
        open_only = "active = true AND (is_closed IS NULL OR is_closed = false)"
        create_index(self.env.cr, "spid_ticket_open_owner_index", self._table, ["user_id"], where=open_only)
        create_index(self.env.cr, "spid_ticket_open_team_index", self._table, ["team_id"], where=open_only)

    def _spid_ensure_trigram(self):
        """Odoo creates pg_trgm only in the databases it creates itself: an
        existing database without it would silently get no trigram index,
        and every text search would scan the tickets. pg_trgm is a trusted
        extension (PostgreSQL 13+): the database's owner may create it."""
        if self.env.registry.has_trigram:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except psycopg2.Error as error:
            _logger.warning(
                "PostgreSQL's pg_trgm extension is missing and could not be created (%s): text"
                " searches on tickets will scan the table. Run CREATE EXTENSION pg_trgm as a"
                " superuser, then upgrade spid_helpdesk.",
                error,
            )
            return
        self.env.registry.has_trigram = True

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
        # a form being edited (new records, onchange) counts the lines as
        # they are on screen; saved tickets are summed in one query
        saved = self.filtered("id")
        edited = self - saved
        totals = {
            ticket.id: (hours, count)
            for ticket, hours, count in self.env["spid.workunit"]._read_group(
                [("ticket_id", "in", saved.ids)], ["ticket_id"], ["duration:sum", "__count"]
            )
        }
        for ticket in saved:
            ticket.total_hours, ticket.workunit_count = totals.get(ticket.id, (0.0, 0))
        for ticket in edited:
            ticket.total_hours = sum(ticket.workunit_ids.mapped("duration"))
            ticket.workunit_count = len(ticket.workunit_ids)

    def _compute_search_text(self):
        self.search_text = False

    def _search_search_text(self, operator, value):
        if operator != "ilike" or not isinstance(value, str) or not value:
            raise UserError(_("Text: only the search “contains some text” is supported."))
        # one subquery per table, each answered by its trigram indexes, where
        # an OR with the work units' subquery would scan every ticket; the
        # outer query applies the rules on tickets, the work units' own
        # rules apply here (a customer's search finds no internal note)
        tickets = (
            self.sudo()
            .with_context(active_test=False)
            ._search(
                [
                    "|",
                    "|",
                    ("reference", "ilike", value),
                    ("name", "ilike", value),
                    ("description", "ilike", value),
                ]
            )
        )
        units = (
            self.env["spid.workunit"]
            .with_context(active_test=False)
            ._search([("description", "ilike", value)])
        )
        return [
            (
                "id",
                "in",
                SQL(
                    "(%s UNION %s)",
                    tickets.subselect(),
                    units.subselect(SQL.identifier(units.table, "ticket_id")),
                ),
            )
        ]

    @api.depends_context("uid")
    @api.depends("team_id", "team_id.member_ids", "user_id", "participant_ids", "editor_id", "type_id")
    def _compute_visible_to_agent_id(self):
        # one query for the batch, the same SQL as the rule: checking a page
        # of tickets in Python loads no team, participant or editor
        saved = self.filtered("id")
        visible = set(
            saved.sudo()
            .with_context(active_test=False)
            ._search([("id", "in", saved.ids), ("visible_to_agent_id", "=", self.env.uid)])
        )
        for ticket in self:
            ticket.visible_to_agent_id = self.env.user if ticket.id in visible else False

    def _search_visible_to_agent_id(self, operator, value):
        # only the positive form with one user: its negation would widen
        # what a rule grants, and rules never need it
        if operator == "in" and isinstance(value, list | tuple) and len(value) == 1:
            operator, value = "=", value[0]
        if operator != "=" or not isinstance(value, int) or isinstance(value, bool):
            raise UserError(_("Visible to agent: only the search “= a user id” is supported."))
        Team = self.env["spid.team"]
        # `id IN (subquery)` rather than the correlated EXISTS of a
        # many2many term: PostgreSQL costs it as the cheap hashed lookup it
        # is, below its JIT thresholds. A type handled by some teams or
        # groups only (spid.ticket.type team_ids/group_ids) takes its
        # tickets out of every other agent's sight: one more subquery.
        return [
            "&",
            "|",
            ("type_id", "=", False),
            ("type_id", "in", self.env["spid.ticket.type"]._spid_handled_types_sql(value)),
            "|",
            "|",
            "|",
            "|",
            ("team_id", "=", False),
            (
                "team_id",
                "in",
                SQL(
                    "(SELECT team_id FROM spid_team_member_rel WHERE user_id = %s)",
                    value,
                    to_flush=Team._fields["member_ids"],
                ),
            ),
            ("user_id", "=", value),
            (
                "id",
                "in",
                SQL(
                    "(SELECT ticket_id FROM spid_ticket_participant_rel WHERE user_id = %s)",
                    value,
                    to_flush=self._fields["participant_ids"],
                ),
            ),
            ("editor_id", "=", value),
        ]

    @api.depends_context("uid")
    @api.depends("status_id", "user_id", "team_id", "is_locked")
    def _compute_allowed_actions(self):
        allowed = self.env["spid.ticket.transition"]._spid_allowed_statuses(self)
        for ticket in self:
            ticket.allowed_status_ids = ticket.status_id | allowed[ticket]
            ticket.can_close = any(allowed[ticket].mapped("is_closed")) and not ticket.is_closed
            ticket.can_take = ticket.user_id != self.env.user and not ticket._spid_take_refusal()

    @api.depends("is_closed", "company_id.spid_closed_tickets")
    def _compute_closed_edit(self):
        for ticket in self:
            # an open ticket (most forms) reads no company
            policy = ticket.company_id.spid_closed_tickets if ticket.is_closed else "editable"
            if policy in (False, "editable"):
                ticket.closed_edit = "all"
            else:
                ticket.closed_edit = "reclassify" if policy == "reclassify" else "none"

    @api.depends("intervention_ids")
    def _compute_intervention_count(self):
        # from the list the form reads anyway: no query of its own
        for ticket in self:
            ticket.intervention_count = len(ticket.intervention_ids)

    def action_plan_intervention(self):
        """The form of a new intervention for this ticket."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Plan an intervention"),
            "res_model": "spid.intervention",
            "view_mode": "form",
            "target": "current",
            "context": {"default_ticket_id": self.id},
        }

    def action_view_interventions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("spid_helpdesk.spid_intervention_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action

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
            name = ticket.name or _("New ticket")
            # "/" is the reference of a ticket not saved yet
            numbered = ticket.reference and ticket.reference != "/"
            ticket.display_name = f"[{ticket.reference}] {name}" if numbered else name

    # ------------------------------------------------------------------
    # Tracking
    # ------------------------------------------------------------------

    def _track_prepare(self, fields_iter):
        if fields_iter is self._fields:  # mail.thread's write: every tracked field
            fields_iter = [name for name in fields_iter if name not in TRACKED_WHEN_WRITTEN]
        return super()._track_prepare(fields_iter)

    def _mail_track(self, tracked_fields, initial_values):
        """Odoo tracks neither html nor properties fields: their change is
        logged in the same tracking message, as text (the html's first
        words, each changed custom field with its label)."""
        own = {name for name, info in tracked_fields.items() if info["type"] in ("html", "properties")}
        changes, commands = super()._mail_track(
            {name: info for name, info in tracked_fields.items() if name not in own}, initial_values
        )
        for name in sorted(own & initial_values.keys()):
            old, new = self._spid_tracked_text(name, initial_values[name], self[name])
            if old == new:
                continue
            changes.add(name)
            field = self.env["ir.model.fields"]._get(self._name, name)
            commands.append(
                Command.create({"field_id": field.id, "old_value_char": old, "new_value_char": new})
            )
        return changes, commands

    def _spid_tracked_text(self, name, old, new):
        """(old, new) texts of an html or properties field for its tracking line."""
        if self._fields[name].type == "html":
            return tuple(
                textwrap.shorten(html2plaintext(value or ""), TRACKED_TEXT_LENGTH, placeholder=" …")
                for value in (old, new)
            )
        field = self._fields[name]
        old_list, new_list = (field.convert_to_read(value or {}, self) for value in (old, new))
        old_values = {prop["name"]: prop for prop in old_list}
        lines_old, lines_new = [], []
        for prop in new_list:
            before = old_values.get(prop["name"], {})
            if before.get("value") == prop.get("value"):
                continue
            lines_old.append(f"{prop['string']}: {self._spid_property_text(before)}")
            lines_new.append(f"{prop['string']}: {self._spid_property_text(prop)}")
        return "; ".join(lines_old), "; ".join(lines_new)

    @api.model
    def _spid_property_text(self, prop):
        value = prop.get("value")
        kind = prop.get("type")
        if value in (None, False, "", []) and kind != "boolean":
            return ""
        if kind == "boolean":
            return _("Yes") if value else _("No")
        if kind == "selection":
            return dict(prop.get("selection") or []).get(value, value)
        if kind == "tags":
            labels = {tag[0]: tag[1] for tag in prop.get("tags") or []}
            return ", ".join(labels.get(tag, tag) for tag in value)
        if kind == "many2one":
            return value[1] if isinstance(value, list | tuple) else str(value)
        if kind == "many2many":
            return ", ".join(item[1] if isinstance(item, list | tuple) else str(item) for item in value)
        return str(value)

    def _track_filter_for_display(self, tracking_values):
        """A customer reads in the chatter the changes of the fields the
        portal shows them, never the agents' (participants, priority,
        deadline, copies...), whatever the field's groups say."""
        tracking_values = super()._track_filter_for_display(tracking_values)
        if self.env.user._is_internal():
            return tracking_values
        return self._spid_customer_trackings(tracking_values)

    @api.model
    def _spid_customer_trackings(self, tracking_values):
        """The tracking values a customer may read (CUSTOMER_TRACKED_FIELDS)."""
        return tracking_values.filtered(lambda tracking: tracking.field_id.name in CUSTOMER_TRACKED_FIELDS)

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
        self._spid_check_historical_dates(vals_list)
        # the caller's dicts stay as they were given: an import retries a
        # failed batch row by row with them, and must not find our values
        vals_list = [dict(vals) for vals in vals_list]
        historical_closing = [vals.get("date_closed") for vals in vals_list]
        historical = [any(vals.get(name) for name in HISTORICAL_DATES) for vals in vals_list]
        self.env["spid.ticket.type"]._spid_check_new_tickets(vals_list)
        self._spid_prepare_create(vals_list)
        batch = len(vals_list) > 1
        # The person saving waits for the ticket, its reference, owner, team
        # and followers only: its job (spid.ticket.job, queued below in this
        # transaction, run by a cron after the commit) starts the service
        # level clocks and, for a ticket created alone, posts the creation
        # message to its followers, sends the "you have been assigned" notice
        # and the status's acknowledgement. Batches (imports, API) stay
        # set-based: one batched creation log instead of a notification per
        # ticket, followers added per group of tickets, no assignment email
        # per ticket (owners find them in My tickets) and no status email (no
        # acknowledgement flood when old tickets are imported).
        creator = self.with_context(mail_auto_subscribe_no_notify=True, mail_notrack=True)
        creator = (
            with_switch(creator, BATCH_CREATE) if batch else creator.with_context(mail_create_nolog=True)
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
        # the participants follow before the job keeps the creation
        # message's recipients: it is news for them
        tickets._spid_subscribe_roles(others=False)
        # tickets of the past (an import's opening date): no creation
        # message, status email or service-level clock, they happened
        # elsewhere
        past = self.browse(ticket.id for ticket, old in zip(tickets, historical) if old)
        self.env["spid.ticket.job"]._spid_queue(tickets - past, send_emails=not batch)
        # the requesters follow their tickets now, after the job kept the
        # followers its creation message goes to (it was not theirs): a
        # customer answering the ticket they just opened, while its job
        # runs, would otherwise follow it twice at once (a unique violation,
        # the answer refused: seen under make load)
        tickets._spid_subscribe_requesters()
        tickets._spid_subscribe_roles(participants=False)
        Transition = self.env["spid.ticket.transition"]
        Transition._spid_check_entry(tickets)
        closed = tickets.filtered("is_closed")
        if closed:
            Transition._spid_check_closing(closed)
            given = {ticket: date for ticket, date in zip(tickets, historical_closing) if date}
            with_switch(closed.filtered(lambda t: t not in given), SYSTEM).write(
                {"date_closed": fields.Datetime.now(), "closed_by_id": self.env.uid}
            )
            with_switch(closed.filtered(lambda t: t in given), SYSTEM).write({"closed_by_id": self.env.uid})
        open_dated = self.browse(
            ticket.id for ticket, date in zip(tickets, historical_closing) if date and not ticket.is_closed
        )
        if open_dated:
            raise ValidationError(
                _(
                    "Ticket %s has a closing date but an open status: give it a closing or history status.",
                    open_dated[0].reference,
                )
            )
        return tickets

    @api.model
    def _spid_check_historical_dates(self, vals_list):
        """Opening and closing dates of the past are given only by a helpdesk
        manager (who imports the tickets of another tool), when the tickets
        are created; whatever the context says."""
        given = [vals for vals in vals_list if any(vals.get(name) for name in HISTORICAL_DATES)]
        # a `default_date_closed` context key would fill them after this check
        defaults = [name for name in HISTORICAL_DATES if self.env.context.get(f"default_{name}")]
        if defaults:
            given = [
                dict(vals, **{name: self.env.context[f"default_{name}"] for name in defaults})
                for vals in vals_list
            ]
        if not given:
            return
        if not (
            self.env.su
            or switched(self.env, SYSTEM)
            or self.env.user.has_group("spid_helpdesk.group_spid_manager")
        ):
            raise AccessError(
                _(
                    "Only a helpdesk manager may give the opening or closing date of a ticket, when"
                    " importing tickets from another tool."
                )
            )
        now = fields.Datetime.now()
        for vals in given:
            opened = fields.Datetime.to_datetime(vals.get("date_opened"))
            closed = fields.Datetime.to_datetime(vals.get("date_closed"))
            if (opened and opened > now) or (closed and closed > now):
                raise ValidationError(_("The opening and closing dates of a ticket cannot be in the future."))
            if opened and closed and closed < opened:
                raise ValidationError(_("A ticket cannot be closed before it was opened."))

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
        for vals in vals_list:
            if vals.get("date_opened"):
                # a ticket of the past: its dates are its own (checked by
                # _spid_check_historical_dates)
                vals.setdefault("date_reported", vals["date_opened"])
                vals.setdefault("date_status", vals.get("date_closed") or vals["date_opened"])
            vals.setdefault("date_opened", now)
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
        for team_id, team_vals in to_assign.items():
            team = self.env["spid.team"].browse(team_id)
            owners = team._spid_pick_owners([Category.browse(v.get("category_id")) for v in team_vals])
            for vals, owner in zip(team_vals, owners):
                vals["user_id"] = owner.id or False
        for vals in vals_list:
            # a ticket given to someone else is news for its owner
            vals["is_read"] = not vals.get("user_id") or vals["user_id"] == self.env.uid
        self._spid_check_creation_limits(vals_list)
        self._spid_assign_references(vals_list)

    def write(self, vals):
        self._spid_check_system_fields([vals])
        self._spid_check_lock(vals)
        self._spid_check_history_dates_kept(vals)
        self._spid_check_closed(vals)
        if "user_id" in vals:
            # a ticket given to someone else is unread for them
            vals = dict(vals, is_read=not vals["user_id"] or vals["user_id"] == self.env.uid)
        written = TRACKED_WHEN_WRITTEN & vals.keys()
        if (
            written
            and not self.env.context.get("tracking_disable")
            and not self.env.context.get("mail_notrack")
        ):
            self._track_prepare(written)
        if "type_id" in vals:
            self.env["spid.ticket.type"].browse(vals["type_id"])._spid_check_change(self)
        status = closing = None
        if vals.get("status_id"):
            status = self.env["spid.ticket.status"].browse(vals["status_id"])
            changing = self.filtered(lambda t: t.status_id != status)
            owner = self.env["res.users"].browse(vals["user_id"]) if "user_id" in vals else None
            self.env["spid.ticket.transition"]._spid_check(changing, status, owner=owner)
            vals = dict(vals, date_status=fields.Datetime.now(), auto_close_warned_date=False)
            closing = changing.filtered(lambda t: not t.is_closed) if status.is_closed else None
            if not status.is_closed:
                vals.update(date_closed=False, closed_by_id=False)
        old_statuses = {ticket.id: ticket.status_id for ticket in self} if status else None
        res = super().write(vals)
        if vals.get("partner_id"):
            self.message_subscribe(partner_ids=[vals["partner_id"]])
        self.env["spid.ticket.sla"]._spid_follow_write(self, vals, old_statuses)
        if status:
            if closing:
                super(SpidTicket, closing).write(
                    {"date_closed": fields.Datetime.now(), "closed_by_id": self.env.uid}
                )
            self.env["spid.ticket.transition"]._spid_check_required(changing, status)
            if closing:
                closing._spid_post_closing_feedback()
        return res

    def _spid_check_lock(self, vals):
        locked = self.filtered("is_locked")
        if not locked or switched(self.env, SYSTEM):
            return
        if any(is_ticket_fact(name) for name in vals):
            raise UserError(
                _(
                    "Ticket %(ref)s is locked: it can no longer be changed.",
                    ref=locked[0].reference,
                )
            )

    def _spid_check_history_dates_kept(self, vals):
        """The opening and closing dates are the ticket's history: given when
        it is created, then written by the closing and reopening only."""
        if self.env.su or switched(self.env, SYSTEM):
            return
        if any(name in vals for name in HISTORICAL_DATES):
            raise AccessError(
                _(
                    "The opening and closing dates of an existing ticket cannot be changed: they are"
                    " given only when tickets are imported."
                )
            )

    def _spid_check_closed(self, vals):
        """A closed ticket of a company whose closed tickets are read-only
        changes nothing but its status (reopening, or another closing
        status such as the history step) until it is reopened; when they are
        reclassifiable, its classification too. Its conversation, followers,
        activities and rating, and the helpdesk's own writes (invoicing,
        closing data) stay free."""
        if switched(self.env, SYSTEM) or switched(self.env, SLA_SYSTEM):
            return
        facts = {name for name in vals if is_ticket_fact(name)}
        if not facts:
            return
        frozen = self._spid_frozen()
        if not frozen:
            return
        if vals.get("status_id"):
            if not self.env["spid.ticket.status"].browse(vals["status_id"]).is_closed:
                return  # reopening: the workflow's rules decide
            facts.discard("status_id")
        for ticket in frozen:
            allowed = RECLASSIFY_FIELDS if ticket.company_id.spid_closed_tickets == "reclassify" else ()
            refused = sorted(facts.difference(allowed))
            if refused:
                raise UserError(
                    _(
                        "Ticket %(ref)s is closed: reopen it before changing %(fields)s.",
                        ref=ticket.reference,
                        fields=", ".join(
                            self._fields[name].get_description(self.env)["string"]
                            for name in refused
                            if name in self._fields
                        )
                        or ", ".join(refused),
                    )
                )

    def _spid_frozen(self):
        """These tickets that are closed in a company whose closed tickets
        are read-only (or only reclassifiable)."""
        # most writes are on open tickets: no company read for them
        return self.filtered("is_closed").filtered(
            lambda t: t.company_id.spid_closed_tickets in FROZEN_POLICIES
        )

    def _spid_check_closed_parts(self):
        """The work units, links and interventions of a closed ticket whose
        company keeps closed tickets read-only (or only reclassifiable) do
        not change until it is reopened: they are its hours, its billing and
        its visits. The helpdesk's own writes (invoicing, signing, closing)
        pass."""
        if self.env.su or switched(self.env, SYSTEM) or switched(self.env, SLA_SYSTEM):
            return
        frozen = self.sudo()._spid_frozen()
        if frozen:
            raise UserError(
                _(
                    "Ticket %s is closed: reopen it before changing its work units, links or interventions.",
                    frozen[0].reference,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        if self.filtered("is_locked"):
            raise UserError(_("A locked ticket cannot be deleted."))
        # the database would delete their interventions with them: a visit
        # done or signed by the customer is a record of the work
        visited = self.sudo().intervention_ids.filtered(lambda i: i.state in ("done", "signed")).ticket_id
        if visited:
            raise UserError(
                _(
                    "Ticket %s has interventions done or signed: it cannot be deleted (close it instead).",
                    visited[0].reference,
                )
            )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for ticket, vals in zip(self, vals_list):
            vals.setdefault("name", _("%s (copy)", ticket.name))
        return vals_list

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _spid_is_supervisor(self):
        return self.env.su or self.env.user.has_group("spid_helpdesk.group_spid_supervisor")

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

    def _spid_take_refusal(self):
        """The error when the current user may not take this ticket, else
        None: an agent takes an open ticket of one of their teams, or one
        without team; a supervisor takes any open ticket."""
        self.ensure_one()
        user = self.env.user
        if not user.has_group("spid_helpdesk.group_spid_agent"):
            return AccessError(_("Only helpdesk agents can take tickets."))
        try:
            # the refusals below name the ticket and its team: not to those
            # who may not read it
            self.check_access("read")
        except AccessError as error:
            return error
        ticket = self.sudo()
        if ticket.is_closed:
            return UserError(_("Ticket %s is closed.", ticket.reference))
        if ticket.team_id and user not in ticket.team_id.member_ids and not self._spid_is_supervisor():
            return AccessError(
                _(
                    "Ticket %(ref)s belongs to team %(team)s: only its members or a supervisor may take it.",
                    ref=ticket.reference,
                    team=ticket.team_id.name,
                )
            )
        return None

    def action_take(self):
        """The current agent becomes the owner."""
        user = self.env.user
        for ticket in self:
            error = ticket._spid_take_refusal()
            if error:
                raise error
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

    def _spid_reopen(self, reason=None):
        """Reopen closed tickets into the reopening status, with a reason."""
        status = self.env["spid.ticket.status"].search([("is_reopen", "=", True)], limit=1)
        if not status:
            raise UserError(_("No reopening status is configured."))
        for ticket in self:
            if not ticket.is_closed:
                raise UserError(_("Ticket %s is not closed.", ticket.reference))
            if ticket.is_locked:
                raise UserError(_("Ticket %s is locked: it cannot be reopened.", ticket.reference))
        # the requester reopens their own ticket by their role, not by the
        # transition's groups; they have no write access of their own
        self.env["spid.ticket.transition"]._spid_check(self, status, requester=self.env.user.partner_id)
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

    def _spid_escalation_candidates(self):
        """Who may take this ticket over: the active agents of its team, or
        of any team when it has none, except its owner. Agents outside every
        team (finance, administrators) own no ticket by escalation."""
        self.ensure_one()
        # who is in the teams of a ticket the caller may not read (another
        # company's) is none of their business
        self.check_access("read")
        ticket = self.sudo()
        teams = ticket.team_id or self.env["spid.team"].sudo().search(
            [("company_id", "in", [ticket.company_id.id, False])]
        )
        members = teams.member_ids.filtered_domain(
            [("active", "=", True), *self.env["res.users"]._spid_agent_domain()]
        )
        return (members - ticket.user_id).with_env(self.env)

    def _spid_escalate(self, user, reason):
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

    def spid_mark_read(self):
        """The owner opened these tickets (the form calls this when it shows
        one): they are read. Someone else opening them changes nothing; a
        call for tickets of others is ignored, not refused (the form calls it
        for every ticket it shows)."""
        mine = self.filtered(lambda t: t.user_id == self.env.user and not t.is_read)
        if mine:
            mine.check_access("read")
            with_switch(mine, SYSTEM).write({"is_read": True})
        return True

    def _spid_mark_unread(self, author):
        """A public message of `author` (a partner) is news for the owners
        of these tickets, unless they wrote it themselves."""
        unread = self.sudo().filtered(lambda t: t.is_read and t.user_id and t.user_id.partner_id != author)
        if unread:
            with_switch(unread, SYSTEM).write({"is_read": False})

    @api.model
    def spid_my_open_ticket_count(self):
        """Open tickets owned by the current user, for the top bar."""
        return self.search_count([("user_id", "=", self.env.uid), ("is_closed", "=", False)])

    def action_view_workunits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("spid_helpdesk.spid_workunit_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action
