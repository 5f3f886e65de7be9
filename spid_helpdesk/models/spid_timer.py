"""A start/stop timer on tickets and work units (issue #21, part TIMER).

One running timer per user, stored on the server (a row of ``spid.timer``,
unique per user): it survives a reload and follows the agent to another
browser. Starting a timer while another runs stops the running one first and
logs its time with the defaults (information, internal): the agent never
loses time, and the notification says what was logged.

Stopping logs the time as a work unit through the work unit's own
``create``/``write``, as the agent (its checks: own work only, locked and
closed tickets, record rules): a new unit on the ticket, or the resumed
unit's hours plus the time of this run. The time is rounded up to the
company's minimum and rounding (Settings > Helpdesk > Timer).

Nothing is trusted from the caller: agents have read access only (to their
own timer, record rule); every change goes through the methods below, which
check who asks (ownership, write access on the ticket and the unit) before
writing as superuser.
"""

import math

from pytz import UTC, timezone

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, is_html_empty


class SpidTimer(models.Model):
    _name = "spid.timer"
    _description = "Running timer"
    _order = "id"

    user_id = fields.Many2one("res.users", string="Agent", required=True, readonly=True, ondelete="cascade")
    ticket_id = fields.Many2one(
        "spid.ticket", string="Ticket", required=True, readonly=True, ondelete="cascade"
    )
    workunit_id = fields.Many2one(
        "spid.workunit",
        string="Resumed work unit",
        readonly=True,
        ondelete="set null",
        help="The work unit this timer adds its time to; empty: a new unit is logged on the ticket.",
    )
    date_start = fields.Datetime(string="Started", required=True, readonly=True, default=fields.Datetime.now)

    _sql_constraints = [
        ("user_uniq", "unique(user_id)", "A user runs one timer at a time."),
    ]

    @api.depends("ticket_id")
    def _compute_display_name(self):
        for timer in self:
            timer.display_name = _("Timer on %s", timer.sudo().ticket_id.reference or "")

    # -- state for the top bar ----------------------------------------------

    @api.model
    def spid_timer_state(self):
        """The top bar's state in one small read: whether the user is an
        agent and their running timer, if any. The elapsed seconds are the
        server's, so that a wrong clock in the browser shows the right time."""
        user = self.env.user
        if not user._is_internal() or not user.has_group("spid_helpdesk.group_spid_agent"):
            return {"agent": False, "timer": False}
        # one query: the user's own row (which the record rule allows), its
        # ticket's reference and title
        self.env.cr.execute(
            """
            SELECT timer.id, timer.ticket_id, timer.workunit_id, ticket.reference, ticket.name,
                   EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC' - timer.date_start))
              FROM spid_timer timer
              JOIN spid_ticket ticket ON ticket.id = timer.ticket_id
             WHERE timer.user_id = %s
            """,
            [user.id],
        )
        row = self.env.cr.fetchone()
        if not row:
            return {"agent": True, "timer": False}
        timer_id, ticket_id, workunit_id, reference, name, elapsed = row
        return {
            "agent": True,
            "timer": {
                "id": timer_id,
                "ticket_id": ticket_id,
                "workunit_id": workunit_id or False,
                "reference": reference or "",
                "name": name or "",
                "elapsed": max(0, int(elapsed or 0)),
            },
        }

    # -- actions (RPC) -----------------------------------------------------

    def action_stop_dialog(self):
        """The stop dialog of the user's own running timer: what to log."""
        self._spid_check_own()
        self.ensure_one()
        wizard = self.env["spid.timer.stop.wizard"].create({"timer_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Stop the timer"),
            "res_model": "spid.timer.stop.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_stop(self):
        """Stop the user's own timer with the defaults (information,
        internal) and log its time; returns a notification."""
        self._spid_check_own()
        self.ensure_one()
        ticket = self.sudo().ticket_id.reference
        minutes = self._spid_round_minutes(
            self.sudo()._spid_elapsed_seconds(), self.sudo().ticket_id.company_id
        )
        refusal = self._spid_resume_refusal()
        self._spid_stop()
        message = _("%(hours)s logged on %(ticket)s.", hours=_format_hours(minutes / 60.0), ticket=ticket)
        if refusal:
            message += " " + _("New work unit: %s.", refusal)
        return self._spid_notification(message)

    def action_discard(self):
        """Stop the user's own timer without logging anything."""
        self._spid_check_own()
        users = self.sudo().user_id
        self.sudo().unlink()
        self._spid_notify_users(users)
        return {"type": "ir.actions.act_window_close"}

    # -- business methods --------------------------------------------------

    def _spid_check_own(self):
        """Only the agent who runs a timer reads, stops or discards it (the
        record rule hides the others; a method called by id checks it here,
        whatever the context)."""
        if self.env.su:
            return
        if not self.env.user.has_group("spid_helpdesk.group_spid_agent"):
            raise AccessError(_("Only helpdesk agents use the timer."))
        self.check_access("read")
        if any(timer.sudo().user_id != self.env.user for timer in self):
            raise AccessError(_("This timer is not yours."))

    @api.model
    def _spid_start(self, ticket, workunit=None):
        """Start the current user's timer on `ticket` (or on its `workunit`,
        to add time to it). The checks are those of logging a work unit by
        hand: write access on the ticket (record rules), not locked, not
        frozen closed; for a unit, write access on the unit (own work).
        A timer already running is stopped and logged first."""
        ticket.ensure_one()
        user = self.env.user
        if self.env.su or not user.has_group("spid_helpdesk.group_spid_agent"):
            raise AccessError(_("Only helpdesk agents use the timer."))
        ticket = ticket.with_env(self.env)
        ticket.check_access("write")
        Workunit = self.env["spid.workunit"]
        Workunit._spid_check_locked(ticket)
        ticket._spid_check_closed_parts()
        if workunit:
            workunit = workunit.with_env(self.env)
            workunit.ensure_one()
            workunit.check_access("write")
            workunit._spid_check_done_by_self()
            if workunit.ticket_id != ticket:
                raise UserError(_("The work unit belongs to another ticket."))
        running = self.search([("user_id", "=", user.id)], limit=1)
        message = ""
        if running:
            if running.ticket_id == ticket and running.workunit_id == (workunit or Workunit):
                return self._spid_notification(_("The timer already runs on %s.", ticket.reference), "info")
            # lock the row: a second start at the same time waits for this one
            self.env.cr.execute("SELECT id FROM spid_timer WHERE id = %s FOR UPDATE", [running.id])
            refusal = running._spid_resume_refusal()
            minutes = self._spid_round_minutes(
                running.sudo()._spid_elapsed_seconds(), running.sudo().ticket_id.company_id
            )
            unit = running._spid_stop()
            message = _(
                "Timer on %(ticket)s stopped, %(hours)s logged. ",
                ticket=unit.ticket_id.reference,
                hours=_format_hours(minutes / 60.0),
            )
            if refusal:
                message += _("New work unit: %s. ", refusal)
        self.sudo().create(
            {
                "user_id": user.id,
                "ticket_id": ticket.id,
                "workunit_id": workunit.id if workunit else False,
                # set here, never from the caller's context (default_date_start)
                "date_start": fields.Datetime.now(),
            }
        )
        self._spid_notify_users(user)
        return self._spid_notification(message + _("Timer started on %s.", ticket.reference))

    def _spid_elapsed_seconds(self):
        self.ensure_one()
        return max(0, int((fields.Datetime.now() - self.date_start).total_seconds()))

    @api.model
    def _spid_round_minutes(self, seconds, company):
        """Minutes to log for `seconds` of work: at least the company's
        minimum, rounded up to its rounding (15 and 15: 7 min -> 15,
        17 min -> 30); with no rounding, whole minutes (rounded up)."""
        minutes = max(math.ceil(seconds / 60), company.spid_timer_minimum or 0)
        rounding = company.spid_timer_rounding or 0
        if rounding > 0:
            minutes = math.ceil(minutes / rounding) * rounding
        return minutes

    def _spid_stop(self, action_type=None, description=None, visibility=None):
        """Log the time of this (own) timer and remove it. The work unit is
        written as the agent, through its own create/write and their checks;
        nothing is left half-done (one transaction). Returns the unit."""
        self.ensure_one()
        timer = self.sudo()
        user = timer.user_id
        if is_html_empty(description):
            description = False
        env = self.env(su=False, user=user.id) if self.env.su else self.env
        minutes = self._spid_round_minutes(timer._spid_elapsed_seconds(), timer.ticket_id.company_id)
        hours = minutes / 60.0
        Workunit = env["spid.workunit"]
        # still the agent's to change (a team left meanwhile: the time is not
        # logged on a ticket they no longer work; they may discard it)
        timer.ticket_id.with_env(env).check_access("write")
        if timer.workunit_id and not timer._spid_resume_refusal():
            unit = timer.workunit_id.with_env(env)
            values = {"duration": unit.duration + hours}
            if description:
                values["description"] = (unit.description or "") + description
            unit.write(values)
        else:
            unit = Workunit.create(
                {
                    "ticket_id": timer.ticket_id.id,
                    "user_id": user.id,
                    "date": timer.date_start,
                    "duration": hours,
                    "action_type": action_type or "information",
                    "visibility": visibility or "internal",
                    "description": description or False,
                }
            )
        timer.unlink()
        self._spid_notify_users(user)
        return unit

    def _spid_resume_refusal(self):
        """Why the time of this timer may not be added to its resumed unit,
        else "": the unit is someone else's (a supervisor resuming a
        colleague's unit logs their own time, not the colleague's), or the
        run starts on another day than the unit's (a Friday unit resumed on
        Saturday: Saturday's time is Saturday's, for the weekend surcharge).
        Days are the agent's (their time zone, else the company's calendar's)."""
        self.ensure_one()
        timer = self.sudo()
        unit = timer.workunit_id
        if not unit:
            return ""
        if unit.user_id != timer.user_id:
            return _("the resumed unit is %s's, your time is yours", unit.user_id.name)
        tz = timezone(timer.user_id.tz or timer.ticket_id.company_id.resource_calendar_id.tz or "UTC")
        if _local_day(unit.date, tz) != _local_day(timer.date_start, tz):
            return _(
                "the resumed unit is dated %s, this time is of another day",
                format_date(self.env, _local_day(unit.date, tz)),
            )
        return ""

    @api.model
    def _spid_notify_users(self, users):
        """Tell the users' open browsers (their own partner channel) that
        their timer changed: the top bar reads its state again."""
        for user in users:
            self.env["bus.bus"]._sendone(user.partner_id, "spid.timer/changed", {})

    @api.model
    def _spid_notification(self, message, kind="success"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": kind, "sticky": False},
        }


def _local_day(value, tz):
    return UTC.localize(value).astimezone(tz).date()


def _format_hours(hours):
    minutes = round(hours * 60)
    return "%d:%02d" % divmod(minutes, 60)
