from datetime import date, datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk.internal import with_switch
from odoo.addons.spid_helpdesk.tests.common import (
    JsonRpcMixin,
    SpidHelpdeskCommon,
    assert_query_budget,
    count_queries,
)
from odoo.addons.spid_helpdesk_timesheet import post_init_hook
from odoo.addons.spid_helpdesk_timesheet.internal import TIMESHEET_SYNC

# An agent with an employee logs one work unit: the core's budget
# (spid_helpdesk/tests/test_performance.py: CREATE_WORKUNIT_BUDGET 32, +2 with
# this bridge, TIMESHEET_BRIDGE_WORKUNIT_QUERIES) and the line in Timesheets,
# +15: the team's project (1), hr_timesheet's create (its employees' search,
# the analytic plans and applicabilities (7), currency, INSERT, the analytic
# account, the cost's employee and line reads) and the line's UPDATE at flush.
CREATE_WORKUNIT_WITH_LINE_BUDGET = 49

HOSTILE_CONTEXT = {
    # strings sent by a caller: none of them is the bridge's or the core's switch
    "spid_timesheet_sync": True,
    "spid_system": "spid_system",
    "active_test": False,
}


class TimesheetCommon(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,spid_helpdesk.group_spid_agent,hr_timesheet.group_hr_timesheet_user"
        cls.ts_agent = new_test_user(
            cls.env, "hd_ts_agent", groups=groups, name="Tina Timesheet", tz="Europe/Paris"
        )
        # Timesheets approver (every employee's lines), no helpdesk group
        cls.approver = new_test_user(
            cls.env,
            "hd_ts_approver",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_approver",
            name="Andy Approver",
        )
        cls.team.member_ids |= cls.ts_agent
        Employee = cls.env["hr.employee"]
        cls.ts_employee = Employee.create({"name": "Tina Timesheet", "user_id": cls.ts_agent.id})
        # the plain agent (no Timesheets rights) is an employee; agent_2 is not
        cls.employee = Employee.create({"name": "Agent Alpha", "user_id": cls.agent.id})
        Employee.create({"name": "Andy Approver", "user_id": cls.approver.id})
        cls.project = cls.team.timesheet_project_id
        cls.Line = cls.env["account.analytic.line"]

    def _unit(self, ticket, user=None, **values):
        vals = {
            "ticket_id": ticket.id,
            "duration": 1.5,
            "date": datetime(2026, 3, 10, 8, 30),
            "description": "<p>Replaced the toner</p>",
        }
        vals.update(values)
        return self.env["spid.workunit"].with_user(user or self.ts_agent).create(vals)

    def _locked_ticket(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        unit = self._unit(ticket)
        ticket.with_user(self.ts_agent).write(self._close_values(self.st_closed))
        ticket.with_user(self.supervisor).action_lock()
        return ticket, unit


@tagged("post_install", "-at_install")
class TestTimesheetSync(TimesheetCommon):
    def test_team_gets_its_own_project(self):
        self.assertTrue(self.project.allow_timesheets)
        self.assertEqual(self.project.name, "Support")
        self.assertEqual(
            self.project.privacy_visibility,
            "employees",
            "never a portal project: internal work stays internal",
        )
        team = self.env["spid.team"].create(
            {"name": "Field", "timesheet_project_id": self.project.id, "assignment": "none"}
        )
        self.assertEqual(team.timesheet_project_id, self.project, "a project chosen is kept")

    def test_work_unit_becomes_a_timesheet_line(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        unit = self._unit(ticket, date=datetime(2026, 3, 10, 23, 30))
        line = unit.timesheet_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(unit.timesheet_id, line)
        self.assertFalse(unit.timesheet_warning)
        self.assertEqual(line.project_id, self.project)
        self.assertFalse(line.task_id)
        self.assertEqual(line.employee_id, self.ts_employee)
        self.assertEqual(line.user_id, self.ts_agent)
        self.assertEqual(line.unit_amount, 1.5)
        self.assertEqual(line.date, date(2026, 3, 11), "23:30 UTC is the 11th in Paris, the agent's day")
        self.assertEqual(line.name, "Replaced the toner")
        self.assertEqual(line.spid_ticket_id, ticket)
        # the agent finds it in Timesheets, under "Helpdesk"
        mine = self.Line.with_user(self.ts_agent).search([("spid_workunit_id", "!=", False)])
        self.assertEqual(mine, line)
        # an empty description: the ticket names the line
        bare = self._unit(ticket, description=False)
        self.assertEqual(bare.timesheet_ids.name, f"{ticket.reference} {ticket.name}")

    def test_unit_edits_and_deletion_reach_the_line(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        unit = self._unit(ticket)
        line = unit.timesheet_ids
        unit.with_user(self.ts_agent).write(
            {"duration": 2.25, "date": datetime(2026, 3, 12, 9, 0), "description": "<p>Swapped the drum</p>"}
        )
        self.assertEqual(
            (line.unit_amount, line.date, line.name), (2.25, date(2026, 3, 12), "Swapped the drum")
        )
        self.assertAlmostEqual(line.amount, 0.0, msg="no hourly cost on the employee")
        # another field (visibility) touches nothing
        line_vals = line.read(["write_date"])
        unit.with_user(self.ts_agent).visibility = "public"
        self.assertEqual(line.read(["write_date"]), line_vals)
        unit.with_user(self.ts_agent).unlink()
        self.assertFalse(line.exists(), "the unit's line goes with it")

    def test_timesheet_edits_and_deletion_reach_the_unit(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        unit = self._unit(ticket)
        line = unit.timesheet_ids.with_user(self.ts_agent)
        line.write({"unit_amount": 0.75, "name": "Cleaned the rollers", "date": "2026-03-14"})
        self.assertEqual(unit.duration, 0.75)
        self.assertEqual(unit.description, "<p>Cleaned the rollers</p>")
        self.assertEqual(unit.date, datetime(2026, 3, 14, 8, 30), "the new day, same time of day")
        self.assertEqual(line.name, "Cleaned the rollers", "no loop rewrote the line from the unit")
        self.assertEqual(ticket.total_hours, 0.75)
        # the web client's save (web_save), as Timesheets' list makes it
        line.web_save({"unit_amount": 1.0}, {})
        self.assertEqual(unit.duration, 1.0)
        # the unit's own rules apply to an edit from Timesheets
        with self.assertRaisesRegex(Exception, "between 0 and 24 hours"):
            line.write({"unit_amount": 30})
        self.assertEqual(unit.duration, 1.0)
        line.unlink()
        self.assertFalse(unit.exists(), "deleting the line in Timesheets deletes the work unit")
        self.assertEqual(ticket.total_hours, 0.0)

    def test_ticket_project_or_task_takes_precedence(self):
        if "task_id" not in self.env["spid.ticket"]._fields:
            self.skipTest("spid_helpdesk_project is not installed")
        Project = self.env["project.project"]
        own = Project.create(
            {"name": "Roll-out", "privacy_visibility": "employees", "allow_timesheets": True}
        )
        no_timesheets = Project.create(
            {"name": "Design", "privacy_visibility": "employees", "allow_timesheets": False}
        )
        task = self.env["project.task"].create({"name": "Install printers", "project_id": own.id})
        ticket = self._ticket(user_id=self.ts_agent.id, task_id=task.id)
        line = self._unit(ticket).timesheet_ids
        self.assertEqual((line.project_id, line.task_id), (own, task))
        # a project without timesheets: the team's project
        ticket.write({"task_id": False, "project_id": no_timesheets.id})
        self.assertEqual((line.project_id, line.task_id), (self.project, self.env["project.task"]))
        # the ticket moves to another team: its time follows
        ticket.write(
            {"project_id": False, "team_id": self.team_other.id, "category_id": self.category_other.id}
        )
        self.assertEqual(line.project_id, self.team_other.timesheet_project_id)

    def test_agent_without_employee_is_skipped_with_a_message(self):
        ticket = self._ticket(user_id=self.agent_2.id)
        unit = self._unit(ticket, user=self.agent_2)
        self.assertFalse(unit.sudo().timesheet_ids)
        warning = unit.with_user(self.agent_2).timesheet_warning
        self.assertIn("Agent Beta has no employee", warning)
        # the team without project: another message
        self.env["hr.employee"].create({"name": "Agent Beta", "user_id": self.agent_2.id})
        self.team.timesheet_project_id = False
        unit.invalidate_recordset()
        self.assertIn("nor its team (Support) has a project", unit.with_user(self.agent_2).timesheet_warning)
        self.team.timesheet_project_id = self.project
        # an agent may not run the catch-up; a supervisor does
        with self.assertRaisesRegex(AccessError, "Only a helpdesk supervisor"):
            unit.with_user(self.agent_2).action_spid_timesheet_sync()
        unit.with_user(self.supervisor).action_spid_timesheet_sync()
        self.assertEqual(unit.sudo().timesheet_ids.unit_amount, 1.5)
        self.assertFalse(unit.with_user(self.agent_2).timesheet_warning)

    def test_agent_without_timesheet_rights_still_logs_time(self):
        """Timesheets rights are not needed to log helpdesk time: the line is
        the helpdesk's copy (made by the bridge); the agent does not open
        Timesheets and cannot reach the line there."""
        ticket = self._ticket(user_id=self.agent.id)
        unit = self._unit(ticket, user=self.agent)
        line = unit.sudo().timesheet_ids
        self.assertEqual(line.employee_id, self.employee)
        unit.with_user(self.agent).duration = 3.0
        self.assertEqual(line.unit_amount, 3.0)
        with self.assertRaises(AccessError):
            line.with_user(self.agent).write({"unit_amount": 1.0})
        unit.with_user(self.agent).unlink()
        self.assertFalse(line.exists())

    def test_supervisor_logs_for_someone_else(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        unit = self._unit(ticket, user=self.supervisor, user_id=self.ts_agent.id)
        self.assertEqual(unit.sudo().timesheet_ids.employee_id, self.ts_employee)
        line = unit.sudo().timesheet_ids
        # reassigned to an agent who is not an employee: the line is never
        # deleted by a sync, it stays with its employee and the unit says so
        unit.with_user(self.supervisor).write({"user_id": self.agent_2.id, "duration": 2.0})
        self.assertTrue(line.exists())
        self.assertEqual((line.employee_id, line.unit_amount), (self.ts_employee, 2.0))
        self.assertIn("Agent Beta has no active employee", unit.with_user(self.supervisor).timesheet_warning)
        self.assertIn("stays with Tina Timesheet", unit.with_user(self.supervisor).timesheet_warning)
        unit.with_user(self.supervisor).user_id = self.agent
        self.assertEqual(unit.sudo().timesheet_ids, line)
        self.assertEqual(line.employee_id, self.employee)
        unit.invalidate_recordset()
        self.assertFalse(unit.with_user(self.supervisor).timesheet_warning)

    def test_agent_who_left_keeps_their_lines(self):
        """Agent X leaves (employee archived); the team of a ticket X worked
        on changes: X's lines move to the new team's project and stay X's
        (payroll, project costs), they are not deleted."""
        ticket = self._ticket(user_id=self.ts_agent.id)
        units = self._unit(ticket) | self._unit(ticket, duration=0.5)
        lines = units.sudo().timesheet_ids
        self.assertEqual(len(lines), 2)
        self.ts_employee.active = False
        ticket.with_user(self.supervisor).write(
            {"team_id": self.team_other.id, "category_id": self.category_other.id}
        )
        self.assertEqual(units.sudo().timesheet_ids, lines, "no line deleted, none created")
        self.assertEqual(lines.project_id, self.team_other.timesheet_project_id)
        self.assertEqual(lines.employee_id, self.ts_employee, "still the archived employee's")
        self.assertEqual(sorted(lines.mapped("unit_amount")), [0.5, 1.5])
        # a correction of the work after the departure still reaches the line
        units[0].with_user(self.supervisor).duration = 1.0
        self.assertEqual(units[0].sudo().timesheet_ids.unit_amount, 1.0)
        self.assertEqual(units.with_user(self.supervisor).mapped("timesheet_warning"), [False, False])
        self.assertEqual(units.sudo().timesheet_ids, lines)
        # no NEW line for an archived employee (hr_timesheet refuses them)
        unit = self._unit(ticket, user=self.supervisor, user_id=self.ts_agent.id)
        self.assertFalse(unit.sudo().timesheet_ids)
        self.assertIn("Tina Timesheet has no employee", unit.with_user(self.supervisor).timesheet_warning)
        # deleting the unit still deletes its line
        units[1].with_user(self.supervisor).unlink()
        self.assertEqual(lines.exists(), lines[0])

    def test_team_without_project_keeps_the_lines(self):
        """A ticket moves to a team without a timesheet project: its lines
        stay in the project they were logged in (said on the unit) and
        follow the ticket again once a project is found."""
        ticket = self._ticket(user_id=self.ts_agent.id)
        unit = self._unit(ticket)
        line = unit.sudo().timesheet_ids
        self.team_other.timesheet_project_id = False
        ticket.with_user(self.supervisor).write(
            {"team_id": self.team_other.id, "category_id": self.category_other.id}
        )
        self.assertTrue(line.exists(), "a sync never deletes a line")
        self.assertEqual(line.project_id, self.project, "kept where it was")
        note = ticket.message_ids.filtered(lambda message: "line(s) of this ticket stay in" in message.body)
        self.assertEqual(len(note), 1, "said on the ticket")
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"), "internally")
        self.assertIn("1 line(s) of this ticket stay in Support", note.body)
        warning = unit.with_user(self.ts_agent).timesheet_warning
        self.assertIn("nor its team (Elsewhere)", warning)
        self.assertIn("the line stays in Support", warning)
        # the unit's own changes still reach the kept line
        unit.with_user(self.ts_agent).duration = 2.5
        self.assertEqual((line.unit_amount, line.project_id), (2.5, self.project))
        # the team gets a project: the next change of the ticket's target moves the line
        plumbing = self.env["project.project"].create(
            {"name": "Plumbing time", "privacy_visibility": "employees", "allow_timesheets": True}
        )
        self.team_other.timesheet_project_id = plumbing
        ticket.with_user(self.supervisor).write({"team_id": self.team_other.id})
        self.assertEqual((line.project_id, line.unit_amount), (plumbing, 2.5))
        unit.invalidate_recordset()
        self.assertFalse(unit.with_user(self.ts_agent).timesheet_warning)
        self.assertEqual(self.Line.search_count([("spid_workunit_id", "=", unit.id)]), 1)

    def test_locked_ticket_locks_its_timesheet_lines(self):
        ticket, unit = self._locked_ticket()
        line = unit.timesheet_ids.with_user(self.ts_agent)
        self.assertTrue(line.readonly_timesheet, "Timesheets shows it read-only")
        for vals in ({"unit_amount": 9.0}, {"name": "Rewritten"}, {"date": "2026-01-01"}):
            with self.assertRaisesRegex(UserError, "is locked"):
                line.write(vals)
        with self.assertRaisesRegex(UserError, "is locked"):
            line.unlink()
        with self.assertRaisesRegex(UserError, "is locked"):
            line.with_user(self.approver).write({"unit_amount": 9.0})
        self.assertEqual((line.unit_amount, unit.duration), (1.5, 1.5))
        self.assertTrue(line.exists())

    def test_attacks_on_the_link(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        unit = self._unit(ticket)
        line = unit.timesheet_ids
        Line = self.Line.with_user(self.ts_agent)
        with self.assertRaisesRegex(UserError, "made from work units"):
            Line.create(
                {"project_id": self.project.id, "name": "Fake", "unit_amount": 5, "spid_workunit_id": unit.id}
            )
        own = Line.create({"project_id": self.project.id, "name": "Own time", "unit_amount": 1})
        with self.assertRaisesRegex(UserError, "link between a timesheet line"):
            own.write({"spid_workunit_id": unit.id})
        with self.assertRaisesRegex(UserError, "only its date, hours and description change here"):
            line.with_user(self.ts_agent).write({"project_id": own.project_id.id, "unit_amount": 2})
        with self.assertRaisesRegex(UserError, "only its date, hours and description"):
            line.with_user(self.ts_agent).write({"employee_id": self.employee.id})
        # an approver of Timesheets who is no helpdesk agent: the helpdesk's rules refuse
        with self.assertRaises(AccessError):
            line.with_user(self.approver).write({"unit_amount": 4.0})
        with self.assertRaises(AccessError):
            line.with_user(self.approver).unlink()
        self.assertEqual((line.unit_amount, unit.duration, line.project_id), (1.5, 1.5, self.project))
        # a line of one's own that is no helpdesk line stays free
        own.write({"unit_amount": 2.0, "project_id": self.team_other.timesheet_project_id.id})
        own.unlink()

    def test_views_as_each_role(self):
        """The forms open for each role: the agent without Timesheets rights
        sees why a unit is not there, not the line; the Timesheets user sees
        the ticket of a line and its project locked."""
        ticket = self._ticket(user_id=self.agent_2.id)
        unit = self._unit(ticket, user=self.agent_2).with_user(self.agent_2)
        arch = unit.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="timesheet_warning"', arch)
        self.assertNotIn('name="timesheet_id"', arch, "no Timesheets rights, no line shown")
        data = unit.web_read({"timesheet_warning": {}, "duration": {}})
        self.assertIn("has no employee", data[0]["timesheet_warning"])
        Line = self.Line.with_user(self.ts_agent)
        views = {
            "list": "hr_timesheet.hr_timesheet_line_tree",
            "form": "hr_timesheet.hr_timesheet_line_form",
            "search": "hr_timesheet.hr_timesheet_line_search",
        }
        for view_type, xmlid in views.items():
            arch = Line.get_views([(self.env.ref(xmlid).id, view_type)])["views"][view_type]["arch"]
            self.assertIn("spid_ticket_id", arch, view_type)
        team_arch = self.env["spid.team"].with_user(self.manager).get_views([(False, "form")])
        self.assertIn('name="timesheet_project_id"', team_arch["views"]["form"]["arch"])

    def test_portal_never_sees_helpdesk_lines(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        self._unit(ticket, visibility="public")
        domain = self.Line.with_user(self.portal_user)._timesheet_get_portal_domain()
        self.assertIn(("spid_workunit_id", "=", False), domain)
        internal_domain = self.Line.with_user(self.ts_agent)._timesheet_get_portal_domain()
        self.assertNotIn(("spid_workunit_id", "=", False), internal_domain)

    def test_post_init_hook_logs_existing_units_in_one_create(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        Unit = with_switch(self.env["spid.workunit"], TIMESHEET_SYNC)  # logged as before the bridge
        team = self.env["spid.team"].create({"name": "Night shift", "assignment": "none"})
        team.timesheet_project_id = False

        def units(count):
            vals = {
                "ticket_id": ticket.id,
                "user_id": self.ts_agent.id,
                "duration": 0.5,
                "date": datetime(2026, 3, 2),
            }
            created = Unit.create([vals] * count + [dict(vals, user_id=self.agent_2.id)])
            self.assertFalse(created.sudo().timesheet_ids)
            return created

        units(2)
        post_init_hook(self.env)
        self.assertTrue(team.timesheet_project_id.allow_timesheets, "the team without a project got one")
        self.assertEqual(len(ticket.workunit_ids.timesheet_ids), 2, "none for agent_2 (no employee)")
        # then: the same queries for 3 units as for 40 (one create, one search of employees)
        counts = []
        for count in (3, 40):
            units(count)
            counts.append(count_queries(self, post_init_hook, self.env))
        self.assertEqual(counts[0], counts[1], f"queries for 3 and 40 units: {counts}")
        lines = self.Line.search([("spid_ticket_id", "=", ticket.id)])
        self.assertEqual(len(lines), 45)
        self.assertEqual(set(lines.mapped("unit_amount")), {0.5})
        self.assertEqual(lines.employee_id, self.ts_employee)
        # run again: nothing more (idempotent)
        post_init_hook(self.env)
        self.assertEqual(self.Line.search_count([("spid_ticket_id", "=", ticket.id)]), 45)


@tagged("post_install", "-at_install")
class TestTimesheetPerformance(TimesheetCommon):
    def test_budget_create_workunit_with_line(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        Unit = self.env["spid.workunit"].with_user(self.ts_agent)
        values = {"ticket_id": ticket.id, "duration": 1.5, "description": "<p>Replaced the toner</p>"}
        assert_query_budget(
            self,
            CREATE_WORKUNIT_WITH_LINE_BUDGET,
            "an agent with an employee logging a work unit",
            lambda: Unit.create(values),
        )
        self.assertEqual(len(ticket.workunit_ids.timesheet_ids), len(ticket.workunit_ids))

    def test_batch_of_units_is_one_create_of_lines(self):
        """What the bridge adds to a create() of units (their lines) costs
        the same queries for 2 units as for 20: one search of employees, one
        create() of lines (the core posts each unit on the ticket: its own
        queries grow with the batch, measured by its own tests)."""
        ticket = self._ticket(user_id=self.ts_agent.id)
        Unit = with_switch(self.env["spid.workunit"].with_user(self.ts_agent), TIMESHEET_SYNC)

        def sync_cost(count):
            values = [
                {"ticket_id": ticket.id, "duration": 0.25, "description": f"<p>Step {i}</p>"}
                for i in range(count)
            ]
            units = Unit.create(values)  # the core's part, without the bridge's
            self.assertFalse(units.sudo().timesheet_ids)
            return count_queries(self, units._spid_timesheet_sync, True)

        sync_cost(2)  # warm-up
        costs = {count: sync_cost(count) for count in (2, 20)}
        self.assertEqual(costs[2], costs[20], f"the bridge's queries per batch size: {costs}")
        units = ticket.workunit_ids
        self.assertEqual(len(units.timesheet_ids), len(units))
        self.assertEqual(set(units.timesheet_ids.mapped("unit_amount")), {0.25})

    def test_edit_without_synced_field_costs_nothing(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        unit = self._unit(ticket).with_user(self.ts_agent)
        unit.billable = False
        with_line = count_queries(self, lambda: unit.write({"billable": True}), precommit=True)
        unit_other = self._unit(ticket, user=self.agent_2).with_user(self.agent_2)
        unit_other.billable = False
        without = count_queries(self, lambda: unit_other.write({"billable": True}), precommit=True)
        self.assertEqual(with_line, without, "a field that is not on the line adds no query")


@tagged("post_install", "-at_install")
class TestTimesheetRpc(TimesheetCommon, JsonRpcMixin, HttpCase):
    def test_hostile_context_does_not_unlock_the_lines(self):
        ticket, unit = self._locked_ticket()
        line = unit.timesheet_ids
        for method, args, kwargs in (
            ("write", [[line.id], {"unit_amount": 9.0}], {}),
            ("web_save", [[line.id], {"name": "Rewritten"}], {"specification": {}}),
            ("unlink", [[line.id]], {}),
        ):
            answer = self._rpc(
                "hd_ts_agent", "account.analytic.line", method, args, dict(kwargs, context=HOSTILE_CONTEXT)
            )
            self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError", method)
            self.assertIn("is locked", answer["error"]["data"]["message"])
        self.env.invalidate_all()
        self.assertEqual((line.unit_amount, line.name, unit.duration), (1.5, "Replaced the toner", 1.5))

    def test_hostile_context_does_not_forge_a_link(self):
        ticket = self._ticket(user_id=self.ts_agent.id)
        unit = self._unit(ticket, user=self.agent)  # someone else's work
        answer = self._rpc(
            "hd_ts_agent",
            "account.analytic.line",
            "create",
            [{"project_id": self.project.id, "name": "Fake", "unit_amount": 8, "spid_workunit_id": unit.id}],
            {"context": HOSTILE_CONTEXT},
        )
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError")
        # an approver moves a helpdesk line's hours with the bridge's key: the helpdesk refuses
        answer = self._rpc(
            "hd_ts_approver",
            "account.analytic.line",
            "write",
            [unit.sudo().timesheet_ids.ids, {"unit_amount": 8.0}],
            {"context": HOSTILE_CONTEXT},
        )
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.env.invalidate_all()
        self.assertEqual((unit.duration, unit.sudo().timesheet_ids.unit_amount), (1.5, 1.5))
        self.assertEqual(self.Line.search_count([("spid_workunit_id", "=", unit.id)]), 1)
