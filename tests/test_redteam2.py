"""Second red-team pass: angles the four attack suites and test_redteam.py
do not take. Invoicing driven by users outside the helpdesk (an accountant
putting tickets on invoices, repointing lines of posted invoices, credit
notes), the billing tools reached by agents and customers; a colleague of
an *independent* client; the helpdesk's own addresses as sender or in
copy, bounces, Reply-To; uploads relinked to another client's ticket,
message edits and reactions, tokens of another ticket; the public form's
confirmation link; properties from the portal; allowed companies forged in
the context.

Every attack is made as an outsider would make it: over HTTP
(/web/dataset/call_kw with any context, the chatter's routes, the portal's
forms) or with raw RFC 822 emails handed to the gateway as the mail server
does (superuser). Each test asserts that the attack is refused and that
nothing changed."""

import json

from attack_common import JsonRpcAttacker

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token
from odoo.addons.spid_helpdesk_invoicing.tests.common import SpidInvoicingCommon

AGENT = "base.group_user,spid_helpdesk.group_spid_agent"
HOSTILE_CONTEXT = {
    "import_file": True,
    "spid_system": True,
    "spid_unlocking": True,
    "spid_sla_system": True,
    "spid_batch_create": True,
    "mail_create_nosubscribe": True,
    "tracking_disable": True,
    "active_test": False,
    "sudo": True,
    "su": True,
    "uid": 1,
}
ALIAS_DOMAIN = "redteam2.example.com"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def raw_email(sender, subject, msgid, to, body="Hello", cc="", extra=""):
    return (
        f"From: {sender}\nTo: {to}\n"
        + (f"Cc: {cc}\n" if cc else "")
        + f"Subject: {subject}\nMessage-ID: <{msgid}@redteam2.example>\n{extra}"
        + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n\n'
        + f"{body}\n"
    )


