import ast
from collections import Counter
from datetime import timedelta
from email.utils import formataddr

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

ASSIGNMENT_METHODS = [
    ("leader", "Team leader"),
    ("balanced", "Balanced (fewest open tickets)"),
    ("round_robin", "Round robin"),
    ("creator", "Creator of the ticket"),
    ("none", "No automatic assignment"),
]


LIMIT_MODES = [("block", "Block"), ("warn", "Warn")]


class SpidTeam(models.Model):
    _name = "spid.team"
    _description = "Helpdesk team"
    _inherit = ["mail.thread", "mail.alias.mixin", "spid.system.fields.mixin"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Html()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    member_ids = fields.Many2many(
        "res.users",
        "spid_team_member_rel",
        "team_id",
        "user_id",
        string="Members",
        domain=lambda self: self.env["res.users"]._spid_agent_domain(),
        tracking=True,
    )
    leader_id = fields.Many2one(
        "res.users",
        string="Leader",
        domain="[('id', 'in', member_ids)]",
        tracking=True,
        help="Receives the tickets with the Team leader method and the escalations.",
    )
    assignment = fields.Selection(
        ASSIGNMENT_METHODS,
        required=True,
        default="balanced",
        tracking=True,
        help="How a new ticket of the team gets its owner:\n"
        "- Team leader: always the leader;\n"
        "- Balanced: the member with the fewest open tickets;\n"
        "- Round robin: each member in turn;\n"
        "- Creator: the agent who enters the ticket;\n"
        "- None: the ticket stays unassigned until an agent takes it.",
    )
    last_assigned_user_id = fields.Many2one("res.users", readonly=True, copy=False)
    closing_feedback = fields.Selection(
        [("none", "None"), ("public", "Public comment to the requester"), ("note", "Private note")],
        default="none",
        required=True,
        help="On closing, the epilogue is also posted in the chatter: as a message to the"
        " requester or as an internal note.",
    )
    open_ticket_limit = fields.Integer(
        help="Open tickets a requester may have at once with this team; 0 = no limit."
    )
    yearly_ticket_limit = fields.Integer(
        help="Tickets a requester may open with this team over the last 365 days; 0 = no limit."
    )
    limit_mode = fields.Selection(
        LIMIT_MODES,
        default="block",
        required=True,
        help="Block: the ticket is refused with a clear message. Warn: it is created and flagged.",
    )
    default_category_id = fields.Many2one(
        "spid.ticket.category",
        string="Category of emails",
        check_company=True,
        help="Category given to the tickets created by emails to this team's address.",
    )
    default_type_id = fields.Many2one(
        "spid.ticket.type",
        string="Type of emails",
        help="Type given to the tickets created by emails to this team's address (its alias's defaults).",
    )
    email_from = fields.Char(
        string="Sender address",
        help="Address the team's emails to customers come from; empty = the team's alias or the company's.",
    )
    mail_header = fields.Html(
        string="Email header", help="Shown at the top of the team's emails to customers."
    )
    mail_footer = fields.Html(
        string="Email footer", help="Shown at the bottom of the team's emails to customers."
    )
    status_template_ids = fields.One2many(
        "spid.team.status.template",
        "team_id",
        string="Status emails",
        help="The team's own email for a status, sent instead of the status's one.",
    )
    owner_only_status = fields.Boolean(
        string="Only the owner changes the status",
        help="The status of the team's tickets is changed by their owner or a supervisor only;"
        " other agents may still answer, log work and edit the ticket.",
    )
    rating_enabled = fields.Boolean(
        string="Rating requests",
        default=True,
        help="The closing email asks the requester to rate the answer. Off: no rating link is sent"
        " and the portal offers none.",
    )
    ticket_ids = fields.One2many("spid.ticket", "team_id", string="Tickets")
    open_ticket_count = fields.Integer(compute="_compute_ticket_counts")
    unassigned_ticket_count = fields.Integer(compute="_compute_ticket_counts")
    my_ticket_count = fields.Integer(compute="_compute_ticket_counts")
    at_risk_ticket_count = fields.Integer(compute="_compute_ticket_counts")
    failed_week_count = fields.Integer(compute="_compute_ticket_counts", help="SLA failed in the last 7 days")
    hours_month = fields.Float(compute="_compute_ticket_counts", help="Hours logged this month")

    def _compute_ticket_counts(self):
        self.open_ticket_count = self.unassigned_ticket_count = self.my_ticket_count = 0
        self.at_risk_ticket_count = self.failed_week_count = 0
        self.hours_month = 0.0
        if not self.ids:
            return
        Ticket = self.env["spid.ticket"]
        for team, count in Ticket._read_group(
            [("team_id", "in", self.ids), ("sla_at_risk", "=", True)], ["team_id"], ["__count"]
        ):
            team.at_risk_ticket_count = count
        week_ago = fields.Datetime.now() - timedelta(days=7)
        for team, count in self.env["spid.ticket.sla"]._read_group(
            [("team_id", "in", self.ids), ("status", "=", "failed"), ("date", ">=", week_ago)],
            ["team_id"],
            ["ticket_id:count_distinct"],
        ):
            team.failed_week_count = count
        month_start = fields.Date.today().replace(day=1)
        for team, hours in self.env["spid.workunit"]._read_group(
            [("team_id", "in", self.ids), ("date", ">=", month_start)], ["team_id"], ["duration:sum"]
        ):
            team.hours_month = hours
        for team, user, count in self.env["spid.ticket"]._read_group(
            [("team_id", "in", self.ids), ("is_closed", "=", False)],
            ["team_id", "user_id"],
            ["__count"],
        ):
            team.open_ticket_count += count
            if not user:
                team.unassigned_ticket_count += count
            elif user == self.env.user:
                team.my_ticket_count += count

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("spid.ticket")
        if self.id:
            defaults = ast.literal_eval(self.alias_defaults or "{}")
            defaults["team_id"] = self.id
            if self.default_category_id:
                defaults["category_id"] = self.default_category_id.id
            if self.default_type_id:
                defaults["type_id"] = self.default_type_id.id
            else:
                defaults.pop("type_id", None)
            values["alias_defaults"] = repr(defaults)
        return values

    def write(self, vals):
        res = super().write(vals)
        if "default_category_id" in vals or "default_type_id" in vals:
            for team in self:
                team.alias_id.sudo().write(team._alias_get_creation_values())
        return res

    @api.model
    def _check_company_domain(self, companies):
        """A category shared by every company (no company) may route to any
        company's team; a company's records only to that company's teams."""
        if not companies:
            return []
        return super()._check_company_domain(companies)

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """Following a team subscribes to every new ticket of the team: that
        is the managers' decision, for anyone, oneself included. (Following
        gives no access to a ticket: the record rules decide that.)"""
        if self and partner_ids and not self._spid_may_manage_followers():
            raise AccessError(_("Only helpdesk managers choose who follows a team."))
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    def _spid_may_manage_followers(self):
        return self.env.su or self.env.user.has_group("spid_helpdesk.group_spid_manager")

    def _spid_sender(self):
        """The From of the team's emails to customers."""
        self.ensure_one()
        return (
            self.email_from
            or (self.alias_email and formataddr((self.name, self.alias_email)))
            or self.company_id.email_formatted
        )

    def _spid_status_template(self, status):
        """The email a ticket of this team gets on entering `status`: the
        team's own for that status, else the status's."""
        self.ensure_one()
        line = self.status_template_ids.filtered(lambda line: line.status_id == status)[:1]
        return line.mail_template_id or status.mail_template_id

    @api.constrains("member_ids")
    def _check_member_ids(self):
        self.member_ids._spid_check_team_members()

    @api.onchange("member_ids")
    def _onchange_member_ids(self):
        if self.leader_id and self.leader_id not in self.member_ids:
            self.leader_id = False

    def _spid_pick_owners(self, categories):
        """Owners for new tickets of this team, one per category given
        (a category may be empty), by the team's assignment method.
        Costs at most one query, whatever the number of tickets."""
        self.ensure_one()
        method = self.assignment
        if method == "none":
            return [self.env["res.users"]] * len(categories)
        if method == "leader":
            return [self.leader_id] * len(categories)
        if method == "creator":
            user = self.env.user
            is_agent = user.has_group("spid_helpdesk.group_spid_agent")
            return [user if is_agent else self.env["res.users"]] * len(categories)
        members = self.member_ids.filtered("active").sorted("id")
        owners = []
        if method == "balanced":
            load = Counter(
                {
                    user.id: count
                    for user, count in self.env["spid.ticket"]
                    .sudo()
                    ._read_group(
                        [("user_id", "in", members.ids), ("is_closed", "=", False)],
                        ["user_id"],
                        ["__count"],
                    )
                }
            )
            for category in categories:
                pool = self._spid_candidates(members, category)
                user = min(pool, key=lambda u: (load[u.id], u.id)) if pool else pool
                if user:
                    load[user.id] += 1
                owners.append(user)
            return owners
        # round robin: the next candidate after the last one served
        last = self.last_assigned_user_id.id or 0
        for category in categories:
            pool = self._spid_candidates(members, category)
            user = next((u for u in pool if u.id > last), pool[:1])
            if user:
                last = user.id
            owners.append(user)
        if last != self.last_assigned_user_id.id:
            self.sudo().last_assigned_user_id = last
        return owners

    @api.model
    def _spid_candidates(self, members, category):
        """The members allowed for a category: its responsible agents when set."""
        if category and category.user_ids:
            restricted = members & category.user_ids
            return restricted or category.user_ids.filtered("active").sorted("id")
        return members

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("spid_helpdesk.spid_ticket_action")
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id, "search_default_filter_open": 1}
        action["display_name"] = self.display_name
        return action

    def action_view_unassigned(self):
        action = self.action_view_tickets()
        action["context"] = dict(action["context"], search_default_filter_unassigned=1)
        return action
