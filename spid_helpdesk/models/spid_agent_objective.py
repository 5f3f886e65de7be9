from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SpidAgentObjective(models.Model):
    """What an agent aims at in a month, beside what they did."""

    _name = "spid.agent.objective"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Agent objective"
    _order = "month desc, user_id"
    _check_company_auto = True

    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        required=True,
        index=True,
        domain=lambda self: self.env["res.users"]._spid_agent_domain(),
    )
    month = fields.Date(required=True, default=lambda self: fields.Date.today().replace(day=1),
                        help="Any day of the month; stored as its first day.")  # fmt: skip
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    target_hours = fields.Float(string="Hours objective")
    target_tickets = fields.Integer(string="Closed tickets objective")
    target_turnover = fields.Monetary(string="Turnover objective", currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    actual_hours = fields.Float(string="Hours done", compute="_compute_actuals")
    actual_tickets = fields.Integer(string="Tickets closed", compute="_compute_actuals")
    actual_turnover = fields.Monetary(
        string="Turnover",
        compute="_compute_actuals",
        currency_field="currency_id",
        help="Filled by the invoicing addon.",
    )
    hours_percent = fields.Float(string="Hours (%)", compute="_compute_actuals")
    tickets_percent = fields.Float(string="Tickets (%)", compute="_compute_actuals")
    turnover_percent = fields.Float(string="Turnover (%)", compute="_compute_actuals")

    _sql_constraints = [
        ("user_month_uniq", "unique(user_id, month, company_id)", "One objective per agent and month."),
    ]

    @api.depends("user_id", "month")
    def _compute_display_name(self):
        for objective in self:
            month = objective.month.strftime("%Y-%m") if objective.month else ""
            objective.display_name = f"{objective.user_id.name or ''} {month}".strip()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("month"):
            vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().write(vals)

    @api.constrains("target_hours", "target_tickets", "target_turnover")
    def _check_targets(self):
        for objective in self:
            if min(objective.target_hours, objective.target_tickets, objective.target_turnover) < 0:
                raise ValidationError(_("Objectives cannot be negative."))

    def _spid_actuals(self):
        """{objective id: (hours, tickets, turnover)}: two grouped queries
        for all the objectives, whatever their number."""
        if not self:
            return {}
        start = min(self.mapped("month"))
        end = max(self.mapped("month")) + relativedelta(months=1)
        users = self.user_id.ids
        hours = {
            (user.id, month.date().replace(day=1)): total
            for user, month, total in self.env["spid.workunit"]
            .sudo()
            ._read_group(
                [("user_id", "in", users), ("date", ">=", start), ("date", "<", end)],
                ["user_id", "date:month"],
                ["duration:sum"],
            )
        }
        closed = {
            (user.id, month.date().replace(day=1)): count
            for user, month, count in self.env["spid.ticket"]
            .sudo()
            ._read_group(
                [("user_id", "in", users), ("date_closed", ">=", start), ("date_closed", "<", end)],
                ["user_id", "date_closed:month"],
                ["__count"],
            )
        }
        turnover = self._spid_turnover(start, end)
        return {
            objective.id: (
                hours.get((objective.user_id.id, objective.month), 0.0),
                closed.get((objective.user_id.id, objective.month), 0),
                turnover.get((objective.user_id.id, objective.month), 0.0),
            )
            for objective in self
        }

    def _spid_turnover(self, start, end):
        """{(user id, month): turnover}; the invoicing addon fills it."""
        return {}

    @api.depends("user_id", "month", "target_hours", "target_tickets", "target_turnover")
    def _compute_actuals(self):
        actuals = self.filtered("month")._spid_actuals()
        for objective in self:
            hours, tickets, turnover = actuals.get(objective.id, (0.0, 0, 0.0))
            objective.actual_hours, objective.actual_tickets, objective.actual_turnover = (
                hours,
                tickets,
                turnover,
            )
            objective.hours_percent = (
                100.0 * hours / objective.target_hours if objective.target_hours else 0.0
            )
            objective.tickets_percent = (
                100.0 * tickets / objective.target_tickets if objective.target_tickets else 0.0
            )
            objective.turnover_percent = (
                100.0 * turnover / objective.target_turnover if objective.target_turnover else 0.0
            )
