from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestReporting(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_2 = cls.env["res.partner"].create({"name": "Second client", "is_company": True})
        cls.contact_2 = cls.env["res.partner"].create({"name": "Sam", "parent_id": cls.client_2.id})
        Unit = cls.env["spid.workunit"]
        cls.data = []
        with freeze_time(datetime(2026, 10, 5, 10, 0)):
            for i, (partner, category) in enumerate(
                [
                    (cls.requester, cls.category),
                    (cls.contact_2, cls.category),
                    (cls.contact_2, cls.category_other),
                ]
            ):
                ticket = cls._ticket(partner_id=partner.id, category_id=category.id, user_id=cls.agent.id)
                for hours, billable in ((1.5, True), (0.5 * (i + 1), False)):
                    Unit.create({"ticket_id": ticket.id, "duration": hours, "billable": billable,
                                 "user_id": cls.agent.id})  # fmt: skip
                cls.data.append(ticket)
        with freeze_time(datetime(2026, 10, 6, 10, 0)):
            cls.data[0].write(cls._close_values(cls.st_closed))

    def _tickets(self):
        return self.env["spid.ticket"].browse([t.id for t in self.data])

    def test_time_analysis_matches_the_work_units(self):
        tickets = self._tickets()
        groups = self.env["spid.workunit.report"].with_user(self.supervisor)._read_group(
            [("ticket_id", "in", tickets.ids)], ["client_id", "date:month"],
            ["hours:sum", "billable_hours:sum", "days:sum"],
        )  # fmt: skip
        expected = {}
        for unit in tickets.workunit_ids:
            hours, billable = expected.get(unit.client_id, (0.0, 0.0))
            expected[unit.client_id] = (
                hours + unit.duration,
                billable + (unit.duration if unit.billable else 0),
            )
        self.assertEqual(len(groups), 2)
        for client, month, hours, billable, days in groups:
            self.assertEqual(month.date(), date(2026, 10, 1))
            self.assertAlmostEqual(hours, expected[client][0])
            self.assertAlmostEqual(billable, expected[client][1])
            self.assertAlmostEqual(days, hours / self.env.company.spid_hours_per_day)

    def test_ticket_analysis_counts(self):
        tickets = self._tickets()
        Report = self.env["spid.ticket.report"].with_user(self.supervisor)
        [(opened, closed, backlog, spent)] = Report._read_group(
            [("ticket_id", "in", tickets.ids)],
            [],
            ["opened:sum", "closed:sum", "backlog:sum", "total_hours:sum"],
        )
        self.assertEqual((opened, closed, backlog), (3, 1, 2))
        self.assertAlmostEqual(spent, sum(tickets.mapped("total_hours")))
        row = Report.search([("ticket_id", "=", tickets[0].id)])
        expected = (tickets[0].date_closed - tickets[0].date_opened).total_seconds() / 3600
        self.assertAlmostEqual(row.resolution_hours, expected, places=4)

    def test_reopen_rate(self):
        ticket = self._tickets()[0]
        self.env.flush_all()
        self.env.cr.precommit.run()
        ticket.with_user(self.supervisor)._spid_reopen("again")
        self.env.flush_all()
        self.env.cr.precommit.run()
        row = (
            self.env["spid.ticket.report"].with_user(self.supervisor).search([("ticket_id", "=", ticket.id)])
        )
        self.assertEqual(row.reopened, 1)
        self.assertEqual(row.reopen_rate, 100.0)

    def test_agent_sees_only_its_teams_figures(self):
        tickets = self._tickets()
        Report = self.env["spid.workunit.report"].with_user(self.agent_other)
        visible = Report.search([("ticket_id", "in", tickets.ids)]).ticket_id
        self.assertEqual(visible, tickets.filtered(lambda t: t.team_id == self.team_other))
        rows = (
            self.env["spid.ticket.report"]
            .with_user(self.agent_other)
            .search([("ticket_id", "in", tickets.ids)])
        )
        self.assertEqual(rows.ticket_id, visible)

    def test_objectives(self):
        Objective = self.env["spid.agent.objective"].with_user(self.supervisor)
        objective = Objective.create(
            {"user_id": self.agent.id, "month": "2026-10-17", "target_hours": 10, "target_tickets": 4}
        )
        self.assertEqual(objective.month, date(2026, 10, 1))
        hours = sum(self._tickets().workunit_ids.mapped("duration"))
        self.assertAlmostEqual(objective.actual_hours, hours)
        self.assertAlmostEqual(objective.hours_percent, 100.0 * hours / 10)
        self.assertEqual(objective.actual_tickets, 1)
        self.assertEqual(objective.tickets_percent, 25.0)
        mine = self.env["spid.agent.objective"].with_user(self.agent_2).search([])
        self.assertFalse(mine, "an agent sees only their own objectives")

    def test_work_order_with_custom_fields(self):
        kind = self.env["spid.ticket.type"].create(
            {
                "name": "Hardware",
                "workorder_template": "<p>Check the fans.</p>",
                "properties_definition": [{"name": "serial", "string": "Serial number", "type": "char"}],
            }
        )
        ticket = self._tickets()[1]
        ticket.write({"type_id": kind.id})
        ticket.properties = {"serial": "SN-4242"}
        self.env["spid.workunit"].create(
            {
                "ticket_id": ticket.id,
                "visibility": "public",
                "description": "<p>Fan replaced</p>",
                "duration": 1,
            }
        )
        self.env["spid.workunit"].create(
            {"ticket_id": ticket.id, "visibility": "internal", "description": "<p>Warranty trick</p>"}
        )
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "spid_helpdesk.action_report_spid_workorder", ticket.ids
        )
        html = html.decode()
        for expected in (ticket.reference, "Serial number", "SN-4242", "Check the fans.", "Fan replaced",
                         self.client_2.name):  # fmt: skip
            self.assertIn(expected, html)
        self.assertNotIn("Warranty trick", html, "internal work stays off the work order")

    def test_ticket_statistics_tab(self):
        ticket = self._tickets()[0]
        self.env.flush_all()
        self.env.cr.precommit.run()
        html = ticket.with_user(self.agent).statistics_html
        self.assertIn("Work of Agent Alpha (hours)", html)
        self.assertIn("Resolution (hours)", html)
        spent = (ticket.date_closed - ticket.date_opened).total_seconds() / 3600
        self.assertIn(f"{spent:.2f}", html)

    def test_team_dashboard_counters(self):
        team = self.team.with_user(self.supervisor)
        self.assertEqual(team.open_ticket_count, 1)


