"""What a customer sees of their own ticket (issue #15): their answers,
the emails they were sent, the closing and locking, the list on a phone,
the public form's thanks, French. Over HTTP as the customer, and tours."""

import json

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token, run_ticket_jobs

from .common import SpidPortalCommon


@tagged("post_install", "-at_install")
class TestCustomerView(SpidPortalCommon):
    login_prefix = "view_"
    email_domain = "view.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = cls._customer("view_anna", cls.client_a)
        cls.arno = cls._customer("view_arno", cls.client_a)  # grouped colleague: reads Anna's tickets
        cls.bert = cls._customer("view_bert", cls.client_b)
        cls.kind = cls.env["spid.ticket.type"].create(
            {
                "name": "View hardware",
                "portal_selectable": True,
                "properties_definition": [
                    {"name": "serial", "string": "Serial number", "type": "char"},
                    {
                        "name": "room",
                        "string": "Room",
                        "type": "selection",
                        "selection": [["desk", "Front desk"], ["lab", "Laboratory"]],
                    },
                ],
            }
        )
        cls.status_new = cls.env.ref("spid_helpdesk.status_new")
        cls.status_new.mail_template_id = cls.env.ref("spid_helpdesk.mail_template_ticket_ack")

    def chatter(self, ticket):
        """The bodies of the portal conversation of `ticket`, as the logged-in user's browser fetches it."""
        response = self.url_open(
            "/mail/chatter_fetch",
            data=json.dumps(
                {"jsonrpc": "2.0", "params": {"thread_model": "spid.ticket", "thread_id": ticket.id}}
            ),
            headers={"Content-Type": "application/json"},
        )
        result = response.json()
        self.assertNotIn("error", result, result)
        return " ".join(message["body"] for message in result["result"]["data"]["mail.message"])

    def _create_with_answers(self):
        self.authenticate("view_anna", "view_anna")
        response = self.post(
            "/my/tickets/new",
            {
                "name": "Label printer jams",
                "type_id": self.kind.id,
                "prop_serial": "SN-ANNA-42",
                "prop_room": "lab",
            },
        )
        self.assertEqual(response.status_code, 303)
        return self.env["spid.ticket"].search([("name", "=", "Label printer jams")])

    # -- 1. the customer's answers and reopen reason --------------------------

    def test_answers_are_shown_back(self):
        ticket = self._create_with_answers()
        page = self.get(f"/my/tickets/{ticket.id}")
        self.assertIn("Serial number", page.text)
        self.assertIn("SN-ANNA-42", page.text)
        self.assertIn("Laboratory", page.text, "the choice's label, not its key")
        self.assertIn(
            "SN-ANNA-42", self.get(f"/my/tickets/{ticket.id}", "view_arno").text, "grouped colleague"
        )

    def test_answers_stay_out_of_others_reach(self):
        ticket = self._create_with_answers()
        self.assertEqual(self.get(f"/my/tickets/{ticket.id}", "view_bert").status_code, 404)
        # the field itself stays out of the portal's readable fields, for everyone, own ticket too
        for user in (self.anna, self.bert):
            with self.assertRaises(AccessError):
                ticket.with_user(user).read(["properties"])
        with self.assertRaises(AccessError):
            self.env["spid.ticket"].with_user(self.bert).search([("properties.serial", "=", "SN-ANNA-42")])
        rpc = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "params": {
                        "model": "spid.ticket",
                        "method": "read",
                        "args": [[ticket.id], ["properties"]],
                        "kwargs": {"context": {"active_test": False}},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertNotIn("SN-ANNA-42", rpc.text)

    def test_reopen_reason_is_shown_back(self):
        ticket = self._portal_ticket(self.anna, "Badge reader", user_id=self.agent.id)
        self.authenticate("view_anna", "view_anna")
        self.post(f"/my/tickets/{ticket.id}/close", {})
        self.post(f"/my/tickets/{ticket.id}/reopen", {"reason": "REASON-STILL-BEEPING"})
        self.assertFalse(ticket.is_closed)
        self.assertIn("REASON-STILL-BEEPING", self.chatter(ticket))

    def test_no_reopen_form_on_a_ticket_kept_for_the_record(self):
        """A ticket in the History step is out of the requester's hands: only
        a supervisor takes it out, so the page offers no reopening."""
        ticket = self._portal_ticket(self.anna, "Old printer", user_id=self.agent.id)
        self.authenticate("view_anna", "view_anna")
        self.post(f"/my/tickets/{ticket.id}/close", {})
        reopen = f'action="/my/tickets/{ticket.id}/reopen"'
        self.assertIn(reopen, self.url_open(f"/my/tickets/{ticket.id}").text)
        ticket.sudo().write({"status_id": self.env.ref("spid_helpdesk.status_history").id})
        self.assertTrue(ticket.is_closed)
        self.assertNotIn(reopen, self.url_open(f"/my/tickets/{ticket.id}").text)
        # and the route refuses it all the same
        self.post(f"/my/tickets/{ticket.id}/reopen", {"reason": "Please"})
        ticket.invalidate_recordset()
        self.assertEqual(ticket.status_id, self.env.ref("spid_helpdesk.status_history"))

    # -- 2. the status emails in the customer's conversation -------------------

    def test_acknowledgement_is_in_the_conversation_and_only_emailed_to_the_requester(self):
        cc = self.env["res.partner"].create({"name": "Carl Copy", "email": "carl@view.example"})
        ticket = self._portal_ticket(self.anna, "Wifi drops", user_id=self.agent.id)
        ticket.message_subscribe(partner_ids=(cc | self.agent.partner_id).ids)
        run_ticket_jobs(self.env)  # the acknowledgement: by the cron, right after the commit
        customer_email = self.env.ref("spid_helpdesk.mt_customer_email")
        ack = ticket.message_ids.filtered(lambda m: m.subtype_id == customer_email)
        self.assertEqual(len(ack), 1)
        self.assertIn(ticket.reference, ack.subject)
        self.assertFalse(ack.subtype_id.internal or ack.is_internal)
        self.assertEqual(
            ack.notification_ids.res_partner_id, self.anna.partner_id, "the template's recipient"
        )
        # a later status email: followers (Cc, agent) still get nothing of it
        progress = self.env.ref("spid_helpdesk.status_in_progress")
        progress.mail_template_id = self.status_new.mail_template_id.copy()
        ticket.status_id = progress
        self.env.flush_all()
        self.env.cr.precommit.run()
        emails = ticket.message_ids.filtered(lambda m: m.subtype_id == ack.subtype_id)
        self.assertEqual(len(emails), 2)
        self.assertEqual(emails.notification_ids.res_partner_id, self.anna.partner_id)
        self.authenticate("view_anna", "view_anna")
        self.assertIn(ticket.reference, self.chatter(ticket), "the conversation is not empty")

    def test_rating_links_stay_the_requesters(self):
        ticket = self._portal_ticket(self.anna, "Toner", user_id=self.agent.id)
        self.authenticate("view_anna", "view_anna")
        self.post(f"/my/tickets/{ticket.id}/close", {})
        self.assertTrue(ticket.is_closed)
        token = ticket.sudo().rating_ids.access_token
        self.assertTrue(token)
        self.assertIn(f"/rate/{token}", self.get(f"/my/tickets/{ticket.id}").text, "her own rating buttons")
        self.authenticate("view_arno", "view_arno")
        self.assertNotIn(token, self.chatter(ticket))
        self.assertNotIn(token, self.get(f"/my/tickets/{ticket.id}").text)
        messages = (
            self.env["mail.message"]
            .with_user(self.arno)
            .search([("model", "=", "spid.ticket"), ("res_id", "=", ticket.id)])
        )
        self.assertFalse([body for body in messages.mapped("body") if token in body])
        # the "rate us" template stays a note on any status, not only a closing one
        rate_us = self.env.ref("spid_helpdesk.mail_template_ticket_closed_rating")
        open_ticket = self._portal_ticket(self.anna, "Open one")
        self.assertFalse(open_ticket.is_closed)
        self.assertEqual(open_ticket._spid_status_email_subtype_id(rate_us), self.env.ref("mail.mt_note").id)

    # -- 3. closing and locking ----------------------------------------------

    def test_close_asks_for_confirmation_and_locked_ticket_explains(self):
        ticket = self._portal_ticket(self.anna, "Phone line", user_id=self.agent.id)
        page = self.get(f"/my/tickets/{ticket.id}", "view_anna").text
        self.assertIn('id="spid_close_modal"', page)
        self.assertIn(f'action="/my/tickets/{ticket.id}/close"', page)
        self.post(f"/my/tickets/{ticket.id}/close", {})
        page = self.get(f"/my/tickets/{ticket.id}").text
        self.assertIn('name="reason"', page, "closed, not locked: the reopen form")
        self.assertNotIn('id="spid_locked"', page)
        ticket.with_user(self.agent).action_lock()
        page = self.get(f"/my/tickets/{ticket.id}").text
        self.assertIn('id="spid_locked"', page)
        self.assertNotIn('name="reason"', page)
        # the server refuses anyway
        self.post(f"/my/tickets/{ticket.id}/reopen", {"reason": "again"})
        self.assertTrue(ticket.is_closed)

    # -- 5. the public form ----------------------------------------------------

    def test_public_form_requester_without_client_and_a_way_on(self):
        page = self.url_open("/helpdesk/submit")
        data = {
            "name": "Vic",
            "email": "vic@visitor.example",
            "title": "Public door",
            "client_name": "Vic SA",
        }
        page = self.url_open("/helpdesk/submit", data=dict(data, csrf_token=self.csrf("/helpdesk/submit")))
        ticket = self.env["spid.ticket"].search([("name", "=", "Public door")])
        self.assertEqual(ticket.partner_id.email, "vic@visitor.example", "the visitor is the requester")
        self.assertTrue(ticket.requester_unconfirmed, "the agent's banner: to classify, no client yet")
        self.assertFalse(ticket.client_id, "and no client indeed")
        self.assertIn('href="/helpdesk/submit"', page.text)
        self.assertIn('href="/web/login?redirect=/my/tickets"', page.text)
        self.authenticate("view_anna", "view_anna")
        data.update(email="view_anna@view.example", title="Known door")
        page = self.url_open("/helpdesk/submit", data=dict(data, csrf_token=self.csrf("/helpdesk/submit")))
        self.assertIn('href="/my/tickets"', page.text)

    # -- 6. French ---------------------------------------------------------------

    def test_frontend_loads_the_conversations_translations(self):
        self.assertIn("mail", self.env["ir.http"]._get_translation_frontend_modules_name())
        terms = self.url_open("/website/translations/x?lang=fr_FR").json()["modules"]
        french = {m["id"]: m["string"] for m in terms["mail"]["messages"]}
        self.assertEqual(french.get("The conversation is empty."), "La conversation est vide.")

    def test_signing_in_gives_the_customers_language(self):
        """An anonymous visit sets the frontend's language cookie in the
        visitor's (English) language, and the cookie wins over the user's: a
        French customer signing in must still read their tickets in French."""
        self.anna.lang = "fr_FR"
        ticket = self._portal_ticket(self.anna, "Imprimante en panne")
        # an earlier anonymous visit (the public form) set the visitor's language
        self.url_open("/helpdesk/submit")
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "en_US", "the anonymous visitor's")
        login_page = self.url_open("/web/login")
        response = self.url_open(
            "/web/login",
            data={
                "login": "view_anna",
                "password": "view_anna",
                "csrf_token": form_csrf_token(login_page.text),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "fr_FR")
        page = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertIn("Reçu", page.text)
        self.assertNotIn(">Received<", page.text)
        # an agent in English signing in on this browser gets English back
        self.opener.cookies.clear()
        self.url_open("/fr/helpdesk/submit")  # a French visitor's cookie
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "fr_FR")
        login_page = self.url_open("/web/login")
        self.url_open(
            "/web/login",
            data={
                "login": self.agent.login,
                "password": self.agent.login,
                "csrf_token": form_csrf_token(login_page.text),
            },
            allow_redirects=False,
        )
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "en_US")


