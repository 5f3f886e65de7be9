import logging
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression

from odoo.addons.spid_helpdesk.internal import SYSTEM, switched, with_switch

_logger = logging.getLogger(__name__)

# statements the cron sends per call; ir.cron commits between calls
CRON_BATCH_SIZE = 20

# Written once, by the generation only (system fields: readonly in the
# model, refused to every caller by spid.system.fields.mixin).
FIGURES = (
    "tickets_opened",
    "tickets_closed",
    "tickets_open",
    "hours_worked",
    "hours_billable",
    "sla_response_count",
    "sla_response_percent",
    "sla_resolution_count",
    "sla_resolution_percent",
    "satisfaction_count",
    "satisfaction_avg",
    "bank_values",
)
# What a client's portal user reads of a statement: its figures (the banks'
# are in its PDF), nothing of the chatter, the company's bookkeeping or who
# generated it.
PORTAL_READABLE_FIELDS = frozenset(
    {"id", "display_name", "name", "client_id", "date_from", "date_to", "date_sent", *FIGURES}
) - {"bank_values"}

# Not even the helpdesk's own code changes these once the statement is sent.
FROZEN_WHEN_SENT = {
    "name",
    "client_id",
    "company_id",
    "date_from",
    "date_to",
    "recipient_id",
    "state",
    "date_sent",
    "send_error",
    *FIGURES,
}


