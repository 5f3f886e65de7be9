from odoo import api, fields, models


class SpidTicketTransition(models.Model):
    _name = "spid.ticket.transition"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Ticket status transition"
    _order = "from_status_id, sequence, id"

    sequence = fields.Integer(default=10)
    from_status_id = fields.Many2one(
        "spid.ticket.status", string="From", required=True, ondelete="cascade", index=True
    )
    to_status_id = fields.Many2one("spid.ticket.status", string="To", required=True, ondelete="cascade")
    group_ids = fields.Many2many(
        "res.groups",
        string="Allowed groups",
        help="Who may take this transition; empty = every agent.",
    )
    required_field_ids = fields.Many2many(
        "ir.model.fields",
        string="Required fields",
        domain=[("model", "=", "spid.ticket"), ("store", "=", True)],
        help="Fields that must be filled before the ticket enters the target status.",
    )

    _sql_constraints = [
        (
            "transition_unique",
            "unique(from_status_id, to_status_id)",
            "This transition already exists.",
        ),
    ]

    @api.depends("from_status_id", "to_status_id")
    def _compute_display_name(self):
        for transition in self:
            transition.display_name = f"{transition.from_status_id.name} → {transition.to_status_id.name}"
