"""The start/stop timer (#21, part TIMER): one running timer per user, kept
on the server; stopping logs a work unit through its own checks, rounded up
to the company's minimum and rounding; nobody reads, stops or forges
another's timer, whatever the context sent."""

import json
from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import JsonRpcMixin, SpidHelpdeskCommon, assert_query_budget

HOSTILE_CONTEXT = {
    "active_test": False,
    "spid_system": True,
    "uid": 1,
    "su": True,
    "default_user_id": 1,
    "default_date_start": "2020-01-01 00:00:00",
    "default_duration": 23,
}


class TimerCommon(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"spid_timer_minimum": 15, "spid_timer_rounding": 15})
        cls.Timer = cls.env["spid.timer"]

    def _start(self, ticket, user=None):
        ticket.with_user(user or self.agent).action_spid_timer_start()
        return self.Timer.search([("user_id", "=", (user or self.agent).id)])

    def _backdate(self, timer, **delta):
        timer.sudo().date_start = fields.Datetime.now() - timedelta(**delta)


@tagged("post_install", "-at_install")
class TestTimer(TimerCommon):
    def test_start_and_stop_logs_a_rounded_work_unit(self):
        ticket = self._ticket(user=self.agent)
        result = ticket.with_user(self.agent).action_spid_timer_start()
        self.assertIn(ticket.reference, result["params"]["message"])
        timer = self.Timer.with_user(self.agent).search([])
        self.assertEqual((timer.ticket_id, timer.user_id), (ticket, self.agent))
        self.assertFalse(timer.workunit_id)
        state = self.Timer.with_user(self.agent).spid_timer_state()
        self.assertEqual(state["timer"]["reference"], ticket.reference)
        self.assertEqual(state["timer"]["ticket_id"], ticket.id)
        self._backdate(timer, minutes=7)
        started = timer.date_start
        timer.with_user(self.agent).action_stop()
        self.assertFalse(timer.exists(), "the timer is gone once stopped")
        unit = ticket.workunit_ids
        self.assertEqual(len(unit), 1)
        self.assertEqual(unit.duration, 0.25, "7 minutes are logged as the company's minimum, 15")
        self.assertEqual((unit.user_id, unit.date), (self.agent, started))
        self.assertEqual((unit.action_type, unit.visibility), ("information", "internal"))
        self.assertEqual(unit.create_uid, self.agent, "logged as the agent, through the normal create")
        self.assertFalse(self.Timer.with_user(self.agent).spid_timer_state()["timer"])
        # the agent's browsers are told (their own partner channel), nobody else's
        self.env.cr.precommit.run()  # the bus writes its rows before the commit
        channels = (
            self.env["bus.bus"].sudo().search([("message", "like", "spid.timer/changed")]).mapped("channel")
        )
        self.assertEqual(len(channels), 2, "one notification at the start, one at the stop")
        self.assertTrue(all(f'"res.partner",{self.agent.partner_id.id}]' in channel for channel in channels))

    def test_rounding_of_the_company(self):
        company = self.env.company
        cases = [
            # (minimum, rounding, seconds, minutes logged)
            (15, 15, 7 * 60, 15),
            (15, 15, 15 * 60, 15),
            (15, 15, 17 * 60, 30),
            (0, 15, 61, 15),
            (0, 0, 7 * 60 + 20, 8),
            (30, 10, 41 * 60, 50),
            (0, 6, 0, 0),
        ]
        for minimum, rounding, seconds, minutes in cases:
            company.write({"spid_timer_minimum": minimum, "spid_timer_rounding": rounding})
            self.assertEqual(
                self.Timer._spid_round_minutes(seconds, company), minutes, f"{minimum}/{rounding}/{seconds}s"
            )
        with self.assertRaisesRegex(ValidationError, "between 0 and 480"):
            company.spid_timer_rounding = -5
        # the settings screen writes the company's values
        settings = self.env["res.config.settings"].create(
            {"spid_timer_minimum": 5, "spid_timer_rounding": 10}
        )
        settings.execute()
        self.assertEqual((company.spid_timer_minimum, company.spid_timer_rounding), (5, 10))

    def test_starting_another_stops_and_logs_the_running_one(self):
        first = self._ticket(user=self.agent)
        second = self._ticket(user=self.agent, name="Second")
        timer = self._start(first)
        self._backdate(timer, minutes=20)
        result = second.with_user(self.agent).action_spid_timer_start()
        self.assertIn(first.reference, result["params"]["message"], "the notification says what was logged")
        self.assertEqual(first.workunit_ids.duration, 0.5, "20 minutes -> 30")
        timers = self.Timer.search([("user_id", "=", self.agent.id)])
        self.assertEqual(timers.ticket_id, second, "one running timer per user")
        # starting again where it runs changes nothing
        result = second.with_user(self.agent).action_spid_timer_start()
        self.assertEqual(result["params"]["type"], "info")
        self.assertEqual(self.Timer.search([("user_id", "=", self.agent.id)]), timers)
        self.assertFalse(second.workunit_ids)
        # the database keeps it so whatever path writes
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.env.cr.savepoint():
            self.Timer.sudo().create({"user_id": self.agent.id, "ticket_id": first.id})
        # another agent runs their own at the same time
        other = self._start(first, self.agent_2)
        self.assertEqual(other.user_id, self.agent_2)

    def test_resume_a_work_unit_adds_the_time(self):
        ticket = self._ticket(user=self.agent)
        unit = (
            self.env["spid.workunit"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "duration": 1.0, "description": "<p>First look</p>"})
        )
        unit.with_user(self.agent).action_spid_timer_resume()
        timer = self.Timer.search([("user_id", "=", self.agent.id)])
        self.assertEqual(timer.workunit_id, unit)
        self._backdate(timer, minutes=20)
        action = timer.with_user(self.agent).action_stop_dialog()
        wizard = self.env["spid.timer.stop.wizard"].with_user(self.agent).browse(action["res_id"])
        self.assertEqual(wizard.duration, 0.5)
        wizard.description = "<p>Driver reinstalled</p>"
        wizard.action_confirm()
        self.assertEqual(ticket.workunit_ids, unit, "no new unit: the time goes to the resumed one")
        self.assertEqual(unit.duration, 1.5)
        self.assertIn("First look", unit.description)
        self.assertIn("Driver reinstalled", unit.description)
        self.assertFalse(timer.exists())
        # a colleague's unit is not the agent's to time (own work only)
        colleague_unit = self.env["spid.workunit"].with_user(self.agent_2).create({"ticket_id": ticket.id})
        with self.assertRaises(AccessError):
            colleague_unit.with_user(self.agent).action_spid_timer_resume()
        self.assertFalse(self.Timer.search([("user_id", "=", self.agent.id)]))

    def test_stop_dialog_values_and_discard(self):
        ticket = self._ticket(user=self.agent)
        timer = self._start(ticket)
        action = timer.with_user(self.agent).action_stop_dialog()
        wizard = self.env["spid.timer.stop.wizard"].with_user(self.agent).browse(action["res_id"])
        wizard.write(
            {"action_type": "solution", "visibility": "public", "description": "<p>Toner changed</p>"}
        )
        wizard.action_confirm()
        unit = ticket.workunit_ids
        self.assertEqual((unit.action_type, unit.visibility, unit.duration), ("solution", "public", 0.25))
        self.assertIn("Toner changed", unit.description)
        # discarding logs nothing
        timer = self._start(ticket)
        timer.with_user(self.agent).action_discard()
        self.assertFalse(timer.exists())
        self.assertEqual(ticket.workunit_ids, unit)

    def test_locked_and_closed_tickets_refuse_the_timer(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.write(self._close_values(self.st_closed))
        ticket.action_lock()
        with self.assertRaisesRegex(UserError, "locked"):
            ticket.with_user(self.agent).action_spid_timer_start()
        self.env.company.spid_closed_tickets = "readonly"
        closed = self._ticket(user=self.agent, user_id=self.agent.id)
        closed.with_user(self.agent).write(self._close_values(self.st_closed))
        with self.assertRaisesRegex(UserError, "closed"):
            closed.with_user(self.agent).action_spid_timer_start()
        self.assertFalse(self.Timer.search([]))

    def test_ticket_locked_while_timing_keeps_the_timer(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        timer = self._start(ticket)
        ticket.write(self._close_values(self.st_closed))
        ticket.action_lock()
        with self.assertRaisesRegex(UserError, "locked"):
            timer.with_user(self.agent).action_stop()
        self.assertTrue(timer.exists(), "nothing half-done: the timer stays, no unit")
        self.assertFalse(ticket.workunit_ids)
        timer.with_user(self.agent).action_discard()
        self.assertFalse(timer.exists())

    def test_stop_rechecks_the_ticket(self):
        ticket = self._ticket()  # the team's ticket: the agent works it as a member
        timer = self._start(ticket)
        self.team.member_ids = [(3, self.agent.id)]  # the agent left the team meanwhile
        with self.assertRaises(AccessError):
            timer.with_user(self.agent).action_stop()
        self.assertTrue(timer.exists())
        self.assertFalse(ticket.workunit_ids)
        timer.with_user(self.agent).action_discard()
        self.assertFalse(timer.exists())

    def test_only_tickets_the_agent_may_write(self):
        elsewhere = self._ticket(category_id=self.category_other.id)
        with self.assertRaises(AccessError):
            elsewhere.with_user(self.agent).action_spid_timer_start()
        employee = new_test_user(self.env, "hd_employee", groups="base.group_user")
        mine = self._ticket(user=self.agent)
        with self.assertRaisesRegex(AccessError, "agents"):
            mine.with_user(employee).action_spid_timer_start()
        self.assertEqual(self.Timer.with_user(employee).spid_timer_state(), {"agent": False, "timer": False})
        with self.assertRaises(AccessError):
            self.Timer.with_user(employee).search([])
        self.assertFalse(self.Timer.search([]))

    def test_another_users_timer_is_out_of_reach(self):
        ticket = self._ticket(user=self.agent)
        theirs = self._start(ticket, self.agent_2)
        for user in (self.agent, self.supervisor, self.manager):
            Timer = self.Timer.with_user(user).with_context(**HOSTILE_CONTEXT)
            self.assertFalse(Timer.search([]), f"{user.login} sees no one else's timer")
            self.assertFalse(Timer.spid_timer_state()["timer"])
            with self.assertRaises(AccessError):
                theirs.with_user(user).with_context(**HOSTILE_CONTEXT).read(["ticket_id"])
            for method in ("action_stop", "action_stop_dialog", "action_discard"):
                with self.assertRaises(AccessError):
                    getattr(theirs.with_user(user).with_context(**HOSTILE_CONTEXT), method)()
            with self.assertRaises(AccessError):
                self.env["spid.timer.stop.wizard"].with_user(user).create({"timer_id": theirs.id})
            with self.assertRaises(AccessError):
                theirs.with_user(user).write({"date_start": "2020-01-01 00:00:00"})
            with self.assertRaises(AccessError):
                Timer.create({"user_id": self.agent_2.id, "ticket_id": ticket.id})
        self.assertTrue(theirs.exists())
        self.assertEqual(theirs.user_id, self.agent_2)
        self.assertFalse(ticket.workunit_ids)

    def test_supervisor_resuming_a_colleagues_unit_logs_their_own(self):
        """A supervisor may resume a colleague's unit, but their time is
        theirs: a new unit by the supervisor, the colleague's unit unchanged;
        the dialog says so."""
        ticket = self._ticket(user=self.agent)
        unit = (
            self.env["spid.workunit"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "duration": 1.0, "description": "<p>First look</p>"})
        )
        unit.with_user(self.supervisor).action_spid_timer_resume()
        timer = self.Timer.search([("user_id", "=", self.supervisor.id)])
        self.assertEqual(timer.workunit_id, unit)
        self._backdate(timer, minutes=20)
        action = timer.with_user(self.supervisor).action_stop_dialog()
        wizard = self.env["spid.timer.stop.wizard"].with_user(self.supervisor).browse(action["res_id"])
        self.assertIn("Agent Alpha", wizard.new_unit_reason)
        wizard.write({"action_type": "solution", "description": "<p>Checked the spooler</p>"})
        wizard.action_confirm()
        self.assertEqual(
            (unit.duration, unit.user_id), (1.0, self.agent), "the colleague's unit is untouched"
        )
        self.assertNotIn("spooler", unit.description)
        new = ticket.workunit_ids - unit
        self.assertEqual(len(new), 1)
        self.assertEqual((new.user_id, new.duration, new.action_type), (self.supervisor, 0.5, "solution"))

    def test_resumed_on_another_day_logs_a_new_unit(self):
        """A Friday unit resumed on Saturday: Saturday's time is a new unit
        dated Saturday (the surcharge split reads the unit's date)."""
        ticket = self._ticket(user=self.agent)
        unit = (
            self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id, "duration": 1.0})
        )
        unit.sudo().date = fields.Datetime.now() - timedelta(days=1)
        unit.with_user(self.agent).action_spid_timer_resume()
        timer = self.Timer.search([("user_id", "=", self.agent.id)])
        self._backdate(timer, minutes=20)
        started = timer.date_start
        result = timer.with_user(self.agent).action_stop()
        self.assertIn("New work unit", result["params"]["message"])
        self.assertEqual(unit.duration, 1.0, "yesterday's unit keeps yesterday's time")
        new = ticket.workunit_ids - unit
        self.assertEqual((new.user_id, new.duration, new.date), (self.agent, 0.5, started))
        # the same day: the time goes to the resumed unit, as before
        unit.sudo().date = fields.Datetime.now()
        unit.with_user(self.agent).action_spid_timer_resume()
        timer = self.Timer.search([("user_id", "=", self.agent.id)])
        self.assertNotIn("New work unit", timer.with_user(self.agent).action_stop()["params"]["message"])
        self.assertEqual(unit.duration, 1.25)
        self.assertEqual(len(ticket.workunit_ids), 2)

    def test_hostile_context_decides_nothing_at_start(self):
        ticket = self._ticket(user=self.agent)
        ticket.with_user(self.agent).with_context(**HOSTILE_CONTEXT).action_spid_timer_start()
        timer = self.Timer.search([("ticket_id", "=", ticket.id)])
        self.assertEqual(timer.user_id, self.agent)
        self.assertGreater(timer.date_start, fields.Datetime.now() - timedelta(minutes=1))
        timer.with_user(self.agent).with_context(**HOSTILE_CONTEXT).action_stop()
        self.assertEqual(ticket.workunit_ids.duration, 0.25)
        self.assertEqual(ticket.workunit_ids.user_id, self.agent)

    def test_top_bar_state_is_one_query(self):
        ticket = self._ticket(user=self.agent)
        self._start(ticket)
        Timer = self.Timer.with_user(self.agent)
        assert_query_budget(self, 1, "timer top bar", Timer.spid_timer_state)
        assert_query_budget(
            self, 1, "timer top bar, no timer", self.Timer.with_user(self.agent_2).spid_timer_state
        )


