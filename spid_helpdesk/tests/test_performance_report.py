from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import SpidHelpdeskCommon, assert_queries_flat, assert_query_budget

# Exact query budgets of the supervisor's pivots (read_group as bench/bench.py
# calls them), from empty caches: the group query, the order of the groups
# (one query per many-to-one grouping, spid.report.groups) and their names.
TICKET_PIVOT_BUDGET = 5
HOURS_BY_AGENT_MONTH_BUDGET = 7
HOURS_BY_CLIENT_BUDGET = 3

# 2026-11-23 is a Monday.
MONDAY = datetime(2026, 11, 23)

# What the ticket analysis counted for every ticket on each pivot before its
# figures were stored on the ticket: the reference the stored figures must
# equal, whatever happened to the tickets.
REFERENCE_QUERY = """
    SELECT t.id,
           COALESCE(r.reopened, 0),
           sla.resolution_working_hours,
           sla.response_working_hours,
           CASE WHEN sla.done > 0 THEN 100.0 * sla.met / sla.done END
      FROM spid_ticket t
      LEFT JOIN (
            SELECT m.res_id AS ticket_id, COUNT(*) AS reopened
              FROM mail_tracking_value v
              JOIN mail_message m ON m.id = v.mail_message_id AND m.model = 'spid.ticket'
              JOIN ir_model_fields f ON f.id = v.field_id AND f.name = 'status_id'
                   AND f.model = 'spid.ticket'
              JOIN spid_ticket_status s ON s.id = v.new_value_integer AND s.is_reopen
             GROUP BY m.res_id
           ) r ON r.ticket_id = t.id
      LEFT JOIN (
            SELECT ticket_id,
                   MAX(CASE WHEN kind = 'resolution' AND status != 'ongoing' THEN spent_hours END)
                       AS resolution_working_hours,
                   MAX(CASE WHEN kind = 'response' AND status != 'ongoing' THEN spent_hours END)
                       AS response_working_hours,
                   COUNT(*) FILTER (WHERE status = 'met') AS met,
                   COUNT(*) FILTER (WHERE status != 'ongoing') AS done
              FROM spid_ticket_sla
             GROUP BY ticket_id
           ) sla ON sla.ticket_id = t.id
     WHERE t.active AND t.id = ANY(%s)
"""


def at(day, hour, minute=0):
    return day.replace(hour=hour, minute=minute)