@tagged("post_install", "-at_install")
class TestStatisticsSummary(SpidHelpdeskCommon):
    def test_summary_per_client_with_median_and_share(self):
        client_2 = self.env["res.partner"].create({"name": "Second client", "is_company": True})
        contact_2 = self.env["res.partner"].create({"name": "Sam", "parent_id": client_2.id})
        Unit = self.env["spid.workunit"]
        durations = []
        for partner, hours in ((self.requester, 3.0), (self.requester, 1.0), (contact_2, 4.0)):
            ticket = self._ticket(partner_id=partner.id, user_id=self.agent.id)
            Unit.create({"ticket_id": ticket.id, "duration": hours, "user_id": self.agent.id})
            if partner == self.requester:
                ticket.write(self._close_values(self.st_closed))
                durations.append((ticket.date_closed - ticket.date_opened).total_seconds() / 3600)
        today = date.today()
        wizard = (
            self.env["spid.statistics.wizard"]
            .with_user(self.supervisor)
            .create({"date_from": today, "date_to": today, "group_by": "client"})
        )
        rows, total = wizard._spid_rows()
        by_name = {row["name"]: row for row in rows}
        mine = by_name[self.client.display_name]
        self.assertEqual((mine["opened"], mine["closed"]), (2, 2))
        self.assertAlmostEqual(mine["hours"], 4.0)
        # other work of the same day (demo data) may share the total
        self.assertAlmostEqual(total["hours"], sum(row["hours"] for row in rows))
        self.assertAlmostEqual(mine["share"], 100.0 * 4.0 / total["hours"])
        self.assertAlmostEqual(by_name[client_2.display_name]["share"], 100.0 * 4.0 / total["hours"])
        self.assertAlmostEqual(sum(row["share"] for row in rows), 100.0)
        self.assertAlmostEqual(mine["median_close"], sorted(durations)[0] / 2 + sorted(durations)[1] / 2)
        self.assertEqual(total["opened"], sum(row["opened"] for row in rows))
        html, _format = (
            self.env["ir.actions.report"]
            .with_user(self.supervisor)
            ._render_qweb_html("spid_helpdesk.action_report_spid_statistics", wizard.ids)
        )
        self.assertIn("Median hours to close", html.decode())
        self.assertIn(f"{mine['share']:.1f} %", html.decode().replace("\n", ""))
        # an agent of another team sums nothing of these tickets
        other = (
            self.env["spid.statistics.wizard"]
            .with_user(self.agent_other)
            .create({"date_from": today, "date_to": today})
        )
        self.assertFalse(other._spid_rows()[0])

    def test_period_must_be_in_order(self):
        with self.assertRaisesRegex(UserError, "starts after it ends"):
            self.env["spid.statistics.wizard"].create({"date_from": "2026-02-01", "date_to": "2026-01-01"})
