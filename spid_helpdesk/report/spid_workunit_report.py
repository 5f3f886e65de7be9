from odoo import fields, models

from ..models.spid_workunit import ACTION_TYPES


class SpidWorkunitReport(models.Model):
    """One row per work unit, with its ticket's routing, as an SQL view."""

    _name = "spid.workunit.report"
    _inherit = ["spid.report.groups"]
    _description = "Time analysis"
    _auto = False
    _order = "date desc"

    workunit_id = fields.Many2one("spid.workunit", readonly=True)
    ticket_id = fields.Many2one("spid.ticket", readonly=True)
    date = fields.Datetime(readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    client_id = fields.Many2one("res.partner", string="Client", readonly=True)
    team_id = fields.Many2one("spid.team", string="Team", readonly=True)
    category_id = fields.Many2one("spid.ticket.category", string="Category", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    action_type = fields.Selection(ACTION_TYPES, readonly=True)
    visibility = fields.Selection([("internal", "Internal"), ("public", "Public")], readonly=True)
    billable = fields.Boolean(readonly=True)
    hours = fields.Float(readonly=True, aggregator="sum")
    days = fields.Float(readonly=True, aggregator="sum", help="Hours divided by the company's hours per day.")
    billable_hours = fields.Float(readonly=True, aggregator="sum")
    non_billable_hours = fields.Float(readonly=True, aggregator="sum")
    currency_id = fields.Many2one("res.currency", readonly=True)
    cost = fields.Monetary(
        readonly=True,
        aggregator="sum",
        groups="spid_helpdesk.group_spid_supervisor",
        help="Hours times the agent's hourly cost, as stored on each work unit when it was logged.",
    )
    nbr = fields.Integer(string="Work units", readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        return """
            SELECT w.id AS id,
                   w.id AS workunit_id,
                   w.ticket_id,
                   w.date,
                   w.user_id,
                   w.client_id,
                   w.team_id,
                   w.category_id,
                   w.company_id,
                   w.action_type,
                   w.visibility,
                   w.billable,
                   w.duration AS hours,
                   w.duration / NULLIF(COALESCE(c.spid_hours_per_day, 8.0), 0) AS days,
                   CASE WHEN w.billable THEN w.duration ELSE 0 END AS billable_hours,
                   CASE WHEN w.billable THEN 0 ELSE w.duration END AS non_billable_hours,
                   c.currency_id,
                   COALESCE(w.cost, 0) AS cost,
                   1 AS nbr
              FROM spid_workunit w
              LEFT JOIN res_company c ON c.id = w.company_id
        """