@tagged("post_install", "-at_install")
class TestReportFigures(SpidHelpdeskCommon):
    """The analyses read figures stored on the tickets and work units: they
    follow every change, and equal what the analyses used to recompute."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar, cls.policy = cls._standard_sla()

    def _commit_like(self):
        """Flush and run the precommit hooks (tracking), as a commit would."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.flush_all()

    def assertFiguresAsRecomputed(self, tickets):
        """The report's rows equal the reference recomputation."""
        self._commit_like()
        self.env.invalidate_all()
        self.env.cr.execute(REFERENCE_QUERY, [tickets.ids])
        expected = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                "SELECT ticket_id, reopened, resolution_working_hours, response_working_hours,"
                " sla_met_percent"
                " FROM (%s) report WHERE ticket_id = ANY(%s)",
                SQL(self.env["spid.ticket.report"]._table_query),
                tickets.ids,
            )
        )
        stored = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.assertEqual(set(stored), set(expected))
        for ticket_id, row in expected.items():
            for name, want, got in zip(
                ("reopened", "resolution", "response", "sla %"), row, stored[ticket_id]
            ):
                if want is None:
                    self.assertIsNone(got, f"{name} of ticket {ticket_id}")
                else:
                    self.assertAlmostEqual(float(got), float(want), 6, f"{name} of ticket {ticket_id}")

    def test_figures_follow_answer_close_reopen_breach_and_merge(self):
        with freeze_time(at(MONDAY, 9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
            other = self._ticket(user=self.agent, user_id=self.agent.id)
            quiet = self._ticket(user=self.agent, user_id=self.agent.id)
        tickets = ticket | other | quiet
        self.assertFiguresAsRecomputed(tickets)
        with freeze_time(at(MONDAY, 10, 30)):
            self.env["spid.workunit"].with_user(self.agent).create(
                {"ticket_id": ticket.id, "visibility": "public", "description": "<p>On my way</p>"}
            )
        self.assertFiguresAsRecomputed(tickets)
        with freeze_time(at(MONDAY, 12)):
            ticket.with_user(self.agent).write(self._close_values(self.st_closed))
        self.assertFiguresAsRecomputed(tickets)
        row = (
            self.env["spid.ticket.report"].with_user(self.supervisor).search([("ticket_id", "=", ticket.id)])
        )
        self.assertAlmostEqual(row.response_working_hours, 1.5)
        self.assertAlmostEqual(row.resolution_working_hours, 3.0)
        self.assertEqual(row.sla_met_percent, 100.0)
        with freeze_time(at(MONDAY, 13)):
            ticket.with_user(self.supervisor)._spid_reopen("not fixed")
        self.assertFiguresAsRecomputed(tickets)
        row.invalidate_recordset()
        self.assertEqual(row.reopened, 1)
        self.assertEqual(row.resolution_working_hours, 0.0, "the resolution clock runs again")
        with freeze_time(at(MONDAY, 14)):
            ticket.with_user(self.agent).write(self._close_values(self.st_closed))
            self._commit_like()  # tracked: closed, then reopened
            ticket.with_user(self.supervisor)._spid_reopen("still not fixed")
        self.assertFiguresAsRecomputed(tickets)
        # the other tickets' clocks breach: failed
        with freeze_time(at(MONDAY, 17)):
            self.env["spid.ticket.sla"]._cron_check_breaches()
        self.assertFiguresAsRecomputed(tickets)
        self.assertEqual(other.sudo().sla_done_count, 1)
        # a reopening status that is no longer one: counted again
        with freeze_time(at(MONDAY, 17, 30)):
            other.with_user(self.agent).write(self._close_values(self.st_closed))
            self._commit_like()
            other.with_user(self.supervisor)._spid_reopen("again")
        self.assertFiguresAsRecomputed(tickets)
        self.assertEqual(other.sudo().reopen_count, 1)
        self.st_reopened.is_reopen = False
        self.assertFiguresAsRecomputed(tickets)
        self.assertEqual(other.sudo().reopen_count, 0)
        self.st_reopened.is_reopen = True
        self.assertFiguresAsRecomputed(tickets)
        # merged: the duplicate's tracking, and its reopenings, move to the target
        with freeze_time(at(MONDAY, 17, 45)):
            ticket.with_user(self.supervisor)._spid_merge_into(other)
        self.assertFiguresAsRecomputed(tickets.with_context(active_test=False))
        self.assertEqual(other.sudo().reopen_count, 3)

    def test_figures_after_the_demo_history(self):
        """The demo writes its year of clocks and dates in SQL: its tickets'
        stored figures are the recomputed ones."""
        tickets = self.env["spid.ticket"].search([("reference", "!=", False)])
        self.assertTrue(tickets.sudo().filtered("sla_done_count"), "the demo history has finished clocks")
        self.assertFiguresAsRecomputed(tickets)

    def test_workunit_figures_follow_edits_and_removal(self):
        Unit = self.env["spid.workunit"]
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        units = Unit.create(
            [{"ticket_id": ticket.id, "duration": hours, "user_id": self.agent.id} for hours in (1.0, 2.0)]
        )
        Report = self.env["spid.workunit.report"].with_user(self.supervisor)

        def figures():
            self.env.flush_all()
            self.env.invalidate_all()
            return {
                (client.id, team.id, category.id): hours
                for client, team, category, hours in Report._read_group(
                    [("ticket_id", "=", ticket.id)], ["client_id", "team_id", "category_id"], ["hours:sum"]
                )
            }

        self.assertEqual(figures(), {(self.client.id, self.team.id, self.category.id): 3.0})
        units[0].duration = 0.5
        self.assertEqual(figures(), {(self.client.id, self.team.id, self.category.id): 2.5})
        ticket.write({"category_id": self.category_other.id, "team_id": self.team_other.id})
        self.assertEqual(figures(), {(self.client.id, self.team_other.id, self.category_other.id): 2.5})
        units[1].unlink()
        self.assertEqual(figures(), {(self.client.id, self.team_other.id, self.category_other.id): 0.5})

    def test_pivot_query_budgets_flat_in_data_size(self):
        Unit = self.env["spid.workunit"]
        tickets = []

        def data(count):
            while len(tickets) < count:
                ticket = self._ticket(user_id=self.agent.id)
                Unit.create({"ticket_id": ticket.id, "duration": 1.0, "user_id": self.agent.id})
                tickets.append(ticket)
            return count

        supervisor = self.env(user=self.supervisor)
        pivots = (
            (
                "tickets by team × status",
                TICKET_PIVOT_BUDGET,
                lambda _size=None: supervisor["spid.ticket.report"].read_group(
                    [], ["nbr:sum", "backlog:sum"], ["team_id", "status_id"], lazy=False
                ),
            ),
            (
                "hours by agent × month",
                HOURS_BY_AGENT_MONTH_BUDGET,
                lambda _size=None: supervisor["spid.workunit.report"].read_group(
                    [], ["hours:sum", "billable_hours:sum"], ["user_id", "date:month"], lazy=False
                ),
            ),
            (
                "hours by client",
                HOURS_BY_CLIENT_BUDGET,
                lambda _size=None: supervisor["spid.workunit.report"].read_group(
                    [], ["hours:sum"], ["client_id"], lazy=False
                ),
            ),
        )
        for what, budget, pivot in pivots:
            with self.subTest(pivot=what):
                assert_queries_flat(self, data, pivot, sizes=(1, 10, 40))
                assert_query_budget(self, budget, what, pivot)

    def test_groups_in_odoos_order(self):
        """Grouped first, named after: the same groups, in the order Odoo's
        own query gives them (a limit keeps Odoo's query)."""
        Unit = self.env["spid.workunit"]
        for user, team, status, client in (
            (self.agent, self.team, self.st_new, self.requester),
            (self.agent_2, self.team_other, self.st_progress, self.other_contact),
            (self.supervisor, self.team, self.st_closed, self.requester_2),
        ):
            values = self._close_values(status) if status.is_closed else {"status_id": status.id}
            ticket = self._ticket(partner_id=client.id, team_id=team.id, user_id=user.id, **values)
            Unit.create({"ticket_id": ticket.id, "duration": 1.0, "user_id": user.id})
        self.env["spid.workunit"].sudo().create(
            {"ticket_id": self._ticket(team_id=False).id, "duration": 2.0, "user_id": self.agent.id}
        )
        supervisor = self.env(user=self.supervisor)
        for model, fields, groupby, orderby in (
            ("spid.ticket.report", ["nbr:sum", "backlog:sum"], ["team_id", "status_id"], False),
            ("spid.ticket.report", ["nbr:sum"], ["status_id", "team_id"], "status_id desc, team_id"),
            ("spid.workunit.report", ["hours:sum", "billable_hours:sum"], ["user_id", "date:month"], False),
            ("spid.workunit.report", ["hours:sum"], ["client_id"], False),
            ("spid.workunit.report", ["hours:sum"], ["date:day", "client_id"], "date:day desc, client_id"),
        ):
            with self.subTest(model=model, groupby=groupby, orderby=orderby):
                Report = supervisor[model]
                ours = Report.read_group([], fields, groupby, orderby=orderby, lazy=False)
                odoos = Report.read_group([], fields, groupby, orderby=orderby, lazy=False, limit=100_000)
                self.assertGreater(len(ours), 2)
                self.assertEqual(ours, odoos)
