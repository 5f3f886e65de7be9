"""Attacks on what a customer (portal user) and an anonymous visitor can
reach, made over real HTTP as they would make them: JSON-RPC to
/web/dataset/call_kw with any context, the chatter's routes, the portal
pages and forms with their CSRF token, the public form.

Promises checked here:
- a customer reads, searches and sorts tickets on the fields of the portal
  allowlist only (PORTAL_READABLE_FIELDS): every field of spid.ticket, from
  every installed addon, is tried;
- no search path leads to messages, work units, SLA lines, ratings or totals;
- a customer's message is a public comment by themselves, to the ticket's
  followers, with their own checked uploads;
- looking at a page writes nothing (no rating row, no access token), and a
  page prints no text taken from its URL; no form field name makes a 500;
- the public form: another person's address gives a ticket hidden from
  that person's portal until confirmed through the emailed link, and only
  the confirmation request reaches them; rate limits per address (+tag
  stripped) and per IP; at most 5 files, each checked by its bytes; errors
  say nothing about other people.
Every refused attack leaves the database as it was."""

import base64
import json
import re
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token
from odoo.addons.spid_helpdesk_portal.models import spid_ticket as spid_ticket_module
from odoo.addons.spid_helpdesk_portal.models.spid_ticket import PORTAL_READABLE_FIELDS
from odoo.addons.spid_helpdesk_portal.tests.common import SpidPortalCommon

