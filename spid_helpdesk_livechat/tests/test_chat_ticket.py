"""Chat to ticket, as the visitor and the operator do it over HTTP: the
visitor opens a session through Live Chat's own route and writes through
Discuss's; the operator runs /ticket over JSON-RPC as the web client does.
The attacks are the same calls by the visitor and by agents outside the
conversation, with whatever context they send."""

import json

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk.tests.common import SpidHelpdeskCommon

HOSTILE_CONTEXT = {
    "spid_system": True,
    "spid_type_optional": True,
    "active_test": False,
    "sudo": True,
    "su": True,
    "uid": 1,
}


@tagged("post_install", "-at_install")
class TestChatTicket(SpidHelpdeskCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.livechat = cls.env["im_livechat.channel"].create(
            {"name": "Website", "user_ids": [(6, 0, cls.agent.ids)], "spid_team_id": cls.team.id}
        )
        cls.env["bus.presence"].create({"user_id": cls.agent.id, "status": "online"})
        cls.operator_only = new_test_user(
            cls.env, "lc_operator", groups="base.group_user", name="Olga Operator"
        )

    # ------------------------------------------------------------------
    # The visitor's and the operator's requests
    # ------------------------------------------------------------------

    def _rpc(self, route, params):
        """(result, error) of a JSON-RPC call; a crash (500) fails the test."""
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertLess(response.status_code, 500, response.text[:300])
        body = response.json()
        return body.get("result"), body.get("error")

    def _call_kw(self, model, method, args, kwargs=None, context=None):
        kwargs = dict(kwargs or {}, context=dict(HOSTILE_CONTEXT, **(context or {})) if context else {})
        return self._rpc(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs}
        )

    def _open_session(self, name="Visitor 12", messages=()):
        """A Live Chat session opened by the current visitor (anonymous
        unless authenticated) through Live Chat's route, then their messages
        posted through Discuss's: the channel."""
        result, error = self._rpc(
            "/im_livechat/get_session",
            {
                "anonymous_name": name,
                "channel_id": self.livechat.id,
                "previous_operator_id": self.agent.partner_id.id,
            },
        )
        self.assertFalse(error, error)
        channel = self.env["discuss.channel"].browse(result["discuss.channel"][0]["id"])
        self.assertEqual(channel.channel_type, "livechat")
        self.assertEqual(channel.livechat_operator_id, self.agent.partner_id)
        for body in messages:
            self._post(channel, body)
        return channel

    def _post(self, channel, body):
        _result, error = self._rpc(
            "/mail/message/post",
            {
                "thread_model": "discuss.channel",
                "thread_id": channel.id,
                "post_data": {"body": body, "message_type": "comment", "subtype_xmlid": "mail.mt_comment"},
            },
        )
        self.assertFalse(error, error)

    def _ticket_command(self, channel, body="/ticket", context=None):
        return self._call_kw(
            "discuss.channel", "execute_command_ticket", [[channel.id]], {"body": body}, context
        )

    def setUp(self):
        super().setUp()
        self.last_ticket_id = self.env["spid.ticket"].search([], order="id desc", limit=1).id

    def _tickets(self):
        """The tickets created by the test."""
        return self.env["spid.ticket"].search([("id", ">", self.last_ticket_id)])

    # ------------------------------------------------------------------
    # The operator turns the conversation into a ticket
    # ------------------------------------------------------------------

    def test_anonymous_visitor_chat_becomes_a_ticket(self):
        channel = self._open_session(
            "Visitor 12", ["My printer jams", "It says &lt;img src=x onerror=alert(1)&gt; &amp; more"]
        )
        self.authenticate(self.agent.login, self.agent.login)
        self._post(channel, "Which model is it?")
        self.env["discuss.channel.member"].create(
            {"channel_id": channel.id, "partner_id": self.agent_2.partner_id.id}
        )
        channel.with_user(self.agent_2).message_post(body="Internal hint", subtype_xmlid="mail.mt_note")
        ticket_id, error = self._ticket_command(channel, "/ticket Printer jams on the first job")
        self.assertFalse(error, error)
        ticket = self.env["spid.ticket"].browse(ticket_id)
        self.assertEqual(ticket.name, "Printer jams on the first job")
        self.assertEqual(ticket.channel, "chat")
        self.assertEqual(ticket.team_id, self.team, "the Live Chat channel's team")
        self.assertEqual(ticket.user_id, self.agent)
        self.assertFalse(ticket.partner_id, "an anonymous visitor who gave no address: no contact created")
        self.assertEqual(ticket.livechat_channel_id, channel)
        self.assertEqual(channel.spid_ticket_id, ticket)
        transcript = ticket.message_ids.filtered(lambda m: "Live Chat conversation" in (m.body or ""))
        self.assertEqual(len(transcript), 1)
        self.assertEqual(
            transcript, ticket.message_ids.sorted("id")[:1], "the transcript is the first message"
        )
        self.assertTrue(
            transcript.subtype_id.internal, "an internal note: the customer already has the conversation"
        )
        self.assertEqual(transcript.author_id, self.agent.partner_id)
        body = str(transcript.body)
        self.assertIn("My printer jams", body)
        self.assertIn("Which model is it?", body)
        self.assertIn("Visitor 12", body, "the visitor's name as they gave it")
        self.assertNotIn("<img", body, "what the visitor typed stays text")
        self.assertIn("&lt;img src=x onerror=alert(1)&gt; &amp; more", body)
        self.assertNotIn("Internal hint", body, "an internal note of the chat stays out")
        self.assertLess(body.index("My printer jams"), body.index("Which model is it?"))
        # the same command again (or the button, a second operator) shows the same ticket
        again, error = self._ticket_command(channel, "/ticket")
        self.assertFalse(error, error)
        self.assertEqual(again, ticket.id)
        self.assertEqual(len(self._tickets()), 1)
        # the ticket's button opens the conversation for its members
        action = ticket.with_user(self.agent).action_spid_open_livechat()
        self.assertEqual(action["tag"], "mail.action_discuss")
        self.assertEqual(action["context"]["active_id"], channel.id)

    def test_operator_gives_the_visitor_address(self):
        channel = self._open_session("Jane", ["Hello, the VPN drops"])
        self.authenticate(self.agent.login, self.agent.login)
        ticket_id, error = self._ticket_command(channel, "/ticket VPN drops <jane.doe@Example.com>")
        self.assertFalse(error, error)
        ticket = self.env["spid.ticket"].browse(ticket_id)
        self.assertEqual(ticket.name, "VPN drops")
        self.assertEqual(
            ticket.partner_id.email_normalized, "jane.doe@example.com", "created as for an email"
        )
        self.assertTrue(ticket.requester_unconfirmed, "a new contact is classified by an agent")
        self.assertFalse(ticket.client_id)
        # an address of a known contact matches them, as an email would
        channel_2 = self._open_session("Rita", ["Hi again"])
        ticket_id, error = self._ticket_command(channel_2, "/ticket rita@client.example.com")
        self.assertFalse(error, error)
        ticket_2 = self.env["spid.ticket"].browse(ticket_id)
        self.assertEqual(ticket_2.partner_id, self.requester)
        self.assertEqual(ticket_2.client_id, self.client)
        self.assertFalse(ticket_2.requester_unconfirmed)
        self.assertIn("Chat with", ticket_2.name, "no title given: named after the visitor")

    def test_logged_in_portal_visitor_is_the_requester(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        channel = self._open_session("whatever", ["Our invoices do not print"])
        self.authenticate(self.agent.login, self.agent.login)
        ticket_id, error = self._ticket_command(channel, "/ticket")
        self.assertFalse(error, error)
        ticket = self.env["spid.ticket"].browse(ticket_id)
        self.assertEqual(ticket.partner_id, self.requester)
        self.assertEqual(ticket.client_id, self.client)
        self.assertFalse(ticket.requester_unconfirmed)
        self.assertEqual(ticket.name, "Chat with Rita Requester")

    def test_operator_team_when_the_channel_has_none(self):
        self.livechat.spid_team_id = False
        channel = self._open_session("Visitor 3", ["Hello"])
        self.authenticate(self.agent.login, self.agent.login)
        ticket_id, error = self._ticket_command(channel, "/ticket Hello")
        self.assertFalse(error, error)
        self.assertEqual(self.env["spid.ticket"].browse(ticket_id).team_id, self.team)

    def test_button_in_the_chat_tour(self):
        """In Chromium: the operator's button in the conversation's header."""
        channel = self._open_session("Tour visitor", ["My screen stays black"])
        self.start_tour(
            f"/odoo/discuss?active_id=discuss.channel_{channel.id}",
            "spid_livechat_ticket_tour",
            login=self.agent.login,
        )
        ticket = channel.spid_ticket_id
        self.assertTrue(ticket)
        self.assertEqual(ticket.name, "Chat with Tour visitor")
        self.assertEqual(ticket.livechat_channel_id, channel)

    # ------------------------------------------------------------------
    # Attacks
    # ------------------------------------------------------------------

    def test_visitor_cannot_create_the_ticket(self):
        # a portal visitor, member of their own conversation
        self.authenticate(self.portal_user.login, self.portal_user.login)
        channel = self._open_session("whatever", ["Let me in"])
        for context in (None, HOSTILE_CONTEXT):
            _result, error = self._ticket_command(channel, "/ticket mine", context)
            self.assertTrue(error)
            self.assertIn("AccessError", error["data"]["name"])
        # nor link it by hand, nor read the link
        _result, error = self._call_kw(
            "discuss.channel", "write", [[channel.id], {"spid_ticket_id": 1}], {}, {}
        )
        self.assertTrue(error)
        _result, error = self._call_kw("discuss.channel", "read", [[channel.id], ["spid_ticket_id"]])
        self.assertTrue(error)
        # an anonymous visitor has no session to call models with
        self.logout()
        channel = self._open_session("Anonymous", ["Me too"])
        _result, error = self._ticket_command(channel, "/ticket mine", HOSTILE_CONTEXT)
        self.assertTrue(error)
        self.assertFalse(self._tickets())

    def test_agents_outside_the_conversation_are_refused(self):
        channel = self._open_session("Visitor 9", ["Private matter"])
        # an agent who is not a member, and an operator who is not an agent
        self.env["discuss.channel.member"].create(
            {"channel_id": channel.id, "partner_id": self.operator_only.partner_id.id}
        )
        for user in (self.agent_other, self.supervisor, self.operator_only):
            self.authenticate(user.login, user.login)
            for context in (None, HOSTILE_CONTEXT):
                _result, error = self._ticket_command(channel, "/ticket stolen", context)
                self.assertTrue(error, user.login)
        self.assertFalse(self._tickets())
        # a member agent cannot attach another ticket to the chat, nor a chat to a ticket
        self.authenticate(self.agent.login, self.agent.login)
        other = self._ticket(user=self.agent)
        _result, error = self._call_kw(
            "discuss.channel",
            "write",
            [[channel.id], {"spid_ticket_id": other.id}],
            {},
            {"active_test": False},
        )
        self.assertTrue(error)
        _result, error = self._call_kw(
            "spid.ticket",
            "write",
            [[other.id], {"livechat_channel_id": channel.id}],
            {},
            {"active_test": False},
        )
        self.assertTrue(error)
        self.assertFalse(channel.spid_ticket_id)
        self.assertFalse(other.livechat_channel_id)

    def test_a_discuss_channel_is_not_a_chat(self):
        channel = self.env["discuss.channel"].create({"name": "Team room", "channel_type": "channel"})
        channel.add_members(partner_ids=self.agent.partner_id.ids)
        self.authenticate(self.agent.login, self.agent.login)
        _result, error = self._ticket_command(channel, "/ticket nope")
        self.assertTrue(error)
        self.assertFalse(self._tickets())