def period_bounds(period, today):
    """(first day, last day) of the last complete month or quarter before `today`."""
    first_of_month = today.replace(day=1)
    if period == "quarterly":
        end = first_of_month.replace(month=(today.month - 1) // 3 * 3 + 1) - relativedelta(days=1)
        return end.replace(day=1) - relativedelta(months=2), end
    end = first_of_month - relativedelta(days=1)
    return end.replace(day=1), end


class SpidStatement(models.Model):
    """A periodic service statement to a client: what the helpdesk did for it
    over a month or a quarter (tickets, hours, service levels, satisfaction),
    with the statistics' own figures, stored when generated and frozen once
    sent (a document the client received).

    Everything but the recipient of a draft is a system field: the client,
    company and period are chosen when the generation (_spid_generate, the
    wizard, the cron) creates it, the figures are computed by it, the state
    and date sent set by action_send, all under the SYSTEM switch that no
    request carries. A caller never creates a statement nor writes those."""

    _name = "spid.statement"
    _inherit = ["mail.thread", "spid.readable.fields.mixin", "spid.system.fields.mixin"]
    _description = "Helpdesk service statement"
    _order = "date_to desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    client_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        domain="[('spid_is_client', '=', True), ('is_company', '=', True)]",
        tracking=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    recipient_id = fields.Many2one(
        "res.partner",
        string="Recipient",
        help="Who receives the statement: the client's invoicing contact, else the client.",
    )
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("sent", "Sent")], default="draft", required=True, readonly=True, tracking=True
    )
    date_sent = fields.Datetime(string="Sent on", readonly=True, copy=False)
    send_error = fields.Char(
        string="Not sent",
        readonly=True,
        copy=False,
        help="Why the monthly run could not send it (it does not try again): fix it, then send it by hand.",
    )
    tickets_opened = fields.Integer(string="Tickets opened", readonly=True)
    tickets_closed = fields.Integer(string="Tickets closed", readonly=True)
    tickets_open = fields.Integer(
        string="Still open",
        readonly=True,
        help="Tickets opened by the end of the period and not closed then.",
    )
    hours_worked = fields.Float(string="Hours worked", readonly=True)
    hours_billable = fields.Float(string="Billable hours", readonly=True)
    sla_response_count = fields.Integer(string="Response measures", readonly=True)
    sla_response_percent = fields.Float(string="Responses in time (%)", readonly=True)
    sla_resolution_count = fields.Integer(string="Resolution measures", readonly=True)
    sla_resolution_percent = fields.Float(string="Resolutions in time (%)", readonly=True)
    satisfaction_count = fields.Integer(string="Rated tickets", readonly=True)
    satisfaction_avg = fields.Float(string="Satisfaction (/5)", readonly=True)
    # hour banks (spid.contract) at the end of the period, from
    # _spid_statement_bank_values(): [{name, hours_bought, hours_used, hours_left}]
    bank_values = fields.Json(string="Hour banks", readonly=True, copy=False)

    _sql_constraints = [
        (
            "client_period_uniq",
            "unique(client_id, company_id, date_from, date_to)",
            "A client has one statement per company and period.",
        ),
    ]

    # named once, in the recipient's language (the PDF and the email's file
    # bear the name); a client renamed later does not rename its statements
    @api.depends("client_id", "date_from", "date_to", "recipient_id")
    def _compute_name(self):
        for statement in self:
            lang = statement.recipient_id.lang or statement.client_id.lang or self.env.lang
            statement.name = statement.with_context(lang=lang)._spid_default_name()

    def _spid_default_name(self):
        self.ensure_one()
        return _(
            "Statement %(client)s %(start)s - %(end)s",
            client=self.client_id.name or "",
            start=self.date_from or "",
            end=self.date_to or "",
        )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for statement in self:
            if statement.date_from > statement.date_to:
                raise ValidationError(_("The period of a statement starts after it ends."))

    @api.constrains("client_id")
    def _check_client(self):
        for statement in self:
            if statement.client_id != statement.client_id.commercial_partner_id:
                raise ValidationError(
                    _("A statement is made out to the client company, not to %s.", statement.client_id.name)
                )

    def _spid_readable_fields(self):
        if not self.env.su and self.env.user.share:
            return PORTAL_READABLE_FIELDS
        return super()._spid_readable_fields()

    @api.model_create_multi
    def create(self, vals_list):
        # the generation only (client, company, period), never a caller's
        # values: figures, state or name are computed, not given
        if not (self.env.su or switched(self.env, SYSTEM)):
            raise AccessError(
                _("Statements are made by Generate statements (or the monthly run), never created directly.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if FROZEN_WHEN_SENT & set(vals) and any(statement.state == "sent" for statement in self):
            raise UserError(_("A sent statement is a document the client received: it no longer changes."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sent(self):
        if any(statement.state == "sent" for statement in self):
            raise UserError(_("A sent statement cannot be deleted."))

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.name

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    @api.model
    def _spid_statement_bank_values(self, clients, company, date_to, date_from=None):
        """{client: [{name, hours_bought, hours_used, hours_left}]}: the
        clients' hour banks at `date_to`, stored with the other figures and
        printed in the report's `<div id="spid_statement_bank">`. Hook for
        the hour banks (spid.contract): none here."""
        return {client: [] for client in clients}

    @api.model
    def _spid_figures(self, clients, company, date_from, date_to):
        """{client: the values of its statement's figures} for the period,
        the statistics' own (spid.statistics.wizard._spid_figures, the SLA
        analysis, the satisfaction of the ticket analysis), in six grouped
        queries whatever the number of clients."""
        start, end = datetime.combine(date_from, time.min), datetime.combine(date_to, time.max)
        domain = [("client_id", "in", clients.ids), ("company_id", "=", company.id)]
        env = self.sudo().env
        figures = env["spid.statistics.wizard"]._spid_figures(start, end, "client_id", domain)
        still_open = dict(
            env["spid.ticket"]._read_group(
                domain
                + [("date_opened", "<=", end), "|", ("date_closed", "=", False), ("date_closed", ">", end)],
                ["client_id"],
                ["__count"],
            )
        )
        sla = {
            (client, kind): (met, failed)
            for client, kind, met, failed in env["spid.ticket.sla"]._read_group(
                domain
                + [
                    ("date", ">=", start),
                    ("date", "<=", end),
                    ("status", "!=", "ongoing"),
                    ("kind", "in", ("response", "resolution")),
                ],
                ["client_id", "kind"],
                ["met_count:sum", "failed_count:sum"],
            )
        }
        rated = [("date_closed", ">=", start), ("date_closed", "<=", end), ("rating_last_value", ">", 0)]
        ratings = {
            client: (count, average)
            for client, count, average in env["spid.ticket"]._read_group(
                domain + rated, ["client_id"], ["__count", "rating_last_value:avg"]
            )
        }
        banks = self._spid_statement_bank_values(clients, company, date_to, date_from=date_from)
        result = {}
        for client in clients:
            row = figures.get(client) or {}
            count, average = ratings.get(client, (0, 0.0))
            values = {
                "tickets_opened": row.get("opened", 0),
                "tickets_closed": row.get("closed", 0),
                "tickets_open": still_open.get(client, 0),
                "hours_worked": row.get("hours", 0.0),
                "hours_billable": row.get("billable_hours", 0.0),
                "satisfaction_count": count,
                "satisfaction_avg": average or 0.0,
                "bank_values": banks.get(client) or [],
            }
            for kind in ("response", "resolution"):
                met, failed = sla.get((client, kind), (0, 0))
                values[f"sla_{kind}_count"] = met + failed
                values[f"sla_{kind}_percent"] = 100.0 * met / (met + failed) if met + failed else 0.0
            result[client] = values
        return result

    def _spid_compute_figures(self):
        """Take the figures of these (draft) statements again."""
        for (company, date_from, date_to), statements in self.grouped(
            lambda s: (s.company_id, s.date_from, s.date_to)
        ).items():
            figures = self._spid_figures(statements.client_id, company, date_from, date_to)
            for statement in statements:
                with_switch(statement, SYSTEM).write(figures[statement.client_id])

    # ------------------------------------------------------------------
    # Generation and sending
    # ------------------------------------------------------------------

    @api.model
    def _spid_generate(self, clients, date_from, date_to, company=None):
        """The statements of `clients` (companies) for the period, created
        with their figures; a client that already has one for this company
        and period keeps it (none is made twice). Returns the new ones."""
        company = company or self.env.company
        clients = clients.commercial_partner_id
        if date_from > date_to:
            raise UserError(_("The period starts after it ends."))
        existing = self.search(
            [
                ("client_id", "in", clients.ids),
                ("company_id", "=", company.id),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
            ]
        ).client_id
        clients -= existing
        if not clients:
            return self
        recipients = clients._spid_statement_recipients()
        figures = self._spid_figures(clients, company, date_from, date_to)
        # one INSERT for all, figures included; no creation message per record
        # under the SYSTEM switch, as the caller: its rights to create still count
        statements = with_switch(
            self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True), SYSTEM
        ).create(
            [
                dict(
                    figures[client],
                    client_id=client.id,
                    company_id=company.id,
                    date_from=date_from,
                    date_to=date_to,
                    recipient_id=recipients[client].id,
                )
                for client in clients
            ]
        )
        return self.browse(statements.ids)

    def action_send(self):
        """Send the statements to their recipients, the PDF attached (in the
        recipient's language), and freeze them."""
        template = self.env.ref("spid_helpdesk_invoicing.mail_template_spid_statement")
        for statement in self:
            if statement.state == "sent":
                raise UserError(_("%s was already sent.", statement.name))
            if not statement.recipient_id.email:
                raise UserError(
                    _(
                        "%(statement)s: the recipient %(recipient)s has no email address. Set the client's"
                        " invoicing contact (or its invoice address) with an email first.",
                        statement=statement.name,
                        recipient=statement.recipient_id.display_name or _("(none)"),
                    )
                )
        # sent first: the PDF the email renders is stored as the document;
        # the caller's right to write the statements still counts
        with_switch(self, SYSTEM).write(
            {"state": "sent", "date_sent": fields.Datetime.now(), "send_error": False}
        )
        for statement in self:
            statement.message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
                partner_ids=statement.recipient_id.ids,
            )
        return True

    def action_print(self):
        return self.env.ref("spid_helpdesk_invoicing.action_report_spid_statement").report_action(self)

    @api.model
    def _spid_cron_groups(self, clients, today):
        """{(period, company): clients} for the cron: each client under the
        companies its tickets of last period belong to (a shared client, with
        no company, gets one statement from each company that worked for it),
        else its own company or the cron's. One grouped query."""
        by_period = clients.grouped(lambda c: c.spid_statement_period or "monthly")
        domain = expression.OR(
            [
                [
                    ("client_id", "in", group.ids),
                    ("date_opened", "<=", datetime.combine(period_bounds(period, today)[1], time.max)),
                    "|",
                    ("date_closed", "=", False),
                    ("date_closed", ">=", datetime.combine(period_bounds(period, today)[0], time.min)),
                ]
                for period, group in by_period.items()
            ]
        )
        worked_for = {}
        if by_period:
            Ticket = self.env["spid.ticket"].sudo()
            for client, company in Ticket._read_group(domain, ["client_id", "company_id"]):
                worked_for.setdefault(client.id, []).append(company.id)
        groups = {}
        for period, group in by_period.items():
            for client in group:
                for company_id in worked_for.get(client.id) or [(client.company_id or self.env.company).id]:
                    groups.setdefault((period, company_id), []).append(client.id)
        Partner, Company = self.env["res.partner"], self.env["res.company"]
        return {
            (period, Company.browse(company_id)): Partner.browse(client_ids)
            for (period, company_id), client_ids in groups.items()
        }

    @api.model
    def _cron_send_statements(self, today=None, batch_size=CRON_BATCH_SIZE):
        """Monthly: last period's statements of the opted-in clients (their
        month, or their quarter once it is complete), in every company that
        worked for them, generated once and sent; drafts of those periods (a
        run stopped half-way, or generated by hand) are sent too.

        Sent `batch_size` at a time: one batch per call, its progress told to
        ir.cron, which commits and calls again while some remain; each
        statement in its own savepoint, so that one that fails (no email, a
        PDF that does not render) is logged, left in draft with the reason
        (send_error, a note in its chatter) and not tried again by the run,
        and the others are sent. Returns how many remain."""
        today = today or fields.Date.context_today(self)
        # the cron's own work, for every company: not one user's view of it
        Statement = self.sudo()
        clients = (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("spid_statement_enabled", "=", True),
                    ("spid_is_client", "=", True),
                    ("is_company", "=", True),
                ]
            )
        )
        to_send = Statement.browse()
        for (period, company), group in self._spid_cron_groups(clients, today).items():
            date_from, date_to = period_bounds(period, today)
            Statement._spid_generate(group, date_from, date_to, company)
            to_send |= Statement.search(
                [
                    ("client_id", "in", group.ids),
                    ("company_id", "=", company.id),
                    ("date_from", "=", date_from),
                    ("date_to", "=", date_to),
                    ("state", "=", "draft"),
                    ("send_error", "=", False),
                ]
            )
        batch = to_send[:batch_size]
        batch._spid_send_each()
        remaining = len(to_send) - len(batch)
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return remaining

    def _spid_send_each(self):
        """Send these statements one by one, each in its own savepoint: one
        that fails stays a draft with the reason, the others are sent."""
        for statement in self:
            if not statement.recipient_id.email:
                error = _(
                    "Not sent: %s has no email address.",
                    statement.recipient_id.display_name or _("no recipient"),
                )
            else:
                try:
                    with self.env.cr.savepoint():
                        statement.with_company(statement.company_id).action_send()
                    continue
                except Exception as exc:  # any failure of one client's statement
                    _logger.exception("Service statement %s (id %s) not sent", statement.name, statement.id)
                    # its first line: the whole trace is in the log
                    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
                    error = _("Not sent: %s", reason)
            with_switch(statement, SYSTEM).write({"send_error": error})
            statement.message_post(body=error)

    @api.model
    def _spid_demo_statement(self, client_ids):
        """Demo only: last month's statement of these clients, marked sent
        (no email and no PDF while the database installs: the PDF is stored
        at its first download)."""
        date_from, date_to = period_bounds("monthly", fields.Date.context_today(self))
        statements = self._spid_generate(self.env["res.partner"].browse(client_ids), date_from, date_to)
        with_switch(statements, SYSTEM).write({"state": "sent", "date_sent": fields.Datetime.now()})
