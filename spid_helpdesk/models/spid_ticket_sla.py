import threading
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape
from pytz import utc

from odoo import _, api, fields, models

from ..internal import SLA_SYSTEM, with_switch
from .spid_sla_policy import SLA_KINDS


class SpidTicketSla(models.Model):
    """One clock of a policy on a ticket. The clock runs from `running_since`
    and has already consumed `spent_hours` working hours before that; a
    paused clock has no `running_since` and no deadline."""

    _name = "spid.ticket.sla"
    _description = "Service level of a ticket"
    _order = "deadline, id"
    _check_company_auto = True

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade", index=True)
    policy_id = fields.Many2one(
        "spid.sla.policy", required=True, ondelete="cascade", index=True, check_company=True
    )
    kind = fields.Selection(SLA_KINDS, required=True)
    target_hours = fields.Float(required=True, help="Working hours allowed.")
    spent_hours = fields.Float(help="Working hours consumed before the clock last started.")
    running_since = fields.Datetime(help="Empty while the clock is paused.")
    deadline = fields.Datetime(index=True)
    risk_date = fields.Datetime(help="From this moment the ticket is at risk.")
    reached_date = fields.Datetime()
    status = fields.Selection(
        [("ongoing", "Ongoing"), ("met", "Met"), ("failed", "Failed")],
        required=True,
        default="ongoing",
        index=True,
    )
    failed_count = fields.Integer(help="Breaches of this clock (inactivity can be breached again).")
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    # For the SLA analysis: met/failed per team, client, agent and month.
    team_id = fields.Many2one(related="ticket_id.team_id", store=True, string="Team")
    client_id = fields.Many2one(related="ticket_id.client_id", store=True, string="Client")
    user_id = fields.Many2one(related="ticket_id.user_id", store=True, string="Owner")
    date = fields.Datetime(
        compute="_compute_date", store=True, help="When the clock ended, else its deadline."
    )
    met_count = fields.Integer(compute="_compute_date", store=True, string="Met")
    failed_total = fields.Integer(compute="_compute_date", store=True, string="Failed")
    met_percent = fields.Float(
        compute="_compute_date",
        store=True,
        aggregator="avg",
        string="Met (%)",
        help="100 for a met clock, 0 for a failed one; averaged, the compliance over a period.",
    )

    _sql_constraints = [
        ("ticket_policy_kind_uniq", "unique(ticket_id, policy_id, kind)", "One clock per policy and kind."),
    ]

    @api.depends("reached_date", "deadline", "status")
    def _compute_date(self):
        for line in self:
            line.date = line.reached_date or line.deadline or line.create_date
            line.met_count = int(line.status == "met")
            line.failed_total = int(line.status == "failed")
            line.met_percent = 100.0 if line.status == "met" else 0.0

    # ------------------------------------------------------------------
    # Clock arithmetic, cached per call: a batch created at one instant
    # plans each (calendar, start, hours) once.
    # ------------------------------------------------------------------

    def _spid_plan(self):
        """Set deadline and risk date of running clocks; clear them when paused.
        Clocks sharing a calendar and a start walk the calendar once."""
        share = self.env.company.spid_sla_risk_share
        targets = defaultdict(set)  # (calendar, start) -> working hours to plan
        for line in self:
            if line.running_since and line.status == "ongoing":
                left = max(line.target_hours - line.spent_hours, 0.0)
                key = (line.policy_id.calendar_id, line.running_since)
                targets[key].update({round(left, 6), round(max(left - share * line.target_hours, 0.0), 6)})
        planned = {
            (calendar.id, start, hours): moment
            for (calendar, start), hours_set in targets.items()
            for hours, moment in self._spid_plan_hours(calendar, start, sorted(hours_set)).items()
        }
        groups = defaultdict(list)
        for line in self:
            if not (line.running_since and line.status == "ongoing"):
                groups[(False, False)].append(line.id)
                continue
            left = max(line.target_hours - line.spent_hours, 0.0)
            key = (line.policy_id.calendar_id.id, line.running_since)
            deadline = planned[(*key, round(left, 6))]
            risk = planned[(*key, round(max(left - share * line.target_hours, 0.0), 6))]
            groups[(deadline, risk)].append(line.id)
        for (deadline, risk), ids in groups.items():
            self.browse(ids).write({"deadline": deadline, "risk_date": risk})

    @api.model
    def _spid_plan_hours(self, calendar, start, hours_list):
        """{hours: the moment `hours` working hours after `start`} for sorted
        `hours_list`, walking the calendar's work intervals (leaves
        excluded, in its time zone) a fortnight at a time."""
        result, pending = {}, list(hours_list)
        begin = start.replace(tzinfo=utc)
        consumed = 0.0
        for _window in range(60):  # about two years ahead at most
            end = begin + timedelta(days=14)
            for interval_start, interval_stop, _meta in calendar._work_intervals_batch(begin, end)[False]:
                length = (interval_stop - interval_start).total_seconds() / 3600
                while pending and pending[0] <= consumed + length + 1e-9:
                    hours = pending.pop(0)
                    moment = interval_start + timedelta(hours=hours - consumed)
                    result[hours] = moment.astimezone(utc).replace(tzinfo=None)
                consumed += length
                if not pending:
                    return result
            begin = end
        return dict(result, **dict.fromkeys(pending, False))

    def _spid_worked(self, until):
        """Working hours of the running segment, up to `until`."""
        self.ensure_one()
        if not self.running_since or until <= self.running_since:
            return 0.0
        return self.policy_id.calendar_id.get_work_hours_count(self.running_since, until, compute_leaves=True)

    def _spid_pause(self, now):
        for line in self.filtered("running_since"):
            line.write({"spent_hours": line.spent_hours + line._spid_worked(now), "running_since": False})
        self._spid_plan()

    def _spid_resume(self, now):
        self.filtered(lambda line: not line.running_since).write({"running_since": now})
        self._spid_plan()

    def _spid_reach(self, now):
        """The awaited event happened: met when within the target."""
        for line in self.filtered(lambda line: line.status == "ongoing"):
            spent = line.spent_hours + line._spid_worked(now)
            line.write(
                {
                    "reached_date": now,
                    "spent_hours": spent,
                    "running_since": False,
                    "status": "met" if spent <= line.target_hours + 1e-6 else "failed",
                }
            )
        self._spid_plan()

    def _spid_restart(self, now, running):
        """Start the clock again from zero (inactivity after an update)."""
        self.write(
            {
                "spent_hours": 0.0,
                "running_since": now if running else False,
                "status": "ongoing",
                "reached_date": False,
            }
        )
        self._spid_plan()

    # ------------------------------------------------------------------
    # Breaches
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_breaches(self, batch_size=1000):
        """Mark the clocks past their deadline as failed and act once per
        breach. Batches are committed one by one; a batch is locked with SKIP
        LOCKED so that two workers never handle the same breach."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        while True:
            lines = self._spid_lock_breached(batch_size)
            if not lines:
                return
            lines._spid_handle_breaches()
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if len(lines) < batch_size:
                return

    @api.model
    def _spid_lock_breached(self, limit):
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT id FROM spid_ticket_sla
             WHERE status = 'ongoing' AND running_since IS NOT NULL AND deadline < %s
             ORDER BY deadline
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            [fields.Datetime.now(), limit],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _spid_handle_breaches(self):
        """Set-based: a fixed number of queries per batch."""
        now = fields.Datetime.now()
        self.write({"status": "failed", "reached_date": False})
        for line in self:
            line.failed_count += 1
        tickets = self.ticket_id
        tickets.mapped("team_id.leader_id")  # prefetch
        activity_type = self.env.ref("spid_helpdesk.mail_activity_type_sla_breach", raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id("spid.ticket")
        activities = []
        for line in self:
            ticket = line.ticket_id
            user = ticket.user_id or ticket.team_id.leader_id
            if user:
                activities.append(
                    {
                        "res_model_id": model_id,
                        "res_id": ticket.id,
                        "user_id": user.id,
                        "activity_type_id": activity_type.id if activity_type else False,
                        "summary": _(
                            "SLA breached: %(policy)s (%(kind)s)",
                            policy=line.policy_id.name,
                            kind=dict(SLA_KINDS)[line.kind],
                        ),
                        "date_deadline": now.date(),
                    }
                )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
        self._spid_escalate()
        self._spid_mail_breaches()

    def _spid_escalate(self):
        by_values = defaultdict(list)
        for line in self:
            ticket, escalation = line.ticket_id, line.policy_id.escalation
            values = {}
            if escalation in ("priority", "both") and ticket.priority < "3":
                values["priority"] = str(int(ticket.priority) + 1)
            leader = ticket.team_id.leader_id
            if escalation in ("leader", "both") and leader and ticket.user_id != leader:
                values["user_id"] = leader.id
            if values:
                by_values[tuple(sorted(values.items()))].append(ticket.id)
        Ticket = with_switch(self.env["spid.ticket"].sudo(), SLA_SYSTEM)
        for values, ticket_ids in by_values.items():
            Ticket.browse(ticket_ids).write(dict(values))

    def _spid_mail_breaches(self):
        """One email per person (owner, team leader) listing their breaches."""
        per_partner = defaultdict(list)
        for line in self:
            ticket = line.ticket_id
            for user in ticket.user_id | ticket.team_id.leader_id:
                if user.partner_id.email:
                    per_partner[user.partner_id].append(line)
        if not per_partner:
            return
        base_url = self[:1].get_base_url()
        mails = []
        for partner, lines in per_partner.items():
            rows = Markup("").join(
                Markup('<li><a href="%s/odoo/spid.ticket/%s">%s</a> %s: %s</li>')
                % (
                    base_url,
                    line.ticket_id.id,
                    line.ticket_id.reference,
                    escape(line.ticket_id.name),
                    line.policy_id.name,
                )
                for line in lines
            )
            mails.append(
                {
                    "subject": _("SLA breached on %s ticket(s)", len(lines)),
                    "body_html": Markup("<p>%s</p><ul>%s</ul>")
                    % (_("These tickets missed their service level:"), rows),
                    "recipient_ids": [(4, partner.id)],
                    "email_from": self.env.company.email_formatted or self.env.user.email_formatted,
                    "auto_delete": True,
                }
            )
        self.env["mail.mail"].sudo().create(mails)
