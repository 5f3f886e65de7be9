"""Red team, the email channel: raw RFC 822 emails handed to the gateway as
the mail server does (superuser) with spoofed display names, two From
addresses, lookalike addresses, forged To and In-Reply-To, both aliases at
once, the helpdesk's own addresses as sender or in copy, bounces, Reply-To;
an independent client's colleague writing about another's ticket; the
composer on another team's ticket. Each asserts that the targeted ticket's
messages and followers did not change."""

import json

from attack_common import raw_email
from redteam_common import RedTeamOneCommon, RedTeamTwoCommon

from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestRedTeamMail(RedTeamOneCommon):
    """Spoofed senders and headers, the composer."""

    # -- emails ----------------------------------------------------------------

    def _email_attempts(self, senders, prefix):
        ticket = self.ticket_a
        state = (self._messages(ticket), self._followers(ticket))
        wrong = []
        for n, sender in enumerate(senders):
            self._receive(
                raw_email(
                    sender,
                    f"Re: [{ticket.reference}] x",
                    f"{prefix}-{n}",
                    self.team_a.alias_email,
                    cc="spy@evil.example",
                )
            )
            now = (self._messages(ticket), self._followers(ticket))
            if now != state:
                spy = self.env["res.partner"].search([("email_normalized", "=", "spy@evil.example")])
                wrong.append(
                    f"{sender!r} went into {ticket.reference}"
                    + (
                        " and made spy@evil.example a follower"
                        if spy & ticket.sudo().message_partner_ids
                        else ""
                    )
                )
                state = now
        return wrong

    def test_email_display_name_spoof(self):
        """The requester's address as the display name of the attacker's own,
        real mailbox (SPF and DKIM pass for evil.example: no mail server
        stops it): no authority on the requester's ticket, and the Cc does
        not follow it."""
        wrong = self._email_attempts(
            (
                f"{self.requester_a.email.upper()} <mallory@evil.example>",
                f"{self.requester_a.email} <mallory@evil.example>",
                f"Ann {self.requester_a.email} <mallory@evil.example>",
            ),
            "display-spoof",
        )
        self.assertFalse(wrong, "\n".join(wrong))

    def test_email_with_two_from_addresses(self):
        """From: the requester and the attacker (RFC 5322 allows several
        authors): the attacker gets no authority on the requester's ticket."""
        wrong = self._email_attempts(
            (
                f"Mallory <mallory@evil.example>, Ann <{self.requester_a.email}>",
                f"Ann <{self.requester_a.email}>, Mallory <mallory@evil.example>",
            ),
            "two-from",
        )
        self.assertFalse(wrong, "\n".join(wrong))

    def test_email_unicode_lookalikes(self):
        wrong = self._email_attempts(
            (
                f"Ann <{self.requester_a.email}\u200b>",
                "Ann <rt_portal_a@alpha.example\u0301>",
                "Ann <rt_portal_a@\u0430lpha.example>",
                "Ann <rt_portal_a@alpha.example.>",
                "Ann <rt_portal_a@ALPHA.example>",  # same address, other case: may join
            )[:4],
            "unicode",
        )
        self.assertFalse(wrong, "\n".join(wrong))

    def test_email_from_an_agent_to_another_teams_alias(self):
        """An agent (or someone spoofing them) writes to the other team's
        alias quoting one of that team's tickets: no access, no follower."""
        ticket = self.ticket_b
        state = (self._messages(ticket), self._followers(ticket))
        self._receive(
            raw_email(
                f"Agent <{self.agent.email}>",
                f"Re: [{ticket.reference}] let me in",
                "agent-b-1",
                self.team_b.alias_email,
                cc="spy@evil.example",
            )
        )
        self.assertEqual((self._messages(ticket), self._followers(ticket)), state)
        self.assertFalse(ticket.with_user(self.agent).has_access("read"))

    def test_email_reply_to_a_message_with_a_forged_to(self):
        """In-Reply-To of another client's message sent to an address that
        is neither alias nor catchall: no company is known, the authority
        check must still hold (a contact of the client in another company
        gains nothing)."""
        ticket = self.ticket_b
        state = (self._messages(ticket), self._followers(ticket))
        headers = f"In-Reply-To: {self.message_b.message_id}\nReferences: {self.message_b.message_id}\n"
        for n, (sender, to) in enumerate(
            (
                ("Mallory <mallory@evil.example>", "nobody@elsewhere.example"),
                (f"Ann <{self.requester_a.email}>", "nobody@elsewhere.example"),
                (f"Agent <{self.agent.email}>", "nobody@elsewhere.example"),
            )
        ):
            self._receive(
                raw_email(sender, "Re: x", f"forged-to-{n}", to, extra=headers, cc="spy@evil.example")
            )
        self.assertEqual((self._messages(ticket), self._followers(ticket)), state)

    def test_email_to_one_alias_with_the_other_in_cc(self):
        """The requester of A writes to team A's alias with team B's alias
        and an agent of B in copy: team B's ticket is untouched, and no
        helpdesk address follows."""
        state = (self._messages(self.ticket_b), self._followers(self.ticket_b))
        new = self._receive(
            raw_email(
                f"Ann <{self.requester_a.email}>",
                f"Re: [{self.ticket_b.reference}] and [{self.ticket_a.reference}]",
                "cc-alias-1",
                self.team_a.alias_email,
                cc=f"{self.team_b.alias_email}, {self.agent_b.email}, {self.portal_b.email}",
            )
        )
        self.assertEqual((self._messages(self.ticket_b), self._followers(self.ticket_b)), state)
        if new:
            followers = new.sudo().message_partner_ids
            self.assertNotIn(self.agent_b.partner_id, followers - new.sudo().team_id.member_ids.partner_id)
            self.assertNotIn(self.requester_b, followers)
            self.assertFalse(followers.filtered(lambda p: (p.email or "").endswith(self.alias_domain.name)))

    def _composer(self, ticket, values):
        """mail.compose.message created over RPC on `ticket`: (id, error)."""
        return self._call_kw(
            "mail.compose.message",
            "create",
            [{"model": "spid.ticket", "res_ids": str([ticket.id]), **values}],
        )

    def test_compose_message_on_another_teams_ticket(self):
        """mail.compose.message created over RPC for another team's ticket."""
        state = self._messages(self.ticket_b)
        self._login(self.agent)
        wizard, error = self._composer(
            self.ticket_b, {"body": "RT-COMPOSED", "composition_mode": "comment", "message_type": "comment"}
        )
        if not error:
            _result, error = self._call_kw("mail.compose.message", "action_send_mail", [[wizard]])
        self.assertTrue(error, "posted into another team's ticket through the composer")
        self.assertEqual(self._messages(self.ticket_b), state)

    def test_compose_message_mass_mode_template_render(self):
        """The composer in mass mode renders a template on another team's ticket."""
        self._sync()
        before = self.env["mail.mail"].search([]).ids
        self._login(self.agent)
        wizard, error = self._composer(
            self.ticket_b,
            {"body": "{{ object.name }}", "subject": "{{ object.name }}", "composition_mode": "mass_mail"},
        )
        if not error:
            result, error = self._call_kw("mail.compose.message", "read", [[wizard], ["body", "subject"]])
            self.assertNotIn("RT-B-SECRET", json.dumps(result))
            result, error = self._call_kw("mail.compose.message", "action_send_mail", [[wizard]])
        self._sync()
        self.assertFalse(
            self.env["mail.mail"].search([("subject", "ilike", "RT-B-SECRET"), ("id", "not in", before)])
        )


@tagged("post_install", "-at_install")
class TestRedTeam2Mail(RedTeamTwoCommon):
    """An independent colleague's emails, the helpdesk's own addresses."""

    # -- a colleague of an independent client --------------------------------

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
                if requester.email_normalized and requester.email_normalized.endswith(self.alias_domain.name):
                    wrong.append(f"{sender!r} opened {new.reference} with the helpdesk as requester")
        self.assertEqual((self._messages(ticket), self._followers(ticket)), state)
        self._sync()
        loops = self.env["mail.mail"].search(
            [
                ("id", "not in", before),
                "|",
                ("email_to", "ilike", self.alias_domain.name),
                ("recipient_ids.email", "ilike", self.alias_domain.name),
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
                f"{self.alias_domain.catchall_email.split('@')[0]}+x@{self.alias_domain.name}",
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
        own = followers.filtered(lambda p: (p.email_normalized or "").endswith(self.alias_domain.name))
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
