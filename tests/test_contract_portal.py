"""Prepaid hour banks (#21 BANK) as the customer and as the attacker, over
real HTTP: /my/contracts as each kind of contact, and JSON-RPC calls with a
hostile context from portal users, agents and billing users."""

from datetime import timedelta

from attack_common import HOSTILE_CONTEXT, JsonRpcAttacker

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk_invoicing.models.spid_contract import PORTAL_READABLE_FIELDS
from odoo.addons.spid_helpdesk_invoicing.models.spid_contract_line import (
    PORTAL_READABLE_FIELDS as LINE_PORTAL_READABLE_FIELDS,
)


@tagged("post_install", "-at_install")
class TestContractPortal(JsonRpcAttacker, HttpCase):
    hostile_context = HOSTILE_CONTEXT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["spid.sla.policy"].search([]).active = False
        company = env.company
        Partner = env["res.partner"]
        cls.grouped = Partner.create(
            {
                "name": "Grouped Bank Co",
                "is_company": True,
                "spid_is_client": True,
                "spid_team_visibility": "grouped",
            }
        )
        cls.independent = Partner.create(
            {"name": "Solo Bank Ltd", "is_company": True, "spid_is_client": True}
        )
        cls.billing = new_test_user(
            env, "bank_billing", groups="base.group_user,spid_helpdesk_invoicing.group_spid_billing"
        )
        cls.agent = new_test_user(env, "bank_agent", groups="base.group_user,spid_helpdesk.group_spid_agent")

        def customer(login, client):
            partner = Partner.create(
                {"name": login.title(), "parent_id": client.id, "email": f"{login}@x.example"}
            )
            return new_test_user(env, login, groups="base.group_portal", partner_id=partner.id)

        cls.grouped_contact = customer("bank_grouped", cls.grouped)
        cls.solo_contact = customer("bank_solo", cls.independent)
        cls.solo_accounts = customer("bank_solo_accounts", cls.independent)
        cls.independent.spid_invoice_partner_id = cls.solo_accounts.partner_id
        product = env["product.product"].create({"name": "Bank hour", "type": "service"})
        cls.tariff = env["spid.tariff"].create(
            {"company_id": company.id, "product_id": product.id, "price": 77.0, "client_id": cls.grouped.id}
        )
        today = fields.Date.context_today(env["spid.contract"])
        Contract = env["spid.contract"]
        cls.banks = Contract.create(
            [
                {
                    "client_id": client.id,
                    "company_id": company.id,
                    "date_start": today - timedelta(days=10),
                    "date_end": today + timedelta(days=300),
                    "state": "running",
                    "description": f"Support of {client.name}",
                    "tariff_id": cls.tariff.id,
                }
                for client in (cls.grouped, cls.independent)
            ]
        )
        cls.bank_grouped, cls.bank_solo = cls.banks
        env["spid.contract.line"].create(
            [{"contract_id": bank.id, "hours": 20.0, "name": "Bought"} for bank in cls.banks]
        )
        cls.ticket = env["spid.ticket"].create(
            {
                "name": "Printer down",
                "client_id": cls.grouped.id,
                "partner_id": cls.grouped_contact.partner_id.id,
            }
        )
        env["spid.workunit"].create({"ticket_id": cls.ticket.id, "duration": 2.5})
        cls.ticket.write(
            {
                "status_id": env.ref("spid_helpdesk.status_closed").id,
                "resolution": "solved",
                "epilogue": "<p>Done.</p>",
            }
        )
        env.flush_all()

    def test_customer_sees_the_balance_and_ledger_hours_only(self):
        self.assertAlmostEqual(self.bank_grouped.hours_left, 17.5)
        self.authenticate("bank_grouped", "bank_grouped")
        page = self.url_open("/my/contracts")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.bank_grouped.name, page.text)
        self.assertIn("17:30", page.text)
        self.assertNotIn(self.bank_solo.name, page.text)
        page = self.url_open(f"/my/contracts/{self.bank_grouped.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"[{self.ticket.reference}] Printer down", page.text)
        self.assertIn("-02:30", page.text)
        self.assertNotIn("77.00", page.text, "no price on the portal")
        self.assertNotIn("Bank hour", page.text, "nor the tariff's product")
        # the home page counts it
        counters = self._rpc("/my/counters", {"counters": ["spid_contract_count"]})[0]
        self.assertEqual(counters["spid_contract_count"], 1)

    def test_who_sees_a_clients_banks(self):
        # an independent client's plain contact: no bank; its invoicing contact: its bank
        self.authenticate("bank_solo", "bank_solo")
        self.assertEqual(self.url_open(f"/my/contracts/{self.bank_solo.id}").status_code, 404)
        self.assertNotIn(self.bank_solo.name, self.url_open("/my/contracts").text)
        self.authenticate("bank_solo_accounts", "bank_solo_accounts")
        self.assertEqual(self.url_open(f"/my/contracts/{self.bank_solo.id}").status_code, 200)
        # another client's bank: not found, by id, by search, by read
        self.assertEqual(self.url_open(f"/my/contracts/{self.bank_grouped.id}").status_code, 404)
        result, error = self._call_kw(
            "spid.contract", "search_read", [[]], {"fields": ["name", "hours_left"]}
        )
        self.assertEqual([row["id"] for row in result], [self.bank_solo.id])
        _result, error = self._call_kw("spid.contract", "read", [[self.bank_grouped.id], ["hours_left"]])
        self.assertRpcError(error, AccessError, "doesn't have 'read' access to:\n- Prepaid hour bank")
        _result, error = self._call_kw(
            "spid.contract.line",
            "search_read",
            [[("contract_id", "=", self.bank_grouped.id)]],
            {"fields": ["hours"]},
        )
        self.assertFalse(_result)
        # anonymous: to the login page
        self.authenticate(None, None)
        response = self.url_open(f"/my/contracts/{self.bank_solo.id}", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))

    def assertRpcError(self, error, exception, message):
        """A refusal over JSON-RPC: `exception` (its class), saying `message`."""
        self.assertTrue(error, "not refused")
        self.assertEqual(error["data"]["name"], f"odoo.exceptions.{exception.__name__}", error["data"])
        self.assertRegex(error["data"]["message"], message)

    def test_portal_reads_no_price_and_no_internal_ticket_field(self):
        self.authenticate("bank_grouped", "bank_grouped")
        _result, error = self._call_kw("spid.contract", "read", [[self.bank_grouped.id], ["tariff_id"]])
        self.assertRpcError(error, AccessError, "cannot read these fields of Prepaid hour bank: tariff_id")
        _result, error = self._call_kw(
            "spid.contract.line", "search_read", [[]], {"fields": ["move_line_id"]}
        )
        self.assertRpcError(error, AccessError, "cannot read these fields of Hour bank entry: move_line_id")
        _result, error = self._call_kw(
            "spid.ticket", "read", [[self.ticket.id], ["spid_contract_hours", "spid_contract_balance"]]
        )
        self.assertRpcError(error, AccessError, "spid_contract_balance, spid_contract_hours")
        not_allowed = "You are not allowed to (modify|create)"
        for method, args, message in (
            ("write", [[self.bank_grouped.id], {"threshold_hours": 0}], not_allowed),
            (
                "create",
                [{"client_id": self.grouped.id, "state": "running"}],
                "state of an hour bank come from its ledger and buttons, never from a caller",
            ),
            ("action_close", [[self.bank_grouped.id]], not_allowed),
            ("action_start", [[self.bank_grouped.id]], not_allowed),
            ("action_add_hours", [[self.bank_grouped.id]], not_allowed),
        ):
            _result, error = self._call_kw("spid.contract", method, args)
            self.assertRpcError(error, AccessError, message)
        _result, error = self._call_kw(
            "spid.contract.line",
            "create",
            [{"contract_id": self.bank_grouped.id, "hours": 50, "name": "gift"}],
        )
        self.assertRpcError(error, AccessError, not_allowed)
        self.env.invalidate_all()
        self.assertAlmostEqual(self.bank_grouped.hours_left, 17.5)
        self.assertEqual(self.bank_grouped.state, "running")

    def test_portal_reads_only_what_the_portal_page_shows(self):
        """Over /web/dataset/call_kw, whatever the context: the bank's and the
        ledger's whitelisted fields only, by every read route."""
        self.env["spid.contract.line"].create(
            {"contract_id": self.bank_grouped.id, "hours": 1.0, "name": "Goodwill: their manager shouted"}
        )
        self.env.flush_all()
        self.authenticate("bank_grouped", "bank_grouped")
        bank = self.bank_grouped.id
        for name in (
            "user_id",
            "threshold_hours",
            "warning_sent",
            "previous_id",
            "site_id",
            "company_id",
            "client_id",
            "message_follower_ids",
            "message_partner_ids",
        ):
            for method, args, kwargs in (
                ("search_read", [[("id", "=", bank)]], {"fields": [name]}),
                ("read", [[bank], [name]], {}),
                ("web_read", [[bank]], {"specification": {name: {}}}),
                ("search_read", [[(name, "!=", False)]], {"fields": ["name"]}),
            ):
                _result, error = self._call_kw("spid.contract", method, args, kwargs)
                self.assertRpcError(error, AccessError, f"cannot (read|search or sort).*: {name}")
        for name in ("ticket_hours", "name", "ticket_id", "move_id", "company_id"):
            _result, error = self._call_kw(
                "spid.contract.line", "search_read", [[("contract_id", "=", bank)]], {"fields": [name]}
            )
            self.assertRpcError(error, AccessError, f"cannot read these fields of Hour bank entry: {name}")
            _result, error = self._call_kw(
                "spid.contract.line",
                "web_read",
                [self.bank_grouped.line_ids.ids],
                {"specification": {name: {}}},
            )
            self.assertRpcError(error, AccessError, name)
        # what the page shows is readable; a read of every field gives only those
        result, error = self._call_kw(
            "spid.contract",
            "search_read",
            [[]],
            {"fields": ["name", "description", "hours_bought", "hours_used", "hours_left", "state"]},
        )
        self.assertFalse(error)
        self.assertEqual([row["id"] for row in result], [bank])
        self.assertAlmostEqual(result[0]["hours_left"], 18.5)
        self.assertAlmostEqual(result[0]["hours_used"], 2.5)
        result, error = self._call_kw("spid.contract", "read", [[bank]])
        self.assertFalse(error)
        self.assertLessEqual(set(result[0]), PORTAL_READABLE_FIELDS)
        result, error = self._call_kw(
            "spid.contract.line",
            "search_read",
            [[("contract_id", "=", bank)]],
            {"fields": ["date", "kind", "portal_name", "hours", "balance", "display_name"]},
        )
        self.assertFalse(error)
        labels = [row["portal_name"] for row in result]
        self.assertIn(f"[{self.ticket.reference}] Printer down", labels)
        self.assertIn("Entered by hand", labels)
        self.assertNotIn("shouted", str(result), "a manual entry's reason stays internal")
        result, error = self._call_kw("spid.contract.line", "read", [self.bank_grouped.line_ids.ids])
        self.assertFalse(error)
        self.assertLessEqual(set(result[0]), LINE_PORTAL_READABLE_FIELDS)
        # nor through the page
        page = self.url_open(f"/my/contracts/{bank}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("shouted", page.text)
        self.assertIn("18:30", page.text)

    def test_agent_and_billing_over_json_rpc(self):
        line = self.bank_grouped.line_ids[:1]
        self.authenticate("bank_agent", "bank_agent")
        result, error = self._call_kw("spid.contract", "read", [[self.bank_grouped.id], ["hours_left"]])
        self.assertFalse(error)
        self.assertAlmostEqual(result[0]["hours_left"], 17.5)
        for model, method, args in (
            ("spid.contract", "write", [[self.bank_grouped.id], {"hours_used": 0}]),
            ("spid.contract", "read", [[self.bank_grouped.id], ["tariff_id"]]),
            ("spid.contract.line", "write", [[line.id], {"hours": 99}]),
            (
                "spid.contract.line",
                "create",
                [{"contract_id": self.bank_grouped.id, "hours": 9, "name": "x"}],
            ),
            ("spid.contract.line", "unlink", [[line.id]]),
            ("spid.contract", "action_close", [[self.bank_grouped.id]]),
        ):
            _result, error = self._call_kw(model, method, args)
            self.assertTrue(error, f"agent {model}.{method}")
        self.authenticate("bank_billing", "bank_billing")
        draw = self.ticket.sudo().spid_contract_line_ids
        for model, method, args in (
            ("spid.contract", "write", [[self.bank_grouped.id], {"hours_left": 99}]),
            ("spid.contract", "write", [[self.bank_grouped.id], {"state": "draft"}]),
            ("spid.contract.line", "write", [[draw.id], {"hours": 0}]),
            ("spid.contract.line", "unlink", [[draw.id]]),
            (
                "spid.contract.line",
                "create",
                [{"contract_id": self.bank_grouped.id, "hours": 9, "kind": "rollover", "name": "x"}],
            ),
        ):
            _result, error = self._call_kw(model, method, args)
            self.assertTrue(error, f"billing {model}.{method}")
        # what billing may do: add hours with a reason
        _result, error = self._call_kw(
            "spid.contract.line",
            "create",
            [{"contract_id": self.bank_grouped.id, "hours": 2.5, "name": "Goodwill"}],
        )
        self.assertFalse(error)
        self.env.invalidate_all()
        self.assertAlmostEqual(self.bank_grouped.hours_left, 20.0)
        self.assertEqual(draw.exists(), draw)

    def test_invoice_line_cannot_be_forged_onto_a_draw(self):
        draw = self.ticket.sudo().spid_contract_line_ids
        self.authenticate("bank_billing", "bank_billing")
        journal = self.env["account.journal"].search([("type", "=", "sale")], limit=1)
        _result, error = self._call_kw(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.grouped.id,
                    "journal_id": journal.id,
                    "invoice_line_ids": [
                        Command.create({"name": "forged", "spid_contract_line_id": draw.id})
                    ],
                }
            ],
        )
        self.assertTrue(error)
