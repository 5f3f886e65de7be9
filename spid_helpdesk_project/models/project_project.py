from odoo import fields, models


class ProjectProject(models.Model):
    _name = "project.project"
    _inherit = ["project.project", "spid.ticket.history.mixin"]
    _spid_ticket_field = "project_id"

    spid_ticket_ids = fields.One2many("spid.ticket", "project_id", string="Helpdesk tickets")
