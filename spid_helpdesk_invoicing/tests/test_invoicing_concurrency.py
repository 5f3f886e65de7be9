from datetime import timedelta

import psycopg2

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch

from .common import CommittedCase


@tagged("post_install", "-at_install")
class TestConcurrentInvoicing(CommittedCase):
    """Two users invoicing the same tickets at once, each in a transaction of
    its own (real, committed data: cleaned up at the end)."""

    def setUp(self):
        super().setUp()
        with self._env(commit=True) as env:
            company = env.ref("base.main_company")
            journal = env["account.journal"].search(
                [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
            )
            if not journal:
                self.skipTest("the main company has no sales journal (database without accounting)")
            product = env["product.product"].create({"name": "Concurrent service", "type": "service"})
            client = env["res.partner"].create(
                {"name": "Concurrent Co", "is_company": True, "spid_is_client": True}
            )
            tariff = env["spid.tariff"].create(
                {"client_id": client.id, "product_id": product.id, "price": 50.0, "company_id": company.id}
            )
            tickets = env["spid.ticket"].create(
                [
                    {"name": f"Concurrent {i}", "client_id": client.id, "company_id": company.id}
                    for i in range(3)
                ]
            )
            env["spid.workunit"].create([{"ticket_id": t.id, "duration": 1.0} for t in tickets])
            tickets.write(
                {
                    "status_id": env.ref("spid_helpdesk.status_closed").id,
                    "resolution": "solved",
                    "epilogue": "<p>Done.</p>",
                    "date_closed": fields.Datetime.now() - timedelta(days=1),
                }
            )
            billing = env["res.users"].create(
                {
                    "name": "Concurrent billing",
                    "login": "hd_concurrent_billing",
                    "groups_id": [
                        Command.set(
                            [
                                env.ref("base.group_user").id,
                                env.ref("spid_helpdesk_invoicing.group_spid_billing").id,
                            ]
                        )
                    ],
                }
            )
            self.ids = {
                "client": client.id,
                "tickets": tickets.ids,
                "tariff": tariff.id,
                "product": product.id,
                "billing": billing.id,
                "journal": journal.id,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self._env(commit=True) as env:
            tickets = env["spid.ticket"].browse(self.ids["tickets"]).exists()
            moves = env["account.move"].search([("invoice_line_ids.spid_ticket_id", "in", tickets.ids)])
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            with_switch(tickets, SYSTEM).write({"is_locked": False})
            tickets.unlink()
            env["spid.tariff"].browse(self.ids["tariff"]).unlink()
            env["product.product"].browse(self.ids["product"]).unlink()
            env["res.users"].browse(self.ids["billing"]).unlink()
            env["res.partner"].browse(self.ids["client"]).unlink()

    def _run_wizard(self, env):
        wizard = (
            env["spid.ticket.invoice.wizard"]
            .with_user(self.ids["billing"])
            .create({"client_ids": [Command.set([self.ids["client"]])], "journal_id": self.ids["journal"]})
        )
        action = wizard.action_create_invoices()
        return env["account.move"].browse(action["domain"][0][2])

    def test_two_users_at_once_bill_each_ticket_once(self):
        with self._env() as env_a, self._env() as env_b:
            moves_a = self._run_wizard(env_a)
            self.assertEqual(len(moves_a.invoice_line_ids), 3)
            # B runs while A's transaction holds the tickets: it skips them
            with self.assertRaisesRegex(UserError, "No closed ticket is left"):
                self._run_wizard(env_b)
            env_a.cr.commit()  # pylint: disable=invalid-commit
        # once A committed, a new attempt finds nothing left either
        with self._env() as env_c, self.assertRaisesRegex(UserError, "No closed ticket is left"):
            self._run_wizard(env_c)
        with self._env() as env:
            lines = env["account.move.line"].search([("spid_ticket_id", "in", self.ids["tickets"])])
            self.assertEqual(len(lines), 3, "each ticket is on exactly one invoice line")

    def test_late_transaction_fails_instead_of_billing_twice(self):
        with self._env() as env_b:
            # B's snapshot is taken before A commits
            env_b.cr.execute("SELECT 1 FROM spid_ticket LIMIT 1")
            with self._env() as env_a:
                self._run_wizard(env_a)
                env_a.cr.commit()  # pylint: disable=invalid-commit
            # B still sees the tickets free, but cannot lock rows A changed:
            # the transaction fails (Odoo retries the request) and bills nothing
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._run_wizard(env_b)
        with self._env() as env:
            lines = env["account.move.line"].search([("spid_ticket_id", "in", self.ids["tickets"])])
            self.assertEqual(len(lines), 3)
