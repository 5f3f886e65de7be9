from odoo import fields, models


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    task_id = fields.Many2one(
        "project.task",
        string="Project task",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        help="The project task this ticket belongs to or led to.",
    )

    def _spid_split_fields(self):
        return super()._spid_split_fields() + ("task_id",)
