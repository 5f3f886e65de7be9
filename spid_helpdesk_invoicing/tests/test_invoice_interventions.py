import base64

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SpidInvoicingCommon

# 1x1 PNG, as the portal's signature widget sends it (smaller)
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()


class InterventionInvoicingCommon(SpidInvoicingCommon):
    """A ticket of client A with half an hour of work on the ticket, a
    billable intervention of two technicians (1.5 h on site each) and a
    non-billable one (1 h); an interventions line: travel 40.00 and a
    minimum of 2 h on site per technician."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_2 = cls._spid_user("hd_inv_agent2", "spid_helpdesk.group_spid_agent", cls.company)
        cls.team.member_ids |= cls.agent_2
        cls.agent.sudo().spid_hourly_cost = 30.0
        cls.agent_2.sudo().spid_hourly_cost = 25.0
        cls.travel = cls._create_product(name="Travel", type="service")
        cls.onsite = cls.env["spid.tariff"].create(
            {
                "company_id": cls.company.id,
                "applies_to": "intervention",
                "product_id": cls.travel.id,
                "price": 40.0,
                "min_duration": 2.0,
            }
        )
        cls.ticket = cls._tickets(cls.client_a, 0.5, closed=None, user_id=cls.agent.id)
        cls.visit = cls._intervention(cls.agent | cls.agent_2, 1.5)
        cls.visit.sudo()._spid_sign("Rita Requester", SIGNATURE)
        cls.courtesy = cls._intervention(cls.agent, 1.0, billable=False)

    @classmethod
    def _intervention(cls, technicians, hours, ticket=None, **values):
        """An intervention done by `technicians` (as the first of them), `hours` on site."""
        intervention = (
            cls.env["spid.intervention"]
            .with_user(technicians[0])
            .create(
                {
                    "ticket_id": (ticket or cls.ticket).id,
                    "user_ids": [Command.set(technicians.ids)],
                    "date_planned": "2026-10-05 08:00:00",
                    **values,
                }
            )
        )
        intervention.write({"report": "<p>Replaced the fuser.</p>", "duration_done": hours})
        intervention.action_done()
        return intervention

    @classmethod
    def _close(cls, tickets):
        tickets.write({"status_id": cls.st_closed.id, "resolution": "solved", "epilogue": "<p>Done.</p>"})


@tagged("post_install", "-at_install")
class TestInvoiceInterventions(InterventionInvoicingCommon):
    def test_billable_intervention_invoiced_with_travel_and_minimum(self):
        self._close(self.ticket)
        ticket = self.ticket.with_user(self.billing)
        # the non-billable intervention's hour is not billed; the billable one's
        # 2 x 1.5 h are, each technician raised to the 2 h minimum on site
        self.assertEqual(ticket.billable_hours, 0.5 + 3.0)
        self.assertEqual(ticket.invoice_quantity, 0.5 + 4.0)
        self.assertEqual(ticket.intervention_tariff_id, self.onsite)
        self.assertEqual(ticket.amount_to_invoice, 4.5 * 60.0 + 40.0)

        move = self._invoice(client_ids=[Command.set(self.client_a.ids)])
        lines = move.invoice_line_ids.sorted("sequence")
        self.assertEqual(
            [(line.product_id, line.quantity, line.price_unit) for line in lines],
            [(self.service, 4.5, 60.0), (self.travel, 1.0, 40.0)],
        )
        self.assertEqual(lines.spid_ticket_id, self.ticket)
        self.assertEqual(lines[1].spid_intervention_id, self.visit)
        self.assertIn(self.visit.name, lines[1].name)
        self.assertNotIn(self.courtesy.name, " ".join(lines.mapped("name")))
        self.assertEqual(move.amount_untaxed, 310.0)

        # the turnover analysis: the invoiced amount, the cost of all the work
        # (billed or not) and the margin
        move.with_user(self.billing).action_post()
        report = self.env["spid.turnover.report"]
        report._spid_flush_sources()
        [(amount, cost, margin, hours)] = report.with_user(self.billing)._read_group(
            [("ticket_id", "=", self.ticket.id)], [], ["amount:sum", "cost:sum", "margin:sum", "hours:sum"]
        )
        work_cost = (0.5 + 1.5 + 1.0) * 30.0 + 1.5 * 25.0
        self.assertEqual((amount, cost, margin), (310.0, work_cost, 310.0 - work_cost))
        self.assertEqual(hours, 3.5, "the travel line bills no hours")

    def test_intervention_must_be_done(self):
        planned = (
            self.env["spid.intervention"]
            .with_user(self.agent)
            .create({"ticket_id": self.ticket.id, "date_planned": "2026-10-06 08:00:00"})
        )
        self._close(self.ticket)
        self.assertEqual(self.ticket.amount_to_invoice, 4.5 * 60.0 + 40.0, "a planned visit bills nothing")
        move = self._invoice(client_ids=[Command.set(self.client_a.ids)])
        self.assertFalse(move.invoice_line_ids.filtered(lambda line: line.spid_intervention_id == planned))

    def test_invoiced_intervention_is_locked_until_the_invoice_is_cancelled(self):
        # done (not yet signed) billable visits on a draft invoice
        ticket = self._tickets(self.client_a, 0.25, closed=None, user_id=self.agent.id)
        visit = self._intervention(self.agent, 0.5, ticket=ticket)
        to_sign = self._intervention(self.agent, 0.5, ticket=ticket)
        self._close(ticket)
        move = self._invoice(client_ids=[Command.set(self.client_a.ids)])
        self.assertEqual(ticket.move_id, move)

        def refused(state):
            for user in (self.agent, self.billing):
                as_user = visit.with_user(user)
                for attempt in (
                    lambda v: v.write({"report": "<p>Rewritten</p>"}),
                    lambda v: v.write({"date_planned": "2026-10-07 08:00:00"}),
                    lambda v: v.action_reset(),
                    lambda v: v.action_cancel(),
                    lambda v: v.unlink(),
                ):
                    with self.subTest(state=state, user=user.login), self.assertRaises(UserError):
                        with self.env.cr.savepoint():
                            attempt(as_user)
            # a new billable visit would change the invoice
            with self.assertRaises(UserError), self.env.cr.savepoint():
                self.env["spid.intervention"].with_user(self.agent).create(
                    {"ticket_id": ticket.id, "date_planned": "2026-10-08 08:00:00"}
                )
            self.assertEqual((visit.state, visit.duration_done), ("done", 0.5))

        refused("draft")
        # the customer may still sign: the signature changes nothing billed
        to_sign.sudo()._spid_sign("Rita Requester", SIGNATURE)
        self.assertEqual(to_sign.state, "signed")
        move.with_user(self.billing).action_post()
        refused("posted")

        # the invoice cancelled: the ticket and its visits are free again
        move.with_user(self.billing).button_draft()
        move.with_user(self.billing).button_cancel()
        self.assertFalse(ticket.move_id)
        self.assertEqual(ticket.invoice_state, "to_invoice")
        visit.with_user(self.agent).write({"report": "<p>Completed report</p>"})
        visit.with_user(self.agent).action_reset()
        self.assertEqual(visit.state, "planned")
