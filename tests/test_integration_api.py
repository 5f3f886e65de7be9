"""Issue 20, integration from other systems: the integration user, its API
key and examples/helpdesk_api.py, over real HTTP against the test server.

The example runs as a subprocess (its own Python, stdlib only) with a key
generated here; then the same key is used as an attacker would: system
fields, another team's tickets, hostile contexts, a revoked or expired key,
the key or the password where they must not open anything."""

import importlib.util
import json
import pathlib
import subprocess
import sys
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "helpdesk_api.py"

# what an attacker adds to every call: our old and current switch names,
# Odoo's own keys that skip checks elsewhere
HOSTILE_CONTEXT = {
    "spid_system": True,
    "spid_sla_system": True,
    "spid_importing": True,
    "spid_invoicing": True,
    "tracking_disable": True,
    "install_mode": True,
    "import_file": True,
    "active_test": False,
}


def load_example():
    spec = importlib.util.spec_from_file_location("spid_helpdesk_api_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestIntegrationApi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.example = load_example()
        cls.user = cls.env.ref("spid_helpdesk_automation.user_integration")
        cls.shipped_active = cls.user.active
        cls.user.write({"active": True, "lang": "en_US", "tz": "UTC"})
        cls.team = cls.env["spid.team"].create({"name": "API team", "member_ids": [(4, cls.user.id)]})
        cls.other_agent = cls.env["res.users"].create(
            {
                "name": "Other team agent",
                "login": "integ_other_agent",
                "email": "other.agent@example.com",
                "groups_id": [(6, 0, [cls.env.ref("spid_helpdesk.group_spid_agent").id])],
            }
        )
        cls.other_team = cls.env["spid.team"].create(
            {"name": "Other API team", "member_ids": [(4, cls.other_agent.id)]}
        )
        cls.category = cls.env["spid.ticket.category"].create({"name": "Monitoring", "team_id": cls.team.id})
        cls.other_category = cls.env["spid.ticket.category"].create(
            {"name": "Secret things", "team_id": cls.other_team.id}
        )
        cls.client = cls.env["res.partner"].create({"name": "Integ Client", "is_company": True})
        cls.requester = cls.env["res.partner"].create(
            {"name": "Rita Requester", "email": "rita@integ-client.example", "parent_id": cls.client.id}
        )
        cls.other_ticket = cls.env["spid.ticket"].create(
            {
                "name": "Other team's secret",
                "partner_id": cls.requester.id,
                "category_id": cls.other_category.id,
            }
        )
        cls.key = cls._generate_key(cls.user, days=30)
        cls.other_owner = cls.other_ticket.user_id

    @classmethod
    def _generate_key(cls, user, days):
        expiration = fields.Datetime.now() + timedelta(days=days)
        return cls.env["res.users.apikeys"].with_user(user)._generate(None, "integration test", expiration)

    def _api(self, key=None, login=None):
        self.env.flush_all()
        return self.example.Odoo(
            self.base_url(), self.env.cr.dbname, login or self.user.login, key or self.key
        )

    def _run_example(self, *args):
        self.env.flush_all()
        command = [
            sys.executable,
            str(EXAMPLE),
            "--url",
            self.base_url(),
            "--db",
            self.env.cr.dbname,
            "--login",
            self.user.login,
            "--key",
            self.key,
            *args,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        self.env.invalidate_all()
        return done

    # ------------------------------------------------------------------
    # The user and the key
    # ------------------------------------------------------------------

    def test_integration_user_rights(self):
        """An agent of its teams, nothing more: no settings, no portal, no
        contact creation; shipped archived."""
        user = self.user
        self.assertTrue(user.has_group("spid_helpdesk.group_spid_agent"))
        self.assertFalse(user.has_group("spid_helpdesk.group_spid_supervisor"))
        self.assertFalse(user.has_group("base.group_system"))
        self.assertFalse(user.has_group("base.group_erp_manager"))
        self.assertFalse(user.has_group("base.group_partner_manager"))
        self.assertFalse(user.share)
        self.assertEqual(user.notification_type, "inbox")
        self.assertFalse(self.shipped_active, "the integration user is shipped archived")
        # its keys expire: at most 90 days (Odoo's limit for internal users), never persistent
        with self.assertRaises(ValidationError):
            self._generate_key(user, days=91)
        with self.assertRaises(ValidationError):
            self.env["res.users.apikeys"].with_user(user)._generate(None, "forever", None)

    def test_settings_refused_over_rpc(self):
        api = self._api()
        for model, method, args in [
            ("res.config.settings", "create", [{}]),
            ("ir.config_parameter", "search_read", [[]]),
            (
                "res.users",
                "write",
                [[self.user.id], {"groups_id": [(4, self.env.ref("base.group_system").id)]}],
            ),
            ("res.partner", "create", [{"name": "Injected contact", "email": "x@example.com"}]),
            ("res.partner", "write", [[self.requester.id], {"email": "attacker@example.com"}]),
            ("base.automation", "search_read", [[]]),
        ]:
            with self.subTest(model=model, method=method), self.assertRaises(self.example.OdooError):
                api.execute(model, method, *args, context=HOSTILE_CONTEXT)
        self.env.invalidate_all()
        self.assertFalse(self.user.has_group("base.group_system"))
        self.assertEqual(self.requester.email, "rita@integ-client.example")

    # ------------------------------------------------------------------
    # The example, as a subprocess, over real HTTP
    # ------------------------------------------------------------------

    def test_example_creates_replies_moves_and_lists(self):
        since = (fields.Datetime.now() - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
        done = self._run_example(
            "--title",
            "Disk full on srv-7",
            "--description",
            "Monitoring alert: /var at 98%",
            "--email",
            "Rita@Integ-Client.example",
            "--category",
            "Monitoring",
            "--priority",
            "3",
            "--external-ref",
            "MON-4711",
            "--reply",
            "We are looking at it.",
            "--note",
            "Alert id 4711 from the monitoring.",
            "--status",
            "In progress",
            "--since",
            since,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        output = json.loads(done.stdout)
        ticket = self.env["spid.ticket"].search([("external_ref", "=", "MON-4711")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(output["ticket"]["id"], ticket.id)
        self.assertEqual(output["ticket"]["done"], "created")
        self.assertEqual(ticket.name, "Disk full on srv-7")
        self.assertEqual(ticket.partner_id, self.requester)
        self.assertEqual(ticket.client_id, self.client)
        self.assertEqual(ticket.category_id, self.category)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.editor_id, self.user)
        self.assertEqual(ticket.user_id, self.user)
        self.assertEqual(ticket.status_id, self.env.ref("spid_helpdesk.status_in_progress"))
        messages = ticket.message_ids.filtered(lambda m: m.author_id == self.user.partner_id)
        reply = messages.filtered(lambda m: "We are looking at it." in m.body)
        note = messages.filtered(lambda m: "Alert id 4711" in m.body)
        self.assertEqual(reply.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(output["ticket"]["reference"], ticket.reference)
        listed = {row["id"] for row in output["changed_since"]["tickets"]}
        self.assertIn(ticket.id, listed)
        self.assertNotIn(self.other_ticket.id, listed, "another team's ticket is listed")

        # the same external reference again: the ticket is updated, not duplicated
        done = self._run_example("--title", "Disk full on srv-7 (again)", "--external-ref", "MON-4711")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout)["ticket"]["done"], "updated")
        self.assertEqual(self.env["spid.ticket"].search_count([("external_ref", "=", "MON-4711")]), 1)
        self.assertEqual(ticket.name, "Disk full on srv-7 (again)")

    def test_example_refused_move_and_unknown_requester(self):
        """A status the transitions refuse, an unknown address: a clear
        error, exit status 1."""
        done = self._run_example("--title", "Closing at once", "--status", "Closed")
        self.assertEqual(done.returncode, 1)
        # refused by the workflow: a move it does not offer, or the fields closing asks
        self.assertRegex(json.loads(done.stderr)["error"], "not allowed now|[Rr]esolution|[Ee]pilogue")
        ticket = self.env["spid.ticket"].search([("name", "=", "Closing at once")])
        self.assertFalse(ticket.status_id.is_closed)
        done = self._run_example("--title", "Nobody", "--email", "nobody@nowhere.example")
        self.assertEqual(done.returncode, 1)
        self.assertIn("Contact nobody@nowhere.example: none found", done.stderr)
        self.assertFalse(self.env["spid.ticket"].search([("name", "=", "Nobody")]))

    # ------------------------------------------------------------------
    # Attacks with the key
    # ------------------------------------------------------------------

    def test_system_fields_refused(self):
        """Reference, lock, invoicing, dates, editor...: refused to the
        integration user, with or without a hostile context, and nothing
        changes. The status moves only along the transitions."""
        api = self._api()
        ticket_id = api.execute(
            "spid.ticket",
            "create",
            {"name": "API ticket", "partner_id": self.requester.id},
            context=HOSTILE_CONTEXT,
        )
        ticket = self.env["spid.ticket"].browse(ticket_id)
        before = {name: ticket[name] for name in ("reference", "is_locked", "editor_id", "date_status")}
        now = fields.Datetime.to_string(fields.Datetime.now())
        for name, value in [
            ("reference", "HACK-1"),
            ("is_locked", True),
            ("spid_invoice_locked", True),
            ("invoice_state", "invoiced"),
            ("editor_id", self.other_agent.id),
            ("email_from", "ceo@example.com"),
            ("date_status", now),
            ("date_closed", now),
            ("closed_by_id", self.other_agent.id),
            ("total_hours", 99.0),
            ("sla_status", "met"),
        ]:
            for context in ({}, HOSTILE_CONTEXT):
                with (
                    self.subTest(field=name, context=bool(context)),
                    self.assertRaises(self.example.OdooError),
                ):
                    api.execute("spid.ticket", "write", [ticket_id], {name: value}, context=context)
            with self.subTest(field=name, at="create"), self.assertRaises(self.example.OdooError):
                api.execute("spid.ticket", "create", {"name": "Forged", name: value}, context=HOSTILE_CONTEXT)
        # closing straight from New is not a transition (and needs a resolution)
        with self.assertRaises(self.example.OdooError):
            api.execute(
                "spid.ticket",
                "write",
                [ticket_id],
                {"status_id": self.env.ref("spid_helpdesk.status_closed").id},
                context=HOSTILE_CONTEXT,
            )
        self.env.invalidate_all()
        self.assertEqual({name: ticket[name] for name in before}, before)
        self.assertFalse(ticket.status_id.is_closed)
        self.assertFalse(self.env["spid.ticket"].search([("name", "=", "Forged")]))

    def test_other_team_ticket_unreadable(self):
        api = self._api()
        for method, args in [
            ("read", [[self.other_ticket.id], ["name"]]),
            ("write", [[self.other_ticket.id], {"name": "Mine now"}]),
            ("message_post", [[self.other_ticket.id]]),
            ("action_take", [[self.other_ticket.id]]),
        ]:
            kwargs = {"body": "hi"} if method == "message_post" else {}
            with self.subTest(method=method), self.assertRaises(self.example.OdooError):
                api.execute("spid.ticket", method, *args, context=HOSTILE_CONTEXT, **kwargs)
        found = api.execute(
            "spid.ticket", "search", [("id", "=", self.other_ticket.id)], context=HOSTILE_CONTEXT
        )
        self.assertEqual(found, [])
        found = api.execute("spid.ticket", "search", [("name", "ilike", "secret")], context=HOSTILE_CONTEXT)
        self.assertEqual(found, [])
        self.env.invalidate_all()
        self.assertEqual(self.other_ticket.name, "Other team's secret")
        self.assertEqual(self.other_ticket.user_id, self.other_owner)
        self.assertFalse(
            self.other_ticket.message_ids.filtered(lambda m: m.author_id == self.user.partner_id)
        )

    def test_revoked_and_expired_keys_refused(self):
        key = self._generate_key(self.user, days=10)
        api = self._api(key)
        self.assertEqual(api.uid, self.user.id)
        # revoked, as from Preferences > Account Security (its Delete button)
        self.env.cr.execute("SELECT id FROM res_users_apikeys WHERE index = %s", [key[:8]])
        revoked = self.env["res.users.apikeys"].browse(self.env.cr.fetchone()[0])
        revoked.with_user(self.user)._remove()  # what remove() does once the identity is checked
        with self.assertRaises(self.example.OdooError):
            self._api(key)
        with self.assertRaises(self.example.OdooError):
            api.execute("spid.ticket", "search", [])
        # expired: the class's key, its expiration date moved to the past
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET expiration_date = now() at time zone 'utc' - interval '1 minute'"
            " WHERE index = %s",
            [self.key[:8]],
        )
        with self.assertRaises(self.example.OdooError):
            self._api(self.key)
        with self.assertRaises(self.example.OdooError):
            api.execute("spid.ticket", "search", [])

    def test_key_opens_no_web_session_and_password_no_rpc(self):
        """The key is for RPC only: /web/login and /web/session/authenticate
        refuse it. The integration account's password opens no RPC (keys
        only), and no web session while the account has a key."""
        self.user.password = "integration-password-1"
        self.env.flush_all()
        # the key as a password on the login page
        self.url_open("/web/login")  # a session with its CSRF token
        page = self.url_open("/web/login")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = self.url_open(
            "/web/login", data={"login": self.user.login, "password": self.key, "csrf_token": csrf}
        )
        self.assertIn("Wrong login/password", response.text)
        session = self.url_open(
            "/web/session/get_session_info", data="{}", headers={"Content-Type": "application/json"}
        )
        self.assertFalse((session.json().get("result") or {}).get("uid"))
        response = self.url_open(
            "/web/session/authenticate",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"db": self.env.cr.dbname, "login": self.user.login, "password": self.key},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertTrue(response.json().get("error"), response.text[:300])
        # the password over RPC: refused (API keys only for this account)
        with self.assertRaises(self.example.OdooError):
            self._api("integration-password-1")

        # nor a web session (which reaches the whole JSON-RPC API) while the account has a key
        def authenticate():
            return self.url_open(
                "/web/session/authenticate",
                data=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "method": "call",
                        "params": {
                            "db": self.env.cr.dbname,
                            "login": self.user.login,
                            "password": "integration-password-1",
                        },
                    }
                ),
                headers={"Content-Type": "application/json"},
            ).json()

        refused = authenticate()
        self.assertTrue(refused.get("error"), refused)
        self.assertFalse((refused.get("result") or {}).get("uid"))
        # once an administrator revoked its keys, the password opens the web
        # client again (to create the next key)
        self.env["res.users.apikeys"].sudo().search([("user_id", "=", self.user.id)]).unlink()
        self.env.flush_all()
        self.assertEqual(authenticate()["result"]["uid"], self.user.id)
