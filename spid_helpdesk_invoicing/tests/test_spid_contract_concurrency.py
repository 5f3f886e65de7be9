import psycopg2

from odoo import fields
from odoo.tests import tagged

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch

from .common import CommittedCase


@tagged("post_install", "-at_install")
class TestConcurrentDraws(CommittedCase):
    """Two tickets closed at once in two transactions of their own, on a bank
    of 5 h, each worth 4 h: the bank never gives more than 5 h (real,
    committed data, cleaned up at the end)."""

    def setUp(self):
        super().setUp()
        with self._env(commit=True) as env:
            company = env.ref("base.main_company")
            product = env["product.product"].create({"name": "Concurrent bank hour", "type": "service"})
            client = env["res.partner"].create(
                {"name": "Concurrent Bank Co", "is_company": True, "spid_is_client": True}
            )
            tariff = env["spid.tariff"].create(
                {"client_id": client.id, "product_id": product.id, "price": 50.0, "company_id": company.id}
            )
            today = fields.Date.context_today(env["spid.contract"])
            bank = env["spid.contract"].create(
                {
                    "client_id": client.id,
                    "company_id": company.id,
                    "date_start": today.replace(day=1),
                    "date_end": today.replace(year=today.year + 1),
                    "state": "running",
                }
            )
            env["spid.contract.line"].create({"contract_id": bank.id, "hours": 5.0, "name": "Bought"})
            tickets = env["spid.ticket"].create(
                [
                    {"name": f"Concurrent draw {i}", "client_id": client.id, "company_id": company.id}
                    for i in range(2)
                ]
            )
            env["spid.workunit"].create([{"ticket_id": t.id, "duration": 4.0} for t in tickets])
            self.ids = {
                "client": client.id,
                "tickets": tickets.ids,
                "tariff": tariff.id,
                "product": product.id,
                "bank": bank.id,
                "closed": env.ref("spid_helpdesk.status_closed").id,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self._env(commit=True) as env:
            tickets = env["spid.ticket"].browse(self.ids["tickets"]).exists()
            bank = env["spid.contract"].browse(self.ids["bank"])
            with_switch(bank.line_ids, SYSTEM).unlink()
            bank.unlink()
            with_switch(tickets, SYSTEM).write({"is_locked": False})
            tickets.unlink()
            env["spid.tariff"].browse(self.ids["tariff"]).unlink()
            env["product.product"].browse(self.ids["product"]).unlink()
            env["res.partner"].browse(self.ids["client"]).unlink()

    def _close(self, env, index):
        ticket = env["spid.ticket"].browse(self.ids["tickets"][index])
        ticket.write({"status_id": self.ids["closed"], "resolution": "solved", "epilogue": "<p>Done.</p>"})
        env.flush_all()
        return ticket

    def test_second_closing_cannot_spend_the_same_hours(self):
        with self._env() as env_b:
            # B's snapshot is taken before A draws and commits
            env_b.cr.execute("SELECT 1 FROM spid_contract LIMIT 1")
            with self._env() as env_a:
                ticket_a = self._close(env_a, 0)
                self.assertAlmostEqual(ticket_a.spid_contract_hours, 4.0)
                env_a.cr.commit()  # pylint: disable=invalid-commit
            # B saw 5 h left, but must lock the bank's row before reading the
            # balance: A changed it, so B's transaction fails (Odoo retries it)
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._close(env_b, 1)
        # the retry, in a fresh transaction, sees 1 h left
        with self._env(commit=True) as env:
            ticket_b = self._close(env, 1)
            self.assertAlmostEqual(ticket_b.spid_contract_hours, 1.0)
            self.assertAlmostEqual(ticket_b.spid_overage_hours, 3.0)
        with self._env() as env:
            bank = env["spid.contract"].browse(self.ids["bank"])
            self.assertAlmostEqual(bank.hours_used, 5.0)
            self.assertAlmostEqual(bank.hours_left, 0.0, msg="never overdrawn")

    def test_lock_makes_the_second_closing_wait(self):
        with self._env() as env_a:
            self._close(env_a, 0)
            # A holds the bank's row: B cannot take it (NOWAIT answers at once)
            with self._env() as env_b, self.assertRaises(psycopg2.errors.LockNotAvailable):
                env_b.cr.execute(
                    "SELECT id FROM spid_contract WHERE id = %s FOR UPDATE NOWAIT", [self.ids["bank"]]
                )
