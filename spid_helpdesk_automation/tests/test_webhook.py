"""The shipped webhook rule, for real: a local HTTP server started here
receives Odoo's POST when a critical ticket is created, and nothing for a
normal ticket nor for a ticket raised to critical later.

base_automation patches the models of ACTIVE rules at registry level
(`_register_hook`): the rule is archived again in cleanup, which re-installs
the patches of the rules that are active in the database, so no patch of
this test stays for the next ones (the query budgets of
spid_helpdesk/tests/test_performance*.py run in the same process);
test_registry_left_as_found checks it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.tests import TransactionCase, tagged

# what base_automation's _register_hook sets on the registry's classes (its
# _unregister_hook also drops the cached _onchange_methods, rebuilt on use)
PATCHED = ("create", "write", "_compute_field_value", "unlink", "message_post")


def patched_models(registry):
    """{model: patched method names}: what base_automation installed."""
    return {
        name: sorted(method for method in PATCHED if method in vars(registry[name]))
        for name in registry
        if any(method in vars(registry[name]) for method in PATCHED)
    }


class WebhookReceiver:
    """A real HTTP server on a free port of 127.0.0.1, recording each POST."""

    def __init__(self):
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                receiver.received.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(self.rfile.read(length) or b"null"),
                    }
                )
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/helpdesk"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@tagged("post_install", "-at_install")
class TestCriticalTicketWebhook(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.patched_before = patched_models(cls.registry)
        cls.rule = cls.env.ref("spid_helpdesk_automation.automation_critical_ticket_webhook")
        cls.action = cls.env.ref("spid_helpdesk_automation.automation_critical_ticket_webhook_action")
        cls.client = cls.env["res.partner"].create({"name": "Webhook Client", "is_company": True})
        cls.requester = cls.env["res.partner"].create(
            {"name": "Wendy Webhook", "email": "wendy@webhook.example", "parent_id": cls.client.id}
        )

    def _activate(self):
        receiver = WebhookReceiver()
        self.addCleanup(receiver.stop)
        # archive the rule again before the rollback: its patches go with it
        self.addCleanup(self.rule.write, {"active": False})
        self.action.webhook_url = receiver.url
        self.rule.active = True
        return receiver

    def test_shipped_archived_with_safe_fields(self):
        self.assertFalse(self.rule.active)
        self.assertEqual(self.action.state, "webhook")
        self.assertEqual(self.rule.model_id.model, "spid.ticket")
        self.assertEqual(
            set(self.action.webhook_field_ids.mapped("name")),
            {"reference", "name", "status_id", "channel", "create_date"},
        )
        # nothing personal: no description, requester, address or client
        sent = set(self.action.webhook_field_ids.mapped("name"))
        self.assertFalse(sent & {"description", "partner_id", "email_from", "client_id", "partner_email"})

    def test_critical_ticket_posts_the_webhook(self):
        receiver = self._activate()
        self.assertIn("create", patched_models(self.registry).get("spid.ticket", []))
        normal = self.env["spid.ticket"].create({"name": "Printer jam", "partner_id": self.requester.id})
        self.assertEqual(receiver.received, [], "a normal ticket posted the webhook")
        critical = self.env["spid.ticket"].create(
            {
                "name": "Production line down",
                "partner_id": self.requester.id,
                "priority": "3",
                "description": "<p>Secret details of the customer</p>",
            }
        )
        self.assertEqual(len(receiver.received), 1)
        post = receiver.received[0]
        self.assertEqual(post["path"], "/hooks/helpdesk")
        self.assertEqual(post["content_type"], "application/json")
        body = post["body"]
        self.assertEqual(body["_model"], "spid.ticket")
        self.assertEqual(body["_id"], critical.id)
        self.assertEqual(body["reference"], critical.reference)
        self.assertEqual(body["name"], "Production line down")
        self.assertEqual(body["status_id"], critical.status_id.id)
        self.assertEqual(
            set(body),
            {"_model", "_id", "_action", "id", "reference", "name", "status_id", "channel", "create_date"},
        )
        self.assertNotIn("Secret details", json.dumps(body))
        # raised to critical later, or changed while critical: not a new critical ticket
        normal.priority = "3"
        critical.name = "Production line down (line 2)"
        self.env.flush_all()
        self.assertEqual(len(receiver.received), 1)

    def test_zz_registry_left_as_found(self):
        """Runs after the test above (same class, name order): the patches
        of the archived rule are gone, those of the database's active rules
        (if any) are as before."""
        self.assertFalse(self.rule.active)
        self.assertEqual(patched_models(self.registry), self.patched_before)
