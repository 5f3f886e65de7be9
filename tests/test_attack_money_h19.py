"""Attacks on what issue #19's money part added: the hourly costs of the
agents, the cost stored on each work unit, the cost and margin analyses,
the tariff lines of interventions and the invoice lines of their travel,
and the lock an invoice puts on the interventions it bills. Every call is
the web client's own JSON-RPC call as the user, with a hostile context;
each refusal leaves the target as it was."""

from attack_common import HOSTILE_CONTEXT, JsonRpcAttacker, RefusalAsserts

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.spid_helpdesk_invoicing.tests.test_invoice_interventions import (
    InterventionInvoicingCommon,
)


@tagged("post_install", "-at_install")
class TestAttackMoneyH19(RefusalAsserts, JsonRpcAttacker, InterventionInvoicingCommon, HttpCase):
    hostile_context = HOSTILE_CONTEXT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._close(cls.ticket)
        cls.move = cls._invoice(client_ids=[Command.set(cls.client_a.ids)])
        cls.move.action_post()
        cls.free = cls._tickets(cls.client_b, 1.0, closed=None, user_id=cls.agent.id)
        cls.free_visit = cls._intervention(cls.agent, 0.5, ticket=cls.free)
        cls.env.flush_all()

    def _call(self, model, method, args, kwargs=None):
        return self._call_kw(model, method, args, kwargs, context={"allowed_company_ids": [self.company.id]})

    def _refused(self, model, method, args, kwargs=None):
        result, error = self._call(model, method, args, kwargs)
        self.assertTrue(error, f"{model}.{method}{args} answered {result!r}")
        return error

    def _visit_state(self, visit):
        return self._row(visit, ["state", "report", "duration_done", "date_planned", "billable", "user_ids"])

    def test_invoiced_intervention_refuses_agent_and_billing_whatever_the_context(self):
        before = self._visit_state(self.visit)
        units = self.visit.sudo().workunit_ids
        unit_rows = [self._row(unit, ["duration", "billable", "user_id"]) for unit in units]
        for user in (self.agent, self.billing):
            self._login(user)
            with self.subTest(user=user.login):
                for method, args in (
                    ("write", [[self.visit.id], {"report": "<p>forged</p>"}]),
                    ("write", [[self.visit.id], {"state": "planned"}]),
                    ("write", [[self.visit.id], {"billable": False}]),
                    ("action_reset", [[self.visit.id]]),
                    ("action_cancel", [[self.visit.id]]),
                    ("unlink", [[self.visit.id]]),
                ):
                    self._refused("spid.intervention", method, args)
                for unit in units:
                    self._refused("spid.workunit", "write", [[unit.id], {"duration": 0.1}])
                    self._refused("spid.workunit", "unlink", [[unit.id]])
                # a new billable visit on the invoiced ticket
                self._refused(
                    "spid.intervention",
                    "create",
                    [{"ticket_id": self.ticket.id, "date_planned": "2026-10-09 08:00:00"}],
                )
        self.assertEqual(self._visit_state(self.visit), before)
        self.assertEqual([self._row(unit, ["duration", "billable", "user_id"]) for unit in units], unit_rows)
        self.assertEqual(self.ticket.sudo().move_id, self.move)

    def test_travel_line_cannot_be_pointed_at_an_intervention(self):
        """Who bills an intervention's travel is the invoicing only: a billing
        user's own line naming a visit (which would lock it) is refused."""
        self._login(self.billing)
        self._refused(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.client_b.id,
                    "journal_id": self.journal.id,
                    "invoice_line_ids": [
                        [
                            0,
                            0,
                            {
                                "name": "forged",
                                "quantity": 1,
                                "price_unit": 1.0,
                                "spid_intervention_id": self.free_visit.id,
                            },
                        ],  # fmt: skip
                    ],
                }
            ],
        )
        line = self.move.invoice_line_ids.filtered("spid_intervention_id")
        self._refused("account.move.line", "write", [[line.id], {"spid_intervention_id": self.free_visit.id}])
        self.assertEqual(line.sudo().spid_intervention_id, self.visit)

    def test_costs_are_not_written_nor_read_by_agents(self):
        unit = self.free.sudo().workunit_ids[:1]
        cost = unit.cost
        self._login(self.agent)
        self._refused("spid.workunit", "write", [[unit.id], {"cost": 0.0}])
        self._refused("spid.workunit", "read", [[unit.id], ["cost"]])
        self._refused("res.users", "read", [[self.agent_2.id], ["spid_hourly_cost"]])
        self._refused("res.users", "write", [[self.agent.id], {"spid_hourly_cost": 0.0}])
        self._refused("spid.turnover.report", "read_group", [[], ["margin:sum"], ["client_id"]])
        self._refused("spid.tariff", "write", [[self.onsite.id], {"price": 0.0, "min_duration": 0.0}])
        self._login(self.billing)
        self._refused("spid.workunit", "write", [[unit.id], {"cost": 0.0}])
        unit.invalidate_recordset()
        self.assertEqual(unit.cost, cost)
        self.assertEqual((self.onsite.price, self.onsite.min_duration), (40.0, 2.0))
        self.assertEqual(self.agent.sudo().spid_hourly_cost, 30.0)
