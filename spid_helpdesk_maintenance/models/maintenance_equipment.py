from odoo import fields, models


class MaintenanceEquipment(models.Model):
    _name = "maintenance.equipment"
    _inherit = ["maintenance.equipment", "spid.ticket.history.mixin"]
    _spid_ticket_field = "equipment_id"

    spid_ticket_ids = fields.One2many("spid.ticket", "equipment_id", string="Helpdesk tickets")
