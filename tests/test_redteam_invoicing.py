"""Red team, invoicing driven by users outside the helpdesk: an accountant
putting tickets on invoices, repointing lines of posted invoices, credit
notes; the billing tools reached by agents and customers. Every call is
made over HTTP as the user; each attack is refused and changes nothing."""

import json

from attack_common import HOSTILE_CONTEXT, JsonRpcAttacker

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk_invoicing.tests.common import SpidInvoicingCommon


@tagged("post_install", "-at_install")
class TestRedTeam2Invoicing(JsonRpcAttacker, SpidInvoicingCommon, HttpCase):
    hostile_context = HOSTILE_CONTEXT

    """Invoices touched by users the helpdesk does not trust with its tickets:
    an accountant (Odoo's Invoicing group only), an agent, a customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.accountant = cls._spid_user("rt2_accountant", "account.group_account_invoice", company)
        # an accountant is not a helpdesk user
        cls.accountant.groups_id -= cls.env.ref("spid_helpdesk.group_spid_agent")
        cls.contact_a = cls.env["res.partner"].create(
            {"name": "RT2 Ann", "parent_id": cls.client_a.id, "email": "rt2ann@alpha.example.com"}
        )
        cls.portal = new_test_user(
            cls.env,
            "rt2_inv_portal",
            groups="base.group_portal",
            partner_id=cls.contact_a.id,
            company_id=company.id,
        )
        cls.locked_ticket = cls._tickets(cls.client_a, 1.0, name="RT2-LOCKED-TITLE", user_id=cls.agent.id)
        cls.posted = cls._invoice(client_ids=[Command.set(cls.client_a.ids)])
        cls.posted.action_post()
        cls.free_ticket = cls._tickets(cls.client_b, 2.0, name="RT2-FREE-TITLE", user_id=cls.agent.id)
        cls.env.flush_all()

    def setUp(self):
        super().setUp()
        self.assertTrue(self.locked_ticket.is_locked)
        self.assertEqual(self.locked_ticket.move_id, self.posted)
        self.assertEqual(self.free_ticket.invoice_state, "to_invoice")

    def _call(self, model, method, args, kwargs=None):
        return self._call_kw(model, method, args, kwargs, context={"allowed_company_ids": [self.company.id]})

    def _ticket_state(self):
        self._sync()
        tickets = (self.locked_ticket | self.free_ticket).sudo()
        return [
            (t.is_locked, t.move_id.id, t.invoice_state, t.spid_invoice_locked, t.amount_to_invoice)
            for t in tickets
        ]

    def _lines_of(self, ticket):
        self._sync()
        return self.env["account.move.line"].sudo().search([("spid_ticket_id", "=", ticket.id)]).ids

    def _turnover(self, ticket):
        report = self.env["spid.turnover.report"]
        report._spid_flush_sources()
        return [
            (r.kind, r.move_id.id, r.amount)
            for r in report.sudo().search([("ticket_id", "=", ticket.id)], order="id")
        ]

    def _invoice_vals(self, partner, ticket=None, move_type="out_invoice"):
        line = {"name": "RT2 line", "quantity": 1, "price_unit": 10.0, "product_id": self.service.id}
        if ticket:
            line["spid_ticket_id"] = ticket.id
        return {
            "move_type": move_type,
            "partner_id": partner.id,
            "journal_id": self.journal.id,
            "invoice_date": str(self.today),
            "invoice_line_ids": [[0, 0, line]],
        }

    def test_an_accountant_puts_a_ticket_on_an_invoice(self):
        """An accountant, who may not read tickets, names one on an invoice
        line (a readonly field, which write() does not enforce) and posts:
        the ticket would be locked and marked invoiced, and its title shown."""
        state = self._ticket_state()
        lines = self._lines_of(self.free_ticket)
        turnover = self._turnover(self.free_ticket)
        self._login(self.accountant)
        wrong = []
        move_id, error = self._call(
            "account.move", "create", [self._invoice_vals(self.client_b, self.free_ticket)]
        )
        if not error:
            wrong.append("created an invoice line on a ticket")
            result, _error = self._call(
                "account.move.line",
                "search_read",
                [[("move_id", "=", move_id)]],
                {"fields": ["spid_ticket_id"]},
            )
            if "RT2-FREE-TITLE" in json.dumps(result):
                wrong.append("the accountant reads the ticket's title through the line")
            _result, error = self._call("account.move", "action_post", [[move_id]])
            if not error:
                wrong.append("posted it")
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(self._ticket_state(), state)
        self.assertEqual(self._lines_of(self.free_ticket), lines)
        self.assertEqual(self._turnover(self.free_ticket), turnover)

    def test_line_titles_of_any_ticket_by_id(self):
        """Probe: a draft line pointed at ticket ids one by one answers each
        ticket's reference and title to an accountant."""
        self._login(self.accountant)
        move_id, error = self._call("account.move", "create", [self._invoice_vals(self.client_b)])
        self.assertFalse(error)
        line_id = self._call("account.move", "read", [[move_id], ["invoice_line_ids"]])[0][0][
            "invoice_line_ids"
        ][0]
        _result, error = self._call(
            "account.move.line", "write", [[line_id], {"spid_ticket_id": self.locked_ticket.id}]
        )
        result, _error = self._call("account.move.line", "read", [[line_id], ["spid_ticket_id"]])
        self.assertNotIn("RT2-LOCKED-TITLE", json.dumps(result))
        self.assertTrue(error, "an accountant set the ticket of an invoice line")

    def test_a_posted_line_repointed_releases_another_invoices_lock(self):
        """A posted invoice of no ticket gets, by write on its posted line, the
        ticket of another posted invoice; resetting it to draft then releases
        that ticket's lock, while its own invoice stays posted."""
        for user in (self.accountant, self.billing):
            state = self._ticket_state()
            lines = self._lines_of(self.locked_ticket)
            turnover = self._turnover(self.locked_ticket)
            self._login(user)
            move_id, error = self._call("account.move", "create", [self._invoice_vals(self.client_a)])
            self.assertFalse(error, error)
            _result, error = self._call("account.move", "action_post", [[move_id]])
            self.assertFalse(error, error)
            line_ids = self._call("account.move", "read", [[move_id], ["invoice_line_ids"]])[0][0][
                "invoice_line_ids"
            ]
            _result, write_error = self._call(
                "account.move.line", "write", [line_ids, {"spid_ticket_id": self.locked_ticket.id}]
            )
            self._call("account.move", "button_draft", [[move_id]])
            self._call("account.move", "button_cancel", [[move_id]])
            self.assertEqual(self._ticket_state(), state, f"{user.login} released another invoice's ticket")
            self.assertEqual(
                self._turnover(self.locked_ticket), turnover, f"{user.login} doubled the turnover"
            )
            self.assertEqual(self._lines_of(self.locked_ticket), lines)
            self.assertTrue(write_error, f"{user.login} repointed a posted invoice line to a ticket")

    def test_the_posted_invoice_line_swapped_to_another_ticket(self):
        line = self.posted.invoice_line_ids.filtered("spid_ticket_id")[:1]
        self.assertEqual(line.spid_ticket_id, self.locked_ticket)
        state = self._ticket_state()
        turnover = (self._turnover(self.locked_ticket), self._turnover(self.free_ticket))
        for user in (self.accountant, self.billing):
            self._login(user)
            for value in (self.free_ticket.id, False):
                _result, error = self._call(
                    "account.move.line", "write", [line.ids, {"spid_ticket_id": value}]
                )
                self.assertTrue(error, f"{user.login} set the posted line's ticket to {value}")
        line.invalidate_recordset()
        self.assertEqual(line.spid_ticket_id, self.locked_ticket)
        self.assertEqual(self._ticket_state(), state)
        self.assertEqual((self._turnover(self.locked_ticket), self._turnover(self.free_ticket)), turnover)

    def test_a_credit_note_with_a_forged_ticket(self):
        """A credit note of client B naming client A's invoiced ticket nets
        that ticket's (and its agent's) turnover."""
        turnover = self._turnover(self.locked_ticket)
        state = self._ticket_state()
        self._login(self.accountant)
        move_id, error = self._call(
            "account.move", "create", [self._invoice_vals(self.client_b, self.locked_ticket, "out_refund")]
        )
        if not error:
            self._call("account.move", "action_post", [[move_id]])
        self.assertEqual(self._turnover(self.locked_ticket), turnover)
        self.assertEqual(self._ticket_state(), state)
        self.assertTrue(error, "an accountant named a ticket on a credit note")

    def test_billing_tools_are_for_billing(self):
        tariff = self.general
        price = tariff.price
        wrong = []
        for user in (self.agent, self.accountant, self.portal):
            self._login(user)
            for model, method, args, kwargs in (
                ("spid.tariff", "write", [tariff.ids, {"price": 0.01}], {}),
                ("spid.tariff", "create", [{"product_id": self.service.id, "price": 0.01}], {}),
                ("spid.tariff", "unlink", [tariff.ids], {}),
                ("spid.ticket.invoice.wizard", "create", [{"invoice_date": str(self.today)}], {}),
                ("spid.invoice.export.wizard", "create", [{}], {}),
                ("spid.turnover.report", "search_read", [[]], {"fields": ["amount"]}),
                ("spid.turnover.report", "read_group", [[], ["amount:sum"], ["user_id"]], {}),
                ("spid.ticket", "read", [self.locked_ticket.ids, ["amount_to_invoice", "move_id"]], {}),
            ):
                result, error = self._call(model, method, args, kwargs)
                if not error and (
                    method != "read" or user != self.agent
                ):  # an agent of the team reads the billing of its ticket
                    wrong.append(f"{user.login} {model}.{method}: {json.dumps(result)[:120]}")
            if user != self.agent:
                result, _error = self._call("spid.tariff", "search_read", [[]], {"fields": ["price"]})
                if user == self.portal and result:
                    wrong.append("a customer reads the tariffs")
        self.assertFalse(wrong, "\n".join(wrong))
        tariff.invalidate_recordset()
        self.assertEqual(tariff.price, price)

    def test_an_agent_drives_the_invoice_wizard_and_export(self):
        """The invoicing wizard's action and the export's, called on records
        an agent passes by id (no create right)."""
        state = self._ticket_state()
        wizard = (
            self.env["spid.ticket.invoice.wizard"]
            .with_user(self.billing)
            .with_company(self.company)
            .create({"invoice_date": self.today, "journal_id": self.journal.id})
        )
        self._sync()
        self._login(self.agent)
        for model, method, args in (
            ("spid.ticket.invoice.wizard", "action_create_invoices", [wizard.ids]),
            (
                "spid.ticket.invoice.wizard",
                "write",
                [wizard.ids, {"client_ids": [[6, 0, self.client_b.ids]]}],
            ),
            ("account.move", "action_post", [self.posted.ids]),
            ("account.move", "button_draft", [self.posted.ids]),
            ("account.move", "button_cancel", [self.posted.ids]),
        ):
            _result, error = self._call(model, method, args)
            self.assertTrue(error, f"an agent called {model}.{method}")
        self.assertEqual(self._ticket_state(), state)
        self.assertEqual(self.posted.state, "posted")
