from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestAssignment(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_3 = new_test_user(
            cls.env, "hd_agent3", groups="base.group_user,spid_helpdesk.group_spid_agent", name="Agent Gamma"
        )
        cls.team.member_ids = cls.agent | cls.agent_2 | cls.agent_3

    def _create_many(self, count, user=None, **values):
        vals = {"name": "Batch", "partner_id": self.requester.id, "category_id": self.category.id}
        vals.update(values)
        env = self.env(user=user) if user else self.env
        return env["spid.ticket"].create([dict(vals) for _i in range(count)])

    def test_leader(self):
        self.team.assignment = "leader"
        self.team.leader_id = self.agent_2
        tickets = self._create_many(3)
        self.assertEqual(tickets.user_id, self.agent_2)

    def test_creator(self):
        self.team.assignment = "creator"
        ticket = self._ticket(user=self.agent_3)
        self.assertEqual(ticket.user_id, self.agent_3)

    def test_none_leaves_unassigned(self):
        self.team.assignment = "none"
        self.assertFalse(self._ticket(user=self.agent).user_id)

    def test_explicit_owner_wins(self):
        self.team.assignment = "leader"
        ticket = self._ticket(user=self.agent, user_id=self.agent_3.id)
        self.assertEqual(ticket.user_id, self.agent_3)

    def test_round_robin_serves_each_member_in_turn(self):
        self.team.assignment = "round_robin"
        members = self.team.member_ids.sorted("id")
        first = self._create_many(4)
        self.assertEqual(first.mapped("user_id").ids, members.ids, "all members served")
        self.assertEqual([t.user_id for t in first], [*members, members[0]])
        nxt = self._ticket(user=self.agent)
        self.assertEqual(nxt.user_id, members[1], "the turn carries over to the next creation")

    def test_balanced_fills_the_least_loaded(self):
        self.team.assignment = "none"
        self._create_many(3, user_id=self.agent.id)
        self._create_many(1, user_id=self.agent_2.id)
        self.team.assignment = "balanced"
        tickets = self._create_many(4)
        loads = {u: len(tickets.filtered(lambda t, u=u: t.user_id == u)) for u in self.team.member_ids}
        # agent_3 had 0, agent_2 had 1, agent had 3: the 4 new go 0->2/3, 1->1/2
        self.assertEqual(loads[self.agent], 0)
        self.assertEqual(loads[self.agent_2] + loads[self.agent_3], 4)
        self.assertGreaterEqual(loads[self.agent_3], loads[self.agent_2])

    def test_closed_tickets_do_not_count_in_load(self):
        self.team.assignment = "none"
        busy = self._create_many(3, user_id=self.agent_3.id)
        busy.write(self._close_values(self.st_closed))
        self._create_many(1, user_id=self.agent.id)
        self._create_many(1, user_id=self.agent_2.id)
        self.team.assignment = "balanced"
        self.assertEqual(self._ticket().user_id, self.agent_3)

    def test_category_agents_restrict_the_pool(self):
        self.team.assignment = "round_robin"
        self.category.user_ids = self.agent_3
        tickets = self._create_many(3)
        self.assertEqual(tickets.user_id, self.agent_3)

    def test_subcategory_uses_parent_team(self):
        child = self.env["spid.ticket.category"].create({"name": "Sub", "parent_id": self.category.id})
        self.assertEqual(child.complete_name, "Software / Sub")
        ticket = self._ticket(user=self.agent, category_id=child.id)
        self.assertEqual(ticket.team_id, self.team)

    def test_description_template_prefills(self):
        self.category.description_template = "<p>Model of the printer?</p>"
        ticket = self._ticket(user=self.agent)
        self.assertIn("Model of the printer?", ticket.description)
        ticket = self._ticket(user=self.agent, description="<p>Own text</p>")
        self.assertNotIn("Model", ticket.description)

    def test_members_are_agents(self):
        """Only agents join a team, from either side, even as a manager
        (membership gives a team's tickets and makes owners)."""
        employee = new_test_user(self.env, "hd_team_employee", groups="base.group_user", name="Eve Employee")
        team = self.team.with_user(self.manager)
        with self.assertRaises(ValidationError), self.cr.savepoint():
            team.write({"member_ids": [(4, employee.id)]})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            employee.sudo().write({"spid_team_ids": [(4, self.team.id)]})
        self.assertNotIn(employee, self.team.member_ids)
        team.write({"member_ids": [(4, self.agent_3.id), (3, self.agent_2.id)]})
        self.assertEqual(self.team.member_ids, self.agent | self.agent_3)
