from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestAutomation(SpidHelpdeskCommon):
    """The shipped automation rules are disabled; enabled, they act on the
    ticket's creation, its updates and its SLA failure."""

    def test_examples_ship_disabled(self):
        for xmlid in (
            "automation_critical_priority",
            "automation_assign_by_category",
            "automation_sla_failed",
        ):
            self.assertFalse(self.env.ref(f"spid_helpdesk.{xmlid}").active)

    def test_critical_priority_notifies_the_leader(self):
        self.env.ref("spid_helpdesk.automation_critical_priority").active = True
        ticket = self._ticket(user=self.agent)
        self.assertFalse(ticket.message_ids.filtered(lambda m: "Critical ticket" in m.body))
        ticket.with_user(self.agent).write({"priority": "3"})
        note = ticket.message_ids.filtered(lambda m: "Critical ticket" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn(self.agent.partner_id, note.partner_ids, "the team leader is mentioned")

    def test_assign_by_category(self):
        self.env.ref("spid_helpdesk.automation_assign_by_category").active = True
        self.category.user_ids = self.agent_2
        ticket = self._ticket(user=self.agent)
        self.assertEqual(ticket.user_id, self.agent_2)

    def test_rule_on_sla_failure(self):
        self.env.ref("spid_helpdesk.automation_sla_failed").active = True
        calendar = self.env["resource.calendar"].create({"name": "24/7-ish", "tz": "UTC"})
        self.env["spid.sla.policy"].create({"name": "Fast", "response_hours": 1, "calendar_id": calendar.id})
        with freeze_time(datetime(2026, 11, 23, 9, 0)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with freeze_time(datetime(2026, 11, 23, 15, 0)):
            self.env["spid.ticket.sla"]._cron_check_breaches()
        self.assertEqual(ticket.sla_status, "failed")
        self.assertTrue(ticket.message_ids.filtered(lambda m: "Service level failed" in m.body))
