from odoo import fields, models


class SpidTicketStatus(models.Model):
    _inherit = "spid.ticket.status"

    spid_billable = fields.Boolean(
        string="Billable",
        default=True,
        help="Tickets in this status are invoiced; clear it for statuses such as a rejection "
        "or a duplicate, whose time is never billed.",
    )
