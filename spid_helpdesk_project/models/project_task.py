from odoo import fields, models


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "spid.ticket.history.mixin"]
    _spid_ticket_field = "task_id"

    spid_ticket_ids = fields.One2many("spid.ticket", "task_id", string="Helpdesk tickets")
