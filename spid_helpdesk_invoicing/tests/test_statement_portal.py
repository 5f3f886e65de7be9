"""Service statements on the portal (#21), over real HTTP: the recipient
and, when the client shares its tickets (grouped), its other contacts read
the client's sent statements and download their PDF; nobody else, whatever
id, token or context they send."""

import json
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk.tests.common import JsonRpcMixin

OCTOBER = (date(2025, 10, 1), date(2025, 10, 31))
SEPTEMBER = (date(2025, 9, 1), date(2025, 9, 30))


@tagged("post_install", "-at_install")
class TestStatementPortal(JsonRpcMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.client_a = Partner.create(
            {
                "name": "Alpha Statements",
                "is_company": True,
                "spid_is_client": True,
                "spid_team_visibility": "grouped",
            }
        )
        cls.client_b = Partner.create(
            {
                "name": "Beta Statements",
                "is_company": True,
                "spid_is_client": True,
                "spid_team_visibility": "independent",
            }
        )
        cls.alice = cls._customer("st_alice", cls.client_a, type="invoice")  # A's recipient
        cls.bob = cls._customer("st_bob", cls.client_a)  # A is grouped: sees them too
        cls.dave = cls._customer("st_dave", cls.client_b, type="invoice")  # B's recipient
        cls.carol = cls._customer("st_carol", cls.client_b)  # B is independent: sees none
        Statement = cls.env["spid.statement"]
        cls.a_october = Statement._spid_generate(cls.client_a, *OCTOBER)
        cls.a_september = Statement._spid_generate(cls.client_a, *SEPTEMBER)  # left in draft
        cls.b_october = Statement._spid_generate(cls.client_b, *OCTOBER)
        (cls.a_october | cls.b_october).action_send()

    @classmethod
    def _customer(cls, login, client, **values):
        partner = cls.env["res.partner"].create(
            {"name": login.title(), "parent_id": client.id, "email": f"{login}@statements.example", **values}
        )
        return new_test_user(
            cls.env, login, groups="base.group_portal", partner_id=partner.id, email=partner.email
        )

    def _get(self, login, url):
        self.authenticate(login, login)
        return self.url_open(url, allow_redirects=False)

    def test_recipient_lists_and_downloads(self):
        self.assertEqual(self.a_october.recipient_id, self.alice.partner_id)
        response = self._get("st_alice", "/my/statements")
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"/my/statements/{self.a_october.id}?download=true", response.text)
        self.assertNotIn(f"/my/statements/{self.a_september.id}?", response.text)
        self.assertNotIn(f"/my/statements/{self.b_october.id}?", response.text)
        response = self._get("st_alice", f"/my/statements/{self.a_october.id}?download=true")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertIn("Alpha Statements", response.text)  # (tests render the report as HTML)
        # the home page has the entry, and its counter counts them
        self.assertIn("/my/statements", self._get("st_alice", "/my/home").text)
        response = self.url_open(
            "/my/counters",
            data=json.dumps({"params": {"counters": ["spid_statement_count"]}}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.json()["result"]["spid_statement_count"], 1)

    def test_grouped_contacts_see_them_independent_ones_do_not(self):
        self.assertEqual(self._get("st_bob", f"/my/statements/{self.a_october.id}").status_code, 200)
        self.assertEqual(self._get("st_carol", f"/my/statements/{self.b_october.id}").status_code, 404)
        self.assertNotIn(
            "/my/statements/", self._get("st_carol", "/my/statements").text.replace("/my/statements/page", "")
        )
        self.assertEqual(self._get("st_dave", f"/my/statements/{self.b_october.id}").status_code, 200)

    def test_attacks_over_http(self):
        # another client's statement, a draft, one that does not exist
        for statement_id in (self.b_october.id, self.a_september.id, 999999):
            self.assertEqual(self._get("st_alice", f"/my/statements/{statement_id}").status_code, 404)
        # a token proves nothing: statements have none
        url = f"/my/statements/{self.b_october.id}?access_token=x&download=true"
        self.assertEqual(self._get("st_alice", url).status_code, 404)
        # a visitor is sent to the login page
        self.authenticate(None, None)
        response = self.url_open(f"/my/statements/{self.a_october.id}", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_attacks_over_json_rpc(self):
        hostile = {"active_test": False, "allowed_company_ids": [1], "bin_size": True, "su": True}
        answer = self._rpc(
            "st_alice",
            "spid.statement",
            "search_read",
            [[]],
            {"fields": ["name", "hours_worked"], "context": hostile},
        )
        self.assertEqual([row["id"] for row in answer["result"]], self.a_october.ids)
        # internal fields: the chatter, the company, who generated it
        for field in ("message_ids", "company_id", "create_uid", "state", "recipient_id"):
            answer = self._rpc(
                "st_alice",
                "spid.statement",
                "read",
                [self.a_october.ids],
                {"fields": [field], "context": hostile},
            )
            self.assertIn("error", answer, field)
        # searching on them answers nothing either
        answer = self._rpc("st_alice", "spid.statement", "search", [[("message_ids.body", "ilike", "a")]])
        self.assertIn("error", answer)
        # another client's
        answer = self._rpc(
            "st_alice",
            "spid.statement",
            "read",
            [self.b_october.ids],
            {"fields": ["name"], "context": hostile},
        )
        self.assertIn("error", answer)
        # no writing, creating or sending
        answer = self._rpc("st_alice", "spid.statement", "write", [self.a_october.ids, {"hours_worked": 0}])
        self.assertIn("error", answer)
        answer = self._rpc(
            "st_alice", "spid.statement", "action_send", [self.a_september.ids], {"context": hostile}
        )
        self.assertIn("error", answer)
        answer = self._rpc(
            "st_alice",
            "spid.statement",
            "create",
            [{"client_id": self.client_a.id, "date_from": "2025-08-01", "date_to": "2025-08-31"}],
        )
        self.assertIn("error", answer)
        answer = self._rpc("st_alice", "spid.statement.wizard", "create", [{}])
        self.assertIn("error", answer)
        self.assertEqual(self.a_october.hours_worked, self.a_october.sudo().hours_worked)
        self.assertEqual(self.a_september.state, "draft")
        self.assertEqual(self.env["spid.statement"].search_count([("client_id", "=", self.client_a.id)]), 2)

    def test_staff_forge_nothing_over_json_rpc(self):
        """A supervisor and a billing user, over JSON-RPC with a hostile
        context (a string where the SYSTEM switch lives, defaults): no state
        back to draft to rewrite a sent statement, no figure of a draft, no
        statement created with made-up figures; the portal shows the real ones."""
        new_test_user(self.env, "st_super", groups="base.group_user,spid_helpdesk.group_spid_supervisor")
        new_test_user(
            self.env, "st_billing", groups="base.group_user,spid_helpdesk_invoicing.group_spid_billing"
        )
        hostile = {
            "spid_system": True,
            "default_state": "sent",
            "default_hours_worked": 99.0,
            "tracking_disable": True,
        }
        fields_ = ["name", "state", "date_sent", "hours_worked", "sla_resolution_percent", "bank_values"]
        before = (self.a_october | self.a_september).read(fields_)
        for login in ("st_super", "st_billing"):
            for context in ({}, hostile):
                for statement in self.a_october | self.a_september:
                    for values in (
                        {"state": "draft"},
                        {"state": "sent", "date_sent": "2025-11-01 00:00:00"},
                        {
                            "hours_worked": 99.0,
                            "sla_resolution_percent": 100.0,
                            "bank_values": [{"name": "Forged", "hours_bought": 1000.0}],
                        },
                        {"name": "Forged", "date_from": "2025-01-01"},
                    ):
                        answer = self._rpc(
                            login, "spid.statement", "write", [statement.ids, values], {"context": context}
                        )
                        self.assertIn("error", answer, (login, statement.name, values))
                answer = self._rpc(
                    login,
                    "spid.statement",
                    "create",
                    [
                        {
                            "client_id": self.client_a.id,
                            "date_from": "2025-08-01",
                            "date_to": "2025-08-31",
                            "state": "sent",
                            "hours_worked": 42.0,
                        }
                    ],
                    {"context": context},
                )
                self.assertIn("error", answer, login)
                answer = self._rpc(
                    login,
                    "spid.statement",
                    "create",
                    [{"client_id": self.client_a.id, "date_from": "2025-08-01", "date_to": "2025-08-31"}],
                    {"context": context},
                )
                self.assertIn("error", answer, login)
                # the generation is not a public method
                answer = self._rpc(
                    login,
                    "spid.statement",
                    "_spid_generate",
                    [[self.client_a.id], "2025-08-01", "2025-08-31"],
                )
                self.assertIn("error", answer, login)
        self.env.invalidate_all()
        self.assertEqual((self.a_october | self.a_september).read(fields_), before)
        self.assertEqual(self.env["spid.statement"].search_count([("client_id", "=", self.client_a.id)]), 2)
        # the customer still reads the real figures, and no draft
        answer = self._rpc("st_alice", "spid.statement", "search_read", [[]], {"fields": ["hours_worked"]})
        self.assertEqual(
            [(row["id"], row["hours_worked"]) for row in answer["result"]],
            [(self.a_october.id, self.a_october.hours_worked)],
        )
