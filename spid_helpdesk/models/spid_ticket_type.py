from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..internal import TYPE_OPTIONAL, switched


class SpidTicketType(models.Model):
    _name = "spid.ticket.type"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Ticket type"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    auto_close_excluded = fields.Boolean(
        string="Never auto-close", help="Tickets of this kind are never closed automatically."
    )
    description = fields.Text(translate=True)
    properties_definition = fields.PropertiesDefinition(string="Custom fields")
    allowed_group_ids = fields.Many2many(
        "res.groups",
        string="Allowed groups",
        help="Only users of these groups may give this type to a ticket; empty = everyone.",
    )
    team_ids = fields.Many2many(
        "spid.team",
        "spid_ticket_type_team_rel",
        "type_id",
        "team_id",
        string="Handled by teams",
        help="Only the members of these teams (or of the groups below) read and handle tickets of this"
        " type; supervisors see them all. Empty, with no group: every agent, as usual.",
    )
    group_ids = fields.Many2many(
        "res.groups",
        "spid_ticket_type_handler_group_rel",
        "type_id",
        "group_id",
        string="Handled by groups",
        help="Only the users of these groups (or the members of the teams above) read and handle tickets"
        " of this type; supervisors see them all. Empty, with no team: every agent, as usual.",
    )
    portal_selectable = fields.Boolean(
        string="Selectable on the portal", help="Customers may choose this type."
    )
    client_ids = fields.Many2many(
        "res.partner",
        "spid_ticket_type_client_rel",
        "type_id",
        "partner_id",
        string="Clients",
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        help="On the portal, only the contacts of these clients may choose this type; empty = every"
        " client.",
    )
    workorder_template = fields.Html(
        string="Work order text",
        help="Text printed on the work order of tickets of this type, its {{ placeholders }} filled from"
        " the ticket.",
    )
    workorder_placeholders = fields.Html(
        string="Placeholders", compute="_compute_workorder_placeholders", sanitize=False
    )
    workorder_preview_ticket_id = fields.Many2one(
        "spid.ticket",
        string="Preview for",
        compute="_compute_workorder_preview_ticket_id",
        readonly=False,
        domain="[('type_id', '=', id)]",
        help="The ticket the preview is filled from; the latest of this type by default.",
    )
    workorder_preview = fields.Html(string="Preview", compute="_compute_workorder_preview", sanitize=False)
    field_rule_ids = fields.One2many(
        "spid.ticket.field.rule",
        "type_id",
        string="Dependent choices",
        help="Which choices of a selection field go with each choice of another.",
    )
    selectable_by_user = fields.Boolean(
        string="Selectable by me",
        compute="_compute_selectable_by_user",
        search="_search_selectable_by_user",
        help="The current user belongs to one of the allowed groups, or the type has none.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        kinds = super().create(vals_list)
        kinds.filtered("workorder_template")._spid_check_workorder_template()
        return kinds

    def write(self, vals):
        result = super().write(vals)
        if "workorder_template" in vals:
            self._spid_check_workorder_template()
        return result

    @api.depends_context("uid")
    def _compute_selectable_by_user(self):
        groups = self.env.user.groups_id
        unhandled = self._spid_not_handled()
        for kind in self:
            kind.selectable_by_user = (
                not kind.allowed_group_ids or bool(kind.allowed_group_ids & groups)
            ) and kind not in unhandled

    def _search_selectable_by_user(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on Selectable by me."))
        domain = [
            "|",
            ("allowed_group_ids", "=", False),
            ("allowed_group_ids", "in", self.env.user.groups_id.ids),
        ]
        if self._spid_restricted_agent():
            domain = ["&", *domain, ("id", "in", self._spid_handled_types_sql(self.env.uid))]
        if (operator == "=") == value:
            return domain
        return ["!", *domain]

    @api.depends("properties_definition")
    def _compute_workorder_placeholders(self):
        """The placeholders a template may use, this type's custom fields
        included, for the help beside the template."""
        Report = self.env["report.spid_helpdesk.report_spid_workorder"]
        common = self.env.company.spid_ticket_properties_definition or []
        for kind in self:
            labels = [
                prop.get("string") or prop.get("name") for prop in common + (kind.properties_definition or [])
            ]
            rows = [(expression, label) for expression, label in Report._spid_placeholder_help()]
            rows += [(f"custom_fields['{label}']", _("Custom field %s", label)) for label in labels if label]
            kind.workorder_placeholders = Markup("<ul class='list-unstyled mb-0'>%s</ul>") % Markup().join(
                Markup("<li><code>{{ %s }}</code> %s</li>") % (expression, label)
                for expression, label in rows
            )

    def _compute_workorder_preview_ticket_id(self):
        latest = dict(
            self.env["spid.ticket"]._read_group([("type_id", "in", self.ids)], ["type_id"], ["id:max"])
        )
        for kind in self:
            kind.workorder_preview_ticket_id = latest.get(kind._origin, False)

    @api.depends("workorder_template", "workorder_preview_ticket_id")
    def _compute_workorder_preview(self):
        """The template filled for the preview's ticket, or why it cannot
        be; code a non-editor typed is refused here too, before it runs."""
        Report = self.env["report.spid_helpdesk.report_spid_workorder"]
        for kind in self:
            ticket = kind.workorder_preview_ticket_id
            if not ticket or not kind.workorder_template:
                kind.workorder_preview = False
                continue
            try:
                kind._spid_check_workorder_template()
                kind.workorder_preview = Report._spid_render_workorder(
                    kind.workorder_template,
                    ticket,
                    dict(Report._spid_property_rows(ticket)),
                    ticket.workunit_ids.filtered(lambda unit: unit.visibility == "public").sorted("date"),
                )
            except (UserError, AccessError) as error:
                kind.workorder_preview = Markup(
                    '<div class="alert alert-warning" role="alert">%s</div>'
                ) % str(error)

    def _spid_check_workorder_template(self):
        """Only a template editor (mail.group_mail_template_editor) writes
        code in a work order text: others use the placeholders."""
        if self.env.su or self.env.user.has_group("mail.group_mail_template_editor"):
            return
        Report = self.env["report.spid_helpdesk.report_spid_workorder"]
        for kind in self:
            for expression in Report._spid_template_expressions(kind.workorder_template):
                if not Report._spid_is_placeholder(expression):
                    raise AccessError(
                        _(
                            "Only members of %(group)s may write code in a work order text; “%(code)s” is not"
                            " one of the placeholders listed on the type's Work order tab.",
                            group=self.env.ref("mail.group_mail_template_editor").name,
                            code=expression,
                        )
                    )

    # ------------------------------------------------------------------
    # Who handles tickets of a type (team_ids, group_ids)
    # ------------------------------------------------------------------

    @api.model
    def _spid_handled_types_sql(self, uid):
        """The ids of the types user `uid` may handle, as one SQL subquery:
        the types without team and group, those of a team they belong to,
        those of a group they are in (implied groups are in
        res_groups_users_rel). The agent's record rule uses it."""
        flushed = (
            self._fields["team_ids"],
            self._fields["group_ids"],
            self.env["spid.team"]._fields["member_ids"],
            self.env["res.users"]._fields["groups_id"],
        )
        return SQL(
            """%s%s%s%s(SELECT kind.id FROM spid_ticket_type kind
                 WHERE NOT EXISTS (SELECT 1 FROM spid_ticket_type_team_rel r WHERE r.type_id = kind.id)
                   AND NOT EXISTS (SELECT 1 FROM spid_ticket_type_handler_group_rel r
                                    WHERE r.type_id = kind.id)
                UNION
                SELECT r.type_id FROM spid_ticket_type_team_rel r
                  JOIN spid_team_member_rel m ON m.team_id = r.team_id
                 WHERE m.user_id = %s
                UNION
                SELECT r.type_id FROM spid_ticket_type_handler_group_rel r
                  JOIN res_groups_users_rel g ON g.gid = r.group_id
                 WHERE g.uid = %s)""",
            *(SQL("", to_flush=field) for field in flushed),
            uid,
            uid,
        )

    @api.model
    def _spid_restricted_agent(self):
        """Whether the current user is an agent whom types may restrict (a
        supervisor handles every type, the superuser too)."""
        user = self.env.user
        return (
            not self.env.su
            and user.has_group("spid_helpdesk.group_spid_agent")
            and not user.has_group("spid_helpdesk.group_spid_supervisor")
        )

    def _spid_not_handled(self):
        """The types of `self` the current agent may not handle."""
        if not self._spid_restricted_agent():
            return self.browse()
        user = self.env.user.sudo()
        return self.browse(
            kind.id
            for kind in self.sudo()
            if (kind.team_ids or kind.group_ids)
            and not (kind.team_ids.member_ids & user or kind.group_ids & user.groups_id)
        )

    def _spid_check_handled(self):
        """Refuse the types the current agent may not handle: an agent never
        creates a ticket of such a type nor moves one into it (its tickets
        are hidden from them by the record rule)."""
        refused = self._spid_not_handled()
        if refused:
            raise AccessError(
                _(
                    "Tickets of type %(type)s are handled by other teams: you may not give it to a ticket.",
                    type=refused[0].sudo().name,
                )
            )

    def _spid_check_selectable(self):
        """Refuse a type reserved to groups the current user is not in (the
        view's domain only hides it; this is the rule), or handled by teams
        or groups the current agent is not in."""
        if self.env.su:
            return
        self._spid_check_handled()
        groups = self.env.user.groups_id
        for kind in self.sudo():
            if kind.allowed_group_ids and not kind.allowed_group_ids & groups:
                raise AccessError(
                    _(
                        "The ticket type %(type)s is reserved to %(groups)s.",
                        type=kind.name,
                        groups=", ".join(kind.allowed_group_ids.mapped("full_name")),
                    )
                )

    @api.model
    def _spid_check_new_tickets(self, vals_list):
        """The types of new tickets (`vals_list`): one reserved to groups is
        refused to other users, and a type is required when the company says
        so (tickets opened by email or the public form, created by the
        system, get theirs later)."""
        self.browse({v["type_id"] for v in vals_list if v.get("type_id")})._spid_check_selectable()
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

    def _spid_check_change(self, tickets):
        """`tickets` may take this type (or none, when `self` is empty): it
        is selectable by the user, a required type stays, a locked type does
        not change."""
        self._spid_check_selectable()
        if self.env.su:
            return
        for ticket in tickets:
            if not self and ticket.company_id.spid_type_required:
                raise ValidationError(_("Ticket %s must keep a type.", ticket.reference))
            if ticket.type_id and ticket.type_id != self and ticket.company_id.spid_type_locked:
                raise UserError(
                    _(
                        "The type of ticket %(ref)s (%(type)s) can no longer be changed.",
                        ref=ticket.reference,
                        type=ticket.type_id.name,
                    )
                )
