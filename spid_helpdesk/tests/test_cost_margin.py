from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin, SpidHelpdeskCommon

# What an attacker adds to every call: keys that look like bypasses.
HOSTILE = {"spid_system": True, "spid_importing": True, "active_test": False, "sudo": True}


@tagged("post_install", "-at_install")
class TestCostMargin(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    """Each work unit stores its hours times its agent's hourly cost when it
    is logged; the managers set the costs, the supervisors read the costs of
    the work, nobody writes them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_admin = new_test_user(
            cls.env, "hd_user_admin", groups="base.group_user,base.group_erp_manager", name="Users' admin"
        )
        cls.agent.spid_hourly_cost = 40.0
        cls.agent_2.spid_hourly_cost = 30.0
        cls.ticket = cls._ticket(user_id=cls.agent.id)

    def _unit(self, user, hours, **values):
        return (
            self.env["spid.workunit"]
            .with_user(user)
            .create({"ticket_id": self.ticket.id, "duration": hours, "user_id": user.id, **values})
        )

    def _cost(self, unit):
        unit.invalidate_recordset()
        return unit.with_user(self.supervisor).cost

    def test_cost_is_the_agents_cost_when_logged(self):
        unit = self._unit(self.agent, 1.5)
        self.assertEqual(self._cost(unit), 60.0)
        # a later raise leaves logged work as it was...
        self.agent.spid_hourly_cost = 50.0
        self.env.flush_all()
        self.assertEqual(self._cost(unit), 60.0)
        # ...until its hours change: then it costs today's rate
        unit.with_user(self.agent).duration = 2.0
        self.assertEqual(self._cost(unit), 100.0)
        # another agent's unit: their cost
        unit.with_user(self.supervisor).user_id = self.agent_2
        self.assertEqual(self._cost(unit), 60.0)
        # an agent without a cost costs nothing
        other_ticket = self._ticket(category_id=self.category_other.id)
        self.assertEqual(self._cost(self._unit(self.agent_other, 3.0, ticket_id=other_ticket.id)), 0.0)

    def test_cost_is_read_by_supervisors_only_and_written_by_nobody(self):
        unit = self._unit(self.agent, 1.0)
        for user in (self.agent, self.portal_user):
            with self.assertRaises(AccessError):
                unit.with_user(user).read(["cost"])
        for user in (self.agent, self.supervisor, self.manager):
            with self.assertRaisesRegex(AccessError, "."):
                unit.with_user(user).write({"cost": 0.0})
            with self.assertRaisesRegex(AccessError, "."):
                self.env["spid.workunit"].with_user(user).create(
                    {"ticket_id": self.ticket.id, "duration": 1.0, "user_id": user.id, "cost": 1.0}
                )
        self.assertEqual(self._cost(unit), 40.0)
        # the hourly cost: the managers read it, the users' administrators set it;
        # not the agents (not even their own) nor the supervisors
        for user in (self.agent, self.supervisor):
            with self.assertRaises(AccessError):
                self.agent_2.with_user(user).read(["spid_hourly_cost"])
            with self.assertRaises(AccessError):
                self.agent.with_user(user).write({"spid_hourly_cost": 1.0})
        self.agent_2.with_user(self.user_admin).write({"spid_hourly_cost": 35.0})
        self.assertEqual(self.agent_2.with_user(self.manager).spid_hourly_cost, 35.0)

    def test_time_analysis_sums_the_cost(self):
        with freeze_time(datetime(2026, 10, 5, 10, 0)):
            self._unit(self.agent, 1.5)
            self._unit(self.agent_2, 2.0)
            self._unit(self.agent, 0.5, billable=False)
        self.env.flush_all()
        Report = self.env["spid.workunit.report"]
        groups = Report.with_user(self.supervisor)._read_group(
            [("ticket_id", "=", self.ticket.id)], ["user_id", "date:month"], ["cost:sum", "hours:sum"]
        )
        self.assertEqual(
            {(user, month.month): (cost, hours) for user, month, cost, hours in groups},
            {(self.agent, 10): (80.0, 2.0), (self.agent_2, 10): (60.0, 2.0)},
        )
        # an agent reads their teams' hours, never their cost
        self.assertTrue(Report.with_user(self.agent)._read_group([], [], ["hours:sum"]))
        with self.assertRaises(AccessError):
            Report.with_user(self.agent).read_group([], ["cost:sum"], [])

    def test_rpc_attacks_on_costs(self):
        unit = self._unit(self.agent, 1.0)
        self.env.flush_all()
        calls = [
            ("hd_agent", "res.users", "read", [[self.agent_2.id], ["spid_hourly_cost"]]),
            ("hd_agent", "res.users", "write", [[self.agent.id], {"spid_hourly_cost": 999.0}]),
            ("hd_agent", "res.users", "search_read", [[("spid_hourly_cost", ">", 0)], ["name"]]),
            ("hd_supervisor", "res.users", "write", [[self.agent_2.id], {"spid_hourly_cost": 0.0}]),
            ("hd_agent", "spid.workunit", "read", [[unit.id], ["cost"]]),
            ("hd_agent", "spid.workunit", "write", [[unit.id], {"cost": 0.0}]),
            ("hd_supervisor", "spid.workunit", "write", [[unit.id], {"cost": 0.0}]),
            ("hd_manager", "spid.workunit", "write", [[unit.id], {"cost": 0.0}]),
            ("hd_agent", "spid.workunit.report", "read_group", [[], ["cost:sum"], ["user_id"]]),
            ("hd_agent", "spid.workunit.report", "search_read", [[], ["cost"]]),
            ("hd_portal", "spid.workunit", "search_read", [[], ["cost"]]),
            ("hd_portal", "spid.workunit.report", "search_read", [[], ["cost"]]),
        ]
        for login, model, method, args in calls:
            with self.subTest(login=login, model=model, method=method):
                answer = self._rpc(login, model, method, args, {"context": HOSTILE})
                self.assertIn("error", answer, f"{login} {model}.{method} was answered: {answer}")
        self.env.invalidate_all()
        self.assertEqual(self._cost(unit), 40.0)
        self.assertEqual(self.agent.sudo().spid_hourly_cost, 40.0)
        self.assertEqual(self.agent_2.sudo().spid_hourly_cost, 30.0)
