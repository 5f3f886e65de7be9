from odoo import fields, models


class SpidTicketType(models.Model):
    _name = "spid.ticket.type"
    _description = "Ticket type"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    auto_close_excluded = fields.Boolean(
        string="Never auto-close", help="Tickets of this kind are never closed automatically."
    )
    description = fields.Text(translate=True)
    properties_definition = fields.PropertiesDefinition(string="Custom fields")
    allowed_group_ids = fields.Many2many(
        "res.groups",
        string="Allowed groups",
        help="Only users of these groups may use this type; empty = everyone.",
    )
    portal_selectable = fields.Boolean(
        string="Selectable on the portal", help="Customers may choose this type."
    )
    workorder_template = fields.Html(
        string="Work order text",
        help="Text printed on the work order of tickets of this type.",
    )
