from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SpidHelpdeskCommon, assert_queries_flat

# 2026-11-20 is a Friday.
FRIDAY_17 = datetime(2026, 11, 20, 17, 0)
MONDAY = datetime(2026, 11, 23)


def at(day, hour, minute=0):
    return day.replace(hour=hour, minute=minute)


@tagged("post_install", "-at_install")
class TestSla(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar, cls.policy = cls._standard_sla()

    def _line(self, ticket, kind, policy=None):
        return ticket.sla_line_ids.filtered(
            lambda line: line.kind == kind and line.policy_id == (policy or self.policy)
        )

    def test_response_window_over_the_weekend(self):
        with freeze_time(FRIDAY_17):
            ticket = self._ticket(user=self.agent)
        self.assertEqual(self._line(ticket, "response").deadline, at(MONDAY, 12))
        self.assertEqual(ticket.sla_status, "ongoing")
        self.assertEqual(ticket.sla_deadline, at(MONDAY, 12))

    def test_holiday_moves_the_deadline_a_day(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": at(MONDAY, 0),
                "date_to": at(MONDAY, 23, 59),
            }
        )
        with freeze_time(FRIDAY_17):
            ticket = self._ticket(user=self.agent)
        self.assertEqual(self._line(ticket, "response").deadline, datetime(2026, 11, 24, 12, 0))

    def test_calendar_time_zone(self):
        self.calendar.tz = "Europe/Paris"  # 9:00-18:00 Paris = 8:00-17:00 UTC in winter
        with freeze_time(at(MONDAY, 8)):
            ticket = self._ticket(user=self.agent)
        self.assertEqual(self._line(ticket, "resolution").deadline, at(MONDAY, 16))

    def test_pause_of_two_working_hours_moves_two_hours(self):
        with freeze_time(at(MONDAY, 9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id, status_id=self.st_assigned.id)
        resolution = self._line(ticket, "resolution")
        self.assertEqual(resolution.deadline, at(MONDAY, 17))
        with freeze_time(at(MONDAY, 10)):
            ticket.write({"status_id": self.st_third.id})  # pauses the SLA
        self.assertFalse(resolution.deadline, "a paused clock has no deadline")
        self.assertFalse(resolution.running_since)
        self.assertAlmostEqual(resolution.spent_hours, 1.0)
        with freeze_time(at(MONDAY, 12)):
            ticket.write({"status_id": self.st_progress.id})
        # 7 hours left from 12:00: 6 on Monday, 1 on Tuesday
        self.assertEqual(resolution.deadline, datetime(2026, 11, 24, 10, 0))

    def test_third_party_clock_counts_only_while_waiting(self):
        third = self.env["spid.sla.policy"].create(
            {
                "name": "Supplier",
                "team_ids": [(6, 0, self.team.ids)],
                "resolution_hours": 3,
                "sla_type": "third_party",
                "calendar_id": self.calendar.id,
            }
        )
        with freeze_time(at(MONDAY, 9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id, status_id=self.st_assigned.id)
        line = self._line(ticket, "resolution", third)
        self.assertFalse(line.deadline, "not waiting for a third party yet")
        with freeze_time(at(MONDAY, 14)):
            ticket.write({"status_id": self.st_third.id})
        self.assertEqual(line.deadline, at(MONDAY, 17))

    def test_inactivity_restarts_on_each_update(self):
        self.policy.inactivity_hours = 2
        with freeze_time(at(MONDAY, 9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        inactivity = self._line(ticket, "inactivity")
        self.assertEqual(inactivity.deadline, at(MONDAY, 11))
        with freeze_time(at(MONDAY, 10, 30)):
            ticket.with_user(self.agent).message_post(body="Any news?", message_type="comment")
        self.assertEqual(inactivity.deadline, at(MONDAY, 12, 30))
        with freeze_time(at(MONDAY, 11)):
            ticket.with_user(self.agent).write({"priority": "2"})
        self.assertEqual(inactivity.deadline, at(MONDAY, 13))

    def test_first_public_answer_of_an_agent_meets_the_response(self):
        with freeze_time(at(MONDAY, 9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        response = self._line(ticket, "response")
        with freeze_time(at(MONDAY, 10)):
            ticket.with_user(self.agent).message_post(body="internal", subtype_xmlid="mail.mt_note")
        self.assertEqual(response.status, "ongoing", "an internal note is no answer")
        with freeze_time(at(MONDAY, 10, 30)):
            self.env["spid.workunit"].with_user(self.agent).create(
                {"ticket_id": ticket.id, "visibility": "public", "description": "<p>On my way</p>"}
            )
        self.assertEqual(response.status, "met")
        self.assertEqual(response.reached_date, at(MONDAY, 10, 30))
        self.assertAlmostEqual(response.spent_hours, 1.5)

    def test_closing_meets_the_resolution_and_reopening_resumes_it(self):
        with freeze_time(at(MONDAY, 9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with freeze_time(at(MONDAY, 12)):
            ticket.with_user(self.agent).write(self._close_values(self.st_closed))
        resolution = self._line(ticket, "resolution")
        self.assertEqual(resolution.status, "met")
        self.assertEqual(ticket.sla_status, "met")
        self.assertEqual(ticket.sla_compliance, 100.0)
        with freeze_time(at(MONDAY, 13)):
            ticket.with_user(self.supervisor)._spid_reopen("not fixed")
        self.assertEqual(resolution.status, "ongoing")
        # 3 hours spent before closing, 5 left from 13:00
        self.assertEqual(resolution.deadline, at(MONDAY, 18))

    def test_policy_matching(self):
        urgent = self.env["spid.sla.policy"].create(
            {"name": "Urgent", "priority": "2", "response_hours": 1, "calendar_id": self.calendar.id}
        )
        ticket = self._ticket(user=self.agent, category_id=self.category_other.id)
        self.assertFalse(ticket.sla_line_ids, "neither the team nor the priority match")
        ticket.write({"priority": "3"})
        self.assertEqual(ticket.sla_line_ids.policy_id, urgent)
        ticket.write({"category_id": self.category.id})
        self.assertEqual(ticket.sla_line_ids.policy_id, urgent | self.policy)

    def test_breach_once_with_activity_escalation_and_mail(self):
        self.policy.escalation = "both"
        self.team.leader_id = self.agent_2
        with freeze_time(at(MONDAY, 9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        Line = self.env["spid.ticket.sla"]
        with freeze_time(at(MONDAY, 12)):
            Line._cron_check_breaches()
        self.assertEqual(ticket.sla_status, "ongoing", "not late yet")
        mails_before = self.env["mail.mail"].search_count([])
        with freeze_time(at(MONDAY, 14)):
            Line._cron_check_breaches()
        response = self._line(ticket, "response")
        self.assertEqual(response.status, "failed")
        self.assertEqual(response.breach_count, 1)
        self.assertEqual(ticket.sla_status, "failed")
        self.assertEqual(ticket.priority, "2", "priority raised one level")
        self.assertEqual(ticket.user_id, self.agent_2, "reassigned to the leader")
        activity = ticket.activity_ids.filtered(lambda a: "SLA breached" in (a.summary or ""))
        self.assertEqual(len(activity), 1)
        mails = self.env["mail.mail"].search([], order="id desc", limit=5)
        self.assertEqual(self.env["mail.mail"].search_count([]) - mails_before, 2, "owner and leader")
        self.assertIn(ticket.reference, mails[0].body_html)
        with freeze_time(at(MONDAY, 15)):
            Line._cron_check_breaches()
        self.assertEqual(len(ticket.activity_ids.filtered(lambda a: "SLA breached" in (a.summary or ""))), 1)
        self.assertEqual(response.breach_count, 1, "a breach is handled once")

    def test_at_risk(self):
        self.env.company.spid_sla_risk_share = 0.25
        with freeze_time(at(MONDAY, 9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        # response 4h: at risk when less than 1h is left, from 12:00
        with freeze_time(at(MONDAY, 11, 59)):
            self.assertFalse(ticket.sla_at_risk)
            self.assertNotIn(ticket, self.env["spid.ticket"].search([("sla_at_risk", "=", True)]))
        with freeze_time(at(MONDAY, 12, 1)):
            ticket.invalidate_recordset(["sla_at_risk"])
            self.assertTrue(ticket.sla_at_risk)
            self.assertIn(ticket, self.env["spid.ticket"].search([("sla_at_risk", "=", True)]))

    def test_max_open_tickets_warns_the_leader(self):
        self.policy.max_open_tickets = 2
        self.team.leader_id = self.agent_2
        self._ticket(user=self.agent)
        second = self._ticket(user=self.agent)
        self.assertFalse(second.activity_ids)
        third = self._ticket(user=self.agent)
        activity = third.activity_ids
        self.assertEqual(activity.user_id, self.agent_2)
        self.assertIn("Client SA has 3 open tickets under Standard (at most 2)", activity.summary)

    def test_sla_analysis_per_team_and_month(self):
        with freeze_time(at(MONDAY, 9)):
            late = self._ticket(user=self.agent, user_id=self.agent.id)
            quick = self._ticket(user=self.agent, user_id=self.agent.id)
        with freeze_time(at(MONDAY, 10)):
            quick.with_user(self.agent).write(self._close_values(self.st_closed))
        with freeze_time(at(MONDAY, 20)):
            self.env["spid.ticket.sla"]._cron_check_breaches()
        groups = (
            self.env["spid.ticket.sla"]
            .with_user(self.supervisor)
            .read_group(
                [("ticket_id", "in", (late | quick).ids), ("status", "!=", "ongoing")],
                ["met_count:sum", "failed_count:sum", "met_percent:avg"],
                ["team_id", "date:month"],
                lazy=False,
            )
        )
        self.assertEqual(len(groups), 1)
        self.assertEqual((groups[0]["met_count"], groups[0]["failed_count"]), (2, 2))
        self.assertEqual(groups[0]["met_percent"], 50.0)

    def test_agent_reads_clocks_of_visible_tickets_only(self):
        foreign = self._ticket(category_id=self.category_other.id, priority="3")
        self.env["spid.sla.policy"].create(
            {"name": "All", "response_hours": 1, "calendar_id": self.calendar.id}
        )
        foreign.write({"priority": "2"})
        self.assertTrue(foreign.sla_line_ids)
        Line = self.env["spid.ticket.sla"].with_user(self.agent)
        self.assertFalse(Line.search([("ticket_id", "=", foreign.id)]))

    def test_cron_queries_do_not_grow_with_the_batch(self):
        def tickets(count):
            with freeze_time(at(MONDAY, 9)):
                tickets = self.env["spid.ticket"].create(
                    [
                        {
                            "name": f"t{i}",
                            "partner_id": self.requester.id,
                            "category_id": self.category.id,
                            "user_id": self.agent.id,
                        }
                        for i in range(count)
                    ]
                )
                self._run_jobs()  # their clocks
                return tickets

        def breach(tickets):
            with freeze_time(at(MONDAY, 20)):
                self.env["spid.ticket.sla"]._cron_check_breaches()
            self.assertEqual(set(tickets.mapped("sla_status")), {"failed"})

        breach(tickets(2))  # warm-up
        # 10 tickets, then 60: at most 5 queries more
        assert_queries_flat(self, tickets, breach, sizes=(10, 60), slack=5, warmup=False)


@tagged("post_install", "-at_install")
class TestCreationLimits(SpidHelpdeskCommon):
    def test_team_open_limit_blocks_with_clear_error(self):
        self.team.write({"open_ticket_limit": 2, "limit_mode": "block"})
        self._ticket(user=self.agent)
        self._ticket(user=self.agent)
        with self.assertRaisesRegex(UserError, "Rita Requester already has 2 open tickets for Support"):
            self._ticket(user=self.agent)
        self.assertEqual(self.env["spid.ticket"].search_count([("partner_id", "=", self.requester.id)]), 2)
        # another requester of the same client is not concerned
        self._ticket(user=self.agent, partner_id=self.requester_2.id)

    def test_batch_counts_its_own_tickets(self):
        self.team.write({"open_ticket_limit": 2, "limit_mode": "block"})
        vals = {"name": "x", "partner_id": self.requester.id, "category_id": self.category.id}
        with self.assertRaisesRegex(UserError, "No ticket was created"):
            self.env["spid.ticket"].create([dict(vals) for _i in range(3)])
        self.assertFalse(self.env["spid.ticket"].search_count([("partner_id", "=", self.requester.id)]))

    def test_closed_tickets_free_the_open_limit(self):
        self.team.write({"open_ticket_limit": 1, "limit_mode": "block"})
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with self.assertRaisesRegex(UserError, "Rita Requester already has 1 open ticket"):
            self._ticket(user=self.agent, name="Over the limit")
        ticket.write(self._close_values(self.st_closed))
        self.assertTrue(ticket.is_closed)
        second = self._ticket(user=self.agent, name="After the closing")
        self.assertEqual(second.partner_id, self.requester, "the closed ticket no longer counts")
        self.assertEqual(
            self.env["spid.ticket"].search(
                [("partner_id", "=", self.requester.id), ("is_closed", "=", False)]
            ),
            second,
        )

    def test_warn_creates_and_flags(self):
        self.client.write({"spid_yearly_ticket_limit": 1, "spid_limit_mode": "warn"})
        first = self._ticket(user=self.agent)
        second = self._ticket(user=self.agent, category_id=self.category_other.id)
        self.assertFalse(first.limit_warning)
        self.assertIn("in the last 365 days", second.limit_warning)

    def test_yearly_limit_ignores_old_tickets(self):
        self.team.write({"yearly_ticket_limit": 1, "limit_mode": "block"})
        with freeze_time("2024-01-10 10:00:00"):
            old = self._ticket(user=self.agent)
        self.env.cr.execute("UPDATE spid_ticket SET create_date = '2024-01-10' WHERE id = %s", [old.id])
        old.invalidate_recordset()
        old.write({"user_id": self.agent.id})
        old.write(self._close_values(self.st_closed))
        self._ticket(user=self.agent)
        with self.assertRaisesRegex(UserError, "in the last 365 days"):
            self._ticket(user=self.agent)
