from odoo import fields, models


class SpidBenchFloor(models.Model):
    """What any ticket model costs at least: four plain fields, no mail
    thread, no computed field, no sequence."""

    _name = "spid.bench.floor"
    _description = "Benchmark floor"

    name = fields.Char(required=True)
    description = fields.Html()
    partner_id = fields.Many2one("res.partner")
    user_id = fields.Many2one("res.users")
