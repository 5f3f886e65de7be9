"""Customers correct their own open request on the portal (issue #19): the
requester only, while the ticket is neither closed nor locked; the title,
description, urgency and the type's portal custom fields, checked, nothing
else, tracked in one public message of the customer. Attacked over HTTP as
the customer, a colleague, another client's customer and a visitor holding
the ticket's link, and over JSON-RPC with an attacker's context."""

import json

from odoo.tests import tagged

from odoo.addons.spid_helpdesk.tests.common import JsonRpcMixin

from .common import SpidPortalCommon

ATTACK_CONTEXT = {"spid_system": True, "mail_notrack": True, "sudo": True, "uid": 1, "active_test": False}


@tagged("post_install", "-at_install")
class TestPortalEdit(JsonRpcMixin, SpidPortalCommon):
    login_prefix = "edit_"
    email_domain = "edit.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = cls._customer("edit_anna", cls.client_a)
        cls.arno = cls._customer("edit_arno", cls.client_a)  # a colleague: reads Anna's tickets (grouped)
        cls.bert = cls._customer("edit_bert", cls.client_b)
        cls.kind = cls.env["spid.ticket.type"].create(
            {
                "name": "Printer",
                "portal_selectable": True,
                "properties_definition": [
                    {"name": "serial", "string": "Serial number", "type": "char"},
                    {
                        "name": "brand",
                        "string": "Brand",
                        "type": "selection",
                        "selection": [["hp", "HP"], ["canon", "Canon"]],
                    },
                    # not on the portal form: an agents' field, kept by any edit
                    {"name": "tag", "string": "Agents' tag", "type": "tags", "tags": [["x", "X", 1]]},
                ],
            }
        )
        cls.ticket = cls._portal_ticket(
            cls.anna,
            "Printer jams",
            type_id=cls.kind.id,
            description="<p>Paper stuck</p>",
            properties={"serial": "SN-1", "brand": "hp", "tag": ["x"]},
            user_id=cls.agent.id,
        )
        cls.env.flush_all()

    def edit(self, ticket, login=None, **values):
        """POST the edit form of `ticket` as `login` (or the current session)."""
        if login:
            self.authenticate(login, login)
        data = {"name": ticket.name, "urgency": ticket.urgency, "description": "Paper stuck", **values}
        return self.post(f"/my/tickets/{ticket.id}/edit", data)

    def snapshot(self, ticket):
        ticket.invalidate_recordset()
        return (ticket.name, ticket.urgency, str(ticket.description), dict(ticket.properties or {}))

    def chatter(self, ticket):
        response = self.url_open(
            "/mail/chatter_fetch",
            data=json.dumps({"params": {"thread_model": "spid.ticket", "thread_id": ticket.id}}),
            headers={"Content-Type": "application/json"},
        )
        return " ".join(message["body"] for message in response.json()["result"]["data"]["mail.message"])

    # -- the requester ---------------------------------------------------------

    def test_requester_edits_an_open_request(self):
        page = self.get(f"/my/tickets/{self.ticket.id}", "edit_anna")
        self.assertIn('id="spid_edit_form"', page.text)
        self.assertIn('value="SN-1"', page.text, "the form shows the current answers")
        response = self.edit(
            self.ticket,
            name="Printer jams on tray 2",
            urgency="2",
            description="Paper stuck in tray 2\nsince Monday",
            prop_serial="SN-2",
            prop_brand="canon",
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.ticket.name, "Printer jams on tray 2")
        self.assertEqual(self.ticket.urgency, "2")
        self.assertIn("since Monday", str(self.ticket.description))
        self.assertEqual(self.ticket.properties, {"serial": "SN-2", "brand": "canon", "tag": ["x"]})
        message = self.ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("spid_helpdesk_portal.mt_ticket_edited")
        )
        self.assertEqual(len(message), 1, "one message for the whole edit")
        self.assertEqual(message.author_id, self.anna.partner_id)
        self.assertFalse(message.is_internal)
        self.assertEqual(
            set(message.tracking_value_ids.field_id.mapped("name")),
            {"name", "urgency", "description", "properties"},
        )
        self.assertIn("Title", self.chatter(self.ticket), "the customer sees their own edit")
        # nothing changed: nothing written, no message
        self.edit(self.ticket, description="Paper stuck in tray 2\nsince Monday", prop_serial="SN-2",
                  prop_brand="canon")  # fmt: skip
        self.assertEqual(len(self.ticket.message_ids.filtered(lambda m: m.id > message.id)), 0)

    def test_untouched_description_keeps_its_formatting(self):
        """An email's description, shown as text in the form and posted back
        untouched (with the browser's CRLF line breaks), is not rewritten."""
        self.ticket.description = "<p>First line</p><p><b>Second</b> line</p>"
        self.authenticate("edit_anna", "edit_anna")
        page = self.get(f"/my/tickets/{self.ticket.id}").text
        shown = page.split('id="spid_edit_description"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
        self.edit(self.ticket, name="Renamed", description=shown.replace("\n", "\r\n"))
        self.assertEqual(self.ticket.name, "Renamed")
        self.assertIn("<b>Second</b>", str(self.ticket.description))

    def test_empty_custom_field_is_cleared_and_others_kept(self):
        self.edit(self.ticket, "edit_anna", prop_serial="", prop_brand="hp")
        self.assertEqual(self.ticket.properties.get("serial"), False)
        self.assertEqual(self.ticket.properties.get("tag"), ["x"])

    def test_bad_input_writes_nothing(self):
        before = self.snapshot(self.ticket)
        self.authenticate("edit_anna", "edit_anna")
        for values, error in (
            ({"name": "  "}, "Give your request a title."),
            ({"name": "New title", "urgency": "9"}, "Invalid urgency."),
            ({"name": "New title", "prop_brand": "xerox"}, "Invalid value for Brand."),
        ):
            page = self.edit(self.ticket, **values)
            self.assertEqual(page.status_code, 200, values)
            self.assertIn(error, page.text)
            self.assertIn("collapse show", page.text, "the form stays open with what was typed")
            self.assertEqual(self.snapshot(self.ticket), before, values)

    def test_forged_fields_are_ignored(self):
        status = self.ticket.status_id
        self.edit(
            self.ticket,
            "edit_anna",
            name="Only the title",
            status_id=self.env.ref("spid_helpdesk.status_reopened").id,
            user_id=str(self.env.ref("base.user_admin").id),
            priority="3",
            partner_id=self.bert.partner_id.id,
            client_id=self.client_b.id,
            properties=json.dumps({"tag": []}),
            prop_tag="[]",
            is_locked="1",
        )
        self.assertEqual(self.ticket.name, "Only the title")
        self.assertEqual(self.ticket.status_id, status)
        self.assertEqual(self.ticket.user_id, self.agent)
        self.assertEqual(self.ticket.priority, "1")
        self.assertEqual(self.ticket.partner_id, self.anna.partner_id)
        self.assertEqual(self.ticket.client_id, self.client_a)
        self.assertEqual(self.ticket.properties.get("tag"), ["x"])
        self.assertFalse(self.ticket.is_locked)

    # -- everyone else -----------------------------------------------------------

    def test_colleague_and_other_client_cannot_edit(self):
        before = self.snapshot(self.ticket)
        page = self.get(f"/my/tickets/{self.ticket.id}", "edit_arno")
        self.assertEqual(page.status_code, 200, "the colleague reads the ticket")
        self.assertNotIn("spid_edit_form", page.text)
        response = self.edit(self.ticket, name="Arno was here")
        self.assertEqual(response.status_code, 303)
        self.assertIn("error=denied", response.headers["Location"])
        self.authenticate("edit_bert", "edit_bert")
        response = self.post(f"/my/tickets/{self.ticket.id}/edit", {"name": "Bert was here", "urgency": "1"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.snapshot(self.ticket), before)

    def test_closed_or_locked_ticket_cannot_be_edited(self):
        self.ticket.write(
            {
                "status_id": self.env.ref("spid_helpdesk.status_closed").id,
                "resolution": "solved",
                "epilogue": "<p>Toner replaced</p>",
            }
        )
        before = self.snapshot(self.ticket)
        page = self.get(f"/my/tickets/{self.ticket.id}", "edit_anna")
        self.assertNotIn("spid_edit_form", page.text)
        response = self.edit(self.ticket, name="After closing")
        self.assertIn("error=edit", response.headers["Location"])
        self.ticket.action_lock()
        response = self.edit(self.ticket, name="After locking")
        self.assertIn("error=edit", response.headers["Location"])
        self.assertEqual(self.snapshot(self.ticket), before)

    def test_no_csrf_no_get_no_visitor(self):
        before = self.snapshot(self.ticket)
        self.authenticate("edit_anna", "edit_anna")
        url = f"/my/tickets/{self.ticket.id}/edit"
        response = self.url_open(url, data={"name": "No token", "urgency": "1"}, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 405)
        # a visitor holding the ticket's link (a token emailed long ago) reads, never edits
        self.authenticate(None, None)
        token = self.ticket.sudo()._portal_ensure_token()
        page = self.url_open(f"/my/tickets/{self.ticket.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("spid_edit_form", page.text)
        response = self.post(
            url,
            {"name": "Visitor", "urgency": "1", "access_token": token},
            token_url="/helpdesk/submit",  # the page of the link has no form for a visitor
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        self.assertEqual(self.snapshot(self.ticket), before)

    def test_json_rpc_write_stays_refused(self):
        before = self.snapshot(self.ticket)
        for values in ({"name": "RPC"}, {"urgency": "3"}, {"properties": {"serial": "RPC"}}):
            result = self._rpc(
                "edit_anna", "spid.ticket", "write", [[self.ticket.id], values], {"context": ATTACK_CONTEXT}
            )
            self.assertIn("error", result, values)
        result = self._rpc(
            "edit_anna",
            "spid.ticket",
            "_spid_portal_edit",
            [[self.ticket.id], {"name": "RPC", "urgency": "1"}],
            {"context": ATTACK_CONTEXT},
        )
        self.assertIn("error", result, "a private method is not callable over RPC")
        self.assertEqual(self.snapshot(self.ticket), before)
