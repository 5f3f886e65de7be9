import importlib.util

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.misc import file_path

from odoo.addons.spid_helpdesk.tests.common import JsonRpcMixin, SpidHelpdeskCommon, assert_queries_flat


@tagged("post_install", "-at_install")
class TestTaskTickets(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
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
        Project = cls.env["project.project"]
        cls.project = Project.create({"name": "Roll-out", "privacy_visibility": "employees"})
        cls.project_2 = Project.create({"name": "Network", "privacy_visibility": "employees"})
        # invited followers only: the project agent does not follow it
        cls.secret_project = Project.create({"name": "Secret merger", "privacy_visibility": "followers"})
        Task = cls.env["project.task"]
        cls.task = Task.create({"name": "Install new printers", "project_id": cls.project.id})
        cls.task_2 = Task.create({"name": "New switches", "project_id": cls.project_2.id})

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

    def test_the_project_follows_the_task(self):
        ticket = self._ticket(user=self.project_agent, task_id=self.task.id).with_user(self.project_agent)
        self.assertEqual(ticket.project_id, self.project)
        ticket.task_id = self.task_2
        self.assertEqual(ticket.project_id, self.project_2)
        # a project without a task, then a task of another project: refused
        ticket.write({"task_id": False, "project_id": self.project.id})
        self.assertEqual(ticket.project_id, self.project)
        with self.assertRaisesRegex(
            ValidationError, r"belongs to project Network, not to the ticket's project \(Roll-out\)"
        ):
            ticket.write({"project_id": self.project.id, "task_id": self.task_2.id})
        with self.assertRaisesRegex(ValidationError, "belongs to project"):
            ticket.write({"task_id": self.task.id, "project_id": self.project_2.id})
        # the task moved to another project: its tickets follow
        ticket.task_id = self.task
        self.task.project_id = self.project_2
        self.assertEqual(ticket.project_id, self.project_2)
        # split: the new ticket keeps both
        unit = (
            self.env["spid.workunit"]
            .with_user(self.project_agent)
            .create({"ticket_id": ticket.id, "duration": 1})
        )
        ticket.user_id = self.project_agent
        child = ticket._spid_split("Second part", unit)
        self.assertEqual((child.project_id, child.task_id), (self.project_2, self.task))

    def test_project_ticket_count(self):
        ticket = self._ticket(user=self.project_agent, project_id=self.project.id)
        self._ticket(user=self.project_agent, name="Via its task", task_id=self.task.id)
        self._ticket(user=self.agent_other, category_id=self.category_other.id, project_id=self.project.id)
        project = self.project.with_user(self.project_agent)
        self.assertEqual(project.spid_ticket_count, 2, "only the tickets the user may see")
        self.assertEqual(self.project.with_user(self.supervisor).spid_ticket_count, 3)
        self.assertEqual(self.project_2.with_user(self.supervisor).spid_ticket_count, 0)
        action = project.action_view_spid_tickets()
        found = self.env["spid.ticket"].with_user(self.project_agent).search(action["domain"])
        self.assertIn(ticket, found)
        self.assertEqual(len(found), 2)
        # the smart button on the project form, for agents only
        form = self.env["project.project"].with_user(self.project_agent).get_views([(False, "form")])
        self.assertIn('name="action_view_spid_tickets"', form["views"]["form"]["arch"])
        # grouped by project, as the list's "Group By > Project"
        groups = (
            self.env["spid.ticket"].with_user(self.supervisor).read_group([], ["project_id"], ["project_id"])
        )
        counts = {
            group["project_id"][0]: group["project_id_count"] for group in groups if group["project_id"]
        }
        self.assertEqual(counts[self.project.id], 3)

        def make_projects(size):
            Project = self.env["project.project"]
            projects = Project.create([{"name": f"P{i}"} for i in range(size)])
            self._ticket(user=self.supervisor, project_id=projects[0].id, run_jobs=False)
            return projects.with_user(self.supervisor)

        def count(projects):
            projects.invalidate_recordset(["spid_ticket_count"])
            projects.mapped("spid_ticket_count")

        # set-based: one grouped count for all the projects of a list
        assert_queries_flat(self, make_projects, count)

    def test_attack_project_the_agent_cannot_read(self):
        ticket = self._ticket(user=self.project_agent)
        with self.assertRaises(AccessError):
            self.secret_project.with_user(self.project_agent).check_access("read")
        secret_task = self.env["project.task"].create(
            {"name": "Due diligence", "project_id": self.secret_project.id}
        )
        context = {"active_test": False, "allowed_company_ids": [self.env.company.id]}
        for vals in ({"project_id": self.secret_project.id}, {"task_id": secret_task.id}):
            answer = self._rpc(
                "hd_project_agent", "spid.ticket", "write", [[ticket.id], vals], {"context": context}
            )
            self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError", vals)
            self.assertNotIn("Secret merger", answer["error"]["data"]["message"])
        answer = self._rpc(
            "hd_project_agent",
            "spid.ticket",
            "create",
            [
                {
                    "name": "Sneaky",
                    "partner_id": self.requester.id,
                    "category_id": self.category.id,
                    "project_id": self.secret_project.id,
                }
            ],  # fmt: skip
            {"context": context},
        )
        self.assertIn("error", answer)
        self.env.invalidate_all()
        self.assertFalse(ticket.project_id or ticket.task_id)
        self.assertFalse(self.env["spid.ticket"].search([("name", "=", "Sneaky")]))

    def test_attack_task_of_another_project(self):
        ticket = self._ticket(user=self.project_agent, project_id=self.project.id)
        answer = self._rpc(
            "hd_project_agent",
            "spid.ticket",
            "write",
            [[ticket.id], {"task_id": self.task_2.id, "project_id": self.project.id}],
        )
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.ValidationError")
        self.assertIn("New switches belongs to project Network", answer["error"]["data"]["message"])
        self.env.invalidate_all()
        self.assertEqual((ticket.project_id, ticket.task_id.id), (self.project, False))

    def test_form_hides_the_project_from_agents_outside_projects(self):
        arch = (
            self.env["spid.ticket"]
            .with_user(self.agent)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn('name="task_id"', arch)
        self.assertNotIn('name="project_id"', arch)
        arch = (
            self.env["spid.ticket"]
            .with_user(self.project_agent)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="task_id"', arch)
        self.assertIn('name="project_id"', arch)

    def test_migration_fills_the_project_from_the_task(self):
        """18.0.1.1.0: tickets on a task get its project in one statement."""
        on_task = self._ticket(user=self.project_agent, task_id=self.task.id)
        without = self._ticket(user=self.project_agent, name="No task")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE spid_ticket SET project_id = NULL WHERE id IN %s", [(on_task.id, without.id)]
        )
        path = file_path("spid_helpdesk_project/migrations/18.0.1.1.0/pre-migrate.py")
        spec = importlib.util.spec_from_file_location("spid_project_pre_migrate", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(on_task.project_id, self.project)
        self.assertFalse(without.project_id)
