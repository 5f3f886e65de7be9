from odoo.tests import new_test_user, tagged

from odoo.addons.spid_helpdesk.tests.common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestTaskTickets(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project_agent = new_test_user(
            cls.env,
            "hd_project_agent",
            groups="base.group_user,spid_helpdesk.group_spid_agent,project.group_project_user",
            name="Project Agent",
        )
        cls.team.member_ids |= cls.project_agent
        cls.project = cls.env["project.project"].create(
            {"name": "Roll-out", "privacy_visibility": "employees"}
        )
        cls.task = cls.env["project.task"].create(
            {"name": "Install new printers", "project_id": cls.project.id}
        )

    def test_ticket_on_a_task_and_the_task_history(self):
        ticket = self._ticket(user=self.project_agent, task_id=self.task.id)
        self._ticket(user=self.agent_other, category_id=self.category_other.id, task_id=self.task.id)
        task = self.task.with_user(self.project_agent)
        self.assertEqual(task.spid_ticket_count, 1, "only the tickets the user may see")
        self.assertEqual(self.task.with_user(self.supervisor).spid_ticket_count, 2)
        action = task.action_view_spid_tickets()
        self.assertEqual(
            self.env["spid.ticket"].with_user(self.project_agent).search(action["domain"]), ticket
        )
        self.assertEqual(ticket.with_user(self.project_agent).task_id, self.task)

    def test_form_hides_the_task_from_agents_outside_projects(self):
        arch = (
            self.env["spid.ticket"]
            .with_user(self.agent)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn('name="task_id"', arch)
        arch = (
            self.env["spid.ticket"]
            .with_user(self.project_agent)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="task_id"', arch)