@tagged("post_install", "-at_install")
class TestTimerRpc(TimerCommon, JsonRpcMixin, HttpCase):
    """The same attacks as the web client would send them (JSON-RPC)."""

    def test_json_rpc_attacks(self):
        ticket = self._ticket(user=self.agent)
        theirs = self._start(ticket, self.agent_2)
        kwargs = {"context": HOSTILE_CONTEXT}
        result = self._rpc("hd_agent", "spid.timer", "search_read", [[]], {"fields": ["ticket_id"], **kwargs})
        self.assertEqual(result["result"], [])
        for method, args in [
            ("read", [[theirs.id], ["ticket_id", "date_start"]]),
            ("action_stop", [[theirs.id]]),
            ("action_stop_dialog", [[theirs.id]]),
            ("action_discard", [[theirs.id]]),
            ("write", [[theirs.id], {"date_start": "2020-01-01 00:00:00"}]),
            ("unlink", [[theirs.id]]),
            (
                "create",
                [{"user_id": self.agent.id, "ticket_id": ticket.id, "date_start": "2020-01-01 00:00:00"}],
            ),
        ]:
            result = self._rpc("hd_agent", "spid.timer", method, args, kwargs)
            self.assertIn("error", result, method)
            self.assertIn("AccessError", result["error"]["data"]["name"], method)
        result = self._rpc("hd_agent", "spid.timer.stop.wizard", "create", [{"timer_id": theirs.id}], kwargs)
        self.assertIn("error", result)
        self.assertTrue(theirs.exists())
        self.assertEqual(theirs.user_id, self.agent_2)
        # a ticket of another team: refused by the record rules
        elsewhere = self._ticket(category_id=self.category_other.id)
        result = self._rpc("hd_agent", "spid.ticket", "action_spid_timer_start", [[elsewhere.id]], kwargs)
        self.assertIn("AccessError", result["error"]["data"]["name"])
        # the agent's own start: their timer, started now, whatever the context says
        result = self._rpc("hd_agent", "spid.ticket", "action_spid_timer_start", [[ticket.id]], kwargs)
        self.assertNotIn("error", result)
        mine = self.Timer.search([("user_id", "=", self.agent.id)])
        self.assertEqual(mine.ticket_id, ticket)
        self.assertGreater(mine.date_start, fields.Datetime.now() - timedelta(minutes=1))
        state = self._rpc("hd_agent", "spid.timer", "spid_timer_state", [], kwargs)["result"]
        self.assertEqual(state["timer"]["id"], mine.id)

    def test_stop_dialog_never_shows_another_timer(self):
        """The attacker opens the stop dialog of their own timer, then points
        it at a colleague's timer (on a ticket of another team they cannot
        read) and reads it back; they also read the colleague's own dialog:
        nothing of the colleague's ticket or time comes back."""
        mine = self._ticket(user=self.agent)
        secret = self._ticket(category_id=self.category_other.id, name="Secret flooding at the CEO's")
        theirs = self._start(secret, self.agent_other)
        self._backdate(theirs, hours=3)
        timer = self._start(mine)
        kwargs = {"context": HOSTILE_CONTEXT}
        action = self._rpc("hd_agent", "spid.timer", "action_stop_dialog", [[timer.id]], kwargs)
        wizard_id = action["result"]["res_id"]
        spec = {
            "timer_id": {"fields": {"display_name": {}}},
            "ticket_id": {"fields": {"display_name": {}}},
            "workunit_id": {"fields": {"display_name": {}}},
            "duration": {},
            "new_unit_reason": {},
        }
        for field in ("timer_id", "ticket_id"):
            value = theirs.id if field == "timer_id" else secret.id
            result = self._rpc(
                "hd_agent", "spid.timer.stop.wizard", "write", [[wizard_id], {field: value}], kwargs
            )
            self.assertIn("AccessError", result["error"]["data"]["name"], field)
        result = self._rpc(
            "hd_agent", "spid.timer.stop.wizard", "web_read", [[wizard_id]], {"specification": spec, **kwargs}
        )
        self.assertEqual(result["result"][0]["ticket_id"]["id"], mine.id, "still the attacker's own timer")
        self.assertEqual(result["result"][0]["duration"], 0.25)
        self.assertNotIn(secret.reference, json.dumps(result))
        # a new dialog on the colleague's timer, or reading the colleague's own dialog
        result = self._rpc("hd_agent", "spid.timer.stop.wizard", "create", [{"timer_id": theirs.id}], kwargs)
        self.assertIn("AccessError", result["error"]["data"]["name"])
        their_wizard = theirs.with_user(self.agent_other).action_stop_dialog()["res_id"]
        for method, args, extra in [
            ("web_read", [[their_wizard]], {"specification": spec}),
            ("read", [[their_wizard], ["timer_id", "ticket_id", "duration"]], {}),
            ("write", [[their_wizard], {"description": "<p>mine now</p>"}], {}),
        ]:
            result = self._rpc("hd_agent", "spid.timer.stop.wizard", method, args, {**extra, **kwargs})
            self.assertIn("AccessError", result["error"]["data"]["name"], method)
            self.assertNotIn(secret.reference, json.dumps(result), method)
            self.assertNotIn("Secret flooding", json.dumps(result), method)
        result = self._rpc(
            "hd_agent", "spid.timer.stop.wizard", "search_read", [[]], {"fields": ["timer_id"], **kwargs}
        )
        self.assertEqual([row["id"] for row in result["result"]], [wizard_id])
        self.assertEqual(theirs.user_id, self.agent_other)


