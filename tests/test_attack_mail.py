"""Attacks through the email channel: raw RFC 822 messages handed to Odoo's
gateway as a mail server would, and the gateway's entry points called over
JSON-RPC by an agent and a customer. An email joins a ticket only when its
sender has the authority to (the requester, a follower, a contact of the
ticket's client, an internal user who can read it) and the ticket is of the
alias's company and not locked; otherwise it opens a new ticket and the
sender is told so. Addresses in copy follow only on the requester's or an
agent's word, capped, never a user who could not read the ticket. Each
attack checks that the targeted ticket's messages and followers did not
change."""

from unittest.mock import patch

from attack_common import AGENT, JsonRpcAttacker, raw_email

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import email_normalize

from odoo.addons.spid_helpdesk.tests.common import SpidHelpdeskCommon

ALIAS_DOMAIN = "attack.example.com"
ALIAS = f"help@{ALIAS_DOMAIN}"
CATCHALL = f"catchall@{ALIAS_DOMAIN}"
LOGGER = "odoo.addons.spid_helpdesk.models.mail_thread._logger"
STRANGER = "Mallory <mallory@evil.example>"


class AttackMailCommon(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._team_alias(ALIAS_DOMAIN, "help")
        cls.env["ir.config_parameter"].sudo().set_param("spid_helpdesk.mail_rate_limit", "0")
        cls.other_contact.email = "otto@other.example.com"
        cls.ticket = cls._ticket(name="Secret printer plan")
        cls.ticket_other_client = cls._ticket(name="Otto's secret", partner_id=cls.other_contact.id)
        cls.ticket_other_team = cls._ticket(name="Plumbing secret", category_id=cls.category_other.id)
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.ticket_company_b = cls.env["spid.ticket"].create(
            {"name": "B's secret", "partner_id": cls.requester.id, "company_id": cls.company_b.id}
        )
        # a public answer of the helpdesk, as the requester received it
        cls.answer = cls.ticket.message_post(
            body="We look into it.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        # new_test_user gives every test user the same address: one each here
        for user in (cls.agent, cls.agent_2, cls.agent_other, cls.supervisor, cls.manager):
            user.email = f"{user.login}@staff.example"
        cls.counter = 0
        cls.env.flush_all()
        cls.env.cr.precommit.run()  # the acknowledgements of the tickets above

    def _receive(self, sender, subject, **kwargs):
        type(self).counter += 1
        kwargs.setdefault("to", ALIAS)
        raw = raw_email(sender, subject, f"attack-{self.counter}", **kwargs)
        thread_id = self.env["mail.thread"].message_process(None, raw.encode())
        self.env.flush_all()
        self.env.cr.precommit.run()
        return self.env["spid.ticket"].browse(thread_id) if thread_id else self.env["spid.ticket"]

    def _state(self, ticket):
        """What an attack must not change: the messages and followers of `ticket`."""
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking of the test's own changes
        self.env.invalidate_all()
        messages = self.env["mail.message"].search(
            [("model", "=", "spid.ticket"), ("res_id", "=", ticket.id)]
        )
        return (messages.ids, sorted(ticket.message_partner_ids.ids))

    def assertRefused(self, target, sender, subject, told=True, **kwargs):
        """The email from `sender` did not go into `target` (nor changed its
        followers): it opened a new ticket of the sender, who was told (when
        `told`), in words that say nothing of `target`."""
        before = self._state(target)
        tickets_before = self.env["spid.ticket"].search([])
        ticket = self._receive(sender, subject, **kwargs)
        self.assertEqual(self._state(target), before, f"{sender} changed {target.reference}")
        self.assertTrue(ticket, "the email opened a new ticket")
        self.assertNotEqual(ticket, target)
        self.assertNotIn(ticket, tickets_before)
        self.assertEqual(ticket.partner_id.email_normalized, email_normalize(sender))
        notice = self.env["mail.message"].search(
            [
                ("model", "=", "spid.ticket"),
                ("res_id", "=", ticket.id),
                ("message_type", "=", "user_notification"),
            ]
        )
        if not told:
            self.assertFalse(notice, "a ticket the sender may not know of is not even mentioned")
            return ticket
        self.assertEqual(len(notice), 1, "the sender is told that a new ticket was opened")
        self.assertIn(ticket.partner_id, notice.partner_ids)
        self.assertIn(ticket.reference, notice.body)
        for secret in (target.name, target.reference, target.client_id.name or "-", target.partner_id.name):
            self.assertNotIn(secret, notice.body + (notice.subject or ""), "the notice tells nothing of it")
        return ticket


@tagged("post_install", "-at_install")
class TestAttackMail(AttackMailCommon):
    # -- references in the subject ------------------------------------------

    def test_stranger_quoting_a_reference_opens_a_new_ticket(self):
        new = self.assertRefused(self.ticket, STRANGER, f"Re: [{self.ticket.reference}] change of address")
        self.assertFalse(new.client_id, "a stranger is no client until an agent classifies them")
        self.assertTrue(new.requester_unconfirmed)
        self.assertFalse(new.partner_id.parent_id)

    def test_lookalike_senders_get_no_authority(self):
        for sender in (
            "Rita Requester <rita@client.example.com.evil.example>",
            "Rita Requester <rita@c1ient.example.com>",
            "Rita Requester <xrita@client.example.com>",
            "rita@client-example.com",
            '"rita@client.example.com" <mallory@evil.example>',
        ):
            with self.subTest(sender):
                self.assertRefused(self.ticket, sender, f"[{self.ticket.reference}] urgent")

    def test_an_address_at_the_clients_domain_is_no_contact_of_the_client(self):
        sender = "Mal Lory <mal.lory@client.example.com>"
        new = self.assertRefused(self.ticket, sender, f"[{self.ticket.reference}] I work there too")
        self.assertFalse(new.partner_id.parent_id, "never attached to the client by its domain")
        self.assertNotEqual(new.client_id, self.client)
        self.assertTrue(new.requester_unconfirmed)
        notes = new.message_ids.filtered(lambda m: m.subtype_id.internal and self.client.name in m.body)
        self.assertEqual(len(notes), 1, "the agents get the client as a suggestion")
        # the contact it created gives no authority on the next email either
        self.assertRefused(self.ticket, sender, f"[{self.ticket.reference}] again")
        partner, confirmed = self.env["res.partner"]._spid_find_or_create_by_email(sender)
        self.assertEqual(partner, new.partner_id)
        self.assertFalse(confirmed)

    def test_a_contact_cannot_reach_another_clients_ticket(self):
        self.assertRefused(
            self.ticket_other_client, "rita@client.example.com", f"[{self.ticket_other_client.reference}] hi"
        )

    def test_a_reference_of_another_company_is_no_reference(self):
        new = self.assertRefused(
            self.ticket_company_b,
            "rita@client.example.com",
            f"Re: [{self.ticket_company_b.reference}]",
            told=False,
        )
        self.assertEqual(new.company_id, self.env.company, "opened in the alias's company")

    def test_the_requester_and_the_clients_contacts_still_join(self):
        before = len(self.ticket.message_ids)
        self.assertEqual(
            self._receive("rita@client.example.com", f"Re: [{self.ticket.reference}] ok"), self.ticket
        )
        # a colleague of an independent client: their own ticket, as on the portal
        self.assertRefused(self.ticket, "Carl <CARL@client.example.com>", f"[{self.ticket.reference}]")
        # of a client whose contacts share their tickets: into the ticket
        self.client.spid_team_visibility = "grouped"
        before = len(self.ticket.message_ids) - 1
        self.assertEqual(
            self._receive("Carl <CARL@client.example.com>", f"[{self.ticket.reference}]"), self.ticket
        )
        self.assertEqual(len(self.ticket.message_ids), before + 2)
        self.assertEqual(
            self._receive(f"Agent <{self.agent.email}>", f"[{self.ticket.reference}] x"), self.ticket
        )

    def test_a_follower_joins(self):
        guest = self.env["res.partner"].create({"name": "Guest", "email": "guest@third.example"})
        self.ticket.message_subscribe(partner_ids=guest.ids)
        self.assertEqual(self._receive("guest@third.example", f"[{self.ticket.reference}]"), self.ticket)

    # -- headers -------------------------------------------------------------

    def test_in_reply_to_of_another_clients_message_by_a_stranger(self):
        headers = f"In-Reply-To: {self.answer.message_id}\nReferences: {self.answer.message_id}\n"
        for to in (ALIAS, CATCHALL):
            with self.subTest(to):
                new = self.assertRefused(self.ticket, STRANGER, "Re: your answer", extra=headers, to=to)
                self.assertEqual(new.team_id, self.team)
        # the requester's own reply still threads
        self.assertEqual(self._receive("rita@client.example.com", "Re: answer", extra=headers), self.ticket)

    def test_in_reply_to_by_the_otherwise_right_sender_to_another_companys_alias(self):
        alias_b = self.env["mail.alias.domain"].create({"name": "b.attack.example.com"})
        self.company_b.alias_domain_id = alias_b
        team_b = self.env["spid.team"].create(
            {
                "name": "B team",
                "company_id": self.company_b.id,
                "alias_name": "bhelp",
                "alias_domain_id": alias_b.id,
            }
        )
        headers = f"In-Reply-To: {self.answer.message_id}\n"
        new = self.assertRefused(
            self.ticket, "rita@client.example.com", "Re: x", extra=headers, to=team_b.alias_email
        )
        self.assertEqual(new.company_id, self.company_b)

    # -- locked tickets ------------------------------------------------------

    def test_a_locked_ticket_is_never_joined(self):
        self.ticket.write({"user_id": self.agent.id})
        self.ticket.with_user(self.agent).write(self._close_values(self.st_closed))
        self.ticket.with_user(self.supervisor).action_lock()
        self.assertTrue(self.ticket.is_locked)
        new = self.assertRefused(
            self.ticket, "rita@client.example.com", f"Re: [{self.ticket.reference}] more"
        )
        self.assertEqual(new.partner_id, self.requester)
        self.assertFalse(new.parent_id)
        headers = f"In-Reply-To: {self.answer.message_id}\n"
        self.assertRefused(self.ticket, "rita@client.example.com", "Re: answer", extra=headers)

    def test_automatic_emails_quoting_a_reference_of_others_open_nothing(self):
        before = (self._state(self.ticket), self.env["spid.ticket"].search_count([]))
        with patch(LOGGER):
            none = self._receive(
                STRANGER, f"Auto: [{self.ticket.reference}]", extra="Auto-Submitted: auto-replied\n"
            )
        self.assertFalse(none)
        self.assertEqual((self._state(self.ticket), self.env["spid.ticket"].search_count([])), before)

    def test_an_auto_reply_of_the_requester_adds_no_follower(self):
        before = self._state(self.ticket)[1]
        joined = self._receive(
            "rita@client.example.com",
            f"Auto: [{self.ticket.reference}]",
            cc="list@third.example",
            extra="Auto-Submitted: auto-replied\n",
        )
        self.assertEqual(joined, self.ticket)
        self.assertEqual(self._state(self.ticket)[1], before)

    # -- agents --------------------------------------------------------------

    def test_an_agent_quoting_another_teams_ticket(self):
        target = self.ticket_other_team
        self.assertFalse(target.with_user(self.agent).has_access("read"))
        self.assertRefused(target, f"Agent <{self.agent.email}>", f"Re: [{target.reference}] let me in")
        self.assertNotIn(self.agent.partner_id, target.message_partner_ids)
        self.assertFalse(target.with_user(self.agent).has_access("read"))
        headers = f"In-Reply-To: {self.answer.message_id}\n"
        self.assertRefused(self.ticket, f"Other <{self.agent_other.email}>", "Re: x", extra=headers)
        self.assertNotIn(self.agent_other.partner_id, self.ticket.message_partner_ids)

    # -- Cc --------------------------------------------------------------------

    def test_cc_of_a_stranger_follows_no_ticket_of_others(self):
        victims = "a@victim.example, b@victim.example"
        self.assertRefused(self.ticket, STRANGER, f"[{self.ticket.reference}]", cc=victims)
        # a contact of a grouped client may write into the ticket, not add followers
        self.client.spid_team_visibility = "grouped"
        self.assertEqual(
            self._receive("carl@client.example.com", f"[{self.ticket.reference}]", cc=victims), self.ticket
        )
        self.assertFalse(self.ticket.message_partner_ids.filtered(lambda p: "victim" in (p.email or "")))

    def test_cc_of_the_requester_never_adds_who_could_not_read(self):
        carl_user = new_test_user(
            self.env, "hd_carl", groups="base.group_portal", partner_id=self.requester_2.id,
            email="carl@client.example.com",
        )  # fmt: skip
        otto_user = new_test_user(
            self.env, "hd_otto", groups="base.group_portal", partner_id=self.other_contact.id,
            email=self.other_contact.email,
        )  # fmt: skip
        cc = f"{self.agent_other.email}, {otto_user.email}, {carl_user.email}, {ALIAS}, {CATCHALL}"
        before = self._state(self.ticket)[1]
        self.assertEqual(
            self._receive("rita@client.example.com", f"[{self.ticket.reference}]", cc=cc), self.ticket
        )
        self.assertEqual(self._state(self.ticket)[1], before, "none of them may read the ticket")
        self.assertFalse(self.env["res.partner"].search([("email_normalized", "in", (ALIAS, CATCHALL))]))
        # the colleague follows once the client's contacts see each other's tickets
        self.client.spid_team_visibility = "grouped"
        self.assertTrue(self.ticket.with_user(carl_user).has_access("read"))
        self._receive("rita@client.example.com", f"[{self.ticket.reference}]", cc=carl_user.email)
        self.assertIn(self.requester_2, self.ticket.message_partner_ids)

    def test_cc_is_capped(self):
        many = ", ".join(f"friend{i}@third.example" for i in range(20))
        with patch(LOGGER):
            self._receive("rita@client.example.com", f"[{self.ticket.reference}]", cc=many)
        friends = self.ticket.message_partner_ids.filtered(
            lambda p: (p.email or "").endswith("@third.example")
        )
        self.assertEqual(len(friends), 5, "at most spid_helpdesk.mail_max_cc addresses follow")
        self.env["ir.config_parameter"].sudo().set_param("spid_helpdesk.mail_max_cc", "0")
        new = self._receive("rita@client.example.com", "new one", cc="someone@third.example")
        self.assertEqual(new.message_partner_ids, self.requester)

    def test_cc_of_an_agent(self):
        self._receive(f"Agent <{self.agent.email}>", f"[{self.ticket.reference}]", cc="expert@third.example")
        self.assertIn("expert@third.example", self.ticket.message_partner_ids.mapped("email"))

    # -- rate limit ----------------------------------------------------------

    def test_rate_limit_counts_plus_tags_and_ignores_lookalikes(self):
        self.env["ir.config_parameter"].sudo().set_param("spid_helpdesk.mail_rate_limit", "2")
        with patch(LOGGER):
            self.assertTrue(self._receive("rita+a@client.example.com", "one"))
            self.assertTrue(self._receive("RITA+b@client.example.com", "two"))
            self.assertFalse(self._receive("rita+c@client.example.com", "three"), "+tags count as one sender")
            self.assertFalse(self._receive("rita@client.example.com", "four"))
            # lookalikes flood under their own names, not the real customer's
            for sender in (
                "mallory@evil.example",
                "xcarl@client.example.com",
                "carl@client.example.com.evil",
            ):
                self.assertTrue(self._receive(sender, "flood 1"))
                self.assertTrue(self._receive(sender, "flood 2"))
                self.assertFalse(self._receive(sender, "flood 3"))
            self.assertTrue(self._receive("carl@client.example.com", "the real Carl"))
        ticket = self.env["spid.ticket"].search([("name", "=", "one")])
        self.assertEqual(
            (ticket.email_from, ticket.email_from_key),
            ("rita+a@client.example.com", "rita@client.example.com"),
        )


@tagged("post_install", "-at_install")
class TestAttackMailRpc(JsonRpcAttacker, HttpCase):
    """The gateway's entry points over /web/dataset/call_kw, as an agent of
    the ticket's own team and as the requester's portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["spid.sla.policy"].search([]).active = False
        cls.agent = new_test_user(env, "am_agent", groups=AGENT)
        client = env["res.partner"].create({"name": "RPC client", "is_company": True, "spid_is_client": True})
        requester = env["res.partner"].create(
            {"name": "RPC requester", "parent_id": client.id, "email": "am_portal@rpc.example"}
        )
        cls.portal = new_test_user(env, "am_portal", groups="base.group_portal", partner_id=requester.id)
        alias_domain = env["mail.alias.domain"].create({"name": "rpc.attack.example.com"})
        env.company.alias_domain_id = alias_domain
        cls.team = env["spid.team"].create(
            {
                "name": "RPC team",
                "member_ids": cls.agent.ids,
                "assignment": "none",
                "alias_name": "rpc",
                "alias_domain_id": alias_domain.id,
            }
        )
        cls.ticket = env["spid.ticket"].create(
            {"name": "RPC ticket", "partner_id": requester.id, "team_id": cls.team.id}
        )
        cls.raw = raw_email(
            "RPC requester <am_portal@rpc.example>",
            f"Re: [{cls.ticket.reference}] forged",
            "rpc-forged",
            to=cls.team.alias_email,
            cc="spy@evil.example",
        )

    def _state(self):
        self.env.invalidate_all()
        return (
            self.env["mail.message"].search_count(
                [("model", "=", "spid.ticket"), ("res_id", "=", self.ticket.id)]
            ),
            sorted(self.ticket.message_partner_ids.ids),
            self.env["spid.ticket"].search_count([]),
            self.env["res.partner"].with_context(active_test=False).search_count([]),
        )

    def _attack(self, login):
        self.authenticate(login, login)
        before = self._state()
        msg_dict = {"email_from": "spy@evil.example", "cc": "spy2@evil.example", "subject": "x", "body": "x"}
        calls = (
            ("spid.ticket", "message_process", [False, self.raw], {}),
            ("spid.ticket", "message_process", [False, self.raw], {"thread_id": self.ticket.id}),
            ("mail.thread", "message_process", [False, self.raw], {}),
            ("res.partner", "message_process", ["spid.ticket", self.raw], {}),
            ("spid.ticket", "message_new", [msg_dict], {}),
            ("spid.ticket", "message_update", [self.ticket.ids, msg_dict], {}),
        )
        with patch(LOGGER):
            for model, method, args, kwargs in calls:
                result, error = self._call_kw(model, method, args, kwargs)
                self.assertTrue(error, f"{login} called {model}.{method} over RPC: {result}")
        self.assertEqual(self._state(), before, f"{login} changed something through the gateway")

    def test_an_agent_cannot_hand_emails_to_the_gateway(self):
        self.assertTrue(self.ticket.with_user(self.agent).has_access("write"))
        self._attack("am_agent")

    def test_a_customer_cannot_hand_emails_to_the_gateway(self):
        self._attack("am_portal")
