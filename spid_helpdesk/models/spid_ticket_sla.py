from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup
from pytz import utc

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..internal import AUTO_SUBMITTED, SLA_SYSTEM, switched, with_switch
from .spid_sla_policy import SLA_KINDS
from .spid_ticket import is_ticket_fact

# Fields whose change may change the service-level policies of a ticket.
SLA_MATCH_FIELDS = ("team_id", "client_id", "partner_id", "category_id", "type_id", "priority", "company_id")


class SpidTicketSla(models.Model):
    """One clock of a policy on a ticket. The clock runs from `running_since`
    and has already consumed `spent_hours` working hours before that; a
    paused clock has no `running_since` and no deadline. A ticket has one
    clock per policy and kind, except responses: each public message of the
    requester after an answer starts a new response measure (`number` 2,
    3, ...), number 1 being the first response."""

    _name = "spid.ticket.sla"
    _description = "Service level of a ticket"
    _order = "deadline, id"
    _check_company_auto = True

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade", index=True)
    policy_id = fields.Many2one(
        "spid.sla.policy", required=True, ondelete="cascade", index=True, check_company=True
    )
    kind = fields.Selection(SLA_KINDS, required=True)
    number = fields.Integer(
        string="Measure",
        default=1,
        required=True,
        readonly=True,
        help="1 for the first response; each new message of the requester after an answer starts the next.",
    )
    label = fields.Char(string="Clock", compute="_compute_label")
    start_date = fields.Datetime(string="Started on", readonly=True)
    # [[start, end or None], ...] as Odoo datetime strings: the periods the
    # clock stood still (a status that pauses it), drawn on the timeline
    paused_periods = fields.Json(readonly=True)
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
    breach_count = fields.Integer(help="Breaches of this clock (inactivity can be breached again).")
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    # For the SLA analysis: met/failed per team, client, agent and month.
    team_id = fields.Many2one(related="ticket_id.team_id", store=True, string="Team")
    client_id = fields.Many2one(related="ticket_id.client_id", store=True, string="Client")
    user_id = fields.Many2one(related="ticket_id.user_id", store=True, string="Owner")
    date = fields.Datetime(
        compute="_compute_outcome", store=True, help="When the clock ended, else its deadline."
    )
    met_count = fields.Integer(compute="_compute_outcome", store=True, string="Met")
    failed_count = fields.Integer(compute="_compute_outcome", store=True, string="Failed")
    met_percent = fields.Float(
        compute="_compute_outcome",
        store=True,
        aggregator="avg",
        string="Met (%)",
        help="100 for a met clock, 0 for a failed one; averaged, the compliance over a period.",
    )

    _sql_constraints = [
        (
            "ticket_policy_kind_uniq",
            "unique(ticket_id, policy_id, kind, number)",
            "One clock per policy, kind and measure.",
        ),
    ]

    @api.depends("kind", "number")
    def _compute_label(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for line in self:
            if line.kind == "response" and line.number > 1:
                line.label = _("Response %s", line.number)
            elif line.kind == "response":
                line.label = _("First response")
            else:
                line.label = kinds.get(line.kind, "")

    @api.depends("reached_date", "deadline", "status")
    def _compute_outcome(self):
        for line in self:
            line.date = line.reached_date or line.deadline or line.create_date
            line.met_count = int(line.status == "met")
            line.failed_count = int(line.status == "failed")
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

    def _spid_periods(self, now, paused):
        """The clock's pause periods once it stops (`paused` False) or starts
        (True) standing still at `now`; written with the clock's own values,
        no query of its own."""
        self.ensure_one()
        periods = [list(period) for period in self.paused_periods or []]
        moment = fields.Datetime.to_string(now)
        if periods and periods[-1][1] is None:
            if not paused:
                periods[-1][1] = moment
        elif paused:
            periods.append([moment, None])
        return periods

    def _spid_pause(self, now):
        for line in self.filtered("running_since"):
            line.write(
                {
                    "spent_hours": line.spent_hours + line._spid_worked(now),
                    "running_since": False,
                    "paused_periods": line._spid_periods(now, True),
                }
            )
        self._spid_plan()

    def _spid_resume(self, now):
        for line in self.filtered(lambda line: not line.running_since):
            line.write({"running_since": now, "paused_periods": line._spid_periods(now, False)})
        self._spid_plan()

    def _spid_reach(self, now):
        """The awaited event happened: met when within the target. A response
        clock the SLA cron already failed gets its answer's date (failed
        still), which ends its measure."""
        for line in self.filtered(
            lambda line: line.status == "ongoing"
            or (line.kind == "response" and line.status == "failed" and not line.reached_date)
        ):
            spent = line.spent_hours + line._spid_worked(now)
            line.write(
                {
                    "reached_date": now,
                    "spent_hours": spent,
                    "running_since": False,
                    "status": "met"
                    if spent <= line.target_hours + 1e-6 and line.status == "ongoing"
                    else "failed",
                    "paused_periods": line._spid_periods(now, False),
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
                "start_date": now,
                "paused_periods": [] if running else [[fields.Datetime.to_string(now), None]],
            }
        )
        self._spid_plan()

    # ------------------------------------------------------------------
    # Orchestration: how the clocks follow the tickets
    # ------------------------------------------------------------------

    @api.model
    def _spid_start(self, tickets, new=False, since=None):
        """Start the clocks of the policies matching each ticket, drop the
        running clocks of policies that no longer match. `since`: when the
        clocks of a ticket start ({ticket id: datetime}, now by default)."""
        if not tickets:
            return
        Line = self.sudo()
        policies = self.env["spid.sla.policy"].sudo().search([("company_id", "in", tickets.company_id.ids)])
        if not policies and new:
            return
        if not new:
            # Two transactions on the same tickets (two agents, an agent and
            # the breach cron's escalation) would each create the clocks of
            # a policy that now matches, and the second would fail on their
            # unique constraint, which Odoo does not retry. With the tickets
            # locked first, the second gets a serialization failure instead,
            # which Odoo retries on top of the first's clocks.
            self.env.cr.execute(
                SQL("SELECT id FROM spid_ticket WHERE id IN %s FOR NO KEY UPDATE", tuple(tickets.ids))
            )
        existing = Line if new else Line.search([("ticket_id", "in", tickets.ids)])
        existing_keys = {(line.ticket_id.id, line.policy_id.id, line.kind) for line in existing}
        now = fields.Datetime.now()
        to_create, matched = [], set()
        for ticket in tickets:
            for policy in policies:
                if not policy._spid_matches(ticket):
                    continue
                matched.add((ticket.id, policy.id))
                running = policy._spid_counts_in(ticket.status_id) and not ticket.is_closed
                start = (since or {}).get(ticket.id, now)
                for kind, hours in policy._spid_targets().items():
                    if (ticket.id, policy.id, kind) not in existing_keys:
                        to_create.append(
                            {
                                "ticket_id": ticket.id,
                                "policy_id": policy.id,
                                "kind": kind,
                                "target_hours": hours,
                                "running_since": start if running else False,
                                "start_date": start,
                                "paused_periods": []
                                if running
                                else [[fields.Datetime.to_string(start), None]],
                            }
                        )
        existing.filtered(
            lambda line: line.status == "ongoing" and (line.ticket_id.id, line.policy_id.id) not in matched
        ).unlink()
        Line.create(to_create)._spid_plan()
        if new:
            self._spid_warn_max_open(tickets, policies.filtered("max_open_tickets"), matched)

    @api.model
    def _spid_warn_max_open(self, tickets, policies, matched):
        """Warn the team leader when a client has more open tickets under a
        policy than it allows (one grouped query)."""
        if not policies:
            return
        counts = {
            (policy.id, client.id): count
            for policy, client, count in self.sudo()._read_group(
                [
                    ("policy_id", "in", policies.ids),
                    ("client_id", "in", tickets.client_id.ids),
                    ("ticket_id.is_closed", "=", False),
                ],
                ["policy_id", "client_id"],
                ["ticket_id:count_distinct"],
            )
        }
        activities = []
        model_id = self.env["ir.model"]._get_id(tickets._name)
        for ticket in tickets:
            for policy in policies:
                count = counts.get((policy.id, ticket.client_id.id), 0)
                if (ticket.id, policy.id) in matched and count > policy.max_open_tickets:
                    leader = ticket.team_id.leader_id or ticket.user_id
                    if not leader:
                        continue
                    activities.append(
                        {
                            "res_model_id": model_id,
                            "res_id": ticket.id,
                            "user_id": leader.id,
                            "summary": _(
                                "%(client)s has %(count)s open tickets under %(policy)s (at most %(max)s).",
                                client=ticket.client_id.name,
                                count=count,
                                policy=policy.name,
                                max=policy.max_open_tickets,
                            ),
                        }
                    )
        if activities:
            self.env["mail.activity"].sudo().create(activities)

    @api.model
    def _spid_follow_write(self, tickets, vals, old_statuses):
        """After `tickets` were written with `vals`: clocks follow the status
        change (`old_statuses`: {ticket id: status before}), the policies the
        new values match, and an update restarts the inactivity clocks."""
        if not self.env["spid.sla.policy"].sudo().search_count([], limit=1):
            return
        now = fields.Datetime.now()
        if old_statuses:
            self._spid_follow_status(tickets, old_statuses, now)
        if any(name in vals for name in SLA_MATCH_FIELDS):
            self._spid_start(tickets)
        if not switched(self.env, SLA_SYSTEM) and any(is_ticket_fact(name) for name in vals):
            self._spid_touch(tickets, now)

    @api.model
    def _spid_follow_status(self, tickets, old_statuses, now):
        """Closing reaches the clocks, reopening resumes the resolution clock,
        a status that pauses the SLA pauses them."""
        for ticket in tickets:
            old, new = old_statuses[ticket.id], ticket.status_id
            if old == new:
                continue
            lines = ticket.sudo().sla_line_ids
            if new.is_closed and not old.is_closed:
                lines._spid_reach(now)
                continue
            if old.is_closed and not new.is_closed:
                # reopened: the resolution clock goes on from where it stopped
                lines.filtered(lambda line: line.kind == "resolution").write(
                    {"status": "ongoing", "reached_date": False}
                )
            ongoing = lines.filtered(lambda line: line.status == "ongoing")
            running = ongoing.filtered(lambda line, status=new: line.policy_id._spid_counts_in(status))
            running._spid_resume(now)
            (ongoing - running)._spid_pause(now)

    @api.model
    def _spid_touch(self, tickets, now):
        """Any update restarts the inactivity clocks of open tickets."""
        lines = tickets.sudo().sla_line_ids.filtered(
            lambda line: line.kind == "inactivity" and not line.ticket_id.is_closed
        )
        running = lines.filtered(lambda line: line.policy_id._spid_counts_in(line.ticket_id.status_id))
        running._spid_restart(now, True)
        (lines - running)._spid_restart(now, False)

    @api.model
    def _spid_follow_message(self, tickets, answered):
        """A comment or email on `tickets` restarts the inactivity clocks; an
        agent's public answer (`answered`) reaches the response clocks."""
        now = fields.Datetime.now()
        self._spid_touch(tickets, now)
        if answered:
            tickets.sudo().sla_line_ids.filtered(lambda line: line.kind == "response")._spid_reach(now)

    @api.model
    def _spid_follow_requester_message(self, tickets, message):
        """A public message of the requester (by email or on the portal) on an
        open ticket whose last response measure has ended starts the next
        one, for each policy of the ticket that still measures responses;
        while a response is awaited, further messages start nothing. A Cc,
        another contact, an agent, an internal note or an automatic email
        (auto-reply) start nothing."""
        if switched(self.env, AUTO_SUBMITTED) or switched(self.env, SLA_SYSTEM):
            return
        if message.message_type not in ("comment", "email") or message.subtype_id.internal:
            return
        author = message.author_id
        if not message.subtype_id or not author or author.user_ids.filtered(lambda user: not user.share):
            return
        tickets = tickets.sudo().filtered(lambda ticket: ticket.partner_id == author and not ticket.is_closed)
        now = fields.Datetime.now()
        to_create = []
        for ticket in tickets:
            last = {}  # policy -> its latest response measure
            for line in ticket.sla_line_ids.filtered(lambda line: line.kind == "response"):
                if line.policy_id not in last or line.number > last[line.policy_id].number:
                    last[line.policy_id] = line
            for policy, line in last.items():
                if not line.reached_date or not policy.active or not policy.response_hours:
                    continue
                if not policy._spid_matches(ticket):
                    continue
                running = policy._spid_counts_in(ticket.status_id)
                to_create.append(
                    {
                        "ticket_id": ticket.id,
                        "policy_id": policy.id,
                        "kind": "response",
                        "number": line.number + 1,
                        "target_hours": policy.response_hours,
                        "running_since": now if running else False,
                        "start_date": now,
                        "paused_periods": [] if running else [[fields.Datetime.to_string(now), None]],
                    }
                )
        if to_create:
            self.sudo().create(to_create)._spid_plan()

    # ------------------------------------------------------------------
    # Breaches
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_breaches(self, batch_size=1000):
        """Mark the clocks past their deadline as failed and act once per
        breach. One batch per call: ir.cron runs it again at once while
        breaches remain (its progress API) and commits between batches; a
        batch is locked with SKIP LOCKED so that two workers never handle
        the same breach."""
        lines = self._spid_lock_breached(batch_size)
        lines._spid_handle_breaches()
        remaining = self.sudo().search_count(self._spid_breached_domain()) if len(lines) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(lines), remaining=remaining)

    @api.model
    def _spid_breached_domain(self):
        """Running clocks past their deadline, not yet failed."""
        return [
            ("status", "=", "ongoing"),
            ("running_since", "!=", False),
            ("deadline", "<", fields.Datetime.now()),
        ]

    @api.model
    def _spid_lock_breached(self, limit):
        """The `limit` earliest breached clocks that no other worker holds,
        locked for this transaction."""
        self.env.flush_all()
        query = self.sudo()._search(self._spid_breached_domain(), order="deadline", limit=limit)
        self.env.cr.execute(SQL("%s FOR UPDATE SKIP LOCKED", query.select()))
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _spid_handle_breaches(self):
        """Set-based: a fixed number of queries per batch."""
        now = fields.Datetime.now()
        self.write({"status": "failed", "reached_date": False})
        for line in self:
            line.breach_count += 1
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
                            kind=line.label,
                        ),
                        "date_deadline": now.date(),
                    }
                )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
        self._spid_escalate_breaches()
        self._spid_mail_breaches()

    def _spid_escalate_breaches(self):
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
        """One email per person (owner, team leader) listing their breaches
        (the template "Helpdesk: service levels breached")."""
        per_partner = defaultdict(lambda: self.browse())
        for line in self:
            ticket = line.ticket_id
            for user in ticket.user_id | ticket.team_id.leader_id:
                if user.partner_id.email:
                    per_partner[user.partner_id] |= line
        template = self.env.ref("spid_helpdesk.mail_template_sla_breaches", raise_if_not_found=False)
        if not per_partner or not template:
            return
        for partner, lines in per_partner.items():
            template.sudo().with_context(spid_breach_lines=lines).send_mail(partner.id)


