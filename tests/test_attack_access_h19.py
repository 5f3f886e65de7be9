"""Attacks on what issue #19 (access) added, over real HTTP: a customer
POSTs the id of a type reserved to another client on /my/tickets/new; an
employee without helpdesk group reaches /my and the ticket pages of their
own requests only, and reads no internal note through the portal's
chatter route."""

import json

from odoo.tests import new_test_user, tagged

from odoo.addons.spid_helpdesk_portal.tests.common import SpidPortalCommon

ATTACK_CONTEXT = {"active_test": False, "sudo": True, "su": True, "uid": 1, "spid_system": True}


@tagged("post_install", "-at_install")
class TestAttackAccessH19(SpidPortalCommon):
    login_prefix = "acc19_"
    email_domain = "acc19.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Type = cls.env["spid.ticket.type"]
        cls.kind_b = Type.create(
            {"name": "Beta maintenance", "portal_selectable": True, "client_ids": [(6, 0, cls.client_b.ids)]}
        )
        cls.kind_all = Type.create({"name": "Any question", "portal_selectable": True})
        cls.anna = cls._customer("acc19_anna", cls.client_a)
        cls.bob = cls._customer("acc19_bob", cls.client_b)
        cls.employee = new_test_user(
            cls.env, "acc19_emp", groups="base.group_user", name="Emil Employee", email="emil@acc19.example"
        )
        cls.request = cls.env["spid.ticket"].with_user(cls.employee).create({"name": "VPN down"})
        cls.other = cls._portal_ticket(cls.anna, "Alpha's leak")
        cls.note = cls.request.with_user(cls.agent).message_post(
            body="SECRET-NOTE", message_type="comment", subtype_xmlid="mail.mt_note"
        )

    def _count(self, name):
        return self.env["spid.ticket"].sudo().search_count([("name", "=", name)])

    def test_customer_cannot_submit_another_clients_type(self):
        self.authenticate("acc19_anna", "acc19_anna")
        page = self.url_open("/my/tickets/new").text
        self.assertIn("Any question", page)
        self.assertNotIn("Beta maintenance", page)
        response = self.post("/my/tickets/new", {"name": "Sneaky", "type_id": str(self.kind_b.id)})
        self.assertLess(response.status_code, 500)
        self.assertIn("cannot be chosen", response.text)
        self.assertEqual(self._count("Sneaky"), 0)
        response = self.post("/my/tickets/new", {"name": "Fine", "type_id": str(self.kind_all.id)})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._count("Fine"), 1)
        # the client of the type chooses it
        self.authenticate("acc19_bob", "acc19_bob")
        self.assertIn("Beta maintenance", self.url_open("/my/tickets/new").text)
        response = self.post("/my/tickets/new", {"name": "Allowed", "type_id": str(self.kind_b.id)})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._count("Allowed"), 1)

    def test_employee_on_the_portal(self):
        self.authenticate("acc19_emp", "acc19_emp")
        self.assertEqual(self.url_open("/my").status_code, 200)
        page = self.url_open("/my/tickets?filterby=all").text
        self.assertIn("VPN down", page)
        self.assertNotIn("Alpha's leak", page)
        page = self.url_open(f"/my/tickets/{self.request.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("SECRET-NOTE", page.text)
        self.assertEqual(self.url_open(f"/my/tickets/{self.other.id}").status_code, 404)
        response = self.url_open(
            "/mail/thread/messages",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {"thread_model": "spid.ticket", "thread_id": self.request.id},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertNotIn("SECRET-NOTE", response.text)
        response = self.url_open(
            "/web/dataset/call_kw/mail.message/search_read",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "model": "mail.message",
                        "method": "search_read",
                        "args": [[("body", "ilike", "SECRET")]],
                        "kwargs": {"fields": ["body"], "context": ATTACK_CONTEXT},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertNotIn("SECRET-NOTE", response.text)
