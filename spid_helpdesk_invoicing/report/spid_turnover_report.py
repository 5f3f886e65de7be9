from odoo import fields, models
from odoo.tools import SQL


class SpidTurnoverReport(models.Model):
    """Turnover of the tickets as an SQL view: one row per posted invoice or
    credit note line of a ticket (dated by the invoice, net of credit notes),
    and one per ticket still to invoice (dated by its closing): those that
    the invoicing wizard bills, dated today, selected by its own rule
    (spid.ticket._spid_invoiceable_domain). The cost of the work is one row
    per work unit with a cost (dated by the work, under the ticket's agent
    like its turnover): the margin is the turnover less that cost."""

    _name = "spid.turnover.report"
    _description = "Helpdesk turnover"
    _auto = False
    _order = "date desc"

    ticket_id = fields.Many2one("spid.ticket", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    date = fields.Date(readonly=True)
    kind = fields.Selection(
        string="Turnover kind",
        selection=[("invoiced", "Invoiced"), ("to_invoice", "To invoice"), ("cost", "Cost")],
        readonly=True,
    )
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    client_id = fields.Many2one("res.partner", string="Client", readonly=True)
    team_id = fields.Many2one("spid.team", string="Team", readonly=True)
    category_id = fields.Many2one("spid.ticket.category", string="Category", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(
        readonly=True, aggregator="sum", help="Invoiced and to-invoice amounts, untaxed."
    )
    amount_invoiced = fields.Monetary(string="Invoiced amount", readonly=True, aggregator="sum")
    amount_to_invoice = fields.Monetary(string="Amount to invoice", readonly=True, aggregator="sum")
    hours = fields.Float(string="Billed hours", readonly=True, aggregator="sum")
    cost = fields.Monetary(
        readonly=True,
        aggregator="sum",
        help="Hours worked times the agents' hourly costs, as stored on the work units.",
    )
    margin = fields.Monetary(readonly=True, aggregator="sum", help="Turnover less the cost of the work.")

    def _spid_flush_sources(self):
        """The view reads tickets and invoice lines from the database."""
        for model in ("spid.ticket", "spid.workunit", "account.move.line", "account.move"):
            self.env[model].flush_model()

    @property
    def _table_query(self):
        # Amounts in the company's currency: the income line's balance is a
        # credit (negative) on an invoice and a debit on a credit note.
        Ticket = self.env["spid.ticket"].sudo().with_context(active_test=True)
        pending = Ticket._search(Ticket._spid_invoiceable_domain(fields.Date.context_today(self)))
        return SQL(
            """
            SELECT l.id * 3 AS id,
                   t.id AS ticket_id,
                   m.id AS move_id,
                   m.invoice_date AS date,
                   'invoiced' AS kind,
                   t.user_id, t.client_id, t.team_id, t.category_id, t.company_id,
                   l.company_currency_id AS currency_id,
                   -l.balance AS amount,
                   -l.balance AS amount_invoiced,
                   0.0 AS amount_to_invoice,
                   CASE WHEN l.spid_intervention_id IS NOT NULL THEN 0.0
                        -- a ticket's time on several lines (one per surcharge
                        -- rate): its hours count once, on the first line
                        WHEN l.id != MIN(l.id) OVER (
                            PARTITION BY l.move_id, l.spid_ticket_id, l.spid_intervention_id IS NULL
                        ) THEN 0.0
                        WHEN m.move_type = 'out_refund' THEN -1 * t.billable_hours
                        ELSE t.billable_hours END AS hours,
                   0.0 AS cost,
                   -l.balance AS margin
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
              JOIN spid_ticket t ON t.id = l.spid_ticket_id
             WHERE m.state = 'posted' AND m.move_type IN ('out_invoice', 'out_refund')
            UNION ALL
            SELECT t.id * 3 + 1 AS id,
                   t.id AS ticket_id,
                   NULL AS move_id,
                   t.date_closed::date AS date,
                   'to_invoice' AS kind,
                   t.user_id, t.client_id, t.team_id, t.category_id, t.company_id,
                   c.currency_id,
                   t.amount_to_invoice AS amount,
                   0.0 AS amount_invoiced,
                   t.amount_to_invoice,
                   t.billable_hours AS hours,
                   0.0 AS cost,
                   t.amount_to_invoice AS margin
              FROM spid_ticket t
              JOIN res_company c ON c.id = t.company_id
             WHERE t.id IN %s
            UNION ALL
            SELECT w.id * 3 + 2 AS id,
                   t.id AS ticket_id,
                   NULL AS move_id,
                   w.date::date AS date,
                   'cost' AS kind,
                   t.user_id, t.client_id, t.team_id, t.category_id, t.company_id,
                   c.currency_id,
                   0.0 AS amount,
                   0.0 AS amount_invoiced,
                   0.0 AS amount_to_invoice,
                   0.0 AS hours,
                   w.cost,
                   -w.cost AS margin
              FROM spid_workunit w
              JOIN spid_ticket t ON t.id = w.ticket_id
              JOIN res_company c ON c.id = t.company_id
             WHERE w.cost != 0
            """,
            pending.subselect(),
        )
