from odoo import fields, models


class MaintenanceEquipment(models.Model):
    _name = "maintenance.equipment"
    _inherit = ["maintenance.equipment", "spid.ticket.history.mixin"]
    _spid_ticket_field = "equipment_ids"

    spid_ticket_ids = fields.Many2many(
        "spid.ticket",
        "spid_ticket_maintenance_equipment_rel",
        "equipment_id",
        "ticket_id",
        string="Helpdesk tickets",
    )

    def action_view_spid_tickets(self):
        action = super().action_view_spid_tickets()
        # a new ticket from this list is about this equipment (a list of ids)
        action["context"] = dict(action["context"], default_equipment_ids=self.ids)
        return action
