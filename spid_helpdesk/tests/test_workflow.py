from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestWorkflow(SpidHelpdeskCommon):
    def test_new_ticket_starts_in_start_status_with_reference(self):
        ticket = self._ticket(user=self.agent)
        self.assertEqual(ticket.status_id, self.st_new)
        self.assertTrue(ticket.reference and ticket.reference != "/")
        self.assertEqual(ticket.editor_id, self.agent)
        self.assertEqual(ticket.client_id, self.client, "client follows the requester")
        self.assertEqual(ticket.team_id, self.team, "team follows the category")
        self.assertIn(self.requester, ticket.message_partner_ids, "requester follows the ticket")
        other = self._ticket(user=self.agent)
        self.assertNotEqual(ticket.reference, other.reference)

    def test_allowed_transition_and_tracking(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self.env.flush_all()
        self.env.cr.precommit.run()  # creation and change come in two requests
        ticket.write({"status_id": self.st_progress.id})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written on commit
        ticket.invalidate_recordset(["message_ids"])
        self.assertEqual(ticket.status_id, self.st_progress)
        tracked = ticket.message_ids.sudo().tracking_value_ids.filtered(
            lambda t: t.field_id.name == "status_id"
        )
        self.assertTrue(tracked, "the status change is tracked in the chatter")
        self.assertEqual(tracked[0].new_value_char, self.st_progress.name)

    def test_forbidden_transition(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with self.assertRaisesRegex(UserError, "cannot go from New to Pending third party"):
            ticket.write({"status_id": self.st_third.id})
        self.assertEqual(ticket.status_id, self.st_new)

    def test_status_without_transitions_allows_any_move(self):
        free = self.env["spid.ticket.status"].create({"name": "Triage", "sequence": 99})
        self.env["spid.ticket.transition"].create({"from_status_id": self.st_new.id, "to_status_id": free.id})
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.write({"status_id": free.id})
        ticket.write({"status_id": self.st_customer.id})  # Triage has no transitions
        self.assertEqual(ticket.status_id, self.st_customer)

    def test_transition_limited_to_groups(self):
        self.env.ref("spid_helpdesk.transition_new_in_progress").group_ids = self.env.ref(
            "spid_helpdesk.group_spid_supervisor"
        )
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with self.assertRaisesRegex(
            AccessError, "Only .*Supervisor may move a ticket from New to In progress"
        ):
            ticket.write({"status_id": self.st_progress.id})
        ticket.with_user(self.supervisor).write({"status_id": self.st_progress.id})
        self.assertEqual(ticket.status_id, self.st_progress)

    def test_closing_requires_resolution_and_epilogue(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with self.assertRaisesRegex(
            ValidationError, "Fill in (Epilogue, Resolution|Resolution, Epilogue) before"
        ):
            ticket.write({"status_id": self.st_closed.id})
        with self.assertRaisesRegex(ValidationError, "Epilogue"):
            ticket.write({"status_id": self.st_closed.id, "resolution": "solved", "epilogue": "<p><br></p>"})
        ticket.invalidate_recordset()
        self.assertEqual(ticket.status_id, self.st_new, "nothing half-written")
        ticket.write(self._close_values(self.st_closed))
        self.assertTrue(ticket.is_closed)
        self.assertEqual(ticket.closed_by_id, self.agent)
        self.assertTrue(ticket.date_closed)

    def test_only_owner_or_supervisor_closes(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with self.assertRaisesRegex(AccessError, "Only the owner"):
            ticket.with_user(self.agent_2).write(self._close_values(self.st_closed))
        ticket.with_user(self.supervisor).write(self._close_values(self.st_closed))
        self.assertEqual(ticket.closed_by_id, self.supervisor)

    def test_close_wizard(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        wizard = (
            self.env["spid.ticket.close.wizard"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "resolution": "solved", "epilogue": "<p>Done</p>", "lock": True})
        )
        wizard.action_confirm()
        self.assertTrue(ticket.is_closed)
        self.assertTrue(ticket.is_locked)
        self.assertEqual(ticket.resolution, "solved")

    def _closed_ticket(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.write(self._close_values(self.st_closed))
        return ticket

    def test_reopen_by_supervisor_goes_to_reopened(self):
        ticket = self._closed_ticket()
        ticket.with_user(self.supervisor)._spid_reopen("Still broken")
        self.assertEqual(ticket.status_id, self.st_reopened)
        self.assertFalse(ticket.date_closed)
        self.assertFalse(ticket.resolution)
        self.assertIn("Still broken", ticket.message_ids[0].body)

    def test_reopen_by_requester(self):
        # an internal requester (the portal side comes with the portal addon)
        ticket = self._ticket(user=self.agent, user_id=self.agent.id, partner_id=self.agent_2.partner_id.id)
        ticket.write(self._close_values(self.st_closed))
        ticket.with_user(self.agent_2)._spid_reopen("It failed again")
        self.assertEqual(ticket.status_id, self.st_reopened)

    def test_agent_cannot_reopen(self):
        ticket = self._closed_ticket()
        with self.assertRaisesRegex(AccessError, "requester .* or a supervisor"):
            ticket.with_user(self.agent)._spid_reopen("why not")
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).write({"status_id": self.st_reopened.id})
        self.assertTrue(ticket.is_closed)

    def test_locked_ticket_never_reopens_nor_changes(self):
        ticket = self._closed_ticket()
        with self.assertRaisesRegex(AccessError, "Only the owner"):
            ticket.with_user(self.agent_2).action_lock()
        ticket.with_user(self.agent).action_lock()
        self.assertTrue(ticket.is_locked)
        with self.assertRaisesRegex(UserError, "locked"):
            ticket.with_user(self.supervisor)._spid_reopen("again")
        with self.assertRaisesRegex(UserError, "locked"):
            ticket.with_user(self.supervisor).write({"name": "changed"})
        with self.assertRaisesRegex(UserError, "locked"):
            ticket.with_user(self.supervisor).write({"status_id": self.st_reopened.id})
        # the chatter stays open
        ticket.with_user(self.agent).message_post(body="a note after closing")
        with self.assertRaises(AccessError):
            ticket.with_user(self.supervisor).action_unlock()
        ticket.with_user(self.manager).action_unlock()
        self.assertFalse(ticket.is_locked)

    def test_open_ticket_cannot_be_locked(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with self.assertRaisesRegex(UserError, "Only a closed ticket"):
            ticket.action_lock()

    def test_take_it(self):
        ticket = self._ticket(user=self.agent)
        self.assertFalse(ticket.user_id)
        ticket.with_user(self.agent_2).action_take()
        self.assertEqual(ticket.user_id, self.agent_2)
        self.assertEqual(ticket.status_id, self.st_assigned, "taking a new ticket assigns it")

    def test_escalation_logs_reason(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        wizard = (
            self.env["spid.ticket.escalate.wizard"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "user_id": self.agent_2.id, "reason": "Needs a DBA"})
        )
        wizard.action_confirm()
        self.assertEqual(ticket.user_id, self.agent_2)
        self.assertIn("Needs a DBA", ticket.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "why"):
            ticket._spid_escalate(self.agent, "  ")

    def test_editor_is_never_writable(self):
        ticket = self._ticket(user=self.agent)
        with self.assertRaisesRegex(AccessError, "set by the helpdesk itself"):
            ticket.with_user(self.supervisor).write({"editor_id": self.supervisor.id})
        self.assertEqual(ticket.editor_id, self.agent)

    def test_requester_must_belong_to_client(self):
        ticket = self._ticket(user=self.agent, site_id=self.site.id)
        self.assertEqual(ticket.site_id, self.site)
        with self.assertRaisesRegex(ValidationError, "not a contact of the client"):
            ticket.write({"client_id": self.client.id, "partner_id": self.other_contact.id})
        with self.assertRaisesRegex(ValidationError, "not an address of the client"):
            ticket.write({"site_id": self.other_contact.id})
        with self.assertRaisesRegex(ValidationError, "not an address of the client"):
            self._ticket(user=self.agent, site_id=self.other_client.id)

    def test_status_mail_template_is_sent(self):
        template = self.env["mail.template"].create(
            {
                "name": "Pending customer",
                "model_id": self.env["ir.model"]._get_id("spid.ticket"),
                "subject": "We need you on {{ object.reference }}",
                "body_html": "<p>Please answer.</p>",
                "partner_to": "{{ object.partner_id.id }}",
            }
        )
        self.st_customer.mail_template_id = template
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.write({"status_id": self.st_customer.id})
        self.env.flush_all()
        self.env.cr.precommit.run()  # status templates are sent with the tracking
        ticket.invalidate_recordset(["message_ids"])
        sent = ticket.message_ids.filtered(lambda m: m.subject and ticket.reference in m.subject)
        self.assertTrue(sent, "the status template was posted")
