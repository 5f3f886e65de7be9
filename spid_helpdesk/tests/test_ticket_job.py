from odoo.exceptions import AccessError
from odoo.tests import mute_logger, tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestTicketJob(SpidHelpdeskCommon):
    """Creating a ticket queues its emails and clocks in the same
    transaction; the cron's job sends them once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["spid.sla.policy"].create(
            {
                "name": "Job SLA",
                "team_ids": [(6, 0, cls.team.ids)],
                "response_hours": 4,
                "resolution_hours": 16,
            }
        )
        cls.team.write({"assignment": "leader", "leader_id": cls.agent_2.id})

    def _acks(self, ticket):
        template = self.st_new.mail_template_id
        self.assertTrue(template, "the New status sends an acknowledgement")
        return self.env["mail.message"].search(
            [
                ("model", "=", "spid.ticket"),
                ("res_id", "=", ticket.id),
                ("subtype_id", "=", self.env.ref("spid_helpdesk.mt_customer_email").id),
            ]
        )

    def _messages(self, ticket):
        return self.env["mail.message"].search([("model", "=", "spid.ticket"), ("res_id", "=", ticket.id)])

    def test_creation_queues_and_the_job_sends_once(self):
        ticket = self._ticket(user=self.agent, run_jobs=False)
        self.env.flush_all()
        self.env.cr.precommit.run()  # what a commit runs: nothing is sent there any more
        job = self.env["spid.ticket.job"].search([("ticket_id", "=", ticket.id)])
        self.assertEqual(len(job), 1, "the job is queued with the ticket")
        self.assertTrue(job.send_emails)
        self.assertEqual(job.user_id, self.agent)
        self.assertTrue(ticket.reference, "the reference is there at once")
        self.assertEqual(ticket.user_id, self.agent_2, "the owner is there at once")
        self.assertEqual(ticket.team_id, self.team)
        self.assertFalse(self._acks(ticket), "no acknowledgement before the job")
        self.assertFalse(self._messages(ticket), "no message before the job")
        self.assertFalse(ticket.sla_line_ids, "no clock before the job")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("spid_helpdesk.ir_cron_spid_ticket_jobs").id)]
        )
        self.assertTrue(trigger, "the cron is woken up for after the commit")

        self._run_jobs()
        ticket.invalidate_recordset()
        ack = self._acks(ticket)
        self.assertEqual(len(ack), 1, "one acknowledgement")
        self.assertEqual(ack.create_uid, self.agent, "sent as the agent who saved it")
        self.assertIn(self.requester, ack.notification_ids.res_partner_id, "to the requester")
        self.assertEqual(len(ack.mail_ids), 1)
        opened = self._messages(ticket).filtered(
            lambda m: m.subtype_id == self.env.ref("spid_helpdesk.mt_ticket_new")
        )
        self.assertEqual(len(opened), 1, "the creation message")
        self.assertNotIn(
            self.requester,
            opened.notification_ids.res_partner_id,
            "the requester followed after the creation",
        )
        self.assertIn(
            self.agent_2.partner_id, opened.notification_ids.res_partner_id, "the owner hears of it"
        )
        assigned = self._messages(ticket).filtered(lambda m: "You have been assigned" in (m.subject or ""))
        self.assertEqual(len(assigned), 1, "the owner's notice")
        self.assertEqual(assigned.partner_ids, self.agent_2.partner_id)
        self.assertEqual(
            sorted(ticket.sla_line_ids.mapped("kind")), ["resolution", "response"], "the clocks are planned"
        )
        self.assertTrue(all(ticket.sla_line_ids.mapped("deadline")))
        self.assertFalse(self.env["spid.ticket.job"].search([("ticket_id", "=", ticket.id)]), "done")

        count = len(self._messages(ticket))
        self._run_jobs()
        self.assertEqual(len(self._messages(ticket)), count, "a second run sends nothing more")
        self.assertEqual(len(ticket.sla_line_ids), 2)

    def test_status_changes_still_email_at_once(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id, run_jobs=False)
        self._run_jobs()
        self.env.cr.precommit.run()  # creation and change come in two requests
        before = len(self._messages(ticket))
        ticket.with_user(self.agent).write({"status_id": self.st_customer.id})
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertFalse(self.env["spid.ticket.job"].search([]), "only creation is deferred")
        self.assertGreater(len(self._messages(ticket)), before, "the status change is tracked and emailed")

    def test_a_status_changed_before_the_job_is_not_acknowledged_twice(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id, run_jobs=False)
        ticket.with_user(self.agent).write({"status_id": self.st_progress.id})
        self._run_jobs()
        self.assertFalse(self._acks(ticket), "the New status's email is no longer true")
        self.assertEqual(len(ticket.sla_line_ids), 2, "the clocks start once")

    def test_batch_sends_no_acknowledgement_and_plans_clocks(self):
        tickets = (
            self.env["spid.ticket"]
            .with_user(self.agent)
            .create(
                [
                    {"name": f"Batch {i}", "partner_id": self.requester.id, "category_id": self.category.id}
                    for i in range(3)
                ]
            )
        )
        self._run_jobs()
        for ticket in tickets:
            self.assertFalse(self._acks(ticket), "no acknowledgement flood")
            self.assertEqual(len(ticket.sla_line_ids), 2)

    def test_a_ticket_deleted_before_its_job_is_skipped(self):
        ticket = self._ticket(user=self.agent, run_jobs=False)
        kept = self._ticket(user=self.agent, run_jobs=False)
        ticket.sudo().unlink()
        self._run_jobs()
        self.assertEqual(len(self._acks(kept)), 1)
        self.assertFalse(self.env["spid.ticket.job"].search([]))

    def test_jobs_are_the_system_s_own(self):
        ticket = self._ticket(user=self.agent, run_jobs=False)
        job = self.env["spid.ticket.job"].search([("ticket_id", "=", ticket.id)])
        values = {"ticket_id": ticket.id, "company_id": ticket.company_id.id, "date_queued": "2026-01-01"}
        for user in (self.agent, self.supervisor, self.manager, self.portal_user):
            Job = self.env["spid.ticket.job"].with_user(user)
            with self.assertRaises(AccessError):
                Job.create(values)
            with self.assertRaises(AccessError):
                job.with_user(user).write({"send_emails": False})
            with self.assertRaises(AccessError):
                job.with_user(user).unlink()
        self.assertEqual(job.with_user(self.supervisor).read(["ticket_id"])[0]["ticket_id"][0], ticket.id)
        with self.assertRaises(AccessError):
            job.with_user(self.agent).read(["ticket_id"])

    @mute_logger("odoo.addons.spid_helpdesk.models.spid_ticket_job")
    def test_a_ticket_whose_email_fails_holds_back_no_other(self):
        """A template that fails on one ticket's data: that ticket's emails
        are skipped and logged, the tickets queued after it get theirs, and
        every clock starts; nothing stays queued to fail again."""
        template = self.st_new.mail_template_id
        template.body_html = (
            '<p t-if="object.name == \'poison\'" t-out="object.no_such_field_at_all"/><p>Received.</p>'
        )
        poisoned = self._ticket(user=self.agent, run_jobs=False, name="poison")
        healthy = self._ticket(user=self.agent, run_jobs=False, name="healthy")
        self._run_jobs()
        self.assertFalse(self._acks(poisoned), "the failing acknowledgement is not sent")
        self.assertEqual(len(self._acks(healthy)), 1, "the next ticket's acknowledgement is sent")
        self.assertTrue(poisoned.sla_line_ids and healthy.sla_line_ids, "both tickets get their clocks")
        self.assertFalse(self.env["spid.ticket.job"].search([("ticket_id", "in", (poisoned + healthy).ids)]))
