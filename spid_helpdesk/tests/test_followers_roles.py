import json

from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin, SpidHelpdeskCommon, assert_queries_flat

EMAIL = """From: {sender}
To: support@desk.example.com
Cc: {cc}
Subject: Re: [{reference}] Printer broken
Message-ID: <follow{n}@client.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

{body}
"""


def _field_names(value):
    """The fieldName of every tracking value in a JSON answer."""
    if isinstance(value, dict):
        if "fieldName" in value:
            yield value["fieldName"]
        for item in value.values():
            yield from _field_names(item)
    elif isinstance(value, list):
        for item in value:
            yield from _field_names(item)


@tagged("post_install", "-at_install")
class TestFollowersByRole(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    """Who is told: participants, reporter and addresses in copy follow the
    ticket with the subtypes of their role; customers never read the
    agents' changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Subtype = cls.env["mail.message.subtype"]
        cls.default, cls.internal, cls.external = Subtype.default_subtypes("spid.ticket")
        cls.reporter = cls.env["res.partner"].create(
            {"name": "Rob Reporter", "parent_id": cls.client.id, "email": "rob@client.example.com"}
        )
        cls.employee = new_test_user(cls.env, "hd_employee", groups="base.group_user", name="Emma Employee")

    def _commit(self):
        """What a request's commit runs: tracking messages and notifications."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.invalidate_all()

    def _follower(self, ticket, partner):
        return self.env["mail.followers"].search(
            [("res_model", "=", "spid.ticket"), ("res_id", "=", ticket.id), ("partner_id", "=", partner.id)]
        )

    def _mails_to(self, partner, since):
        return self.env["mail.mail"].search([("id", ">", since), ("recipient_ids", "in", partner.ids)])

    def _last_mail_id(self):
        return self.env["mail.mail"].search([], order="id desc", limit=1).id or 0

    # 1. participants and reporter

    def test_participants_follow_while_they_take_part(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.with_user(self.agent).write({"participant_ids": [(4, self.agent_2.id)]})
        follower = self._follower(ticket, self.agent_2.partner_id)
        self.assertTrue(follower, "a new participant follows")
        self.assertEqual(follower.subtype_ids, self.default, "with the internal updates")
        ticket.with_user(self.agent).write({"participant_ids": [(3, self.agent_2.id)]})
        self.assertFalse(self._follower(ticket, self.agent_2.partner_id), "a former participant does not")
        # the owner stays a follower when they stop being a participant too
        ticket.with_user(self.agent).write({"participant_ids": [(4, self.agent.id)]})
        ticket.with_user(self.agent).write({"participant_ids": [(5,)]})
        self.assertTrue(self._follower(ticket, self.agent.partner_id))

    def test_participants_named_at_creation_hear_of_the_ticket(self):
        """The creation message goes to the followers its job kept: the
        participants are among them, the requester is not (they get the
        acknowledgement)."""
        ticket = self._ticket(user=self.agent, user_id=self.agent.id, participant_ids=[(4, self.agent_2.id)])
        creation = ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("spid_helpdesk.mt_ticket_new")
        )
        self.assertEqual(len(creation), 1)
        notified = creation.sudo().notification_ids.res_partner_id
        self.assertIn(self.agent_2.partner_id, notified, "the participant is told")
        self.assertNotIn(self.requester, notified, "the requester gets the acknowledgement instead")

    def test_external_reporter_gets_the_customers_view(self):
        ticket = self._ticket(user=self.agent, reporter_id=self.reporter.id)
        follower = self._follower(ticket, self.reporter)
        self.assertEqual(follower.subtype_ids, self.external, "the customer's view, no internal updates")
        since = self._last_mail_id()
        ticket.with_user(self.agent).message_post(
            body="We ordered the part.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        ticket.with_user(self.agent).message_post(body="SECRET-NOTE", subtype_xmlid="mail.mt_note")
        self._commit()
        mails = self._mails_to(self.reporter, since)
        self.assertEqual(len(mails), 1, "the public answer only")
        self.assertIn("ordered the part", mails.body_html)
        # the reporter changes: the new one follows, the old one no longer
        ticket.with_user(self.agent).write({"reporter_id": self.requester_2.id})
        self.assertFalse(self._follower(ticket, self.reporter))
        self.assertTrue(self._follower(ticket, self.requester_2))
        # the requester as reporter keeps following when the reporter changes
        ticket.with_user(self.agent).write({"reporter_id": self.requester.id})
        ticket.with_user(self.agent).write({"reporter_id": False})
        self.assertTrue(self._follower(ticket, self.requester))

    def test_internal_reporter_who_may_not_read_never_follows(self):
        ticket = self._ticket(user=self.agent, reporter_id=self.employee.partner_id.id)
        self.assertEqual(ticket.reporter_id, self.employee.partner_id)
        self.assertFalse(self._follower(ticket, self.employee.partner_id), "no access, no updates")

    def test_reporter_with_a_portal_login_sees_no_more_than_before(self):
        carl = new_test_user(
            self.env, "hd_carl", groups="base.group_portal", partner_id=self.requester_2.id, name="Carl"
        )
        ticket = self._ticket(user=self.agent, reporter_id=self.requester_2.id)
        self.assertFalse(self._follower(ticket, self.requester_2), "the portal rule does not show it to Carl")
        self.assertFalse(ticket.with_user(carl).has_access("read"))
        result = self._rpc("hd_carl", "spid.ticket", "read", [ticket.ids, ["name"]])
        self.assertIn("error", result)
        # nor does the requester read who is written to
        result = self._rpc("hd_portal", "spid.ticket", "read", [ticket.ids, ["public_recipient_ids"]])
        self.assertIn("error", result)

    def test_batch_creation_subscribes_roles_set_based(self):
        Ticket = self.env["spid.ticket"].with_user(self.supervisor)

        def make(size):
            reporters = self.env["res.partner"].create(
                [{"name": f"R{size}-{i}", "email": f"r{size}-{i}@client.example.com"} for i in range(size)]
            )
            return [
                {
                    "name": f"Batch {i}",
                    "partner_id": self.requester.id,
                    "category_id": self.category.id,
                    "participant_ids": [(6, 0, self.agent_2.ids)],
                    "reporter_id": reporter.id,
                }
                for i, reporter in enumerate(reporters)
            ]

        assert_queries_flat(self, make, lambda vals: Ticket.create(vals), sizes=(2, 10, 30), slack=2)
        tickets = Ticket.create(make(3))
        for ticket in tickets:
            self.assertIn(self.agent_2.partner_id, ticket.message_partner_ids)
            self.assertIn(ticket.reporter_id, ticket.message_partner_ids)
            self.assertEqual(self._follower(ticket, ticket.reporter_id).subtype_ids, self.external)

    # 2. copies

    def test_copy_typed_by_an_agent_receives_public_updates(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.with_user(self.agent).write(
            {"email_cc": "Boss <boss@client.example.com>, Bob <bob@ext.example>"}
        )
        boss = self.env["res.partner"].search([("email_normalized", "=", "boss@client.example.com")])
        self.assertEqual(self._follower(ticket, boss).subtype_ids, self.external)
        recipients = ticket.with_user(self.agent).public_recipient_ids
        self.assertIn(boss, recipients)
        self.assertIn(self.requester, recipients)
        since = self._last_mail_id()
        ticket.with_user(self.agent).message_post(
            body="PUBLIC-ANSWER", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        ticket.with_user(self.agent).message_post(body="SECRET-NOTE", subtype_xmlid="mail.mt_note")
        self._commit()
        mails = self._mails_to(boss, since)
        self.assertEqual(len(mails), 1)
        self.assertIn("PUBLIC-ANSWER", mails.body_html)
        # notify_customer off: nobody outside is written to, the form says so
        ticket.with_user(self.agent).notify_customer = False
        self.assertNotIn(boss, ticket.with_user(self.agent).public_recipient_ids)
        self.assertNotIn(self.requester, ticket.with_user(self.agent).public_recipient_ids)
        # removed from In copy: unfollowed
        ticket.with_user(self.agent).write({"email_cc": "Bob <bob@ext.example>"})
        self.assertFalse(self._follower(ticket, boss))

    def test_copy_respects_the_limit_and_own_addresses(self):
        self.env["ir.config_parameter"].sudo().set_param("spid_helpdesk.mail_max_cc", "1")
        ticket = self._ticket(user=self.agent, email_cc="a@ext.example, b@ext.example")
        followers = ticket.message_partner_ids.filtered(
            lambda p: p.email_normalized in ("a@ext.example", "b@ext.example")
        )
        self.assertEqual(len(followers), 1, "spid_helpdesk.mail_max_cc holds for typed copies too")

    def test_copy_of_a_user_who_may_not_read_is_refused(self):
        ticket = self._ticket(user=self.agent, category_id=self.category.id)
        ticket.with_user(self.agent).write({"email_cc": self.agent_other.email})
        self.assertTrue(self.agent_other.email)
        self.assertNotIn(self.agent_other.partner_id, ticket.message_partner_ids)

    def test_attackers_cannot_write_copies_over_rpc(self):
        ticket = self._ticket(user=self.agent)
        for login in ("hd_portal", "hd_agent_other"):
            for context in ({}, {"spid_copies_by_email": True, "tracking_disable": True}):
                result = self._rpc(
                    login,
                    "spid.ticket",
                    "write",
                    [ticket.ids, {"email_cc": "evil@attacker.example"}],
                    {"context": context},
                )
                self.assertIn("error", result, f"{login} wrote In copy")
        self.env.invalidate_all()
        self.assertFalse(ticket.email_cc)
        self.assertFalse(self.env["res.partner"].search([("email_normalized", "=", "evil@attacker.example")]))
        # a context key cannot pass the agent's copy off as the gateway's
        result = self._rpc(
            "hd_agent",
            "spid.ticket",
            "write",
            [ticket.ids, {"email_cc": "boss@client.example.com"}],
            {"context": {"spid_copies_by_email": True}},
        )
        self.assertNotIn("error", result)
        self.env.invalidate_all()
        self.assertIn("boss@client.example.com", ticket.message_partner_ids.mapped("email_normalized"))

    def test_email_copy_of_a_follower_who_is_not_the_requester_is_ignored(self):
        self._team_alias("desk.example.com", "support")
        ticket = self._ticket(user=self.agent, email_cc="boss@client.example.com")
        raw = EMAIL.format(
            sender="Boss <boss@client.example.com>",
            cc="Evil <evil@attacker.example>",
            reference=ticket.reference,
            n=1,
            body="Me too",
        )
        self.env["mail.thread"].message_process(None, raw.encode())
        self._commit()
        self.assertIn("Me too", ticket.message_ids[0].body, "the follower's email joined the ticket")
        self.assertNotIn("evil", ticket.email_cc, "In copy lists only who is written to")
        self.assertNotIn("evil@attacker.example", ticket.message_partner_ids.mapped("email_normalized"))
        # the requester's copy joins In copy and follows
        raw = EMAIL.format(
            sender="Rita <rita@client.example.com>",
            cc="Ann <ann@client.example.com>",
            reference=ticket.reference,
            n=2,
            body="Adding Ann",
        )
        self.env["mail.thread"].message_process(None, raw.encode())
        self._commit()
        self.assertIn("ann@client.example.com", ticket.email_cc)
        self.assertIn("ann@client.example.com", ticket.message_partner_ids.mapped("email_normalized"))

    # 3. tracking

    def test_every_form_field_is_tracked(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self._commit()
        ticket.with_user(self.agent).write(
            {
                "description": "<p>The printer now shows E43 and smokes.</p>",
                "urgency": "3",
                "channel": "email",
                "reporter_id": self.reporter.id,
                "participant_ids": [(4, self.agent_2.id)],
                "related_ticket_ids": [(4, self._ticket(user=self.agent).id)],
                "email_cc": "boss@client.example.com",
                "epilogue": "<p>Replaced the fuser.</p>",
            }
        )
        self._commit()
        tracked = ticket.message_ids.sudo().tracking_value_ids
        names = set(tracked.field_id.mapped("name"))
        for name in (
            "description",
            "urgency",
            "channel",
            "reporter_id",
            "participant_ids",
            "related_ticket_ids",
            "email_cc",
            "epilogue",
        ):
            self.assertIn(name, names)
        description = tracked.filtered(lambda t: t.field_id.name == "description")
        self.assertIn("E43", description.new_value_char)
        self.assertEqual(len(ticket.sudo().message_ids.filtered("tracking_value_ids")), 1, "one message")

    def test_custom_fields_are_tracked(self):
        ticket_type = self.env["spid.ticket.type"].create(
            {
                "name": "Hardware",
                "properties_definition": [
                    {"name": "serial", "string": "Serial number", "type": "char"},
                    {
                        "name": "kind",
                        "string": "Kind",
                        "type": "selection",
                        "selection": [["printer", "Printer"], ["laptop", "Laptop"]],
                    },
                ],
            }
        )
        ticket = self._ticket(user=self.agent, type_id=ticket_type.id)
        self._commit()
        ticket.with_user(self.agent).write({"properties": {"serial": "SN-42", "kind": "printer"}})
        self._commit()
        tracking = ticket.message_ids.sudo().tracking_value_ids.filtered(
            lambda t: t.field_id.name == "properties"
        )
        self.assertIn("Serial number: SN-42", tracking.new_value_char)
        self.assertIn("Kind: Printer", tracking.new_value_char)

    def test_customers_never_read_the_agents_changes(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self._commit()
        since = self._last_mail_id()
        ticket.with_user(self.agent).write(
            {
                "status_id": self.st_progress.id,
                "urgency": "2",
                "priority": "3",
                "participant_ids": [(4, self.agent_2.id)],
                "email_cc": "boss@client.example.com",
                "date_deadline": "2030-01-01 10:00:00",
            }
        )
        self._commit()
        message = ticket.sudo().message_ids.filtered("tracking_value_ids")[:1]
        self.assertEqual(message.subtype_id, self.env.ref("spid_helpdesk.mt_ticket_status"))
        self.assertIn("participant_ids", message.sudo().tracking_value_ids.field_id.mapped("name"))
        # the customer's email lists the changes they may read only
        mail = self._mails_to(self.requester, since).filtered(lambda m: m.mail_message_id == message)
        self.assertTrue(mail, "the requester is told of the status change")
        self.assertIn("Urgency", mail.body_html)
        for hidden in ("Participants", "Agent Beta", "Priority", "Deadline", "In copy", "boss@"):
            self.assertNotIn(hidden, mail.body_html)
        # and their portal conversation too
        self.authenticate("hd_portal", "hd_portal")
        chatter = self.url_open(
            "/mail/thread/messages",
            data=json.dumps(
                {"jsonrpc": "2.0", "params": {"thread_model": "spid.ticket", "thread_id": ticket.id}}
            ),
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertIn("result", chatter, chatter)
        shown = list(_field_names(chatter["result"]))
        self.assertIn("status_id", shown)
        self.assertIn("urgency", shown)
        for hidden in ("participant_ids", "priority", "date_deadline", "email_cc"):
            self.assertNotIn(hidden, shown)
        # the agent sees them all
        agent_view = ticket.with_user(self.agent)._track_filter_for_display(message.sudo().tracking_value_ids)
        self.assertIn("participant_ids", agent_view.field_id.mapped("name"))
