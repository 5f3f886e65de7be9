"""Concurrency: two agents or two crons on one database at the same time,
each in its own real transaction (two cursors, two threads), as with two
Odoo workers. What they commit is real, so each test removes it afterwards.

- two agents changing one ticket: both changes survive, the second through
  the serialization failure that Odoo's RPC layer retries (`retrying`);
  never a lost update, also of the stored total of hours;
- two SLA or auto-close crons: the batches are locked with SKIP LOCKED, so
  each breach and each warning is handled once;
- two crons running the jobs of new tickets: each ticket gets one
  acknowledgement and one set of clocks, whoever took its job.

The crons only look at deadlines before "now": these tests move "now" to
2001 for the crons, so that the demo data of the test database (recent
dates) stays out of their reach.
"""

import threading
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

THEN = datetime(2001, 1, 1, 12, 0)  # "now" for the crons
LONG_AGO = datetime(2000, 6, 1, 8, 0)  # deadlines and status dates before it
TIMEOUT = 60


@tagged("post_install", "-at_install")
class TestConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = get_db_name()
        cls.registry = Registry(cls.dbname)

    @contextmanager
    def transaction(self, uid=SUPERUSER_ID):
        """A real transaction of its own (not the test cursor), committed
        when the block ends without error."""
        with db_connect(self.dbname).cursor() as cr:
            yield api.Environment(cr, uid, {})
            cr.commit()

    def setUp(self):
        super().setUp()
        with self.transaction() as env:
            agent = "base.group_user,spid_helpdesk.group_spid_agent"
            self.agent_a = new_test_user(
                env, "conc_agent_a", groups=agent, notification_type="inbox", email="conc_a@example.com"
            ).id
            self.agent_b = new_test_user(
                env, "conc_agent_b", groups=agent, notification_type="inbox", email="conc_b@example.com"
            ).id
            team = env["spid.team"].create(
                {
                    "name": "Concurrency team",
                    "member_ids": [(6, 0, [self.agent_a, self.agent_b])],
                    "leader_id": self.agent_a,
                    "assignment": "none",
                }
            )
            client = env["res.partner"].create({"name": "Concurrent client", "is_company": True})
            # no email address: nothing leaves the machine
            requester = env["res.partner"].create({"name": "Concurrent requester", "parent_id": client.id})
            tickets = env["spid.ticket"].create(
                [
                    {
                        "name": f"Concurrent ticket {i}",
                        "client_id": client.id,
                        "partner_id": requester.id,
                        "team_id": team.id,
                        "user_id": self.agent_a,
                    }
                    for i in range(6)
                ]
            )
            self.ticket_ids = tickets.ids
            self.cleanup_ids = {"team": team.id, "partners": [requester.id, client.id]}
        self.addCleanup(self._remove_committed)

    def _remove_committed(self):
        with self.transaction() as env:
            users = env["res.users"].browse([self.agent_a, self.agent_b])
            env["mail.mail"].search(
                ["|", ("recipient_ids", "in", users.partner_id.ids + self.cleanup_ids["partners"]),
                 "&", ("model", "=", "spid.ticket"), ("res_id", "in", self.ticket_ids)]
            ).unlink()  # fmt: skip
            env["spid.ticket"].browse(self.ticket_ids).exists().unlink()
            env["spid.sla.policy"].with_context(active_test=False).search(
                [("name", "=", "Concurrency SLA")]
            ).unlink()
            env["spid.team"].browse(self.cleanup_ids["team"]).unlink()
            partners = users.partner_id
            env["mail.message"].search([("author_id", "in", partners.ids)]).unlink()
            users.unlink()
            (partners | env["res.partner"].browse(self.cleanup_ids["partners"])).unlink()

    def _run_threads(self, *targets, allowed=()):
        """Run each (name, function) in its own thread; re-raise the first
        error not of an `allowed` class, return the allowed ones."""
        errors = []

        def guarded(func):
            def run():
                try:
                    func()
                except Exception as exc:
                    errors.append(exc)

            return run

        threads = [threading.Thread(target=guarded(func), name=name) for name, func in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
            self.assertFalse(thread.is_alive(), f"{thread.name} is stuck (a lock never released?)")
        for error in errors:
            if not isinstance(error, allowed):
                raise error
        return errors

    # ------------------------------------------------------------------
    # Two agents, one ticket
    # ------------------------------------------------------------------

    def _race(self, first, second):
        """Agent A changes the ticket and keeps its transaction open; agent B
        starts a transaction and changes the same ticket through Odoo's
        `retrying` (what the RPC layer does), while A commits. Returns the
        errors B's attempts met."""
        ticket_id = self.ticket_ids[0]
        a_wrote, b_started = threading.Event(), threading.Event()
        failures = []

        def agent_a():
            with self.transaction(self.agent_a) as env:
                first(env["spid.ticket"].browse(ticket_id))
                env.flush_all()  # the row is now locked by A
                a_wrote.set()
                self.assertTrue(b_started.wait(TIMEOUT))
                threading.Event().wait(0.5)  # B is waiting on the lock or about to

        def agent_b():
            self.assertTrue(a_wrote.wait(TIMEOUT))
            with self.transaction(self.agent_b) as env:
                env.cr.execute("SELECT 1")  # B's snapshot predates A's commit

                def attempt():
                    b_started.set()
                    try:
                        second(env["spid.ticket"].browse(ticket_id))
                        env.flush_all()
                    except SerializationFailure as exc:
                        failures.append(exc)
                        raise

                with patch("odoo.service.model.random.uniform", return_value=0.05):
                    retrying(attempt, env)

        self._run_threads(("agent-a", agent_a), ("agent-b", agent_b))
        return failures

    def test_two_agents_change_different_fields(self):
        failures = self._race(
            lambda ticket: ticket.write({"priority": "3"}),
            lambda ticket: ticket.write({"name": "Renamed by agent B"}),
        )
        with self.transaction() as env:
            ticket = env["spid.ticket"].browse(self.ticket_ids[0])
            self.assertEqual(ticket.priority, "3", "agent A's change was lost")
            self.assertEqual(ticket.name, "Renamed by agent B", "agent B's change was lost")
        # B did not silently overwrite: PostgreSQL refused its first attempt
        # and the retry read A's version first.
        self.assertEqual(len(failures), 1)

    def test_two_agents_log_time_on_one_ticket(self):
        """The stored total of hours is recomputed by both transactions:
        neither may overwrite the other's total."""
        failures = self._race(
            lambda ticket: ticket.env["spid.workunit"].create({"ticket_id": ticket.id, "duration": 1.5}),
            lambda ticket: ticket.env["spid.workunit"].create({"ticket_id": ticket.id, "duration": 0.75}),
        )
        with self.transaction() as env:
            ticket = env["spid.ticket"].browse(self.ticket_ids[0])
            self.assertEqual(sorted(ticket.workunit_ids.mapped("duration")), [0.75, 1.5])
            self.assertAlmostEqual(
                ticket.total_hours, 2.25, msg="a work unit's hours were lost from the total"
            )
        self.assertEqual(len(failures), 1)

    def test_same_field_last_writer_wins_after_seeing_the_first(self):
        """Two agents setting the same field: the second retries on top of
        the first's committed value, and each change is in the history."""
        failures = self._race(
            lambda ticket: ticket.write({"priority": "2"}),
            lambda ticket: ticket.write({"priority": "3"}),
        )
        self.assertEqual(len(failures), 1)
        with self.transaction() as env:
            ticket = env["spid.ticket"].browse(self.ticket_ids[0])
            self.assertEqual(ticket.priority, "3")
            tracked = ticket.message_ids.tracking_value_ids.filtered(
                lambda value: value.field_id.name == "priority"
            )
            label = dict(ticket._fields["priority"]._description_selection(env))
            # 1 -> 2 by A, then 2 -> 3 by B: B's retry started from A's value
            self.assertEqual(
                sorted(zip(tracked.mapped("old_value_char"), tracked.mapped("new_value_char"))),
                sorted([(label["1"], label["2"]), (label["2"], label["3"])]),
            )

    def test_two_agents_make_one_policy_match(self):
        """Both agents' changes make a service level match the ticket (its
        minimum priority): the first creates its clocks, the second retries
        after the serialization failure and finds them, instead of failing
        on the clocks' unique constraint (which Odoo does not retry; seen
        under `make cluster` as "One clock per policy, kind and measure")."""
        with self.transaction() as env:
            policy_id = (
                env["spid.sla.policy"]
                .create(
                    {
                        "name": "Concurrency SLA",
                        "response_hours": 4,
                        "priority": "3",
                        "team_ids": [(6, 0, [self.cleanup_ids["team"]])],
                        "escalation": "none",
                    }
                )
                .id
            )
        failures = self._race(
            lambda ticket: ticket.write({"priority": "3"}),
            lambda ticket: ticket.write({"priority": "3", "name": "Urgent for agent B too"}),
        )
        self.assertEqual(len(failures), 1, "B retried once, after A's commit")
        with self.transaction() as env:
            clocks = env["spid.ticket.sla"].search(
                [("ticket_id", "=", self.ticket_ids[0]), ("policy_id", "=", policy_id)]
            )
            self.assertEqual(clocks.mapped("kind"), ["response"], "one clock, A's")
            self.assertEqual(env["spid.ticket"].browse(self.ticket_ids[0]).name, "Urgent for agent B too")

    # ------------------------------------------------------------------
    # Two crons at once
    # ------------------------------------------------------------------

    def _cron_thread(self, run_cron, before=None, after=None):
        """A thread body running `run_cron(env)` in a transaction of its own,
        once `before` is set (if given); sets `after` when done."""

        def run():
            if before:
                self.assertTrue(before.wait(TIMEOUT))
            try:
                with self.transaction() as env:
                    run_cron(env)
            finally:
                if after:
                    after.set()

        return run

    def _pause_first_batch(self, model, method, paused_thread, resume):
        """Patch model.method so that `paused_thread`'s first call waits,
        holding its locks, until `resume` is set; records who handled what."""
        handled = {}
        cls = self.registry[model]
        original = getattr(cls, method)
        state = {"paused": False}

        def wrapper(records, *args, **kwargs):
            name = threading.current_thread().name
            if name == paused_thread and not state["paused"]:
                state["paused"] = True
                handled.setdefault("locked", threading.Event()).set()
                resume.wait(TIMEOUT)
            handled.setdefault(name, []).extend(records.ids)
            return original(records, *args, **kwargs)

        handled["locked"] = threading.Event()
        return patch.object(cls, method, wrapper), handled

    def test_two_sla_crons_handle_each_breach_once(self):
        with self.transaction() as env:
            policy = env["spid.sla.policy"].create(
                {"name": "Concurrency SLA", "response_hours": 1, "active": False, "escalation": "none"}
            )
            lines = env["spid.ticket.sla"].create(
                [
                    {
                        "ticket_id": ticket_id,
                        "policy_id": policy.id,
                        "kind": "response",
                        "target_hours": 1.0,
                        "deadline": LONG_AGO,
                        "running_since": LONG_AGO,
                        "status": "ongoing",
                    }
                    for ticket_id in self.ticket_ids
                ]
            )
            line_ids = lines.ids
        b_done = threading.Event()
        patcher, handled = self._pause_first_batch(
            "spid.ticket.sla", "_spid_handle_breaches", "cron-a", b_done
        )

        def cron(batch_size, before=None, after=None):
            return self._cron_thread(
                lambda env: env["spid.ticket.sla"]._cron_check_breaches(batch_size=batch_size), before, after
            )

        with patcher, patch.object(fields.Datetime, "now", return_value=THEN):
            # A locks 3 breaches and stops; B runs to the end meanwhile.
            self._run_threads(("cron-a", cron(3)), ("cron-b", cron(1000, handled["locked"], b_done)))
        self.assertEqual(len(handled["cron-a"]), 3)
        self.assertEqual(len(handled["cron-b"]), 3, "B should take the breaches A had not locked")
        self.assertFalse(set(handled["cron-a"]) & set(handled["cron-b"]), "a breach handled twice")
        with self.transaction() as env:
            lines = env["spid.ticket.sla"].browse(line_ids)
            self.assertEqual(set(lines.mapped("status")), {"failed"})
            self.assertEqual(lines.mapped("breach_count"), [1] * 6)
            activities = env["mail.activity"].search(
                [("res_model", "=", "spid.ticket"), ("res_id", "in", self.ticket_ids),
                 ("summary", "like", "Concurrency SLA")]
            )  # fmt: skip
            self.assertEqual(Counter(activities.mapped("res_id")), Counter(self.ticket_ids))
            mails = env["mail.mail"].search(
                [("recipient_ids", "=", env["res.users"].browse(self.agent_a).partner_id.id)]
            )
            listed = Counter(
                ticket.reference for mail in mails for ticket in env["spid.ticket"].browse(self.ticket_ids)
                if f">{ticket.reference}<" in mail.body_html
            )  # fmt: skip
            self.assertEqual(set(listed.values()), {1}, "a breach was mailed twice")
            self.assertEqual(len(listed), 6)

    def test_two_auto_close_crons_warn_once(self):
        with self.transaction() as env:
            company = env.company
            saved = (company.spid_auto_close_days, company.spid_auto_close_grace_days)
            company.write({"spid_auto_close_days": 7, "spid_auto_close_grace_days": 3})
            waiting = env.ref("spid_helpdesk.status_pending_customer")
            tickets = env["spid.ticket"].browse(self.ticket_ids[:4])
            tickets.write({"status_id": waiting.id})
            for ticket in tickets:
                ticket.with_user(self.agent_a).message_post(
                    body="Could you try again?", message_type="comment", subtype_xmlid="mail.mt_comment"
                )
            env.flush_all()
            env.cr.execute(
                "UPDATE spid_ticket SET date_status = %s WHERE id = ANY(%s)", [LONG_AGO, tickets.ids]
            )
            start_message = env["mail.message"].search([], order="id desc", limit=1).id
        self.addCleanup(self._restore_company, *saved)
        b_done = threading.Event()
        patcher, handled = self._pause_first_batch("spid.ticket", "_spid_auto_close_locked", "cron-a", b_done)

        def cron(batch_size, before=None, after=None):
            return self._cron_thread(
                lambda env: env["spid.ticket"]._cron_auto_close(batch_size=batch_size), before, after
            )

        with patcher, patch.object(fields.Datetime, "now", return_value=THEN):
            # Odoo's portal notification marks the customer for signup
            # (auth_signup writes res.partner.signup_type) in every email:
            # two batches mailing the same customer conflict on that row,
            # and PostgreSQL rolls the later one back, its emails unsent.
            failed = self._run_threads(
                ("cron-a", cron(2)),
                ("cron-b", cron(1000, handled["locked"], b_done)),
                allowed=SerializationFailure,
            )
            self.assertTrue(handled["cron-a"] and handled["cron-b"], "both crons should have had work")
            self.assertLessEqual(len(failed), 1)
            # the next run of the cron warns whom a rolled-back batch missed
            cron(1000)()
        with self.transaction() as env:
            warnings = env["mail.message"].search(
                [("id", ">", start_message), ("model", "=", "spid.ticket"), ("res_id", "in", self.ticket_ids),
                 ("subtype_id", "=", env.ref("mail.mt_comment").id)]
            )  # fmt: skip
            self.assertEqual(
                Counter(warnings.mapped("res_id")),
                Counter(self.ticket_ids[:4]),
                "a customer was warned twice",
            )
            tickets = env["spid.ticket"].browse(self.ticket_ids[:4])
            self.assertTrue(all(tickets.mapped("auto_close_warned_date")))
            self.assertFalse(tickets.filtered("is_closed"), "closed before the grace period")

    def test_two_job_crons_send_each_acknowledgement_once(self):
        with self.transaction(self.agent_a) as env:
            env["spid.sla.policy"].sudo().create(
                {
                    "name": "Concurrency SLA",
                    "team_ids": [(6, 0, [self.cleanup_ids["team"]])],
                    "response_hours": 4,
                    "resolution_hours": 16,
                }
            )
            requester = env["spid.ticket"].browse(self.ticket_ids[0]).partner_id
            # four tickets saved one by one: one job with emails each
            new = env["spid.ticket"].browse()
            for i in range(4):
                new |= env["spid.ticket"].create(
                    {
                        "name": f"Queued ticket {i}",
                        "partner_id": requester.id,
                        "team_id": self.cleanup_ids["team"],
                        "user_id": self.agent_b,
                    }
                )
            self.ticket_ids += new.ids
            new_ids = new.ids
            jobs = env["spid.ticket.job"].sudo().search([("ticket_id", "in", self.ticket_ids)])
            self.assertEqual(len(jobs), 10, "the 6 tickets of the batch and the 4 alone")
        self.addCleanup(self._remove_job_triggers)
        b_done = threading.Event()
        patcher, handled = self._pause_first_batch("spid.ticket.job", "_spid_run", "cron-a", b_done)

        def cron(batch_size, before=None, after=None):
            return self._cron_thread(
                lambda env: env["spid.ticket.job"]._cron_run(batch_size=batch_size), before, after
            )

        with patcher:
            # A locks the 5 oldest jobs and stops there; B runs meanwhile.
            failed = self._run_threads(
                ("cron-a", cron(5)),
                ("cron-b", cron(1000, handled["locked"], b_done)),
                allowed=SerializationFailure,  # both mail one requester (see above)
            )
            self.assertEqual(len(handled["cron-a"]), 5)
            self.assertEqual(len(handled["cron-b"]), 5, "B should take the jobs A had not locked")
            self.assertFalse(set(handled["cron-a"]) & set(handled["cron-b"]), "a job taken twice")
            self.assertLessEqual(len(failed), 1)
            cron(1000)()  # the next run: what a rolled-back batch left
        with self.transaction() as env:
            self.assertFalse(
                env["spid.ticket.job"].search([("ticket_id", "in", self.ticket_ids)]), "a job left"
            )
            acks = env["mail.message"].search(
                [("model", "=", "spid.ticket"), ("res_id", "in", self.ticket_ids),
                 ("subtype_id", "=", env.ref("spid_helpdesk.mt_customer_email").id)]
            )  # fmt: skip
            self.assertEqual(Counter(acks.mapped("res_id")), Counter(new_ids), "one acknowledgement each")
            opened = env["mail.message"].search(
                [("model", "=", "spid.ticket"), ("res_id", "in", new_ids),
                 ("subtype_id", "=", env.ref("spid_helpdesk.mt_ticket_new").id)]
            )  # fmt: skip
            self.assertEqual(Counter(opened.mapped("res_id")), Counter(new_ids), "one creation message each")
            lines = env["spid.ticket.sla"].search([("ticket_id", "in", self.ticket_ids)])
            self.assertEqual(
                Counter(line.ticket_id.id for line in lines),
                Counter({ticket_id: 2 for ticket_id in self.ticket_ids}),
                "one set of clocks per ticket",
            )

    def _remove_job_triggers(self):
        with self.transaction() as env:
            env["ir.cron.trigger"].search(
                [("cron_id", "=", env.ref("spid_helpdesk.ir_cron_spid_ticket_jobs").id)]
            ).unlink()

    def _restore_company(self, days, grace):
        with self.transaction() as env:
            env.company.write({"spid_auto_close_days": days, "spid_auto_close_grace_days": grace})
