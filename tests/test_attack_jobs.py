"""Attacks on the queue of new tickets' emails (spid.ticket.job) over
JSON-RPC, with any context: nobody creates, changes, deletes or runs a job,
and no context makes a creation skip its acknowledgement or send it twice."""

from attack_common import HOSTILE_CONTEXT, JsonRpcAttacker

from odoo.tests import HttpCase, tagged

from odoo.addons.spid_helpdesk.tests.common import SpidHelpdeskCommon, run_ticket_jobs

# Every key that once changed what a creation sends, and our switches' names.
MAIL_CONTEXT = dict(
    HOSTILE_CONTEXT,
    mail_notrack=True,
    mail_create_nolog=True,
    mail_auto_subscribe_no_notify=True,
    spid_creation_recipients=[],
    default_send_emails=False,
    default_follower_partner_ids=[],
)


@tagged("post_install", "-at_install")
class TestAttackJobs(JsonRpcAttacker, SpidHelpdeskCommon, HttpCase):
    hostile_context = MAIL_CONTEXT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket = cls._ticket(user=cls.agent, run_jobs=False)
        cls.job = cls.env["spid.ticket.job"].search([("ticket_id", "=", cls.ticket.id)])

    def _acks(self, ticket_ids):
        return self.env["mail.message"].search(
            [
                ("model", "=", "spid.ticket"),
                ("res_id", "in", ticket_ids),
                ("subtype_id", "=", self.env.ref("spid_helpdesk.mt_customer_email").id),
            ]
        )

    def test_nobody_writes_or_runs_a_job(self):
        self.assertTrue(self.job)
        values = {
            "ticket_id": self.ticket.id,
            "company_id": self.ticket.company_id.id,
            "date_queued": "2026-01-01",
        }
        for user in (self.agent, self.supervisor, self.manager, self.portal_user):
            self._login(user)
            for method, args in (
                ("create", [values]),
                ("write", [self.job.ids, {"send_emails": False}]),
                ("unlink", [self.job.ids]),
                ("_cron_run", []),
                ("_spid_run", [self.job.ids]),
                ("_spid_queue", [self.ticket.ids, False]),
            ):
                result, error = self._call_kw("spid.ticket.job", method, args)
                self.assertTrue(error, f"{user.login}: spid.ticket.job.{method} answered {result!r}")
        self.assertTrue(self.job.exists() and self.job.send_emails, "the job is intact")
        # an agent does not even read the queue; a supervisor reads it
        self._login(self.agent)
        result, error = self._call_kw("spid.ticket.job", "search_read", [[]], {"fields": ["ticket_id"]})
        self.assertTrue(error, result)
        self._login(self.supervisor)
        result, error = self._call_kw("spid.ticket.job", "search_read", [[]], {"fields": ["ticket_id"]})
        self.assertFalse(error, error)
        self.assertIn(self.ticket.id, [row["ticket_id"][0] for row in result])

    def test_no_context_skips_or_doubles_the_acknowledgement(self):
        run_ticket_jobs(self.env)
        self._login(self.agent)
        vals = {"name": "Hostile", "partner_id": self.requester.id, "category_id": self.category.id}
        ticket_ids = []
        for _i in range(2):
            result, error = self._call_kw("spid.ticket", "create", [vals])
            self.assertFalse(error, error)
            ticket_ids.append(result[0] if isinstance(result, list) else result)
        self.env.flush_all()
        self.env.cr.precommit.run()
        jobs = self.env["spid.ticket.job"].search([("ticket_id", "in", ticket_ids)])
        self.assertEqual(len(jobs), 2, "each creation queued its job")
        self.assertTrue(all(jobs.mapped("send_emails")))
        self.assertEqual(jobs.status_id, self.st_new)
        run_ticket_jobs(self.env)
        run_ticket_jobs(self.env)
        acks = self._acks(ticket_ids)
        self.assertEqual(sorted(acks.mapped("res_id")), sorted(ticket_ids), "one acknowledgement each")
        # the job's own steps are not reachable either
        result, error = self._call_kw(
            "spid.ticket", "_message_track_post_template", [ticket_ids, ["status_id"]]
        )
        self.assertTrue(error, result)
        self.assertEqual(len(self._acks(ticket_ids)), 2)