@tagged("post_install", "-at_install")
class TestTimerTour(HttpCase):
    """In Chromium: start on a ticket, the top bar shows it, stop from the top
    bar, the work unit appears with the rounded time."""

    def test_timer_tour(self):
        self.env.company.write({"spid_timer_minimum": 15, "spid_timer_rounding": 15})
        agent = new_test_user(
            self.env,
            "timer_agent",
            groups="base.group_user,spid_helpdesk.group_spid_agent",
            name="Timer Agent",
        )
        ticket = (
            self.env["spid.ticket"]
            .with_user(agent)
            .create({"name": "Timer tour ticket", "user_id": agent.id})
        )
        self.start_tour(
            f"/odoo/action-spid_helpdesk.spid_ticket_action/{ticket.id}",
            "spid_timer_tour",
            login="timer_agent",
        )
        unit = ticket.workunit_ids
        self.assertEqual(len(unit), 1)
        self.assertEqual((unit.user_id, unit.duration, unit.action_type), (agent, 0.25, "solution"))
        self.assertIn("Tour work", unit.description)
        self.assertFalse(self.env["spid.timer"].search([("user_id", "=", agent.id)]))

    def test_timer_kanban_tour(self):
        agent = new_test_user(
            self.env,
            "timer_kanban_agent",
            groups="base.group_user,spid_helpdesk.group_spid_agent",
            name="Timer Kanban Agent",
        )
        ticket = (
            self.env["spid.ticket"]
            .with_user(agent)
            .create({"name": "Timer kanban ticket", "user_id": agent.id})
        )
        self.start_tour(
            "/odoo/action-spid_helpdesk.spid_ticket_action?view_type=kanban",
            "spid_timer_kanban_tour",
            login="timer_kanban_agent",
        )
        timer = self.env["spid.timer"].search([("user_id", "=", agent.id)])
        self.assertEqual(timer.ticket_id, ticket)
