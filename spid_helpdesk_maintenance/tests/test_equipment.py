import importlib.util

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.sql import column_exists

from odoo.addons.spid_helpdesk.tests.common import JsonRpcMixin, SpidHelpdeskCommon


def _migration(script):
    """A script of this addon's migration to 18.0.1.1.0, as the upgrade runs it."""
    path = file_path(f"spid_helpdesk_maintenance/migrations/18.0.1.1.0/{script}.py")
    spec = importlib.util.spec_from_file_location(f"spid_maintenance_{script.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestEquipmentTickets(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Equipment = cls.env["maintenance.equipment"]
        # created by the administrator: no agent follows them
        cls.printer = Equipment.create({"name": "Office printer", "serial_no": "PR-1"})
        cls.feeder = Equipment.create({"name": "Paper feeder", "serial_no": "PF-1"})
        cls.company_b = cls.env["res.company"].create({"name": "Other company"})
        cls.foreign = Equipment.create(
            {"name": "Their printer", "serial_no": "PR-B", "company_id": cls.company_b.id}
        )

    def test_several_equipments_and_their_history(self):
        Equipment = self.env["maintenance.equipment"].with_user(self.agent)
        self.assertIn(self.printer, Equipment.search([]), "agents see every equipment to link it")
        both = [Command.set((self.printer | self.feeder).ids)]
        ticket = self._ticket(user=self.agent, equipment_ids=both)
        self._ticket(user=self.agent, name="Jam again", equipment_ids=[Command.link(self.printer.id)])
        # a ticket of another team: not in this agent's history
        self._ticket(user=self.agent_other, category_id=self.category_other.id, equipment_ids=both)
        self.assertEqual(ticket.with_user(self.agent).equipment_ids, self.printer | self.feeder)
        printer = self.printer.with_user(self.agent)
        self.assertEqual(printer.spid_ticket_count, 2)
        self.assertEqual(self.feeder.with_user(self.agent).spid_ticket_count, 1)
        self.assertEqual(self.printer.with_user(self.supervisor).spid_ticket_count, 3)
        action = printer.action_view_spid_tickets()
        tickets = self.env["spid.ticket"].with_user(self.agent).search(action["domain"])
        self.assertIn(ticket, tickets)
        self.assertEqual(len(tickets), 2)
        self.assertEqual(action["context"]["default_equipment_ids"], self.printer.ids)
        Ticket = self.env["spid.ticket"].with_user(self.agent).with_context(**action["context"])
        self.assertEqual(Ticket.new({}).equipment_ids._origin, self.printer, "a new ticket from the history")
        # the search field "Equipment" finds a ticket by any of its equipment
        self.assertEqual(
            self.env["spid.ticket"].with_user(self.agent).search([("equipment_ids.serial_no", "=", "PF-1")]),
            ticket,
        )
        # the equipment's change is in the ticket's chatter
        ticket.with_user(self.agent).write({"equipment_ids": [Command.unlink(self.feeder.id)]})
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracking = ticket.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "equipment_ids"
        )
        self.assertIn("Paper feeder", tracking.old_value_char)
        with self.assertRaises(AccessError):
            printer.write({"name": "Renamed by an agent"})

    def test_former_equipment_field_still_works(self):
        """Imports and API callers that name one equipment: it is the first
        of the ticket's, and setting it adds to them."""
        ticket = self._ticket(user=self.agent, equipment_id=self.printer.id).with_user(self.agent)
        self.assertEqual(ticket.equipment_ids, self.printer)
        self.assertEqual(ticket.equipment_id, self.printer)
        ticket.equipment_id = self.feeder
        self.assertEqual(ticket.equipment_ids, self.printer | self.feeder)
        Ticket = self.env["spid.ticket"].with_user(self.agent)
        self.assertEqual(Ticket.search([("equipment_id", "=", self.feeder.id)]), ticket)
        ticket.equipment_id = False
        self.assertFalse(ticket.equipment_ids)

    def test_split_keeps_and_merge_unites_the_equipment(self):
        ticket = self._ticket(
            user=self.agent, equipment_ids=[Command.set(self.printer.ids)], user_id=self.agent.id
        )
        unit = self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id, "duration": 1})
        child = ticket.with_user(self.agent)._spid_split("Second part", unit)
        self.assertEqual(child.equipment_ids, self.printer)
        duplicate = self._ticket(
            user=self.agent,
            equipment_ids=[Command.set((self.printer | self.feeder).ids)],
            user_id=self.agent.id,
        )
        wizard = (
            self.env["spid.ticket.merge.wizard"]
            .with_user(self.agent)
            .with_context(active_model="spid.ticket", active_ids=[ticket.id, duplicate.id])
            .create({})
        )
        self.assertEqual(wizard.target_id, ticket)
        wizard.action_merge()
        self.assertEqual(ticket.with_user(self.agent).equipment_ids, self.printer | self.feeder)
        self.assertEqual(duplicate.merged_into_id, ticket)

    def test_attack_equipment_of_another_company(self):
        """Neither the form's domain nor the server link the equipment of a
        company the agent does not work for, whatever the context says."""
        ticket = self._ticket(user=self.agent)
        domain = ticket._fields["equipment_ids"]._description_domain(self.env)
        self.assertIn("company_id", domain, "the form offers the ticket's company's equipment only")
        self.assertNotIn(self.foreign, self.env["maintenance.equipment"].with_user(self.agent).search([]))
        context = {"allowed_company_ids": [self.env.company.id, self.company_b.id]}
        for vals in (
            {"equipment_ids": [[4, self.foreign.id]]},
            {"equipment_ids": [[6, 0, [self.printer.id, self.foreign.id]]]},
            {"equipment_id": self.foreign.id},
        ):
            answer = self._rpc("hd_agent", "spid.ticket", "write", [[ticket.id], vals], {"context": context})
            self.assertIn("error", answer, vals)
            self.env.invalidate_all()
            self.assertFalse(ticket.equipment_ids, vals)
        answer = self._rpc(
            "hd_agent",
            "spid.ticket",
            "create",
            [
                {
                    "name": "Sneaky",
                    "partner_id": self.requester.id,
                    "category_id": self.category.id,
                    "equipment_ids": [[6, 0, [self.foreign.id]]],
                }
            ],  # fmt: skip
            {"context": context},
        )
        self.assertIn("error", answer)
        self.assertFalse(self.env["spid.ticket"].search([("name", "=", "Sneaky")]))

    def test_attack_equipment_the_user_may_not_read(self):
        """A user who may write the ticket but not read an equipment (here an
        agent whose equipment rule is taken away) cannot link it."""
        self.env.ref("spid_helpdesk_maintenance.maintenance_equipment_rule_spid_agent").active = False
        employee_equipment = self.env["maintenance.equipment"].create(
            {"name": "Manager's laptop", "serial_no": "LT-9", "owner_user_id": self.supervisor.id}
        )
        ticket = self._ticket(user=self.agent)
        with self.assertRaises(AccessError):
            employee_equipment.with_user(self.agent).check_access("read")
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).write({"equipment_ids": [Command.link(employee_equipment.id)]})
        self.assertFalse(ticket.equipment_ids)

    def test_migration_copies_the_single_equipment(self):
        """18.0.1.1.0: the column of the former many2one goes into the new
        table, on a database laid out as before (the column re-created)."""
        plain = self._ticket(user=self.agent)
        linked = self._ticket(
            user=self.agent, name="Already linked", equipment_ids=[Command.link(self.printer.id)]
        )
        untouched = self._ticket(user=self.agent, name="No equipment")
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            "ALTER TABLE spid_ticket ADD COLUMN equipment_id int4 REFERENCES maintenance_equipment(id)"
        )
        cr.execute("UPDATE spid_ticket SET equipment_id = %s WHERE id = %s", [self.feeder.id, plain.id])
        cr.execute("UPDATE spid_ticket SET equipment_id = %s WHERE id = %s", [self.printer.id, linked.id])
        _migration("pre-migrate").migrate(cr, "18.0.1.0.0")
        self.assertFalse(column_exists(cr, "spid_ticket", "equipment_id"))
        _migration("post-migrate").migrate(cr, "18.0.1.0.0")
        self.assertFalse(column_exists(cr, "spid_ticket", "spid_legacy_equipment_id"))
        self.env.invalidate_all()
        self.assertEqual(plain.equipment_ids, self.feeder)
        self.assertEqual(linked.equipment_ids, self.printer, "no duplicate row")
        self.assertFalse(untouched.equipment_ids)
        # run again (an upgrade restarted): nothing to do
        _migration("pre-migrate").migrate(cr, "18.0.1.0.0")
        _migration("post-migrate").migrate(cr, "18.0.1.0.0")