# What an attacker adds to every call: context keys the code once read,
# Odoo's own switches, and nonsense.
ATTACK_CONTEXT = {
    "active_test": False,
    "spid_unlocking": True,
    "spid_system": True,
    "spid_sla_system": True,
    "spid_requester_id": 1,
    "mail_notrack": True,
    "mail_create_nosubscribe": True,
    "sudo": True,
    "su": True,
    "uid": 1,
    "bin_size": False,
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<html><body><script>alert('spid')</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"


def without_language_links(html):
    """The page without the hrefs of Odoo's language selector (shown once a
    second language is active): they keep the current URL, query included,
    as an escaped attribute, so that switching language stays on the page."""
    return re.sub(r"<a\b[^>]*\bjs_change_lang\b[^>]*>", "<a>", html)


@tagged("post_install", "-at_install")
class TestAttackPortal(SpidPortalCommon):
    login_prefix = "atk_"
    email_domain = "atk.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = cls._customer("atk_anna", cls.client_a)
        cls.bert = cls._customer("atk_bert", cls.client_b)
        cls.ticket = cls._portal_ticket(cls.anna, "Anna's printer", user_id=cls.agent.id)
        cls.other = cls._portal_ticket(cls.bert, "Bert's server")
        cls._internal_work(cls.ticket, "SECRETWORK", "SECRETNOTE")
        cls.ticket.message_post(
            body="Public answer",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=cls.agent.partner_id.id,
        )

    # -- helpers ---------------------------------------------------------

    def rpc(self, model, method, *args, **kwargs):
        """call_kw as the logged-in user, with the attacker's context:
        (result, error class name)."""
        kwargs.setdefault("context", ATTACK_CONTEXT)
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertLess(response.status_code, 500, response.text[:500])
        body = response.json()
        if "error" in body:
            return None, body["error"]["data"]["name"].rsplit(".", 1)[-1]
        return body["result"], None

    def json_route(self, route, params):
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertLess(response.status_code, 500, response.text[:500])
        return response.json()

    def submit(self, files=None, **values):
        """The public form, as an anonymous visitor."""
        data = {"name": "Mallory", "email": "mallory@evil.example", "title": "Urgent: call me", **values}
        return self.post("/helpdesk/submit", data, files=files, token_url="/helpdesk/submit")

    def state(self):
        """What a refused attack must leave unchanged."""
        self.env.flush_all()
        self.env.cr.precommit.run()  # pending tracking of the fixtures, sent by the first request anyway
        self.env.flush_all()
        self.env.invalidate_all()
        return (
            self.env["spid.ticket"].with_context(active_test=False).search_count([]),
            self.env["mail.message"].search_count([]),
            self.env["ir.attachment"].search_count([]),
            self.env["mail.mail"].search_count([]),
            self.env["rating.rating"].search_count([]),
        )

    def mails_to(self, partner):
        self.env.flush_all()
        self.env.cr.precommit.run()
        return self.env["mail.mail"].search(
            ["|", ("recipient_ids", "in", partner.ids), ("email_to", "ilike", partner.email)]
        )

    # -- reading ---------------------------------------------------------

    def test_portal_read_matrix_every_field(self):
        """Every field of spid.ticket (all installed addons) over JSON-RPC:
        readable if and only if it is in the allowlist."""
        fields = self.env["spid.ticket"]._fields
        self.assertFalse(PORTAL_READABLE_FIELDS - set(fields), "the allowlist names fields that exist")
        self.authenticate("atk_anna", "atk_anna")
        readable = set()
        for name in sorted(fields):
            result, error = self.rpc("spid.ticket", "read", [self.ticket.id], [name])
            if error is None:
                self.assertEqual(result[0]["id"], self.ticket.id)
                readable.add(name)
            else:
                self.assertEqual(error, "AccessError", f"{name}: {error}")
        self.assertEqual(readable, set(PORTAL_READABLE_FIELDS) | {"id"})
        # no list of fields: only the allowlist comes back, and never an internal one
        result, error = self.rpc("spid.ticket", "read", [self.ticket.id])
        self.assertIsNone(error)
        self.assertLessEqual(set(result[0]), PORTAL_READABLE_FIELDS)
        for method, args, kwargs in (
            ("search_read", [[]], {"fields": ["name", "total_hours"]}),
            ("web_read", [[self.ticket.id]], {"specification": {"statistics_html": {}}}),
            ("web_search_read", [[]], {"specification": {"name": {}, "common_properties": {}}}),
            ("read_group", [[], ["total_hours:sum"], ["partner_id"]], {}),
            ("read_group", [[], ["name"], ["priority"]], {}),
            ("web_read_group", [[], ["name"], ["team_id"]], {}),
            ("onchange", [[], {}, [], {"statistics_html": {}}], {}),
        ):
            result, error = self.rpc("spid.ticket", method, *args, **kwargs)
            self.assertEqual(error, "AccessError", f"{method}{args}: {result}")
        result, error = self.rpc("spid.ticket", "export_data", [self.ticket.id], ["total_hours"])
        self.assertIsNotNone(error, f"export_data: {result}")
        result, error = self.rpc("spid.ticket", "fields_get", [], ["type"])
        self.assertEqual(set(result), set(PORTAL_READABLE_FIELDS) & set(fields))
        # what the portal needs still works
        result, error = self.rpc("spid.ticket", "search_read", [], ["reference", "name", "portal_status"])
        self.assertIsNone(error)
        self.assertEqual({r["id"] for r in result}, {self.ticket.id})

    def test_search_paths_to_internal_data(self):
        """Relational paths and internal fields in domains and orders are
        refused: nothing answers yes/no about internal notes or work."""
        self.authenticate("atk_anna", "atk_anna")
        domains = [
            [("message_ids.body", "ilike", "SECRETNOTE")],
            [("message_ids", "any", [("body", "ilike", "SECRETNOTE")])],
            [("website_message_ids.body", "ilike", "SECRETNOTE")],
            [("workunit_ids.description", "ilike", "SECRETWORK")],
            [("workunit_ids", "any", [("duration", ">", 1)])],
            [("sla_line_ids.status", "=", "ongoing")],
            [("sla_at_risk", "=", True)],
            [("statistics_html", "ilike", "hour")],
            [("total_hours", ">", 0)],
            [("workunit_count", ">", 0)],
            [("rating_ids.feedback", "ilike", "a")],
            [("rating_last_value", ">", 0)],
            [("message_follower_ids.partner_id", "=", self.agent.partner_id.id)],
            [("common_properties", "!=", False)],
            [("priority", "=", "3")],
            [("activity_ids.note", "ilike", "x")],
            ["|", ("name", "=", "x"), ("link_ids.name", "ilike", "x")],
            ["!", ("limit_warning", "=", False)],
        ]
        if "invoice_state" in self.env["spid.ticket"]._fields:
            domains.append([("invoice_state", "=", "to_invoice")])
        before = self.state()
        for domain in domains:
            result, error = self.rpc("spid.ticket", "search_count", domain)
            self.assertTrue(error == "AccessError" or result == 0, f"{domain} answered {result}")
            self.assertEqual(error, "AccessError", f"{domain} must be refused")
        for order in ("total_hours desc", "priority desc", "sla_deadline", "rating_last_value desc, id"):
            result, error = self.rpc("spid.ticket", "search", [], order=order)
            self.assertEqual(error, "AccessError", order)
        result, error = self.rpc("spid.ticket", "name_search", "Anna")
        self.assertIsNone(error)
        self.assertEqual([r[0] for r in result], [self.ticket.id])
        self.assertEqual(self.rpc("spid.ticket", "search_count", [("name", "ilike", "Anna")])[0], 1)
        self.assertEqual(self.state(), before)

    def test_chatter_routes_show_public_messages_only(self):
        self.authenticate("atk_anna", "atk_anna")
        page = self.url_open(f"/my/tickets/{self.ticket.id}")
        self.assertEqual(page.status_code, 200)
        for route, params in (
            ("/portal/chatter_init", {"thread_model": "spid.ticket", "thread_id": self.ticket.id}),
            ("/mail/chatter_fetch", {"thread_model": "spid.ticket", "thread_id": self.ticket.id}),
            ("/mail/thread/messages", {"thread_model": "spid.ticket", "thread_id": self.ticket.id}),
        ):
            body = self.json_route(route, params)
            self.assertNotIn("error", body, f"{route}: {body}")
            text = json.dumps(body)
            self.assertNotIn("SECRETNOTE", text, route)
            self.assertNotIn("SECRETWORK", text, route)
        self.assertIn("Public answer", json.dumps(self.json_route("/mail/chatter_fetch", params={
            "thread_model": "spid.ticket", "thread_id": self.ticket.id})))  # fmt: skip

    def test_files_of_internal_notes_stay_hidden(self):
        Attachment = self.env["ir.attachment"]
        secret = Attachment.create(
            {"name": "secret-note.pdf", "raw": PDF, "res_model": "spid.ticket", "res_id": self.ticket.id}
        )
        self.ticket.message_post(
            body="note with a file", subtype_xmlid="mail.mt_note", attachment_ids=secret.ids
        )
        public = Attachment.create(
            {"name": "public-answer.pdf", "raw": PDF, "res_model": "spid.ticket", "res_id": self.ticket.id}
        )
        self.ticket.message_post(
            body="answer with a file",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=public.ids,
        )
        self.ticket.write({"signed_workorder": base64.b64encode(PDF), "signed_workorder_name": "wo.pdf"})
        self.authenticate("atk_anna", "atk_anna")
        ticket_files = [("res_model", "=", "spid.ticket"), ("res_id", "=", self.ticket.id)]
        for domain in ([("name", "=", "secret-note.pdf")], [("res_field", "=", "signed_workorder")]):
            result, error = self.rpc("ir.attachment", "search_count", ticket_files + domain)
            self.assertTrue(error == "AccessError" or result == 0, f"{domain}: {result}")
        for url in (
            f"/web/content/spid.ticket/{self.ticket.id}/signed_workorder",
            f"/web/content/{secret.id}",
        ):
            response = self.url_open(url)
            self.assertNotIn(b"%PDF", response.content, url)

    # -- posting ---------------------------------------------------------

    def test_message_post_over_rpc(self):
        self.authenticate("atk_anna", "atk_anna")
        ticket = self.ticket
        bert = self.bert.partner_id
        outsider = self.env["res.partner"].create({"name": "Outsider", "email": "out@elsewhere.example"})
        foreign = self.env["ir.attachment"].create(
            {"name": "bert.pdf", "raw": PDF, "res_model": "spid.ticket", "res_id": self.other.id}
        )
        before = self.state()
        for kwargs in (
            {"body": "spoof", "author_id": bert.id},
            {"body": "spoof", "author_id": self.agent.partner_id.id, "message_type": "comment"},
            {"body": "x", "attachment_ids": [foreign.id]},
            {"body": "x", "is_internal": True},
            {"body": "x", "record_name": "Fake"},
            {"body": "x", "attachments": [["evil.pdf", HTML.decode()]]},
            {"body": "x", "attachments": [[f"f{i}.txt", "text"] for i in range(6)]},
        ):
            result, error = self.rpc("spid.ticket", "message_post", [ticket.id], **kwargs)
            self.assertIn(error, ("AccessError", "ValidationError"), f"{kwargs} gave {result}")
        for method, kwargs in (
            ("message_notify", {"partner_ids": [bert.id], "body": "spam", "subject": "spam"}),
            ("message_post_with_source", {"source_ref": "mail.mail_notification_light"}),
            ("message_new", {"msg_dict": {"subject": "x", "email_from": "a@b.example"}}),
            ("rating_get_grades", {}),
        ):
            ids = [] if method == "message_new" else [ticket.id]
            result, error = self.rpc("spid.ticket", method, *([ids] if ids else []), **kwargs)
            self.assertIsNotNone(error, f"{method} gave {result}")
        self.assertEqual(self.state(), before, "refused posts leave nothing")
        # allowed, but cut down to a public comment by herself to the followers
        result, error = self.rpc(
            "spid.ticket",
            "message_post",
            [ticket.id],
            body="<b>hello</b> team",
            message_type="notification",
            subtype_xmlid="mail.mt_note",
            partner_ids=[bert.id, outsider.id, self.agent.partner_id.id],
            author_id=self.anna.partner_id.id,
        )
        self.assertIsNone(error, result)
        message = self.env["mail.message"].browse(result)
        self.assertEqual(message.author_id, self.anna.partner_id)
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertFalse(message.partner_ids - ticket.message_partner_ids, "followers only")
        self.assertNotIn(bert, message.partner_ids | message.notification_ids.res_partner_id)
        self.assertNotIn(outsider, message.partner_ids | message.notification_ids.res_partner_id)
        self.assertNotIn("<b>", message.body, "a string from RPC is text, not HTML")

    def test_message_post_route(self):
        """/mail/message/post: the chatter's own route, with a context."""
        self.authenticate("atk_anna", "atk_anna")
        bert = self.bert.partner_id
        upload = self.url_open(
            "/mail/attachment/upload",
            data={"thread_id": self.ticket.id, "thread_model": "spid.ticket", "csrf_token": self.csrf()},
            files={"ufile": ("fake.pdf", HTML, "application/pdf")},
        )
        self.assertIn("error", upload.json(), "an HTML file named .pdf is refused at upload")
        upload = self.url_open(
            "/mail/attachment/upload",
            data={"thread_id": self.ticket.id, "thread_model": "spid.ticket", "csrf_token": self.csrf()},
            files={"ufile": ("real.pdf", PDF, "application/pdf")},
        )
        attachment = self.env["ir.attachment"].search([("name", "=", "real.pdf")])
        self.assertEqual(attachment.res_model, "mail.compose.message", "pending until a message takes it")
        body = self.json_route(
            "/mail/message/post",
            {
                "thread_model": "spid.ticket",
                "thread_id": self.ticket.id,
                "post_data": {
                    "body": "via route",
                    "message_type": "notification",
                    "subtype_xmlid": "mail.mt_note",
                    "partner_ids": [bert.id],
                    "attachment_ids": [attachment.id],
                },
                "context": {"mail_post_autofollow": True, **ATTACK_CONTEXT},
                "attachment_tokens": [attachment.access_token],
            },
        )
        self.assertNotIn("error", body, body)
        message = self.env["mail.message"].search([("body", "ilike", "via route")])
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(message.author_id, self.anna.partner_id)
        self.assertNotIn(bert, message.partner_ids)
        self.assertNotIn(bert, self.ticket.message_partner_ids)
        self.assertEqual(message.attachment_ids, attachment)

    # -- pages: no GET writes, no reflection, no 500 ---------------------

    def test_gets_write_nothing(self):
        self.authenticate("atk_anna", "atk_anna")
        self.post(f"/my/tickets/{self.ticket.id}/close", {})
        self.assertTrue(self.ticket.is_closed)
        Rating = self.env["rating.rating"]
        token = Rating.search(
            [("res_model", "=", "spid.ticket"), ("res_id", "=", self.ticket.id)]
        ).access_token
        self.assertTrue(token, "the closing email made the rating row")

        def counts():
            self.env.flush_all()
            self.env.invalidate_all()
            tickets = self.env["spid.ticket"].with_context(active_test=False)
            return Rating.search_count([]), tickets.search_count([("access_token", "!=", False)])

        before = counts()
        for url in ("/my/tickets", "/my/tickets?filterby=all", f"/my/tickets/{self.ticket.id}", "/my"):
            self.assertEqual(self.url_open(url).status_code, 200, url)
        self.assertEqual(counts(), before, "looking at pages wrote nothing")
        self.assertIn(f"/rate/{token}/5", self.url_open(f"/my/tickets/{self.ticket.id}").text)
        # without the email's row, the page offers no rating and makes none
        Rating.search([("res_model", "=", "spid.ticket"), ("res_id", "=", self.ticket.id)]).unlink()
        before = counts()
        self.assertNotIn("/rate/", self.url_open(f"/my/tickets/{self.ticket.id}").text)
        self.assertEqual(counts(), before)

    def test_no_reflected_error_text(self):
        self.authenticate("atk_anna", "atk_anna")
        for url in (
            f"/my/tickets/{self.ticket.id}?error=REFLECTED%3Cscript%3E",
            "/my/tickets/new?error=REFLECTED&name=REFLECTED",
        ):
            page = self.url_open(url)
            self.assertEqual(page.status_code, 200)
            self.assertNotIn("REFLECTED", without_language_links(page.text), url)
        page = self.url_open(f"/my/tickets/{self.ticket.id}?error=reply")
        self.assertIn("Your answer was not sent", page.text)

    def test_unexpected_form_fields_never_500(self):
        self.authenticate("atk_anna", "atk_anna")
        before = self.state()
        # (a field named "self" breaks every route of Odoo itself, before ours run)
        odd = {
            "error": "x",
            "ticket_id": "1",
            "values": "x",
            "post": "x",
            "kw": "x",
            "access_token": "x",
        }
        for url in (
            "/my/tickets/new",  # no title: refused
            f"/my/tickets/{self.ticket.id}/reply",  # no message: refused
            f"/my/tickets/{self.ticket.id}/reopen",  # not closed: refused
            f"/my/tickets/{self.other.id}/close",  # not hers: 404
        ):
            response = self.post(url, odd)
            self.assertLess(response.status_code, 500, f"{url}: {response.text[:300]}")
        self.assertEqual(self.state(), before)
        self.logout()
        response = self.post(
            "/helpdesk/submit", dict(odd, email="not an address"), token_url="/helpdesk/submit"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.state(), before)
        response = self.url_open("/helpdesk/submit?error=REFLECTED&values=1")
        self.assertNotIn("REFLECTED", without_language_links(response.text))

    def test_forms_list_the_company_categories_only(self):
        other_company = self.env["res.company"].create({"name": "Atk Other Co"})
        own = self.env["spid.ticket.category"].create({"name": "Atk own category"})
        foreign = self.env["spid.ticket.category"].create(
            {"name": "Atk foreign category", "company_id": other_company.id}
        )
        self.authenticate("atk_anna", "atk_anna")
        page = self.url_open("/my/tickets/new").text
        self.assertIn(own.name, page)
        self.assertNotIn(foreign.name, page)
        before = self.state()
        page = self.post("/my/tickets/new", {"name": "Foreign", "category_id": foreign.id})
        self.assertIn("Unknown category", page.text)
        self.logout()
        page = self.url_open("/helpdesk/submit").text
        self.assertIn(own.name, page)
        self.assertNotIn(foreign.name, page)
        page = self.submit(category_id=foreign.id)
        self.assertIn("Unknown category", page.text)
        self.assertEqual(self.state(), before)

    # -- the public form -------------------------------------------------

    def test_public_form_impersonation(self):
        victim = self.anna.partner_id
        before = self.mails_to(victim)
        page = self.submit(
            email="ATK_ANNA@atk.example", title="PWNED title", description="<img src=http://x/p.gif>"
        )
        self.assertIn("your request was received as", page.text)
        ticket = self.env["spid.ticket"].search([("name", "=", "PWNED title")])
        self.assertEqual(ticket.partner_id, victim)
        self.assertFalse(ticket.portal_confirmed)
        self.assertNotIn("<img", ticket.description, "the description is text")
        mails = self.mails_to(victim) - before
        self.assertEqual(len(mails), 1, "only the confirmation request reaches the victim")
        self.assertNotIn("PWNED", mails.body_html + (mails.subject or ""))
        # in the voice of the ticket's team, as every email about a ticket
        self.assertEqual(mails.email_from, ticket._spid_email_from())
        # once the request has a team, its confirmation speaks for it
        team = self.env["spid.team"].search([("company_id", "=", ticket.company_id.id)], limit=1)
        team.write({"mail_footer": "<p>ATK team footer</p>", "email_from": "ATK Desk <desk@atk.example>"})
        ticket.team_id = team
        ticket._spid_send_confirmation_request()
        again = self.mails_to(victim) - before - mails
        self.assertEqual(again.email_from, "ATK Desk <desk@atk.example>")
        self.assertIn("ATK team footer", again.body_html)
        path = re.search(r"/helpdesk/confirm/\d+/[0-9a-f]+", mails.body_html).group(0)
        # the victim's portal does not show it, by page or by RPC
        self.authenticate("atk_anna", "atk_anna")
        self.assertNotIn(ticket.reference, self.url_open("/my/tickets?filterby=all").text)
        self.assertEqual(self.url_open(f"/my/tickets/{ticket.id}").status_code, 404)
        result, _error = self.rpc("spid.ticket", "search", [("id", "=", ticket.id)])
        self.assertFalse(result)
        self.logout()
        # a wrong token opens nothing; the right one shows the request, and GET writes nothing
        self.assertEqual(self.url_open(f"/helpdesk/confirm/{ticket.id}/forged").status_code, 404)
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        self.assertIn("PWNED title", page.text)
        ticket.invalidate_recordset()
        self.assertFalse(ticket.portal_confirmed, "no GET write")
        response = self.url_open(path, data={"csrf_token": form_csrf_token(page.text)})
        self.assertEqual(response.status_code, 200)
        ticket.invalidate_recordset()
        self.assertTrue(ticket.portal_confirmed)
        self.authenticate("atk_anna", "atk_anna")
        self.assertIn(ticket.reference, self.url_open("/my/tickets?filterby=all").text)

    def test_new_contact_of_no_client_sees_its_ticket_at_once(self):
        self.submit(email="newbie@gmail.com", title="Fresh one")
        ticket = self.env["spid.ticket"].search([("name", "=", "Fresh one")])
        self.assertTrue(ticket.portal_confirmed)
        self.assertFalse(ticket.partner_id.parent_id)

    def test_plus_tag_flood_and_ip_limit(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("spid_helpdesk.submit_rate_limit", "2")
        self.submit(email="flood@flood.example", title="flood 1")
        self.submit(email="flood+1@flood.example", title="flood 2")
        before = self.state()
        page = self.submit(email="FLOOD+2@flood.example", title="flood 3")
        self.assertIn("Too many requests from this address", page.text)
        self.assertEqual(self.state(), before)
        params.set_param("spid_helpdesk.submit_rate_limit", "0")
        params.set_param("spid_helpdesk.submit_ip_rate_limit", "3")
        self.submit(email="other1@flood.example", title="ip 3")
        page = self.submit(email="other2@flood.example", title="ip 4")
        self.assertIn("Too many requests from your network", page.text)
        self.assertEqual(self.state()[0], before[0] + 1)

    def test_files(self):
        before = self.state()
        six = [("attachments", (f"f{i}.pdf", PDF, "application/pdf")) for i in range(6)]
        page = self.submit(files=six, title="six files")
        self.assertIn("files at most", page.text)
        big = [("attachments", ("big.pdf", PDF + b"0" * (1024 * 1024), "application/pdf"))]
        with patch.object(spid_ticket_module, "MAX_ATTACHMENT_MB", 1):  # the test server takes no 10 MB body
            self.assertIn("larger than 1 MB", self.submit(files=big, title="big").text)
        for name, content in (
            ("invoice.pdf", HTML),
            ("photo.png", EXE),
            ("notes.txt", EXE),
            ("scan.jpg", PDF),
        ):
            page = self.submit(files=[("attachments", (name, content, "application/pdf"))], title="disguised")
            self.assertIn("does not contain what its extension", page.text, name)
        self.assertEqual(self.state(), before, "refused files leave nothing")
        five = [("attachments", (f"f{i}.pdf", PDF, "application/pdf")) for i in range(4)]
        five.append(("attachments", ("p.png", PNG, "image/png")))
        self.assertIn("your request was received as", self.submit(files=five, title="five files").text)
        ticket = self.env["spid.ticket"].search([("name", "=", "five files")])
        self.assertEqual(len(ticket.message_ids.attachment_ids), 5)
        # the portal form and the reply form check the same way
        self.authenticate("atk_anna", "atk_anna")
        before = self.state()
        page = self.post(
            "/my/tickets/new",
            {"name": "disguised"},
            files=[("attachments", ("a.pdf", HTML, "application/pdf"))],
        )
        self.assertIn("does not contain what its extension", page.text)
        response = self.post(f"/my/tickets/{self.ticket.id}/reply", {"message": "x"}, files=six)
        self.assertIn("error=reply", response.headers["Location"])
        self.assertEqual(self.state(), before)

    def test_portal_description_keeps_no_remote_image(self):
        self.authenticate("atk_anna", "atk_anna")
        self.post(
            "/my/tickets/new", {"name": "Pixel", "description": '<img src="https://track.example/p.gif">hi'}
        )
        ticket = self.env["spid.ticket"].search([("name", "=", "Pixel")])
        self.assertNotIn("<img", ticket.description)

    def test_creation_limit_error_says_nothing_about_others(self):
        self.client_a.write({"spid_open_ticket_limit": 1, "spid_limit_mode": "block"})
        before = self.state()
        page = self.submit(email="atk_anna@atk.example", title="probe")
        self.assertIn("We cannot open a new request for this address", page.text)
        for secret in (self.anna.partner_id.name, self.client_a.name, "open tickets"):
            self.assertNotIn(secret, page.text)
        self.assertEqual(self.state(), before)
