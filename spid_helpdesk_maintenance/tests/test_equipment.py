from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.spid_helpdesk.tests.common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestEquipmentTickets(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # created by the administrator: no agent follows it
        cls.printer = cls.env["maintenance.equipment"].create({"name": "Office printer", "serial_no": "PR-1"})

    def test_agent_links_a_ticket_and_sees_the_history(self):
        Equipment = self.env["maintenance.equipment"].with_user(self.agent)
        self.assertIn(self.printer, Equipment.search([]), "agents see every equipment to link it")
        ticket = self._ticket(user=self.agent, equipment_id=self.printer.id)
        self._ticket(user=self.agent, name="Jam again", equipment_id=self.printer.id)
        # a ticket of another team: not in this agent's history
        self._ticket(user=self.agent_other, category_id=self.category_other.id, equipment_id=self.printer.id)
        printer = self.printer.with_user(self.agent)
        self.assertEqual(printer.spid_ticket_count, 2)
        self.assertEqual(self.printer.with_user(self.supervisor).spid_ticket_count, 3)
        action = printer.action_view_spid_tickets()
        tickets = self.env["spid.ticket"].with_user(self.agent).search(action["domain"])
        self.assertIn(ticket, tickets)
        self.assertEqual(len(tickets), 2)
        with self.assertRaises(AccessError):
            printer.write({"name": "Renamed by an agent"})

    def test_split_keeps_the_equipment(self):
        ticket = self._ticket(user=self.agent, equipment_id=self.printer.id, user_id=self.agent.id)
        unit = self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id, "duration": 1})
        child = ticket.with_user(self.agent)._spid_split("Second part", unit)
        self.assertEqual(child.equipment_id, self.printer)
