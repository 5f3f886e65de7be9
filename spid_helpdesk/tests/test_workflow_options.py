from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import JsonRpcMixin, SpidHelpdeskCommon

# what an attacker adds to a call: our switches' names, a superuser's flags
HOSTILE = {
    "spid_system": True,
    "spid_sla_system": True,
    "spid_importing": True,
    "tracking_disable": True,
    "active_test": False,
}


def _error(result):
    return (result.get("error") or {}).get("data", {}).get("message", "")


@tagged("post_install", "-at_install")
class TestWorkflowOptions(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.owner_only_status = True
        cls.st_unconfirmed = cls.env.ref("spid_helpdesk.status_unconfirmed")
        cls.st_history = cls.env.ref("spid_helpdesk.status_history")
        cls.category_2 = cls.env["spid.ticket.category"].create({"name": "Hardware", "team_id": cls.team.id})

    def _closed_ticket(self, policy):
        self.env.company.spid_closed_tickets = policy
        ticket = self._ticket(user_id=self.agent.id)
        ticket.with_user(self.agent).write(self._close_values(self.st_closed))
        self.assertTrue(ticket.is_closed)
        return ticket

    # ------------------------------------------------------------------
    # Owner-only status changes
    # ------------------------------------------------------------------

    def test_owner_only_status_refused_to_another_agent(self):
        ticket = self._ticket(user_id=self.agent.id)
        with self.assertRaisesRegex(AccessError, "only the owner"):
            ticket.with_user(self.agent_2).write({"status_id": self.st_progress.id})
        result = self._rpc(
            "hd_agent2",
            "spid.ticket",
            "write",
            [ticket.ids, {"status_id": self.st_progress.id}],
            {"context": HOSTILE},
        )
        self.assertIn("only the owner", _error(result))
        self.assertEqual(ticket.status_id, self.st_new)
        # the form offers them no status, and the rest of the ticket stays theirs to edit
        self.assertEqual(ticket.with_user(self.agent_2).allowed_status_ids, self.st_new)
        ticket.with_user(self.agent_2).write({"urgency": "2"})
        self.assertEqual(ticket.urgency, "2")

    def test_owner_only_status_allowed_to_owner_and_supervisor(self):
        ticket = self._ticket(user_id=self.agent.id)
        result = self._rpc(
            "hd_agent", "spid.ticket", "write", [ticket.ids, {"status_id": self.st_progress.id}]
        )
        self.assertTrue(result.get("result"), result)
        self.assertEqual(ticket.status_id, self.st_progress)
        ticket.with_user(self.supervisor).write({"status_id": self.st_customer.id})
        self.assertEqual(ticket.status_id, self.st_customer)

    def test_owner_only_status_taking_makes_the_owner(self):
        """An agent of the team taking an unowned ticket moves it as its new owner."""
        ticket = self._ticket()
        self.assertFalse(ticket.user_id)
        ticket.with_user(self.agent_2).action_take()
        self.assertEqual(ticket.user_id, self.agent_2)
        self.assertEqual(ticket.status_id, self.st_assigned)

    def test_team_without_the_option_lets_its_agents_move(self):
        self.team.owner_only_status = False
        ticket = self._ticket(user_id=self.agent.id)
        ticket.with_user(self.agent_2).write({"status_id": self.st_progress.id})
        self.assertEqual(ticket.status_id, self.st_progress)

    # ------------------------------------------------------------------
    # Closed tickets
    # ------------------------------------------------------------------

    def test_closed_editable_by_default(self):
        ticket = self._closed_ticket("editable")
        ticket.with_user(self.agent).write({"name": "Printer replaced"})
        self.assertEqual(ticket.name, "Printer replaced")

    def test_closed_read_only_until_reopened(self):
        ticket = self._closed_ticket("readonly")
        self.assertEqual(ticket.with_user(self.agent).closed_edit, "none")
        with self.assertRaisesRegex(UserError, "is closed: reopen it"):
            ticket.with_user(self.agent).write({"name": "Rewritten"})
        for login, vals in (
            ("hd_agent", {"name": "Rewritten"}),
            ("hd_agent", {"category_id": self.category_2.id}),
            ("hd_supervisor", {"description": "<p>Rewritten</p>"}),
            ("hd_manager", {"urgency": "3"}),
        ):
            result = self._rpc(login, "spid.ticket", "write", [ticket.ids, vals], {"context": HOSTILE})
            self.assertIn("is closed: reopen it", _error(result), (login, vals))
        self.assertEqual(ticket.name, "Printer is down")
        self.assertEqual(ticket.category_id, self.category)
        # its conversation goes on
        ticket.with_user(self.agent).message_post(body="Checked again", message_type="comment")
        # reopening is the way back; then it is editable again
        ticket.with_user(self.supervisor).write({"status_id": self.st_reopened.id})
        ticket.with_user(self.agent).write({"name": "Rewritten"})
        self.assertEqual(ticket.name, "Rewritten")

    def test_closed_reclassifiable_only_the_classification(self):
        ticket = self._closed_ticket("reclassify")
        self.assertEqual(ticket.with_user(self.agent).closed_edit, "reclassify")
        result = self._rpc(
            "hd_agent",
            "spid.ticket",
            "write",
            [ticket.ids, {"category_id": self.category_2.id}],
            {"context": HOSTILE},
        )
        self.assertTrue(result.get("result"), result)
        self.assertEqual(ticket.category_id, self.category_2)
        result = self._rpc(
            "hd_agent",
            "spid.ticket",
            "write",
            [ticket.ids, {"category_id": self.category.id, "urgency": "3"}],
            {"context": HOSTILE},
        )
        self.assertIn("is closed: reopen it", _error(result))
        self.assertEqual((ticket.category_id, ticket.urgency), (self.category_2, "1"))

    # ------------------------------------------------------------------
    # Read / unread
    # ------------------------------------------------------------------

    def test_unread_until_the_owner_opens_it(self):
        ticket = self._ticket(user_id=self.agent.id)
        self.assertFalse(ticket.is_read, "a ticket given to someone is unread for them")
        # another agent opening it, or claiming to, changes nothing
        result = self._rpc("hd_agent2", "spid.ticket", "spid_mark_read", [ticket.ids], {"context": HOSTILE})
        self.assertNotIn("error", result)
        self.assertFalse(ticket.is_read)
        result = self._rpc(
            "hd_agent2", "spid.ticket", "write", [ticket.ids, {"is_read": True}], {"context": HOSTILE}
        )
        self.assertIn("cannot be written", _error(result))
        result = self._rpc(
            "hd_agent", "spid.ticket", "write", [ticket.ids, {"is_read": True}], {"context": HOSTILE}
        )
        self.assertIn("cannot be written", _error(result), "the owner marks it by opening it only")
        self.assertFalse(ticket.is_read)
        # the owner opens it
        result = self._rpc("hd_agent", "spid.ticket", "spid_mark_read", [ticket.ids])
        self.assertNotIn("error", result)
        self.assertTrue(ticket.is_read)

    def test_opening_the_form_marks_it_read_for_its_owner_only(self):
        ticket = self._ticket(user_id=self.agent.id)
        self.assertFalse(ticket.is_read)
        self.start_tour(f"/odoo/spid.ticket/{ticket.id}", "spid_ticket_read_tour", login="hd_agent2")
        ticket.invalidate_recordset()
        self.assertFalse(ticket.is_read, "another agent opened it")
        self.start_tour(f"/odoo/spid.ticket/{ticket.id}", "spid_ticket_read_tour", login="hd_agent")
        ticket.invalidate_recordset()
        self.assertTrue(ticket.is_read, "its owner opened it")

    def test_news_makes_it_unread(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self.assertTrue(ticket.is_read, "their own ticket, entered by themselves")
        ticket.with_user(self.agent).message_post(body="On my way", message_type="comment")
        self.assertTrue(ticket.is_read, "their own answer is no news")
        ticket.with_user(self.portal_user).message_post(
            body="Still broken", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertFalse(ticket.is_read, "the customer wrote")
        ticket.with_user(self.agent).spid_mark_read()
        self.assertTrue(ticket.is_read)
        ticket.with_user(self.agent_2).message_post(
            body="I saw it too", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertFalse(ticket.is_read, "a colleague wrote")
        ticket.with_user(self.agent).spid_mark_read()
        ticket.with_user(self.agent_2).message_post(
            body="Note", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.assertTrue(ticket.is_read, "an internal note is not news")
        ticket.with_user(self.agent).write({"user_id": self.agent_2.id})
        self.assertFalse(ticket.is_read, "given to someone else")

    def test_unread_filter(self):
        ticket = self._ticket(user_id=self.agent.id)
        Ticket = self.env["spid.ticket"].with_user(self.agent)
        self.assertIn(ticket, Ticket.search([("user_id", "=", self.agent.id), ("is_read", "=", False)]))

    # ------------------------------------------------------------------
    # Unconfirmed and history
    # ------------------------------------------------------------------

    def test_unconfirmed_is_confirmed_by_an_agent(self):
        self.assertEqual(self.env["spid.ticket"]._default_status(), self.st_new, "New stays the default")
        ticket = self._ticket(user=self.agent, user_id=self.agent.id, status_id=self.st_unconfirmed.id)
        self.assertEqual(ticket.status_id, self.st_unconfirmed)
        ticket.with_user(self.agent).write({"status_id": self.st_new.id})
        self.assertEqual(ticket.status_id, self.st_new)

    def test_history_is_closed_and_not_reopened_by_the_customer(self):
        ticket = self._closed_ticket("editable")
        with self.assertRaisesRegex(AccessError, "may move a ticket from"):
            ticket.with_user(self.agent).write({"status_id": self.st_history.id})
        ticket.with_user(self.supervisor).write({"status_id": self.st_history.id})
        self.assertTrue(ticket.is_closed)
        self.assertNotIn(
            ticket, self.env["spid.ticket"].with_user(self.agent).search([("is_closed", "=", False)])
        )
        with self.assertRaisesRegex(AccessError, "kept for the record"):
            ticket.with_user(self.portal_user)._spid_reopen("Please reopen")
        result = self._rpc(
            "hd_agent",
            "spid.ticket",
            "write",
            [ticket.ids, {"status_id": self.st_reopened.id}],
            {"context": HOSTILE},
        )
        self.assertIn("kept for the record", _error(result))
        ticket.with_user(self.supervisor)._spid_reopen("Back to work")
        self.assertEqual(ticket.status_id, self.st_reopened)
