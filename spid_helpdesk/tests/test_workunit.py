from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestWorkunit(SpidHelpdeskCommon):
    def test_default_duration_from_company_and_totals(self):
        self.env.company.spid_default_duration = 0.5
        ticket = self._ticket(user=self.agent)
        Unit = self.env["spid.workunit"].with_user(self.agent)
        first = Unit.create({"ticket_id": ticket.id})
        self.assertEqual(first.duration, 0.5)
        self.assertEqual(first.user_id, self.agent)
        Unit.create({"ticket_id": ticket.id, "duration": 1.25, "billable": False})
        self.assertEqual(ticket.total_hours, 1.75)
        self.assertEqual(ticket.workunit_count, 2)
        first.unlink()
        self.assertEqual(ticket.total_hours, 1.25)
        self.assertEqual(first.client_id if first.exists() else ticket.client_id, self.client)

    def test_reporting_fields_are_stored(self):
        ticket = self._ticket(user=self.agent)
        unit = self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id})
        self.assertEqual(unit.client_id, self.client)
        self.assertEqual(unit.company_id, ticket.company_id)
        self.assertEqual(unit.team_id, self.team)

    def test_bad_duration_is_refused(self):
        ticket = self._ticket(user=self.agent)
        with self.assertRaisesRegex(ValidationError, "between 0 and 24"):
            self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id, "duration": 25})
        self.env.invalidate_all()
        self.assertFalse(self.env["spid.workunit"].search_count([("ticket_id", "=", ticket.id)]))

    def test_public_unit_reaches_customer_internal_does_not(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.message_subscribe(partner_ids=self.agent_2.partner_id.ids)
        Unit = self.env["spid.workunit"].with_user(self.agent)
        Unit.create({"ticket_id": ticket.id, "visibility": "public", "description": "<p>Replaced toner</p>"})
        public_msg = ticket.message_ids[0]
        self.assertIn("Replaced toner", public_msg.body)
        self.assertIn(self.requester, public_msg.notified_partner_ids, "the requester is told")
        self.assertIn(self.agent_2.partner_id, public_msg.notified_partner_ids)

        Unit.create(
            {"ticket_id": ticket.id, "visibility": "internal", "description": "<p>Root cause: driver</p>"}
        )
        internal_msg = ticket.message_ids[0]
        self.assertIn("Root cause", internal_msg.body)
        self.assertTrue(internal_msg.subtype_id.internal)
        self.assertNotIn(
            self.requester, internal_msg.notified_partner_ids, "customers never get internal work"
        )
        self.assertIn(self.agent_2.partner_id, internal_msg.notified_partner_ids, "internal followers do")

    def test_locked_ticket_refuses_workunits(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        unit = self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id, "duration": 1})
        # closing emails the requester (rating request) once the ticket is locked
        self.st_closed.mail_template_id = self.env.ref("spid_helpdesk.mail_template_ticket_closed_rating")
        ticket.write(self._close_values(self.st_closed))
        ticket.action_lock()
        self.env.flush_all()
        self.env.cr.precommit.run()
        Unit = self.env["spid.workunit"].with_user(self.agent)
        with self.assertRaisesRegex(UserError, "locked"):
            Unit.create({"ticket_id": ticket.id, "duration": 1})
        with self.assertRaisesRegex(UserError, "locked"):
            unit.with_user(self.agent).write({"duration": 3})
        with self.assertRaisesRegex(UserError, "locked"):
            unit.with_user(self.supervisor).unlink()
        self.assertEqual(ticket.total_hours, 1)