@tagged("post_install", "-at_install")
class TestRedTeam2(JsonRpcAttacker, HttpCase):
    hostile_context = HOSTILE_CONTEXT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["spid.sla.policy"].search([]).active = False
        params = env["ir.config_parameter"].sudo()
        params.set_param("spid_helpdesk.mail_rate_limit", "0")
        params.set_param("spid_helpdesk.submit_rate_limit", "0")
        params.set_param("spid_helpdesk.submit_ip_rate_limit", "0")
        cls.company_b = env["res.company"].create({"name": "RT2 company B"})
        cls.company_c = env["res.company"].create({"name": "RT2 company C"})
        cls.agent = new_test_user(env, "rt2_agent", groups=AGENT, email="rt2_agent@staff.example")
        cls.agent_b = new_test_user(env, "rt2_agent_b", groups=AGENT, email="rt2_agent_b@staff.example")
        # an agent of the main company and of company B, never of C
        cls.agent_mc = new_test_user(
            env,
            "rt2_agent_mc",
            groups=AGENT,
            email="rt2_agent_mc@staff.example",
            company_id=env.company.id,
            company_ids=[Command.set([env.company.id, cls.company_b.id])],
        )
        cls.user = new_test_user(env, "rt2_user", groups="base.group_user", email="rt2_user@staff.example")
        Partner = env["res.partner"]
        cls.client_a = Partner.create(
            {
                "name": "RT2 Alpha",
                "is_company": True,
                "spid_is_client": True,
                "spid_team_visibility": "independent",
            }
        )
        cls.client_b = Partner.create({"name": "RT2 Beta", "is_company": True, "spid_is_client": True})
        cls.requester_a = Partner.create(
            {"name": "Ann RT2", "parent_id": cls.client_a.id, "email": "rt2_portal_a@alpha2.example"}
        )
        cls.colleague_a = Partner.create(
            {"name": "Carl RT2", "parent_id": cls.client_a.id, "email": "rt2_portal_a2@alpha2.example"}
        )
        cls.requester_b = Partner.create(
            {"name": "Bob RT2", "parent_id": cls.client_b.id, "email": "rt2_portal_b@beta2.example"}
        )

        def portal(login, partner):
            return new_test_user(
                env, login, groups="base.group_portal", partner_id=partner.id, email=partner.email
            )

        cls.portal_a = portal("rt2_portal_a", cls.requester_a)
        cls.portal_a2 = portal("rt2_portal_a2", cls.colleague_a)
        cls.portal_b = portal("rt2_portal_b", cls.requester_b)
        cls.alias_domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        env.company.alias_domain_id = cls.alias_domain
        Team = env["spid.team"]
        cls.team_a = Team.create(
            {
                "name": "RT2 team A",
                "member_ids": cls.agent.ids,
                "assignment": "none",
                "alias_name": "rt2-a",
                "alias_domain_id": cls.alias_domain.id,
            }
        )
        cls.team_b = Team.create(
            {
                "name": "RT2 team B",
                "member_ids": cls.agent_b.ids,
                "assignment": "none",
                "alias_name": "rt2-b",
                "alias_domain_id": cls.alias_domain.id,
            }
        )
        Ticket = env["spid.ticket"]
        cls.ticket_a = Ticket.create(
            {
                "name": "RT2-A-PRIVATE",
                "description": "<p>RT2-A-DESCRIPTION</p>",
                "partner_id": cls.requester_a.id,
                "team_id": cls.team_a.id,
                "user_id": cls.agent.id,
            }
        )
        cls.ticket_b = Ticket.create(
            {
                "name": "RT2-B-SECRET",
                "partner_id": cls.requester_b.id,
                "team_id": cls.team_b.id,
                "user_id": cls.agent_b.id,
            }
        )
        cls.ticket_c = (
            Ticket.with_company(cls.company_c)
            .sudo()
            .create({"name": "RT2-C-SECRET", "company_id": cls.company_c.id})
        )
        cls.message_a = cls.ticket_a.message_post(
            body="RT2-A-MESSAGE",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=cls.requester_a.id,
        )
        cls.message_b = cls.ticket_b.message_post(
            body="RT2-B-MESSAGE", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        cls.file_b = env["ir.attachment"].create(
            {"name": "rt2-b.pdf", "raw": PDF, "res_model": "spid.ticket", "res_id": cls.ticket_b.id}
        )
        env.flush_all()

    # -- helpers -------------------------------------------------------------

    def _messages(self, ticket):
        self._sync()
        return (
            self.env["mail.message"].search([("model", "=", "spid.ticket"), ("res_id", "=", ticket.id)]).ids
        )

    def _followers(self, ticket):
        self._sync()
        return set(ticket.sudo().message_partner_ids.ids)

    def _files(self, ticket):
        self._sync()
        return (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "spid.ticket"), ("res_id", "=", ticket.id)])
            .ids
        )

    def _state(self, ticket):
        return (
            self._messages(ticket),
            self._followers(ticket),
            self._files(ticket),
            self._row(ticket, ["status_id", "user_id", "name", "portal_confirmed"]),
        )

    def _receive(self, raw):
        thread_id = self.env["mail.thread"].message_process(None, raw.encode())
        self._sync()
        return self.env["spid.ticket"].browse(thread_id) if thread_id else self.env["spid.ticket"]

    def _mails_to(self, email, before=()):
        self._sync()
        return self.env["mail.mail"].search(
            [
                ("id", "not in", list(before)),
                "|",
                ("email_to", "ilike", email),
                ("recipient_ids.email", "=ilike", email),
            ]
        )

    def _all_mail_ids(self):
        self._sync()
        return self.env["mail.mail"].search([]).ids

    def _agent_answers(self, ticket, body="RT2-AGENT-ANSWER"):
        ticket.with_user(ticket.user_id).message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self._sync()

    # -- a colleague of an independent client --------------------------------

    def test_independent_colleague_reads_nothing_of_the_others_ticket(self):
        """client_a is independent: Carl sees his own tickets only, not Ann's,
        whatever the route."""
        ticket = self.ticket_a
        state = self._state(ticket)
        self._login(self.portal_a2)
        wrong = []
        for model, method, args, kwargs in (
            ("spid.ticket", "search_read", [[]], {"fields": ["name", "description"]}),
            ("spid.ticket", "read", [ticket.ids, ["name", "description"]], {}),
            ("spid.ticket", "web_read", [ticket.ids], {"specification": {"name": {}, "description": {}}}),
            ("spid.ticket", "name_search", ["RT2"], {}),
            ("spid.ticket", "read_group", [[], ["name"], ["client_id"]], {"lazy": False}),
            ("spid.ticket", "search_count", [[("name", "ilike", "RT2-A-PRIVATE")]], {}),
            ("mail.message", "search_read", [[("model", "=", "spid.ticket")]], {"fields": ["body"]}),
            ("mail.message", "read", [self.message_a.ids, ["body"]], {}),
            ("spid.ticket", "message_post", [ticket.ids], {"body": "RT2-COLLEAGUE"}),
            ("spid.ticket", "message_subscribe", [ticket.ids], {"partner_ids": self.colleague_a.ids}),
        ):
            result, error = self._call_kw(model, method, args, kwargs)
            text = json.dumps(result)
            if "RT2-A-PRIVATE" in text or "RT2-A-MESSAGE" in text or "RT2-A-DESCRIPTION" in text:
                wrong.append(f"{model}.{method} shows Ann's ticket: {text[:200]}")
            if method == "search_count" and result:
                wrong.append(f"{model}.{method}{args} answered {result}")
        for route, params in (
            ("/mail/thread/messages", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
            (
                "/mail/thread/data",
                {"thread_model": "spid.ticket", "thread_id": ticket.id, "request_list": ["followers"]},
            ),
            ("/portal/chatter_init", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
            (
                "/mail/message/post",
                {
                    "thread_model": "spid.ticket",
                    "thread_id": ticket.id,
                    "post_data": {"body": "RT2-COLLEAGUE", "message_type": "comment"},
                },
            ),
            ("/mail/message/reaction", {"message_id": self.message_a.id, "content": "👍", "action": "add"}),
        ):
            result, _error = self._rpc(route, params)
            if "RT2-A-MESSAGE" in json.dumps(result) or "RT2-A-PRIVATE" in json.dumps(result):
                wrong.append(f"{route} shows Ann's ticket")
        page = self.url_open(f"/my/tickets/{ticket.id}")
        if "RT2-A-PRIVATE" in page.text:
            wrong.append("the ticket page shows Ann's ticket")
        if "RT2-A-PRIVATE" in self.url_open("/my/tickets?filterby=all").text:
            wrong.append("the list shows Ann's ticket")
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(self._state(ticket), state)
        self.assertFalse(self.env["mail.message.reaction"].search([("message_id", "=", self.message_a.id)]))

    def test_independent_colleague_email_gets_no_follow_and_no_answer(self):
        """Carl (same independent client) writes to the alias quoting Ann's
        ticket: he is not made follower, and the agent's next public answer
        to Ann is not emailed to him."""
        ticket = self.ticket_a
        followers = self._followers(ticket)
        before = self._all_mail_ids()
        self._receive(
            raw_email(
                f"Carl <{self.colleague_a.email}>",
                f"Re: [{ticket.reference}] what is Ann asking?",
                "colleague-1",
                self.team_a.alias_email,
                cc="rt2-spy@evil.example",
            )
        )
        added = self.env["res.partner"].browse(self._followers(ticket) - followers)
        self.assertFalse(added, f"{added.mapped('email')} now follow Ann's ticket")
        self._agent_answers(ticket)
        mails = self._mails_to(self.colleague_a.email, before) | self._mails_to(
            "rt2-spy@evil.example", before
        )
        self.assertFalse(
            mails.filtered(lambda m: "RT2-AGENT-ANSWER" in (m.body_html or "")),
            "the agent's answer to Ann is emailed to her independent colleague",
        )

    def test_independent_colleague_email_opens_a_ticket_of_his_own(self):
        """The promise of independence: Carl's email quoting Ann's ticket
        does not go into Ann's conversation (which he may not read)."""
        ticket = self.ticket_a
        messages = self._messages(ticket)
        self._receive(
            raw_email(
                f"Carl <{self.colleague_a.email}>",
                f"Re: [{ticket.reference}] RT2-CARL-TEXT",
                "colleague-2",
                self.team_a.alias_email,
            )
        )
        self.assertEqual(
            self._messages(ticket), messages, "an independent colleague posted into Ann's ticket"
        )

    # -- the helpdesk's own addresses ------------------------------------------

    def _own_addresses(self):
        domain = self.alias_domain
        return [
            self.team_b.alias_email,
            self.team_b.alias_email.upper(),
            f"Team B <{self.team_b.alias_email}>",
            domain.catchall_email,
            domain.bounce_email,
        ]

    def test_email_from_the_helpdesks_own_addresses(self):
        """From: one of the helpdesk's own addresses (alias, catchall, bounce)
        quoting a customer's ticket: no post, no follower, no ticket whose
        requester is the helpdesk itself (each answer would loop back)."""
        ticket = self.ticket_a
        state = (self._messages(ticket), self._followers(ticket))
        before = self._all_mail_ids()
        count = self.env["spid.ticket"].search_count([])
        wrong = []
        for n, sender in enumerate(self._own_addresses()):
            new = self._receive(
                raw_email(
                    sender,
                    f"Re: [{ticket.reference}] loop",
                    f"own-from-{n}",
                    self.team_a.alias_email,
                    cc="rt2-spy@evil.example",
                )
            )
            if new and new != ticket:
                requester = new.sudo().partner_id
                if requester.email_normalized and requester.email_normalized.endswith(ALIAS_DOMAIN):
                    wrong.append(f"{sender!r} opened {new.reference} with the helpdesk as requester")
        self.assertEqual((self._messages(ticket), self._followers(ticket)), state)
        self._sync()
        loops = self.env["mail.mail"].search(
            [
                ("id", "not in", before),
                "|",
                ("email_to", "ilike", ALIAS_DOMAIN),
                ("recipient_ids.email", "ilike", ALIAS_DOMAIN),
            ]
        )
        if loops:
            wrong.append(
                f"{len(loops)} emails queued to the helpdesk's own addresses: {loops.mapped('subject')}"
            )
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertLessEqual(self.env["spid.ticket"].search_count([]), count + len(self._own_addresses()))

    def test_cc_variants_of_the_helpdesks_own_addresses(self):
        """The requester copies the helpdesk's own addresses in other spellings:
        none follows (every public answer would come back as an email)."""
        ticket = self.ticket_a
        alias_b = self.team_b.alias_email
        local, _at, domain = alias_b.partition("@")
        cc = ", ".join(
            (
                alias_b.upper(),
                f"{local}+rt2@{domain}",
                f'"{self.requester_a.email}" <{local}@{domain.upper()}>',
                f"{self.alias_domain.catchall_email.split('@')[0]}+x@{ALIAS_DOMAIN}",
                f"<{self.alias_domain.bounce_email}>",
            )
        )
        self._receive(
            raw_email(
                f"Ann <{self.requester_a.email}>",
                f"Re: [{ticket.reference}] copies",
                "own-cc-1",
                self.team_a.alias_email,
                cc=cc,
            )
        )
        followers = self.env["res.partner"].browse(self._followers(ticket))
        own = followers.filtered(lambda p: (p.email_normalized or "").endswith(ALIAS_DOMAIN))
        self.assertFalse(own, f"the helpdesk follows itself: {own.mapped('email')}")

    def test_cc_flood_with_duplicates_and_case_variants(self):
        """Duplicates in other cases count once and the cap holds; no two
        contacts are made for one address."""
        ticket = self.ticket_a
        followers = self._followers(ticket)
        addresses = [f"rt2-cc{n}@cc.example" for n in range(8)]
        cc = ", ".join(
            [address.upper() for address in addresses] + addresses + [f"X <{a.title()}>" for a in addresses]
        )
        self._receive(
            raw_email(
                f"Ann <{self.requester_a.email}>",
                f"Re: [{ticket.reference}] flood",
                "cc-flood-1",
                self.team_a.alias_email,
                cc=cc,
            )
        )
        added = self.env["res.partner"].browse(self._followers(ticket) - followers)
        self.assertLessEqual(len(added), 5)
        created = self.env["res.partner"].search([("email_normalized", "like", "rt2-cc%@cc.example")])
        self.assertEqual(
            len(created), len(set(created.mapped("email_normalized"))), "one address, several contacts"
        )

    def test_bounce_quoting_a_reference_with_cc(self):
        ticket = self.ticket_a
        state = (self._messages(ticket), self._followers(ticket))
        count = self.env["spid.ticket"].search_count([])
        for n, sender in enumerate(
            ("MAILER-DAEMON@evil.example", "Mail Delivery System <mailer-daemon@mx.evil.example>")
        ):
            self._receive(
                raw_email(
                    sender,
                    f"Undelivered Mail Returned to Sender: Re: [{ticket.reference}]",
                    f"bounce-{n}",
                    self.team_a.alias_email,
                    cc="rt2-spy@evil.example",
                    extra="Auto-Submitted: auto-replied\n",
                )
            )
        self.assertEqual((self._messages(ticket), self._followers(ticket)), state)
        self.assertEqual(self.env["spid.ticket"].search_count([]), count, "a bounce opened a ticket")

    def test_reply_to_of_a_stranger_gets_no_answer(self):
        """The requester's own email with Reply-To: mallory: the answers go
        to the requester, Mallory follows nothing and gets nothing."""
        ticket = self.ticket_a
        before = self._all_mail_ids()
        self._receive(
            raw_email(
                f"Ann <{self.requester_a.email}>",
                f"Re: [{ticket.reference}] reply elsewhere",
                "reply-to-1",
                self.team_a.alias_email,
                extra="Reply-To: Mallory <rt2-mallory@evil.example>\n",
            )
        )
        self._agent_answers(ticket)
        mallory = self.env["res.partner"].search([("email_normalized", "=", "rt2-mallory@evil.example")])
        self.assertFalse(mallory & ticket.sudo().message_partner_ids)
        self.assertFalse(self._mails_to("rt2-mallory@evil.example", before))

    # -- files -------------------------------------------------------------

    def test_pending_upload_relinked_to_another_clients_ticket(self):
        files_b = self._files(self.ticket_b)
        self._login(self.portal_a)
        csrf = form_csrf_token(self.url_open("/my/tickets/new").text)
        wrong = []
        uploaded = []
        for thread in (self.ticket_a, self.ticket_b):
            response = self.url_open(
                "/mail/attachment/upload",
                data={
                    "csrf_token": csrf,
                    "thread_id": thread.id,
                    "thread_model": "spid.ticket",
                    "is_pending": "true",
                },
                files={"ufile": ("rt2.pdf", PDF, "application/pdf")},
            )
            if response.status_code == 200 and thread == self.ticket_b:
                wrong.append("uploaded on another client's ticket")
            try:
                data = response.json()
            except ValueError:
                data = {}
            attachment = (data.get("data") or {}).get("ir.attachment") or data.get("ir.attachment") or []
            uploaded += [a["id"] for a in attachment if isinstance(a, dict) and "id" in a]
        uploaded = uploaded or self.env["ir.attachment"].search([("create_uid", "=", self.portal_a.id)]).ids
        for attachment_id in uploaded:
            for model, method, args in (
                (
                    "ir.attachment",
                    "write",
                    [[attachment_id], {"res_model": "spid.ticket", "res_id": self.ticket_b.id}],
                ),
                (
                    "ir.attachment",
                    "create",
                    [{"name": "rt2.txt", "raw": "x", "res_model": "spid.ticket", "res_id": self.ticket_b.id}],
                ),
            ):
                _result, error = self._call_kw(model, method, args)
                if not error:
                    wrong.append(f"{model}.{method}{args}")
            # posting on her own ticket the file that another thread's upload made
            self._rpc(
                "/mail/message/post",
                {
                    "thread_model": "spid.ticket",
                    "thread_id": self.ticket_b.id,
                    "post_data": {"body": "RT2-FILE", "attachment_ids": [attachment_id]},
                },
            )
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(self._files(self.ticket_b), files_b)

    def test_files_of_another_ticket_by_id_and_token(self):
        """Another client's file, by id, through /web/content and /web/image,
        with the access token of one's own file."""
        own = self.env["ir.attachment"].create(
            {"name": "rt2-a.pdf", "raw": PDF, "res_model": "spid.ticket", "res_id": self.ticket_a.id}
        )
        own_token = own.generate_access_token()[0]
        self._sync()
        self._login(self.portal_a)
        wrong = []
        for url in (
            f"/web/content/{self.file_b.id}",
            f"/web/content/{self.file_b.id}?access_token={own_token}",
            f"/web/image/{self.file_b.id}",
            f"/web/content/ir.attachment/{self.file_b.id}/datas",
            f"/web/content/{self.file_b.id}?access_token=&download=true",
        ):
            if b"%PDF" in self.url_open(url).content:
                wrong.append(url)
        result, _error = self._call_kw("ir.attachment", "read", [self.file_b.ids, ["name", "datas"]])
        if result:
            wrong.append("ir.attachment.read")
        self.assertFalse(wrong, "\n".join(wrong))

    # -- messages of others --------------------------------------------------

    def test_edits_and_reactions_on_others_messages(self):
        message = self.message_b
        body = message.body
        wrong = []
        for user in (self.portal_a, self.agent, self.user):
            self._login(user)
            for route, params in (
                (
                    "/mail/message/update_content",
                    {"message_id": message.id, "body": "RT2-EDITED", "attachment_ids": []},
                ),
                ("/mail/message/reaction", {"message_id": message.id, "content": "👎", "action": "add"}),
            ):
                result, _error = self._rpc(route, params)
                if "RT2-B" in json.dumps(result):
                    wrong.append(f"{user.login} {route} answered with ticket B's data")
            _result, error = self._call_kw("mail.message", "write", [message.ids, {"body": "RT2-EDITED"}])
            if not error:
                wrong.append(f"{user.login} mail.message.write")
        message.invalidate_recordset()
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(message.body, body)
        self.assertFalse(self.env["mail.message.reaction"].search([("message_id", "=", message.id)]))

    def test_customer_edit_of_her_own_message_notifies_nobody_new(self):
        """Editing one's own message may not add recipients from another client
        nor attach another ticket's file."""
        self._login(self.portal_a)
        before = self._all_mail_ids()
        self._rpc(
            "/mail/message/update_content",
            {
                "message_id": self.message_a.id,
                "body": "RT2-EDIT",
                "attachment_ids": self.file_b.ids,
                "partner_ids": self.requester_b.ids,
            },
        )
        self.message_a.invalidate_recordset()
        self.assertNotIn(self.requester_b, self.message_a.partner_ids)
        self.assertNotIn(self.file_b, self.message_a.attachment_ids)
        self.assertFalse(self._mails_to(self.requester_b.email, before))
        self.assertEqual(self.file_b.sudo().res_id, self.ticket_b.id)

    def test_post_with_the_token_of_another_ticket(self):
        """The access token of one's own ticket opens no other ticket, for a
        visitor nor for a customer."""
        token_a = self.ticket_a.sudo()._portal_ensure_token()
        self._sync()
        state = self._state(self.ticket_b)
        for login in (None, self.portal_a):
            if login:
                self._login(login)
            else:
                self._anonymous()
            for route, params in (
                (
                    "/mail/message/post",
                    {
                        "thread_model": "spid.ticket",
                        "thread_id": self.ticket_b.id,
                        "post_data": {"body": "RT2-TOKEN", "message_type": "comment"},
                        "token": token_a,
                    },
                ),
                (
                    "/mail/thread/messages",
                    {"thread_model": "spid.ticket", "thread_id": self.ticket_b.id, "token": token_a},
                ),
                (
                    "/portal/chatter_init",
                    {"thread_model": "spid.ticket", "thread_id": self.ticket_b.id, "token": token_a},
                ),
            ):
                result, _error = self._rpc(route, params)
                self.assertNotIn("RT2-B", json.dumps(result), route)
            page = self.url_open(f"/my/tickets/{self.ticket_b.id}?access_token={token_a}")
            self.assertNotIn("RT2-B-SECRET", page.text)
        self.assertEqual(self._state(self.ticket_b), state)

    # -- the public form's confirmation link -----------------------------------

    def _anonymous(self):
        self.authenticate(None, None)

    def _submit(self, email, title):
        self._anonymous()
        csrf = form_csrf_token(self.url_open("/helpdesk/submit").text)
        self.url_open(
            "/helpdesk/submit",
            data={"name": "Someone", "email": email, "title": title, "csrf_token": csrf},
        )
        return self.env["spid.ticket"].search([("name", "=", title)])

    def test_confirmation_link_of_another_ticket_and_replay(self):
        victim = self._submit(self.requester_b.email, "RT2-VICTIM-REQUEST")
        own = self._submit(self.requester_a.email, "RT2-OWN-REQUEST")
        self.assertTrue(victim and own)
        self.assertFalse(victim.portal_confirmed)
        own_token = own._spid_confirmation_token()
        state = self._state(victim)
        wrong = []
        for login in (None, self.portal_a, self.portal_b):
            if login:
                self._login(login)
            else:
                self._anonymous()
            for token in (own_token, own_token.upper(), "0", own_token[:-1]):
                url = f"/helpdesk/confirm/{victim.id}/{token}"
                page = self.url_open(url)
                if "RT2-VICTIM-REQUEST" in page.text:
                    wrong.append(f"GET {url} as {login and login.login}")
                csrf = form_csrf_token(self.url_open("/helpdesk/submit").text)
                response = self.url_open(url, data={"csrf_token": csrf})
                if response.status_code == 200 and "RT2-VICTIM-REQUEST" in response.text:
                    wrong.append(f"POST {url} as {login and login.login}")
            # the other ticket's id with one's own ticket's path segment
            response = self.url_open(f"/helpdesk/confirm/{victim.id}/{own.id}-{own_token}")
            if "RT2-VICTIM-REQUEST" in response.text:
                wrong.append("mixed path")
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(self._state(victim), state)
        # replay of one's own link: the second confirmation changes nothing
        self._anonymous()
        path = f"/helpdesk/confirm/{own.id}/{own_token}"
        page = self.url_open(path)
        self.url_open(path, data={"csrf_token": form_csrf_token(page.text)})
        own.invalidate_recordset()
        self.assertTrue(own.portal_confirmed)
        after_first = (self._state(own), self._all_mail_ids())
        self.url_open(path)  # the page of a confirmed request may offer no button
        self.url_open(path, data={"csrf_token": form_csrf_token(self.url_open("/helpdesk/submit").text)})
        self.assertEqual((self._state(own), self._all_mail_ids()), after_first, "a replayed link acted again")

    def test_customer_cannot_confirm_over_rpc(self):
        victim = self._submit(self.requester_b.email, "RT2-VICTIM-RPC")
        self._login(self.portal_a)
        for method, args in (
            ("_spid_portal_confirm", [victim.ids, "x"]),
            ("write", [victim.ids, {"portal_confirmed": True}]),
            ("_spid_send_confirmation_request", [victim.ids]),
            ("_spid_confirmation_token", [victim.ids]),
        ):
            result, error = self._call_kw("spid.ticket", method, args)
            self.assertTrue(error, method)
            self.assertFalse(result)
        victim.invalidate_recordset()
        self.assertFalse(victim.portal_confirmed)

    # -- properties from the portal ----------------------------------------

    def test_properties_from_the_portal(self):
        kind = self.env["spid.ticket.type"].create(
            {
                "name": "RT2 kind",
                "portal_selectable": True,
                "properties_definition": [
                    {"name": "rt2_count", "string": "Count", "type": "integer"},
                    {"name": "rt2_internal", "string": "Internal partner", "type": "many2one",
                     "comodel": "res.partner"},
                    {"name": "rt2_tags", "string": "Tags", "type": "tags",
                     "tags": [["a", "A", 1]]},
                ],
            }
        )  # fmt: skip
        self.ticket_a.sudo().write({"type_id": kind.id, "properties": {"rt2_count": 3}})
        self._sync()
        before = self._row(self.ticket_a, ["properties"])
        self._login(self.portal_a)
        wrong = []
        for method, args, kwargs in (
            ("read", [self.ticket_a.ids, ["properties"]], {}),
            ("web_read", [self.ticket_a.ids], {"specification": {"properties": {}}}),
            ("write", [self.ticket_a.ids, {"properties": {"rt2_count": 99}}], {}),
            ("search_count", [[("properties.rt2_count", "=", 3)]], {}),
            ("read_group", [[], ["name"], ["properties.rt2_count"]], {}),
        ):
            result, error = self._call_kw("spid.ticket", method, args, kwargs)
            if not error:
                wrong.append(f"{method}{args[1:]} {kwargs}: {json.dumps(result)[:150]}")
        self.assertEqual(self._row(self.ticket_a, ["properties"]), before)
        # the portal form: values of kinds the portal does not offer are dropped
        csrf = form_csrf_token(self.url_open("/my/tickets/new").text)
        self.url_open(
            "/my/tickets/new",
            data={
                "csrf_token": csrf,
                "name": "RT2-PROPS",
                "type_id": kind.id,
                "prop_rt2_count": "7",
                "prop_rt2_internal": str(self.requester_b.id),
                "prop_rt2_tags": "a",
                "properties": json.dumps({"rt2_internal": self.requester_b.id}),
            },
        )
        ticket = self.env["spid.ticket"].search([("name", "=", "RT2-PROPS")])
        if ticket:
            values = dict(ticket.properties or {})
            if values.get("rt2_internal"):
                wrong.append(f"the form set a many2one property: {values}")
            if values.get("rt2_tags"):
                wrong.append(f"the form set a tags property: {values}")
        self.assertFalse(wrong, "\n".join(wrong))

    # -- sorting and grouping as a customer ----------------------------------

    def test_customer_group_and_sort_variants(self):
        self._login(self.portal_a)
        wrong = []
        for method, args, kwargs in (
            ("read_group", [[], ["name"], ["user_id"]], {"lazy": False, "orderby": "priority desc"}),
            ("read_group", [[], ["__count"], ["status_id"]], {"orderby": "sla_deadline"}),
            ("read_group", [[], ["name"], ["date_deadline:day"]], {}),
            ("read_group", [[], ["name"], ["team_id"]], {"lazy": False}),
            ("read_group", [[], ["priority:max"], ["user_id"]], {}),
            ("read_group", [[], ["total_hours:sum"], []], {}),
            ("web_read_group", [[], ["total_hours:sum"], ["status_id"]], {}),
            ("web_read_group", [[], ["name"], ["status_id"]], {"orderby": "total_hours desc"}),
            ("search", [[]], {"order": "date_deadline desc"}),
            ("search", [[]], {"order": "team_id"}),
            ("search_read", [[]], {"fields": ["name"], "order": "user_id.login"}),
            ("search_count", [[("user_id", "not any", [("login", "=", "rt2_agent")])]], {}),
            ("search_count", [["!", ("priority", "=", "3")]], {}),
            ("search_count", [["&", ("name", "!=", False), ("total_hours", ">", 0)]], {}),
            ("search_count", [[("status_id", "any", [("pause_sla", "=", False)])]], {}),
            ("search_count", [[("category_id.team_id.name", "ilike", "RT2")]], {}),
            ("read", [self.ticket_a.ids, ["name", "priority"]], {"load": None}),
            ("search_read", [[]], {"fields": ["name", "team_id"], "load": ""}),
            ("web_search_read", [[]], {"specification": {"name": {}, "team_id": {"fields": {}}}}),
            (
                "web_search_read",
                [[]],
                {
                    "specification": {
                        "user_id": {"fields": {"partner_id": {"fields": {"email": {}, "phone": {}}}}}
                    }
                },
            ),
        ):
            result, error = self._call_kw("spid.ticket", method, args, kwargs)
            text = json.dumps(result)
            if not error and (
                "team_id" in str(kwargs)
                or "team_id" in str(args)
                or "priority" in str(args) + str(kwargs)
                or "total_hours" in str(args) + str(kwargs)
                or "date_deadline" in str(args) + str(kwargs)
                or "sla_deadline" in str(kwargs)
            ):
                wrong.append(f"{method}{args} {kwargs}: {text[:150]}")
            for secret in ("RT2 team", "rt2_agent@staff.example"):
                if secret in text:
                    wrong.append(f"{method}{args} {kwargs} shows {secret}")
        self.assertFalse(wrong, "\n".join(wrong))

    # -- multi-company -------------------------------------------------------

    def test_allowed_companies_forged_in_the_context(self):
        """An agent of the main company and of company B asks for company C
        in `allowed_company_ids`, or creates there."""
        count = self.env["spid.ticket"].sudo().search_count([("company_id", "=", self.company_c.id)])
        wrong = []
        for user in (self.agent_mc, self.agent):
            self._login(user)
            for context in (
                {"allowed_company_ids": [self.company_c.id]},
                {"allowed_company_ids": [self.env.company.id, self.company_c.id]},
                {"force_company": self.company_c.id, "company_id": self.company_c.id},
            ):
                for method, args, kwargs in (
                    ("search_read", [[("company_id", "=", self.company_c.id)]], {"fields": ["name"]}),
                    ("read", [self.ticket_c.ids, ["name"]], {}),
                    ("name_search", ["RT2-C"], {}),
                    ("create", [{"name": "RT2-IN-C", "company_id": self.company_c.id}], {}),
                    ("create", [{"name": "RT2-IN-C2"}], {}),
                ):
                    result, error = self._call_kw("spid.ticket", method, args, kwargs, context=context)
                    if "RT2-C-SECRET" in json.dumps(result):
                        wrong.append(f"{user.login} {method} {context} read company C")
                for model in ("spid.ticket.sla", "spid.ticket.link", "spid.workunit", "spid.team"):
                    result, _error = self._call_kw(model, "search_read", [[]], {"fields": ["company_id"]})
                    if self.company_c.name in json.dumps(result):
                        wrong.append(f"{user.login} {model} of company C")
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(
            self.env["spid.ticket"].sudo().search_count([("company_id", "=", self.company_c.id)]), count
        )
        self.assertFalse(
            self.env["spid.ticket"]
            .sudo()
            .search([("name", "like", "RT2-IN-C"), ("company_id", "=", self.company_c.id)])
        )

    def test_ticket_of_one_company_with_a_team_of_another(self):
        team_c = self.env["spid.team"].create({"name": "RT2 team C", "company_id": self.company_c.id})
        self._sync()
        count = self.env["spid.ticket"].sudo().search_count([])
        self._login(self.agent_mc)
        for vals in (
            {"name": "RT2-X1", "team_id": team_c.id},
            {"name": "RT2-X2", "company_id": self.company_b.id, "team_id": self.team_a.id},
        ):
            _result, error = self._call_kw("spid.ticket", "create", [vals])
            self.assertTrue(error, f"created {vals}")
        _result, error = self._call_kw("spid.ticket", "write", [self.ticket_a.ids, {"team_id": team_c.id}])
        self.assertTrue(error)
        self.assertEqual(self.env["spid.ticket"].sudo().search_count([]), count)
        self.assertEqual(self.ticket_a.sudo().team_id, self.team_a)


@tagged("post_install", "-at_install")
class TestRedTeam2Invoicing(JsonRpcAttacker, SpidInvoicingCommon, HttpCase):
    hostile_context = HOSTILE_CONTEXT

    """Invoices touched by users the helpdesk does not trust with its tickets:
    an accountant (Odoo's Invoicing group only), an agent, a customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.accountant = cls._spid_user("rt2_accountant", "account.group_account_invoice", company)
        # an accountant is not a helpdesk user
        cls.accountant.groups_id -= cls.env.ref("spid_helpdesk.group_spid_agent")
        cls.contact_a = cls.env["res.partner"].create(
            {"name": "RT2 Ann", "parent_id": cls.client_a.id, "email": "rt2ann@alpha.example.com"}
        )
        cls.portal = new_test_user(
            cls.env,
            "rt2_inv_portal",
            groups="base.group_portal",
            partner_id=cls.contact_a.id,
            company_id=company.id,
        )
        cls.locked_ticket = cls._tickets(cls.client_a, 1.0, name="RT2-LOCKED-TITLE", user_id=cls.agent.id)
        cls.posted = cls._invoice(client_ids=[Command.set(cls.client_a.ids)])
        cls.posted.action_post()
        cls.free_ticket = cls._tickets(cls.client_b, 2.0, name="RT2-FREE-TITLE", user_id=cls.agent.id)
        cls.env.flush_all()

    def setUp(self):
        super().setUp()
        self.assertTrue(self.locked_ticket.is_locked)
        self.assertEqual(self.locked_ticket.move_id, self.posted)
        self.assertEqual(self.free_ticket.invoice_state, "to_invoice")

    def _call(self, model, method, args, kwargs=None):
        return self._call_kw(model, method, args, kwargs, context={"allowed_company_ids": [self.company.id]})

    def _ticket_state(self):
        self._sync()
        tickets = (self.locked_ticket | self.free_ticket).sudo()
        return [
            (t.is_locked, t.move_id.id, t.invoice_state, t.spid_invoice_locked, t.amount_to_invoice)
            for t in tickets
        ]

    def _lines_of(self, ticket):
        self._sync()
        return self.env["account.move.line"].sudo().search([("spid_ticket_id", "=", ticket.id)]).ids

    def _turnover(self, ticket):
        report = self.env["spid.turnover.report"]
        report._spid_flush_sources()
        return [
            (r.kind, r.move_id.id, r.amount)
            for r in report.sudo().search([("ticket_id", "=", ticket.id)], order="id")
        ]

    def _invoice_vals(self, partner, ticket=None, move_type="out_invoice"):
        line = {"name": "RT2 line", "quantity": 1, "price_unit": 10.0, "product_id": self.service.id}
        if ticket:
            line["spid_ticket_id"] = ticket.id
        return {
            "move_type": move_type,
            "partner_id": partner.id,
            "journal_id": self.journal.id,
            "invoice_date": str(self.today),
            "invoice_line_ids": [[0, 0, line]],
        }

    def test_an_accountant_puts_a_ticket_on_an_invoice(self):
        """An accountant, who may not read tickets, names one on an invoice
        line (a readonly field, which write() does not enforce) and posts:
        the ticket would be locked and marked invoiced, and its title shown."""
        state = self._ticket_state()
        lines = self._lines_of(self.free_ticket)
        turnover = self._turnover(self.free_ticket)
        self._login(self.accountant)
        wrong = []
        move_id, error = self._call(
            "account.move", "create", [self._invoice_vals(self.client_b, self.free_ticket)]
        )
        if not error:
            wrong.append("created an invoice line on a ticket")
            result, _error = self._call(
                "account.move.line",
                "search_read",
                [[("move_id", "=", move_id)]],
                {"fields": ["spid_ticket_id"]},
            )
            if "RT2-FREE-TITLE" in json.dumps(result):
                wrong.append("the accountant reads the ticket's title through the line")
            _result, error = self._call("account.move", "action_post", [[move_id]])
            if not error:
                wrong.append("posted it")
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(self._ticket_state(), state)
        self.assertEqual(self._lines_of(self.free_ticket), lines)
        self.assertEqual(self._turnover(self.free_ticket), turnover)

    def test_line_titles_of_any_ticket_by_id(self):
        """Probe: a draft line pointed at ticket ids one by one answers each
        ticket's reference and title to an accountant."""
        self._login(self.accountant)
        move_id, error = self._call("account.move", "create", [self._invoice_vals(self.client_b)])
        self.assertFalse(error)
        line_id = self._call("account.move", "read", [[move_id], ["invoice_line_ids"]])[0][0][
            "invoice_line_ids"
        ][0]
        _result, error = self._call(
            "account.move.line", "write", [[line_id], {"spid_ticket_id": self.locked_ticket.id}]
        )
        result, _error = self._call("account.move.line", "read", [[line_id], ["spid_ticket_id"]])
        self.assertNotIn("RT2-LOCKED-TITLE", json.dumps(result))
        self.assertTrue(error, "an accountant set the ticket of an invoice line")

    def test_a_posted_line_repointed_releases_another_invoices_lock(self):
        """A posted invoice of no ticket gets, by write on its posted line, the
        ticket of another posted invoice; resetting it to draft then releases
        that ticket's lock, while its own invoice stays posted."""
        for user in (self.accountant, self.billing):
            state = self._ticket_state()
            lines = self._lines_of(self.locked_ticket)
            turnover = self._turnover(self.locked_ticket)
            self._login(user)
            move_id, error = self._call("account.move", "create", [self._invoice_vals(self.client_a)])
            self.assertFalse(error, error)
            _result, error = self._call("account.move", "action_post", [[move_id]])
            self.assertFalse(error, error)
            line_ids = self._call("account.move", "read", [[move_id], ["invoice_line_ids"]])[0][0][
                "invoice_line_ids"
            ]
            _result, write_error = self._call(
                "account.move.line", "write", [line_ids, {"spid_ticket_id": self.locked_ticket.id}]
            )
            self._call("account.move", "button_draft", [[move_id]])
            self._call("account.move", "button_cancel", [[move_id]])
            self.assertEqual(self._ticket_state(), state, f"{user.login} released another invoice's ticket")
            self.assertEqual(
                self._turnover(self.locked_ticket), turnover, f"{user.login} doubled the turnover"
            )
            self.assertEqual(self._lines_of(self.locked_ticket), lines)
            self.assertTrue(write_error, f"{user.login} repointed a posted invoice line to a ticket")

    def test_the_posted_invoice_line_swapped_to_another_ticket(self):
        line = self.posted.invoice_line_ids.filtered("spid_ticket_id")[:1]
        self.assertEqual(line.spid_ticket_id, self.locked_ticket)
        state = self._ticket_state()
        turnover = (self._turnover(self.locked_ticket), self._turnover(self.free_ticket))
        for user in (self.accountant, self.billing):
            self._login(user)
            for value in (self.free_ticket.id, False):
                _result, error = self._call(
                    "account.move.line", "write", [line.ids, {"spid_ticket_id": value}]
                )
                self.assertTrue(error, f"{user.login} set the posted line's ticket to {value}")
        line.invalidate_recordset()
        self.assertEqual(line.spid_ticket_id, self.locked_ticket)
        self.assertEqual(self._ticket_state(), state)
        self.assertEqual((self._turnover(self.locked_ticket), self._turnover(self.free_ticket)), turnover)

    def test_a_credit_note_with_a_forged_ticket(self):
        """A credit note of client B naming client A's invoiced ticket nets
        that ticket's (and its agent's) turnover."""
        turnover = self._turnover(self.locked_ticket)
        state = self._ticket_state()
        self._login(self.accountant)
        move_id, error = self._call(
            "account.move", "create", [self._invoice_vals(self.client_b, self.locked_ticket, "out_refund")]
        )
        if not error:
            self._call("account.move", "action_post", [[move_id]])
        self.assertEqual(self._turnover(self.locked_ticket), turnover)
        self.assertEqual(self._ticket_state(), state)
        self.assertTrue(error, "an accountant named a ticket on a credit note")

    def test_billing_tools_are_for_billing(self):
        tariff = self.general
        price = tariff.price
        wrong = []
        for user in (self.agent, self.accountant, self.portal):
            self._login(user)
            for model, method, args, kwargs in (
                ("spid.tariff", "write", [tariff.ids, {"price": 0.01}], {}),
                ("spid.tariff", "create", [{"product_id": self.service.id, "price": 0.01}], {}),
                ("spid.tariff", "unlink", [tariff.ids], {}),
                ("spid.ticket.invoice.wizard", "create", [{"invoice_date": str(self.today)}], {}),
                ("spid.invoice.export.wizard", "create", [{}], {}),
                ("spid.turnover.report", "search_read", [[]], {"fields": ["amount"]}),
                ("spid.turnover.report", "read_group", [[], ["amount:sum"], ["user_id"]], {}),
                ("spid.ticket", "read", [self.locked_ticket.ids, ["amount_to_invoice", "move_id"]], {}),
            ):
                result, error = self._call(model, method, args, kwargs)
                if not error and (
                    method != "read" or user != self.agent
                ):  # an agent of the team reads the billing of its ticket
                    wrong.append(f"{user.login} {model}.{method}: {json.dumps(result)[:120]}")
            if user != self.agent:
                result, _error = self._call("spid.tariff", "search_read", [[]], {"fields": ["price"]})
                if user == self.portal and result:
                    wrong.append("a customer reads the tariffs")
        self.assertFalse(wrong, "\n".join(wrong))
        tariff.invalidate_recordset()
        self.assertEqual(tariff.price, price)

    def test_an_agent_drives_the_invoice_wizard_and_export(self):
        """The invoicing wizard's action and the export's, called on records
        an agent passes by id (no create right)."""
        state = self._ticket_state()
        wizard = (
            self.env["spid.ticket.invoice.wizard"]
            .with_user(self.billing)
            .with_company(self.company)
            .create({"invoice_date": self.today, "journal_id": self.journal.id})
        )
        self._sync()
        self._login(self.agent)
        for model, method, args in (
            ("spid.ticket.invoice.wizard", "action_create_invoices", [wizard.ids]),
            (
                "spid.ticket.invoice.wizard",
                "write",
                [wizard.ids, {"client_ids": [[6, 0, self.client_b.ids]]}],
            ),
            ("account.move", "action_post", [self.posted.ids]),
            ("account.move", "button_draft", [self.posted.ids]),
            ("account.move", "button_cancel", [self.posted.ids]),
        ):
            _result, error = self._call(model, method, args)
            self.assertTrue(error, f"an agent called {model}.{method}")
        self.assertEqual(self._ticket_state(), state)
        self.assertEqual(self.posted.state, "posted")