@tagged("post_install", "-at_install")
class TestCustomerTours(SpidPortalCommon):
    login_prefix = "tour_"
    email_domain = "tour.example"

    def test_journey_on_a_desktop(self):
        self._customer("tour_desk", self.client_b)
        self.start_tour("/my/tickets", "spid_portal_journey_tour", login="tour_desk")
        ticket = self.env["spid.ticket"].search([("name", "=", "Journey: the scanner is offline")])
        self.assertTrue(ticket.is_closed)

    def test_french_customer(self):
        user = self._customer("tour_fr", self.client_b)
        user.lang = "fr_FR"
        self.env.ref("spid_helpdesk.status_new").mail_template_id = False  # an empty conversation
        self._portal_ticket(user, "Imprimante en panne")
        other = self._portal_ticket(user, "Écran noir", user_id=self.agent.id)
        other.with_user(self.agent).message_post(
            body="Bonjour, nous regardons.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.start_tour("/my/tickets", "spid_portal_french_tour", login="tour_fr")


@tagged("post_install", "-at_install")
class TestCustomerPhoneTour(SpidPortalCommon):
    login_prefix = "phone_"
    email_domain = "phone.example"
    browser_size = "375x667"
    touch_enabled = True

    def test_journey_on_a_phone(self):
        pia = self._customer("phone_pia", self.client_b, name="Pia Maria Longname-Doublebarrelled")
        # a long title in the list already: the status must still be in view
        self._portal_ticket(pia, "The second floor printer prints every page twice, in colour, since Monday")
        self.start_tour("/my/tickets", "spid_portal_journey_tour", login="phone_pia")
        ticket = self.env["spid.ticket"].search([("name", "=", "Journey: the scanner is offline")])
        self.assertTrue(ticket.is_closed)
