from odoo import fields, models


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    equipment_id = fields.Many2one(
        "maintenance.equipment",
        string="Equipment",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        help="The equipment the ticket is about.",
    )

    def _spid_split_fields(self):
        return super()._spid_split_fields() + ("equipment_id",)