class SpidTicket(models.Model):
    """The service levels of a ticket as it shows them: its clocks and their
    summary (status, nearest deadline, compliance, at risk)."""

    _inherit = "spid.ticket"

    sla_line_ids = fields.One2many("spid.ticket.sla", "ticket_id", string="Service levels")
    sla_status = fields.Selection(
        [("none", "No SLA"), ("ongoing", "Ongoing"), ("met", "Met"), ("failed", "Failed")],
        string="SLA",
        compute="_compute_sla",
        store=True,
        index=True,
    )
    sla_deadline = fields.Datetime(
        string="SLA deadline", compute="_compute_sla", store=True, help="The nearest running SLA deadline."
    )
    sla_compliance = fields.Float(
        string="SLA met (%)",
        compute="_compute_sla",
        store=True,
        aggregator="avg",
        help="Share of this ticket's finished service-level clocks that were met.",
    )
    sla_at_risk = fields.Boolean(
        string="SLA at risk", compute="_compute_sla_at_risk", search="_search_sla_at_risk"
    )
    sla_timeline_html = fields.Html(
        string="SLA timeline",
        compute="_compute_sla_timeline_html",
        sanitize=False,
        groups="spid_helpdesk.group_spid_agent",
        help="The ticket's clocks over time: met in green, failed in red, running in blue, paused in grey.",
    )
    # The ticket analysis (spid.ticket.report) reads these columns instead of
    # grouping every ticket's clocks on each pivot. Administrators only: the
    # figures are the clocks', nobody sets them.
    sla_done_count = fields.Integer(
        string="Finished clocks", compute="_compute_sla", store=True, groups="base.group_system"
    )
    sla_met_count = fields.Integer(
        string="Met clocks", compute="_compute_sla", store=True, groups="base.group_system"
    )
    sla_response_done = fields.Boolean(
        string="Response clock finished", compute="_compute_sla", store=True, groups="base.group_system"
    )
    sla_response_hours = fields.Float(
        string="Working hours to first response",
        compute="_compute_sla",
        store=True,
        groups="base.group_system",
    )
    # every response measure, the first and those the requester's later
    # messages started: the response compliance of the analysis
    sla_responses_done_count = fields.Integer(
        string="Finished responses", compute="_compute_sla", store=True, groups="base.group_system"
    )
    sla_responses_met_count = fields.Integer(
        string="Met responses", compute="_compute_sla", store=True, groups="base.group_system"
    )
    sla_resolution_done = fields.Boolean(
        string="Resolution clock finished", compute="_compute_sla", store=True, groups="base.group_system"
    )
    sla_resolution_hours = fields.Float(
        string="Working hours to close", compute="_compute_sla", store=True, groups="base.group_system"
    )

    @api.depends(
        "sla_line_ids.status",
        "sla_line_ids.deadline",
        "sla_line_ids.spent_hours",
        "sla_line_ids.kind",
        "sla_line_ids.number",
    )
    def _compute_sla(self):
        for ticket in self:
            lines = ticket.sla_line_ids
            statuses = set(lines.mapped("status"))
            if not lines:
                ticket.sla_status = "none"
            elif "failed" in statuses:
                ticket.sla_status = "failed"
            elif "ongoing" in statuses:
                ticket.sla_status = "ongoing"
            else:
                ticket.sla_status = "met"
            deadlines = [
                d for d in lines.filtered(lambda line: line.status == "ongoing").mapped("deadline") if d
            ]
            ticket.sla_deadline = min(deadlines) if deadlines else False
            done = lines.filtered(lambda line: line.status != "ongoing")
            met = len(done.filtered(lambda line: line.status == "met"))
            ticket.sla_compliance = 100.0 * met / len(done) if done else 0.0
            ticket.sla_done_count = len(done)
            ticket.sla_met_count = met
            responses = done.filtered(lambda line: line.kind == "response")
            ticket.sla_responses_done_count = len(responses)
            ticket.sla_responses_met_count = len(responses.filtered(lambda line: line.status == "met"))
        self._spid_compute_sla_hours()

    def _spid_compute_sla_hours(self):
        """The working hours of the ticket analysis, in one query for the
        batch: the longest of a finished first-response (resolution) clock, none
        when no finished clock has counted hours (a NULL the cache would
        read as 0.0)."""
        figures = {}
        ids = [ticket_id for ticket_id in self._ids if isinstance(ticket_id, int)]
        if ids:
            self.env["spid.ticket.sla"].flush_model(["ticket_id", "kind", "number", "status", "spent_hours"])
            self.env.cr.execute(
                SQL(
                    """SELECT ticket_id,
                              MAX(spent_hours) FILTER (
                                  WHERE kind = 'response' AND number = 1 AND status != 'ongoing'),
                              MAX(spent_hours) FILTER (WHERE kind = 'resolution' AND status != 'ongoing')
                         FROM spid_ticket_sla
                        WHERE ticket_id = ANY(%s)
                        GROUP BY ticket_id""",
                    ids,
                )
            )
            figures = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for ticket in self:
            response, resolution = figures.get(ticket.id, (None, None))
            ticket.sla_response_done = response is not None
            ticket.sla_response_hours = response or 0.0
            ticket.sla_resolution_done = resolution is not None
            ticket.sla_resolution_hours = resolution or 0.0

    def _compute_sla_at_risk(self):
        at_risk = self.search([("id", "in", self.ids), ("sla_at_risk", "=", True)]) if self.ids else self
        for ticket in self:
            ticket.sla_at_risk = ticket in at_risk

    def _search_sla_at_risk(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on SLA at risk."))
        domain = [
            (
                "sla_line_ids",
                "any",
                [("status", "=", "ongoing"), ("risk_date", "<=", fields.Datetime.now())],
            )
        ]
        if (operator == "=") == value:
            return domain
        return [("id", "not in", self._search(domain))]

    def _compute_sla_timeline_html(self):
        """One bar per clock over the ticket's life, drawn on the server from
        the clocks the user may read (no sudo: the record rules of
        spid.ticket.sla apply), every text escaped by Markup."""
        now = fields.Datetime.now()
        colors = {"met": "bg-success", "failed": "bg-danger", "ongoing": "bg-info"}
        statuses = dict(self.env["spid.ticket.sla"]._fields["status"]._description_selection(self.env))
        for ticket in self:
            lines = ticket.sla_line_ids.sorted(lambda line: (line.policy_id.id, line.kind, line.number))
            if not lines:
                ticket.sla_timeline_html = False
                continue
            starts = {line: line.start_date or line.create_date or now for line in lines}
            # a clock ends when reached; else it still runs (or awaits its
            # answer, failed) until the ticket closes
            ends = {line: max(line.reached_date or ticket.date_closed or now, starts[line]) for line in lines}
            begin = min(starts.values())
            end = max([*ends.values(), begin + timedelta(minutes=1)])
            span = (end - begin).total_seconds()

            def place(start, stop, begin=begin, span=span):
                left = max((start - begin).total_seconds() / span * 100, 0.0)
                width = max((stop - start).total_seconds() / span * 100, 0.5)
                return f"left:{left:.2f}%;width:{min(width, 100 - left):.2f}%"

            rows = []
            for line in lines:
                segments = [
                    Markup('<div class="position-absolute h-100 %s" style="%s" title="%s"></div>')
                    % (colors[line.status], place(starts[line], ends[line]), statuses[line.status])
                ]
                for pause_start, pause_stop in line.paused_periods or []:
                    start = fields.Datetime.to_datetime(pause_start)
                    stop = fields.Datetime.to_datetime(pause_stop) if pause_stop else ends[line]
                    segments.append(
                        Markup(
                            '<div class="position-absolute h-100 bg-secondary o_spid_sla_paused"'
                            ' style="%s" title="%s"></div>'
                        )
                        % (place(start, max(stop, start)), _("Paused"))
                    )
                rows.append(
                    Markup(
                        '<div class="d-flex align-items-center mb-1 o_spid_sla_row" data-status="%s">'
                        '<div class="text-truncate me-2" style="width:35%%">%s · %s</div>'
                        '<div class="position-relative flex-grow-1 bg-light border"'
                        ' style="height:1rem">%s</div>'
                        '<div class="ms-2 small text-muted" style="width:7rem">%s</div></div>'
                    )
                    % (
                        line.status,
                        line.policy_id.display_name,
                        line.label,
                        Markup("").join(segments),
                        statuses[line.status],
                    )
                )
            legend = Markup('<div class="small text-muted">%s → %s</div>') % (
                fields.Datetime.context_timestamp(ticket, begin).strftime("%Y-%m-%d %H:%M"),
                fields.Datetime.context_timestamp(ticket, end).strftime("%Y-%m-%d %H:%M"),
            )
            ticket.sla_timeline_html = Markup('<div class="o_spid_sla_timeline">%s%s</div>') % (
                Markup("").join(rows),
                legend,
            )

    def _message_post_after_hook(self, message, msg_vals):
        """A public message of the requester may start a new response measure
        (after the status moves it caused, in spid_ticket_mail.py)."""
        res = super()._message_post_after_hook(message, msg_vals)
        self.env["spid.ticket.sla"]._spid_follow_requester_message(self, message)
        return res
