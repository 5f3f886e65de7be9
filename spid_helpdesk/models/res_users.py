from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Who reads what an hour of an agent costs: the helpdesk managers, and the
# administrators of the users, who set it on the user's form.
COST_MANAGERS = "spid_helpdesk.group_spid_manager,base.group_erp_manager"


class ResUsers(models.Model):
    _inherit = "res.users"

    spid_hourly_cost = fields.Monetary(
        string="Hourly cost",
        groups=COST_MANAGERS,
        currency_field="spid_cost_currency_id",
        help="What an hour of this agent costs the company: each work unit stores its hours times"
        " this cost when it is logged (a later change leaves logged units as they are). When Employees"
        " (hr_hourly_cost) is installed, the employee's hourly cost wins when set.",
    )
    spid_cost_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Hourly cost currency", groups=COST_MANAGERS
    )
    # The other side of spid.team's member_ids (same relation table): copied
    # with the user, so that a template user (a directory login's, see
    # spid_helpdesk_ldap) gives its copies their teams.
    spid_team_ids = fields.Many2many(
        "spid.team",
        "spid_team_member_rel",
        "user_id",
        "team_id",
        string="Helpdesk teams",
        copy=True,
        help="The helpdesk teams this user belongs to: an agent works the tickets of their teams."
        " Copied with the user, e.g. from the template user of a directory (LDAP) login.",
    )

    @api.constrains("spid_team_ids")
    def _check_spid_team_ids(self):
        self.filtered("spid_team_ids")._spid_check_team_members()

    def _spid_check_team_members(self):
        """Only helpdesk agents belong to a team: membership is what gives an
        agent a team's tickets, and assignment picks owners among members."""
        agent_group = self.env.ref("spid_helpdesk.group_spid_agent")
        others = self.sudo().filtered(lambda user: agent_group not in user.groups_id)
        if others:
            raise ValidationError(
                _(
                    "%s is not a helpdesk agent: only agents can be members of a helpdesk team.",
                    others[0].display_name,
                )
            )

    @api.model
    def _spid_agent_domain(self):
        """Users who may own or work tickets: the helpdesk agents."""
        return [("groups_id", "in", self.env.ref("spid_helpdesk.group_spid_agent").id)]

    def _spid_is_requester_only(self):
        """An internal user without a helpdesk group: an employee who asks
        the helpdesk for help (My requests), never one who answers."""
        self.ensure_one()
        return self._is_internal() and not self.has_group("spid_helpdesk.group_spid_agent")

    def _spid_hourly_costs(self, company):
        """{user id: hourly cost in `company`'s currency} of these users, now:
        the employee's hourly cost in `company` when Odoo's hr_hourly_cost is
        installed and it is set, else the user's own. Read by the system (the
        costs are the managers' to see); one query per source."""
        users = self.sudo()
        costs = {user.id: (user.spid_hourly_cost, user) for user in users}
        if "hr.employee" in self.env and "hourly_cost" in self.env["hr.employee"]._fields:
            employees = (
                self.env["hr.employee"]
                .sudo()
                .search(
                    [("user_id", "in", users.ids), ("company_id", "=", company.id), ("hourly_cost", "!=", 0)]
                )
            )
            costs.update((employee.user_id.id, (employee.hourly_cost, employee)) for employee in employees)
        today = fields.Date.context_today(self)
        result = {}
        for user_id, (cost, source) in costs.items():
            # the currency is looked up for a cost only, converted when it differs
            currency = cost and (
                source.currency_id if source._name == "hr.employee" else source.company_id.currency_id
            )
            if currency and currency != company.currency_id:
                cost = currency._convert(cost, company.currency_id, company, today)
            result[user_id] = cost
        return result
