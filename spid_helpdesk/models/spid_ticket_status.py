from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SpidTicketStatus(models.Model):
    _name = "spid.ticket.status"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Ticket status"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    fold = fields.Boolean(string="Folded in kanban")
    is_start = fields.Boolean(
        string="Starting status", help="New tickets start in the first starting status."
    )
    is_closed = fields.Boolean(
        string="Closing status",
        help="Tickets in this status are closed: they count as done and may be locked.",
    )
    is_history = fields.Boolean(
        string="History step",
        help="Tickets kept for the record (e.g. finished tickets imported from another tool): a"
        " closing status, out of the working lists and counters, that customers cannot reopen;"
        " only a supervisor takes a ticket out of it.",
    )
    is_reopen = fields.Boolean(
        string="Reopening status", help="A closed ticket that is reopened goes to this status."
    )
    pause_sla = fields.Boolean(
        string="Pauses the SLA", help="Service-level clocks stop while a ticket waits here."
    )
    auto_close = fields.Boolean(
        string="Auto-close",
        help="Tickets waiting here for the customer after an agent's answer are closed"
        " automatically (see Settings).",
    )
    reply_status_id = fields.Many2one(
        "spid.ticket.status",
        string="On the requester's reply",
        help="When the requester answers (email or portal), the ticket moves to this status.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email on entering",
        domain=[("model", "=", "spid.ticket")],
        help="Sent to the requester when a ticket enters this status.",
    )
    portal_name = fields.Char(
        translate=True, help="Name shown to customers on the portal; empty = the status name."
    )
    transition_ids = fields.One2many(
        "spid.ticket.transition",
        "from_status_id",
        string="Allowed next statuses",
        help="When a status has transitions, only those may be taken from it.",
    )

    @api.constrains("is_history", "is_closed")
    def _check_history_closed(self):
        for status in self:
            if status.is_history and not status.is_closed:
                raise ValidationError(_("The history step %s must also be a closing status.", status.name))

    def _portal_label(self):
        self.ensure_one()
        return self.portal_name or self.name
