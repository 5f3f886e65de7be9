"""Live updates (#20), server side: who may subscribe to which channel,
what one transaction sends, and the calls of the form (presence, the
collision check) as each user and as an attacker."""

import json

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SpidHelpdeskCommon

CHANGED = "spid.ticket/live_changed"
EVENT = "spid.ticket/live_event"
PORTAL = "spid.ticket/portal_message"


@tagged("post_install", "-at_install")
class TestLiveChannels(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = new_test_user(
            cls.env, "hd_live_employee", groups="base.group_user", name="Emma Employee"
        )
        cls.ticket = cls._ticket(category_id=cls.category.id, user_id=cls.agent.id)

    def _channels(self, user, asked):
        """The record channels `user`'s websocket gets for the strings it asks."""
        # the part of ir.websocket._build_bus_channel_list that is ours (the
        # rest needs a websocket request: test_live_websocket goes through it)
        channels = self.env["ir.websocket"].with_user(user)._spid_live_channels(list(asked))
        return {
            (channel[0]._name, channel[0].id, channel[1])
            for channel in channels
            if isinstance(channel, tuple) and len(channel) == 2 and str(channel[1]).startswith("spid_")
        }

    def _sent(self, kind=CHANGED):
        """{(model, id, subchannel): payload} of our notifications of the transaction."""
        self.env.cr.precommit.run()
        result = {}
        for row in self.env["bus.bus"].sudo().search([], order="id"):
            message = json.loads(row.message)
            if message["type"] == kind:
                channel = json.loads(row.channel)
                result.setdefault(tuple(channel[1:]), []).append(message["payload"])
        return result

    def _clear_bus(self):
        self.env.cr.precommit.run()
        self.env["bus.bus"].sudo().search([]).unlink()

    def test_channels_follow_the_record_rules(self):
        ticket = self.ticket
        asked = ["spid_live_list", f"spid_live_ticket:{ticket.id}", f"spid_portal_ticket:{ticket.id}"]
        company = self.env.company.id
        mine = self._channels(self.agent_2, asked)
        self.assertIn(("spid.team", self.team.id, "spid_live"), mine)
        self.assertIn(("res.company", company, "spid_live_agents"), mine)
        self.assertIn(("res.users", self.agent_2.id, "spid_live"), mine)
        self.assertIn(("spid.ticket", ticket.id, "spid_live"), mine)
        self.assertNotIn(("res.company", company, "spid_live_supervisors"), mine, "an agent is no supervisor")
        self.assertNotIn(("spid.team", self.team_other.id, "spid_live"), mine, "not their team")

        other = self._channels(self.agent_other, asked)
        self.assertNotIn(("spid.ticket", ticket.id, "spid_live"), other, "another team's agent reads nothing")
        self.assertNotIn(("spid.ticket", ticket.id, "spid_portal"), other)
        self.assertNotIn(("spid.team", self.team.id, "spid_live"), other)
        self.assertIn(("spid.team", self.team_other.id, "spid_live"), other)

        boss = self._channels(self.supervisor, asked)
        self.assertIn(("res.company", company, "spid_live_supervisors"), boss)
        self.assertIn(("spid.ticket", ticket.id, "spid_live"), boss)

        # an employee (no helpdesk group) and a customer: no agent channel at all
        self.assertFalse(self._channels(self.employee, asked))
        portal = self._channels(self.portal_user, asked)
        self.assertFalse({c for c in portal if c[2] != "spid_portal"}, "a customer gets no agent channel")

    def test_hostile_channel_strings_subscribe_to_nothing(self):
        ticket = self.ticket
        hostile = [
            f"spid_live_ticket:{ticket.id}:x",
            f"spid_live_ticket:{ticket.id} ",
            "spid_live_ticket:-1",
            "spid_live_ticket:99999999999",
            f"spid_portal_ticket:{ticket.id}:forged-token",
            f"spid_portal_ticket:{ticket.id}:",
            "spid_live_list;drop",
        ]
        # a customer of another client (Rita, the requester, reads the ticket:
        # her portal channel is hers whatever token she adds)
        stranger = new_test_user(
            self.env, "hd_live_stranger", groups="base.group_portal", partner_id=self.other_contact.id
        )
        for user in (self.agent_other, self.employee, stranger):
            self.assertFalse(
                {c for c in self._channels(user, hostile) if c[1] == ticket.id},
                f"{user.login}: a forged channel name reaches no ticket",
            )
        public = self.env.ref("base.public_user")
        self.assertFalse(self._channels(public, hostile + ["spid_live_list"]))

    def test_a_flood_of_channel_strings_costs_a_few_queries(self):
        """One subscription of an anonymous client may name thousands of
        ticket channels (1 MiB): only the first ones are checked, all their
        tokens in one query."""
        public = self.env.ref("base.public_user")
        flood = [f"spid_portal_ticket:{self.ticket.id + i}:token{i}" for i in range(5000)]
        flood += [f"spid_live_ticket:{self.ticket.id}"] * 100
        with self.assertQueryCount(3):
            channels = self.env["ir.websocket"].with_user(public)._spid_live_channels(flood)
        self.assertFalse(channels)
        # a real reader's channel within the first entries still works
        if "access_token" in self.ticket._fields:
            token = self.ticket.sudo()._portal_ensure_token()
            asked = [f"spid_portal_ticket:{self.ticket.id}:{token}"] + flood
            got = self.env["ir.websocket"].with_user(public)._spid_live_channels(asked)
            self.assertEqual([(c[0].id, c[1]) for c in got], [(self.ticket.id, "spid_portal")])

    def test_one_notification_per_channel_per_transaction(self):
        self._clear_bus()
        Ticket = self.env["spid.ticket"].with_user(self.agent)
        tickets = Ticket.create(
            [
                {
                    "name": f"Secret title {i}",
                    "partner_id": self.requester.id,
                    "category_id": self.category.id,
                }
                for i in range(10)
            ]
        )
        tickets.write({"priority": "2"})
        tickets[:3].write({"user_id": self.agent_2.id})
        sent = self._sent()
        company = self.env.company.id
        team = ("spid.team", self.team.id, "spid_live")
        self.assertEqual(len(sent[team]), 1, "one notification for the team, however many writes")
        self.assertEqual(sorted(sent[team][0]["ids"]), sorted(tickets.ids))
        self.assertEqual(
            sorted(sent[("res.company", company, "spid_live_supervisors")][0]["ids"]), sorted(tickets.ids)
        )
        self.assertEqual(
            sorted(sent[("res.users", self.agent_2.id, "spid_live")][0]["ids"]), sorted(tickets[:3].ids)
        )
        self.assertEqual(
            sorted(sent[("res.users", self.agent.id, "spid_live")][0]["ids"]),
            sorted(tickets.ids),
            "the editor",
        )
        self.assertNotIn(
            ("res.company", company, "spid_live_agents"), sent, "tickets with a team: not all agents"
        )
        self.assertNotIn(("spid.team", self.team_other.id, "spid_live"), sent)
        self.assertTrue(all(len(payloads) == 1 for payloads in sent.values()))
        self.assertNotIn("Secret", json.dumps(list(sent.values())), "lists get ids, never titles")

    def test_ticket_without_team_goes_to_every_agent_of_the_company(self):
        self._clear_bus()
        ticket = self.env["spid.ticket"].with_user(self.agent).create({"name": "Nobody's", "team_id": False})
        sent = self._sent()
        self.assertEqual(
            sent[("res.company", self.env.company.id, "spid_live_agents")], [{"ids": ticket.ids}]
        )

    def test_restricted_type_stays_off_the_team_channel(self):
        kind = self.env["spid.ticket.type"].create(
            {"name": "HR case", "team_ids": [(6, 0, self.team_other.ids)]}
        )
        self._clear_bus()
        ticket = self._ticket(run_jobs=False, category_id=self.category.id, type_id=kind.id)
        sent = self._sent()
        self.assertNotIn(
            ("spid.team", self.team.id, "spid_live"), sent, "the team's members may not read this type"
        )
        self.assertIn(("res.company", self.env.company.id, "spid_live_supervisors"), sent)
        self.assertFalse(ticket.with_user(self.agent_2).has_access("read"), "as the record rule says")

    def test_opening_a_ticket_is_not_news(self):
        ticket = self._ticket(category_id=self.category.id, user_id=self.agent_2.id)
        ticket.sudo().is_read = False
        self._clear_bus()
        ticket.with_user(self.agent_2).spid_mark_read()
        self.assertTrue(ticket.is_read)
        self.assertFalse(self._sent(), "the owner's reading sends nothing")

    def test_deleted_ticket_is_announced_to_its_audience(self):
        ticket = self._ticket(category_id=self.category.id)
        ticket_id = ticket.id
        self._clear_bus()
        ticket.sudo().unlink()
        sent = self._sent()
        self.assertEqual(sent[("spid.team", self.team.id, "spid_live")], [{"ids": [ticket_id]}])

    def test_deletion_reaches_the_audience_of_a_change(self):
        """One rule of audience: deleting tickets (a team's with an owner and
        a participant, one without team) is announced on exactly the channels
        that a change of them was, the audience read in one query."""
        first = self._ticket(category_id=self.category.id, user_id=self.agent.id)
        first.sudo().participant_ids = self.agent_2
        second = self._ticket(category_id=self.category.id, team_id=False)
        tickets = first | second
        self._clear_bus()
        tickets.sudo().write({"priority": "3"})
        changed = self._sent()
        self._clear_bus()
        ids = tickets.ids
        with self.assertQueryCount(1):
            channels = tickets._spid_live_channels()
        self.assertEqual(
            {(record._name, record.id, sub): ids for (record, sub), ids in channels.items()},
            {channel: payloads[0]["ids"] for channel, payloads in changed.items()},
        )
        tickets.sudo().unlink()
        deleted = self._sent()
        self.assertEqual(deleted, changed)
        supervisors = ("res.company", self.env.company.id, "spid_live_supervisors")
        self.assertEqual(sorted(deleted[supervisors][0]["ids"]), ids)

    def test_messages_reach_the_form_and_only_public_ones_the_portal(self):
        ticket = self.ticket
        self._clear_bus()
        ticket.with_user(self.agent_2).message_post(
            body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        ticket.with_user(self.agent_2).message_post(
            body="Internal: printer vendor is slow", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        events = self._sent(EVENT)[("spid.ticket", ticket.id, "spid_live")]
        kinds = [e["kind"] for e in events if e["kind"] != "write"]
        self.assertEqual(kinds, ["reply", "note"])
        self.assertEqual(events[-1]["user_name"], "Agent Beta")
        portal = self._sent(PORTAL)
        self.assertEqual(
            len(portal[("spid.ticket", ticket.id, "spid_portal")]), 1, "the note never goes to the portal"
        )
        self.assertNotIn("Internal", json.dumps(list(portal.values())))

    def test_presence_only_for_agents_who_read_the_ticket(self):
        ticket = self.ticket
        self._clear_bus()
        self.assertTrue(ticket.with_user(self.agent_2).spid_live_presence("hello"))
        event = self._sent(EVENT)[("spid.ticket", ticket.id, "spid_live")][0]
        self.assertEqual(
            (event["kind"], event["state"], event["user_id"]), ("presence", "hello", self.agent_2.id)
        )
        hostile = {"active_test": False, "spid_skip_checks": True, "bypass": True}
        for user in (self.agent_other, self.employee, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                ticket.with_user(user).with_context(**hostile).spid_live_presence("here")
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent_2).spid_live_presence("<script>")

    def test_last_reply_names_the_colleague_who_answered(self):
        ticket = self.ticket
        seen = ticket.message_ids[:1].id
        as_agent = ticket.with_user(self.agent)
        self.assertFalse(as_agent.spid_live_last_reply(seen))
        ticket.with_user(self.agent_2).message_post(
            body="Internal only", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.assertFalse(as_agent.spid_live_last_reply(seen), "a note is no answer to the customer")
        as_agent.message_post(body="Mine", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertFalse(as_agent.spid_live_last_reply(seen), "one's own answer warns nobody")
        reply = ticket.with_user(self.agent_2).message_post(
            body="Colleague's answer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        found = as_agent.spid_live_last_reply(seen)
        self.assertEqual((found["id"], found["author"], found["agent"]), (reply.id, "Agent Beta", True))
        self.assertFalse(as_agent.spid_live_last_reply(reply.id), "once seen, no warning")
        # the customer's own email is no colleague's answer: the dialog says they wrote
        self._clear_bus()
        email = ticket.message_post(
            body="Any news?",
            message_type="email",
            subtype_xmlid="mail.mt_comment",
            author_id=ticket.partner_id.id,
        )
        found = as_agent.spid_live_last_reply(reply.id)
        self.assertEqual((found["id"], found["agent"]), (email.id, False))
        events = self._sent(EVENT)[("spid.ticket", ticket.id, "spid_live")]
        self.assertEqual([e["kind"] for e in events if e["kind"] != "write"], ["customer"])
        for user in (self.agent_other, self.portal_user, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                ticket.with_user(user).spid_live_last_reply(seen)
        with self.assertRaises(AccessError):
            as_agent.spid_live_last_reply("0 OR 1=1")
