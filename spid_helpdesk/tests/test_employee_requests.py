"""Employees as requesters: an internal user without a helpdesk group opens
and follows their own requests (Helpdesk > My requests), sees nobody
else's, reads only the requester's fields and public messages, and changes
nothing but their own messages. Tested as each user, and over JSON-RPC
with the context an attacker would send."""

import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SpidHelpdeskCommon

EMAIL = """From: Emma Employee <EMMA@desk.example.com>
To: support@desk.example.com
Subject: {subject}
Message-ID: <{msgid}@desk.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

My screen stays black.
"""
HOSTILE = {"active_test": False, "su": True, "sudo": True, "uid": 1, "spid_system": True}


class EmployeeCommon(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = new_test_user(
            cls.env, "hd_emma", groups="base.group_user", name="Emma Employee", email="emma@desk.example.com"
        )
        cls.employee_2 = new_test_user(
            cls.env, "hd_eric", groups="base.group_user", name="Eric Employee", email="eric@desk.example.com"
        )
        cls.kind = cls.env["spid.ticket.type"].create({"name": "IT request"})
        Ticket = cls.env["spid.ticket"]
        cls.request = Ticket.with_user(cls.employee).create(
            {"name": "Laptop broken", "description": "<p>Black screen</p>", "type_id": cls.kind.id}
        )
        cls.request_2 = Ticket.with_user(cls.employee_2).create({"name": "Badge lost", "urgency": "2"})
        cls.customer_ticket = cls._ticket()
        cls.request.sudo().write({"priority": "3", "category_id": cls.category.id})
        cls.note = cls.request.with_user(cls.agent).message_post(
            body="Internal: the disk is dying", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        cls.answer = cls.request.with_user(cls.agent).message_post(
            body="We will swap it tomorrow", message_type="comment", subtype_xmlid="mail.mt_comment"
        )


@tagged("post_install", "-at_install")
class TestEmployeeRequests(EmployeeCommon):
    def test_request_is_theirs(self):
        request = self.request.sudo()
        self.assertEqual(request.partner_id, self.employee.partner_id)
        self.assertEqual(request.client_id, self.employee.partner_id.commercial_partner_id)
        self.assertEqual(request.editor_id, self.employee)
        self.assertEqual(request.channel, "web")
        self.assertIn(self.employee.partner_id, request.message_partner_ids)

    def test_lists_only_their_requests(self):
        Ticket = self.env["spid.ticket"].with_user(self.employee)
        self.assertEqual(Ticket.search([]), self.request)
        self.assertEqual(Ticket.search_count([]), 1)
        with self.assertRaisesRegex(AccessError, "spid.ticket"):
            self.request_2.with_user(self.employee).read(["name"])
        with self.assertRaisesRegex(AccessError, "spid.ticket"):
            self.customer_ticket.with_user(self.employee).read(["name"])
        # every status is a column (group_expand); only their one request is counted
        groups = Ticket.read_group([], ["status_id"], ["status_id"])
        self.assertEqual(sum(g["status_id_count"] for g in groups), 1)
        self.assertEqual([r[0] for r in Ticket.name_search("")], self.request.ids)

    def test_agent_fields_refused(self):
        mine = self.request.with_user(self.employee)
        self.assertEqual(mine.read(["name", "urgency", "status_id"])[0]["name"], "Laptop broken")
        for field in ("priority", "team_id", "participant_ids", "workunit_ids", "total_hours", "message_ids"):
            with self.assertRaisesRegex(AccessError, field):
                mine.read([field])
            with self.assertRaisesRegex(AccessError, field):
                mine.search([(field, "!=", False)])
        with self.assertRaisesRegex(AccessError, "priority"):
            mine.search([], order="priority desc")
        self.assertNotIn("priority", mine.fields_get())
        self.assertNotIn("priority", mine.read()[0])

    def test_cannot_write_status_owner_or_priority(self):
        mine = self.request.with_user(self.employee)
        for vals in (
            {"status_id": self.st_closed.id},
            {"user_id": self.employee.id},
            {"team_id": self.team.id},
            {"priority": "3"},
            {"name": "Renamed"},
        ):
            with self.assertRaisesRegex(AccessError, "agents"):
                mine.write(vals)
        self.assertEqual(self.request.sudo().status_id, self.st_new)
        with self.assertRaisesRegex(AccessError, "priority"):
            self.env["spid.ticket"].with_user(self.employee).create({"name": "x", "priority": "3"})
        with self.assertRaisesRegex(AccessError, "partner_id"):
            self.env["spid.ticket"].with_user(self.employee).create(
                {"name": "x", "partner_id": self.requester.id}
            )

    def test_internal_notes_hidden(self):
        Message = self.env["mail.message"].with_user(self.employee)
        domain = [("model", "=", "spid.ticket"), ("res_id", "=", self.request.id)]
        seen = Message.search(domain)
        self.assertIn(self.answer, seen)
        self.assertNotIn(self.note, seen)
        with self.assertRaisesRegex(AccessError, "Message"):
            self.note.with_user(self.employee).read(["body"])
        self.assertFalse(Message.search([("body", "ilike", "disk is dying")]))
        # an agent still reads the note
        self.assertIn(self.note, self.env["mail.message"].with_user(self.agent).search(domain))

    def test_files_of_internal_notes_hidden(self):
        note = self.request.with_user(self.agent).message_post(
            body="Logs attached",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            attachments=[("internal.txt", b"root password")],
        )
        secret = note.sudo().attachment_ids
        Attachment = self.env["ir.attachment"].with_user(self.employee)
        found = Attachment.search([("res_model", "=", "spid.ticket"), ("res_id", "=", self.request.id)])
        self.assertNotIn(secret, found)
        with self.assertRaisesRegex(AccessError, "."):
            secret.with_user(self.employee).read(["name", "raw"])
        files = self.request.with_user(self.employee)._get_mail_thread_data_attachments()
        self.assertNotIn(secret, files)

    def test_posts_a_public_comment_only(self):
        mine = self.request.with_user(self.employee)
        message = mine.message_post(body="Still black", message_type="comment", subtype_xmlid="mail.mt_note")
        message = message.sudo()
        self.assertEqual(message.author_id, self.employee.partner_id)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertFalse(message.is_internal)
        with self.assertRaisesRegex(AccessError, "author_id"):
            mine.message_post(body="as agent", author_id=self.agent.partner_id.id)
        with self.assertRaisesRegex(AccessError, "spid.ticket"):
            self.request_2.with_user(self.employee).message_post(body="hi", message_type="comment")

    def test_agent_requester_sees_both(self):
        own = (
            self.env["spid.ticket"]
            .with_user(self.agent_other)
            .create({"name": "My own request", "partner_id": self.agent_other.partner_id.id})
        )
        visible = self.env["spid.ticket"].with_user(self.agent_other).search([])
        self.assertIn(own, visible)
        self.assertNotIn(self.customer_ticket, visible)  # team Support's, not theirs
        self.assertIn(self.customer_ticket, self.env["spid.ticket"].with_user(self.agent).search([]))
        # an agent keeps the agents' fields
        self.assertTrue(own.with_user(self.agent_other).read(["priority"]))

    def test_menu(self):
        menus = self.env["ir.ui.menu"].with_user(self.employee)._visible_menu_ids()
        self.assertIn(self.env.ref("spid_helpdesk.menu_spid_my_requests").id, menus)
        self.assertIn(self.env.ref("spid_helpdesk.menu_spid_root").id, menus)
        self.assertNotIn(self.env.ref("spid_helpdesk.menu_spid_tickets").id, menus)
        self.assertNotIn(self.env.ref("spid_helpdesk.menu_spid_overview").id, menus)
        agent_menus = self.env["ir.ui.menu"].with_user(self.agent)._visible_menu_ids()
        self.assertIn(self.env.ref("spid_helpdesk.menu_spid_tickets").id, agent_menus)

    def test_email_from_employee(self):
        alias_domain = self.env["mail.alias.domain"].create({"name": "desk.example.com"})
        self.env.company.alias_domain_id = alias_domain
        self.team.write({"alias_name": "support", "alias_domain_id": alias_domain.id})
        # a contact of a client sharing the employee's address must not win
        self.env["res.partner"].create(
            {"name": "Emma elsewhere", "parent_id": self.client.id, "email": "emma@desk.example.com"}
        )
        raw = EMAIL.format(subject="Screen black", msgid="emma1")
        ticket_id = self.env["mail.thread"].message_process(None, raw.encode())
        ticket = self.env["spid.ticket"].browse(ticket_id)
        self.assertEqual(ticket.partner_id, self.employee.partner_id)
        self.assertFalse(ticket.requester_unconfirmed)
        self.assertIn(ticket, self.env["spid.ticket"].with_user(self.employee).search([]))


@tagged("post_install", "-at_install")
class TestEmployeeRequestsRpc(EmployeeCommon, HttpCase):
    """The same, as the web client calls it, with a hostile context."""

    def _call(self, model, method, args, kwargs=None):
        kwargs = dict(kwargs or {}, context=HOSTILE)
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {"model": model, "method": method, "args": args, "kwargs": kwargs},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertLess(response.status_code, 500)
        body = response.json()
        return body.get("result"), body.get("error")

    def test_rpc_attacks(self):
        self.authenticate("hd_emma", "hd_emma")
        result, error = self._call("spid.ticket", "search_read", [[]], {"fields": ["name"]})
        self.assertFalse(error)
        self.assertEqual([row["id"] for row in result], self.request.ids)
        for fields in (["priority"], ["team_id"], ["message_ids"], ["total_hours"]):
            result, error = self._call("spid.ticket", "read", [self.request.ids, fields])
            self.assertTrue(error, fields)
        result, error = self._call("spid.ticket", "read", [self.request_2.ids, ["name"]])
        self.assertTrue(error)
        result, error = self._call(
            "spid.ticket", "write", [self.request.ids, {"status_id": self.st_closed.id}]
        )
        self.assertTrue(error)
        result, error = self._call(
            "mail.message",
            "search_read",
            [[("model", "=", "spid.ticket"), ("res_id", "=", self.request.id)]],
            {"fields": ["body"]},
        )
        self.assertFalse(error)
        ids = [row["id"] for row in result]
        self.assertIn(self.answer.id, ids)
        self.assertNotIn(self.note.id, ids)
        result, error = self._call("mail.message", "read", [self.note.ids, ["body"]])
        self.assertTrue(error)
        # the chatter's own route
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
        self.assertNotIn("disk is dying", response.text)
        self.assertIn("swap it tomorrow", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.request.sudo().status_id, self.st_new)

    def test_request_form_and_portal(self):
        self.authenticate("hd_emma", "hd_emma")
        form = self.env.ref("spid_helpdesk.spid_ticket_view_form_request")
        names = ["name", "type_id", "urgency", "partner_id", "user_id", "status_id", "reference"]
        names += ["is_closed", "date_closed", "properties", "description", "epilogue"]
        spec = {name: {} for name in names}
        for name in ("type_id", "partner_id", "user_id", "status_id"):
            spec[name] = {"fields": {"display_name": {}}}
        result, error = self._call("spid.ticket", "onchange", [[], {}, [], spec])
        self.assertFalse(error, error)
        result, error = self._call(
            "spid.ticket",
            "web_save",
            [[], {"name": "Mouse broken", "urgency": "2", "type_id": self.kind.id}],
            {"specification": spec},
        )
        self.assertFalse(error, error)
        self.assertEqual(result[0]["partner_id"]["id"], self.employee.partner_id.id)
        result, error = self._call("spid.ticket", "web_read", [self.request.ids], {"specification": spec})
        self.assertFalse(error, error)
        self.assertTrue(form.id)
        # the portal pages list an employee's requests
        response = self.url_open("/my/tickets?filterby=all")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Laptop broken", response.text)
        self.assertNotIn("Badge lost", response.text)


@tagged("post_install", "-at_install")
class TestEmployeeRequestsTour(HttpCase):
    """The employee's own way in, in Chromium: Helpdesk > My requests."""

    def test_employee_opens_and_follows_a_request(self):
        employee = new_test_user(self.env, "tour_emma", groups="base.group_user", name="Tour Emma")
        self.env["spid.ticket"].with_user(employee).create({"name": "Tour old request"})
        self.start_tour("/odoo", "spid_my_requests_tour", login="tour_emma")
        ticket = self.env["spid.ticket"].search([("name", "=", "Tour my monitor flickers")])
        self.assertEqual(ticket.partner_id, employee.partner_id)
        self.assertEqual(ticket.editor_id, employee)
        message = ticket.message_ids.filtered(lambda m: "Still flickering" in (m.body or ""))
        self.assertEqual(message.author_id, employee.partner_id)
        self.assertFalse(message.subtype_id.internal)
