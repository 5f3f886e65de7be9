from odoo import fields, models

from ..models.spid_ticket import CHANNELS, LEVELS


class SpidTicketReport(models.Model):
    """One row per ticket with what the statistics need, as an SQL view."""

    _name = "spid.ticket.report"
    _inherit = ["spid.report.groups"]
    _description = "Ticket analysis"
    _auto = False
    _order = "create_date desc"
    _rec_name = "reference"

    ticket_id = fields.Many2one("spid.ticket", readonly=True)
    reference = fields.Char(readonly=True)
    # the ticket's opening date (date_opened: its creation, or the original
    # date of an imported ticket), under the name the analysis always had
    create_date = fields.Datetime(string="Opened on", readonly=True)
    date_reported = fields.Datetime(string="Reported on", readonly=True)
    date_closed = fields.Datetime(string="Closed on", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    client_id = fields.Many2one("res.partner", string="Client", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Requester", readonly=True)
    site_id = fields.Many2one("res.partner", string="Site", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    team_id = fields.Many2one("spid.team", string="Team", readonly=True)
    category_id = fields.Many2one("spid.ticket.category", string="Category", readonly=True)
    type_id = fields.Many2one("spid.ticket.type", string="Type", readonly=True)
    status_id = fields.Many2one("spid.ticket.status", string="Status", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    priority = fields.Selection(LEVELS, readonly=True)
    is_closed = fields.Boolean(readonly=True)
    nbr = fields.Integer(string="Tickets", readonly=True, aggregator="sum")
    opened = fields.Integer(readonly=True, aggregator="sum")
    closed = fields.Integer(readonly=True, aggregator="sum")
    backlog = fields.Integer(string="Open", readonly=True, aggregator="sum", help="Still open today.")
    reopened = fields.Integer(readonly=True, aggregator="sum",
                              help="Times the ticket was reopened.")  # fmt: skip
    reopen_rate = fields.Float(string="Reopen rate (%)", readonly=True, aggregator="avg")
    resolution_hours = fields.Float(
        string="Hours to close",
        readonly=True,
        aggregator="avg",
        help="Calendar hours from opening to closing.",
    )
    resolution_working_hours = fields.Float(
        string="Working hours to close",
        readonly=True,
        aggregator="avg",
        help="Working hours counted by the resolution clock of the ticket's service level.",
    )
    response_working_hours = fields.Float(
        string="Working hours to first response",
        readonly=True,
        aggregator="avg",
        help="Working hours counted by the first-response clock of the ticket's service level.",
    )
    responses_done = fields.Integer(
        string="Responses finished",
        readonly=True,
        aggregator="sum",
        help="Response measures that ended (met or failed): the first response and each one a later"
        " message of the requester started.",
    )
    responses_met = fields.Integer(
        string="Responses met",
        readonly=True,
        aggregator="sum",
        help="Response measures answered within their target.",
    )
    response_met_percent = fields.Float(
        string="Responses met (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the ticket's finished response measures that were met, averaged over the tickets"
        " (SLA analysis gives it over all measures).",
    )
    sla_met_percent = fields.Float(string="SLA met (%)", readonly=True, aggregator="avg")
    # as on the ticket: the satisfaction is for supervisors only
    rating = fields.Float(
        string="Satisfaction (/5)",
        readonly=True,
        aggregator="avg",
        groups="spid_helpdesk.group_spid_supervisor",
    )
    total_hours = fields.Float(string="Hours spent", readonly=True, aggregator="sum")

    def init(self):
        """The pivots by team and status (the supervisor's first look) read
        this index alone (an index-only scan), not the tickets' rows."""
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS spid_ticket_report_team_status_idx
                   ON spid_ticket (team_id, status_id) INCLUDE (company_id, is_closed)
                WHERE active"""
        )
        return super().init()

    @property
    def _table_query(self):
        # a plain select over the ticket's stored columns, which PostgreSQL
        # folds into the pivot's own query: the reopenings and the clocks'
        # figures are kept on the ticket (reopen_count, sla_*), not counted
        # again for every ticket on each pivot
        return """
            SELECT t.id AS id,
                   t.id AS ticket_id,
                   t.reference,
                   COALESCE(t.date_opened, t.create_date) AS create_date,
                   t.date_reported,
                   t.date_closed,
                   t.company_id,
                   t.client_id,
                   t.partner_id,
                   t.site_id,
                   t.user_id,
                   t.team_id,
                   t.category_id,
                   t.type_id,
                   t.status_id,
                   t.channel,
                   t.priority,
                   t.is_closed,
                   1 AS nbr,
                   1 AS opened,
                   CASE WHEN t.is_closed THEN 1 ELSE 0 END AS closed,
                   CASE WHEN t.is_closed THEN 0 ELSE 1 END AS backlog,
                   COALESCE(t.reopen_count, 0) AS reopened,
                   CASE WHEN t.reopen_count > 0 THEN 100.0 ELSE 0.0 END AS reopen_rate,
                   EXTRACT(EPOCH FROM t.date_closed - COALESCE(t.date_opened, t.create_date)) / 3600.0
                       AS resolution_hours,
                   CASE WHEN t.sla_resolution_done THEN t.sla_resolution_hours END
                       AS resolution_working_hours,
                   CASE WHEN t.sla_response_done THEN t.sla_response_hours END AS response_working_hours,
                   COALESCE(t.sla_responses_done_count, 0) AS responses_done,
                   COALESCE(t.sla_responses_met_count, 0) AS responses_met,
                   CASE WHEN t.sla_responses_done_count > 0
                        THEN 100.0 * t.sla_responses_met_count / t.sla_responses_done_count END
                       AS response_met_percent,
                   CASE WHEN t.sla_done_count > 0 THEN 100.0 * t.sla_met_count / t.sla_done_count END
                       AS sla_met_percent,
                   NULLIF(t.rating_last_value, 0) AS rating,
                   t.total_hours
              FROM spid_ticket t
             WHERE t.active
        """
