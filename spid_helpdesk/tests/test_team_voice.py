from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools import formataddr, mute_logger

from .common import JsonRpcMixin, SpidHelpdeskCommon

ALIAS_DOMAIN = "desk.example.com"
HEADER = "Support desk, at your service"
FOOTER = "Call us on 555-0100"


@tagged("post_install", "-at_install")
class TestTeamVoice(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    """Every email of a ticket goes out in its team's voice: the team's
    sender, its header and footer (customers' emails), Reply-To its alias;
    statuses may have a team's own email; closing may stay quiet and teams
    may ask for no rating. Read from the queued mail.mail rows (emails stay
    queued: mail.mail.force.send.limit is 0) and from the messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._team_alias(ALIAS_DOMAIN, "support")
        cls.team.write(
            {
                "email_from": "Support <help@desk.example.com>",
                "mail_header": f"<p>{HEADER}</p>",
                "mail_footer": f"<p>{FOOTER}</p>",
            }
        )
        cls.env["ir.config_parameter"].sudo().set_param("mail.mail.force.send.limit", "0")
        cls.env.company.email = "office@company.example.com"
        cls.ack = cls.env.ref("spid_helpdesk.mail_template_ticket_ack")
        cls.rate_us = cls.env.ref("spid_helpdesk.mail_template_ticket_closed_rating")
        cls.st_new.mail_template_id = cls.ack
        cls.st_closed.mail_template_id = cls.rate_us

    def _mails(self, ticket, partner):
        return self.env["mail.mail"].search(
            [("model", "=", "spid.ticket"), ("res_id", "=", ticket.id), ("recipient_ids", "in", partner.ids)]
        )

    def _commit(self):
        """What the commit runs: tracking messages and their emails."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()

    def _rpc(self, login, model, method, args, kwargs=None):
        """The call, then the commit of what it did (the emails are read from mail.mail)."""
        result = super()._rpc(login, model, method, args, kwargs)
        self._commit()
        return result

    def _sender(self, name="Agent Alpha (Support)"):
        return formataddr((name, "help@desk.example.com"))

    # 1. the team's voice

    def test_agent_answer_goes_out_in_the_team_voice(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.message_subscribe(partner_ids=self.agent_2.partner_id.ids)
        self._commit()
        ticket.with_user(self.agent).message_post(
            body="Please restart it", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self._commit()
        mail = self._mails(ticket, self.requester).filtered(lambda m: "Please restart it" in m.body_html)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_from, self._sender(), "the agent's name, the team's address")
        self.assertIn("support@desk.example.com", mail.reply_to, "answers go to the team's alias")
        self.assertEqual(mail.body_html.count(HEADER), 1)
        self.assertEqual(mail.body_html.count(FOOTER), 1)
        header = mail.body_html.index(HEADER)  # after the preview line, before the message
        self.assertLess(header, mail.body_html.index("Please restart it", header))
        self.assertLess(mail.body_html.index("Please restart it", header), mail.body_html.index(FOOTER))
        colleague = self._mails(ticket, self.agent_2.partner_id).filtered(
            lambda m: "Please restart it" in m.body_html
        )
        self.assertEqual(colleague.email_from, self._sender(), "agents get the team's sender too")
        self.assertNotIn(HEADER, colleague.body_html, "the customers' header is not for agents")
        # tracking of a public field, notified to the customer: the same voice
        ticket.with_user(self.agent).write({"status_id": self.st_progress.id})
        self._commit()
        message = ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("spid_helpdesk.mt_ticket_status")
        )
        self.assertEqual(message[:1].email_from, self._sender())

    def test_acknowledgement_has_the_header_and_footer_once(self):
        ticket = self._ticket(user=self.agent)
        mail = self._mails(ticket, self.requester).filtered(lambda m: ticket.reference in (m.subject or ""))
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_from, "Support <help@desk.example.com>", "a template speaks for the team")
        self.assertEqual(mail.body_html.count(HEADER), 1, "the layout's header, not the template's too")
        self.assertEqual(mail.body_html.count(FOOTER), 1)

    def test_ticket_without_team_speaks_for_the_company(self):
        ticket = self._ticket(user=self.agent, category_id=False, team_id=False, user_id=self.agent.id)
        self.assertFalse(ticket.team_id)
        ticket.with_user(self.agent).message_post(
            body="No team here", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self._commit()
        mail = self._mails(ticket, self.requester).filtered(lambda m: "No team here" in m.body_html)
        company = self.env.company
        self.assertEqual(
            mail.email_from, formataddr((f"Agent Alpha ({company.name})", "office@company.example.com"))
        )
        self.assertNotIn(HEADER, mail.body_html)
        self.assertNotIn(FOOTER, mail.body_html)

    def test_customer_email_keeps_its_own_sender(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        raw = (
            "From: Rita Requester <rita@client.example.com>\n"
            f"To: support@{ALIAS_DOMAIN}\n"
            f"Subject: Re: [{ticket.reference}] Printer is down\n"
            "Message-ID: <voice1@client.example.com>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nIt still jams.\n"
        )
        self.env["mail.thread"].message_process(None, raw.encode())
        self._commit()
        message = ticket.message_ids.filtered(lambda m: "It still jams" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertIn("rita@client.example.com", message.email_from)
        mail = self._mails(ticket, self.agent.partner_id).filtered(lambda m: "It still jams" in m.body_html)
        self.assertIn("rita@client.example.com", mail.email_from, "the customer's From is never replaced")

    def test_attacker_cannot_drop_the_team_voice(self):
        """A layout or context keys sent over JSON-RPC change nothing: the
        team's layout, header and footer stay."""
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self._commit()
        result = self._rpc(
            "hd_agent",
            "spid.ticket",
            "message_post",
            [[ticket.id]],
            {
                "body": "Sent my way",
                "message_type": "comment",
                "subtype_xmlid": "mail.mt_comment",
                "email_layout_xmlid": "mail.mail_notification_light",
                "context": {"spid_mail_header": False, "email_notification_allow_footer": False},
            },
        )
        self.assertNotIn("error", result)
        mail = self._mails(ticket, self.requester).filtered(lambda m: "Sent my way" in m.body_html)
        self.assertEqual(mail.email_from, self._sender())
        self.assertIn(HEADER, mail.body_html)
        self.assertIn(FOOTER, mail.body_html)
        # any other layout named by the caller becomes the team's too
        for layout in ("mail.mail_notification_layout_with_responsible_signature", "web.frontend_layout"):
            result = self._rpc(
                "hd_agent",
                "spid.ticket",
                "message_post",
                [[ticket.id]],
                {"body": f"Via {layout}", "message_type": "comment", "subtype_xmlid": "mail.mt_comment",
                 "email_layout_xmlid": layout},
            )  # fmt: skip
            self.assertNotIn("error", result)
            mail = self._mails(ticket, self.requester).filtered(
                lambda m, lay=layout: f"Via {lay}" in m.body_html
            )
            self.assertIn(HEADER, mail.body_html, layout)
            self.assertIn(FOOTER, mail.body_html, layout)

    # 2. the team's own status emails

    def test_team_template_wins_over_the_status_template(self):
        Template = self.env["mail.template"]
        ticket_model = self.env["ir.model"]._get_id("spid.ticket")
        generic = Template.create(
            {"name": "Generic", "model_id": ticket_model, "subject": "Generic progress",
             "partner_to": "{{ object.partner_id.id }}", "body_html": "<p>Generic</p>"}
        )  # fmt: skip
        own = Template.create(
            {"name": "Ours", "model_id": ticket_model, "subject": "Support is on it",
             "partner_to": "{{ object.partner_id.id }}", "body_html": "<p>Ours</p>",
             "email_from": "{{ object._spid_email_from() }}"}
        )  # fmt: skip
        self.st_progress.mail_template_id = generic
        self.team.status_template_ids = [
            (0, 0, {"status_id": self.st_progress.id, "mail_template_id": own.id})
        ]
        ours = self._ticket(user=self.agent, user_id=self.agent.id)
        theirs = self._ticket(
            user=self.agent, category_id=self.category_other.id, user_id=self.agent_other.id
        )
        self.assertEqual(theirs.team_id, self.team_other)
        ours.with_user(self.agent).write({"status_id": self.st_progress.id})
        theirs.write({"status_id": self.st_progress.id})
        self._commit()
        mail = self._mails(ours, self.requester).filtered(lambda m: m.subject == "Support is on it")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_from, "Support <help@desk.example.com>")
        self.assertIn(FOOTER, mail.body_html)
        self.assertFalse(ours.message_ids.filtered(lambda m: m.subject == "Generic progress"))
        self.assertTrue(theirs.message_ids.filtered(lambda m: m.subject == "Generic progress"))

    def test_team_templates_are_checked_and_kept_to_managers(self):
        partner_template = self.env["mail.template"].create(
            {"name": "Partner", "model_id": self.env["ir.model"]._get_id("res.partner")}
        )
        Line = self.env["spid.team.status.template"].with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "template of tickets"):
            Line.create(
                {
                    "team_id": self.team.id,
                    "status_id": self.st_progress.id,
                    "mail_template_id": partner_template.id,
                }
            )
        Line.create(
            {"team_id": self.team.id, "status_id": self.st_progress.id, "mail_template_id": self.ack.id}
        )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            Line.create(
                {"team_id": self.team.id, "status_id": self.st_progress.id, "mail_template_id": self.ack.id}
            )
        result = self._rpc(
            "hd_agent",
            "spid.team.status.template",
            "create",
            [{"team_id": self.team.id, "status_id": self.st_closed.id, "mail_template_id": self.ack.id}],
            {"context": {"active_test": False, "spid_system": True}},
        )
        self.assertEqual(result["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertFalse(
            self.team.status_template_ids.filtered(lambda line: line.status_id == self.st_closed)
        )
        # another company's team emails are not this manager's to read
        company_b = self.env["res.company"].create({"name": "Company B"})
        team_b = self.env["spid.team"].create({"name": "Support B", "company_id": company_b.id})
        self.env["spid.team.status.template"].create(
            {"team_id": team_b.id, "status_id": self.st_progress.id, "mail_template_id": self.ack.id}
        )
        self.assertFalse(
            self.env["spid.team.status.template"]
            .with_user(self.manager)
            .search([("team_id", "=", team_b.id)])
        )

    # 3. closing

    def _close_wizard(self, ticket, user, **values):
        return (
            self.env["spid.ticket.close.wizard"]
            .with_user(user)
            .create(
                {
                    "ticket_id": ticket.id,
                    "status_id": self.st_closed.id,
                    "epilogue": "<p>Fixed.</p>",
                    **values,
                }
            )
        )

    def _ratings(self, ticket):
        return (
            self.env["rating.rating"]
            .sudo()
            .search([("res_model", "=", "spid.ticket"), ("res_id", "=", ticket.id)])
        )

    def test_close_and_notify_sends_the_rating_request_in_the_team_voice(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        wizard = self._close_wizard(ticket, self.agent)
        self.assertTrue(wizard.notify_customer, "on: the closing status sends an email")
        wizard.action_confirm()
        self._commit()
        mail = self._mails(ticket, self.requester).filtered(lambda m: "how did we do" in (m.subject or ""))
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_from, "Support <help@desk.example.com>")
        token = self._ratings(ticket).access_token
        self.assertIn(f"/rate/{token}/5", mail.body_html)
        self.assertEqual(mail.body_html.count(FOOTER), 1)

    def test_close_without_notifying_the_customer(self):
        self.team.closing_feedback = "public"
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self._commit()
        wizard = self._close_wizard(ticket, self.agent, notify_customer=False)
        wizard.action_confirm()
        self._commit()
        self.assertTrue(ticket.is_closed)
        self.assertFalse(
            self._mails(ticket, self.requester).filtered(
                lambda m: "Fixed." in m.body_html or "how did" in (m.subject or "")
            ),
            "no closing email, no public epilogue by email",
        )
        self.assertFalse(ticket.message_ids.filtered(lambda m: "how did we do" in (m.subject or "")))
        self.assertFalse(self._ratings(ticket), "no rating request, no token")
        # the epilogue is still on the ticket, for the portal
        self.assertTrue(ticket.message_ids.filtered(lambda m: "Fixed." in (m.body or "")))
        # default off when the closing writes nothing to the customer
        self.st_closed.mail_template_id = False
        self.team.closing_feedback = "none"
        self.assertFalse(self._close_wizard(self._ticket(user=self.agent), self.agent).notify_customer)

    def test_close_wizard_form_follows_the_closing_status(self):
        """As the agent sees it: the box follows the status picked, the
        agent may uncheck it, and the ticket closes, locked, in silence."""
        other_closed = self.st_closed.copy({"name": "Cancelled", "mail_template_id": False})
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self._commit()
        form = Form(
            self.env["spid.ticket.close.wizard"]
            .with_user(self.agent)
            .with_context(default_ticket_id=ticket.id)
        )
        form.status_id = self.st_closed
        self.assertTrue(form.notify_customer)
        form.status_id = other_closed
        self.assertFalse(form.notify_customer, "that status writes nothing to the customer")
        form.status_id = self.st_closed
        form.notify_customer = False
        form.epilogue = "<p>Fixed.</p>"
        form.lock = True
        form.save().action_confirm()
        self._commit()
        self.assertTrue(ticket.is_closed and ticket.is_locked)
        self.assertFalse(
            self._mails(ticket, self.requester).filtered(lambda m: "how did" in (m.subject or ""))
        )
        self.assertFalse(self._ratings(ticket))

    def test_rpc_cannot_silence_or_force_the_closing_email(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self._commit()
        result = self._rpc(
            "hd_agent",
            "spid.ticket",
            "write",
            [
                [ticket.id],
                {"status_id": self.st_closed.id, "resolution": "solved", "epilogue": "<p>Fixed.</p>"},
            ],
            {
                "context": {
                    "spid_quiet_close": [ticket.id],
                    "notify_customer": False,
                    "mail_notify_noemail": 1,
                }
            },
        )
        self.assertNotIn("error", result)
        self.assertTrue(ticket.is_closed)
        self.assertTrue(
            self._mails(ticket, self.requester).filtered(lambda m: "how did we do" in (m.subject or "")),
            "a context key silences nothing",
        )
        # a ticket that does not notify its customer: the wizard over RPC cannot force an email
        muted = self._ticket(user=self.agent, user_id=self.agent.id, notify_customer=False)
        self._commit()
        wizard = self._rpc(
            "hd_agent",
            "spid.ticket.close.wizard",
            "create",
            [
                {
                    "ticket_id": muted.id,
                    "status_id": self.st_closed.id,
                    "epilogue": "<p>Done.</p>",
                    "notify_customer": True,
                }
            ],
        )["result"]
        result = self._rpc(
            "hd_agent",
            "spid.ticket.close.wizard",
            "action_confirm",
            [[wizard]],
            {"context": {"spid_quiet_close": False}},
        )
        self.assertNotIn("error", result)
        self.assertTrue(muted.is_closed)
        self.assertFalse(self._mails(muted, self.requester))

    def test_team_without_rating_requests(self):
        self.team.rating_enabled = False
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self._close_wizard(ticket, self.agent).action_confirm()
        self._commit()
        mail = self._mails(ticket, self.requester).filtered(lambda m: "how did we do" in (m.subject or ""))
        self.assertEqual(len(mail), 1, "the closing email still goes")
        self.assertIn("Fixed.", mail.body_html)
        self.assertNotIn("/rate/", mail.body_html)
        self.assertFalse(self._ratings(ticket), "no rating token is made")
        self.assertFalse(ticket._rating_get_access_token())
        self.assertFalse(self._ratings(ticket))

    # 4. the auto-close warning

    def test_auto_close_warning_in_the_team_voice(self):
        self.env.company.write({"spid_auto_close_days": 5, "spid_auto_close_grace_days": 2})
        self.st_customer.auto_close = True
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.with_user(self.agent).message_post(
            body="Could you restart it?", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        ticket.with_user(self.agent).write({"status_id": self.st_customer.id})
        self._commit()
        ticket.sudo().date_status = "2020-01-01 10:00:00"
        self.env["spid.ticket"]._cron_auto_close()
        self._commit()
        mail = self._mails(ticket, self.requester).filtered(
            lambda m: "waiting for your answer" in (m.subject or "")
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_from, "Support <help@desk.example.com>")
        self.assertEqual(mail.body_html.count(HEADER), 1)
        self.assertEqual(mail.body_html.count(FOOTER), 1)
