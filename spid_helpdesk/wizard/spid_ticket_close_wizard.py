from odoo import api, fields, models

from ..models.spid_ticket import RESOLUTIONS


class SpidTicketCloseWizard(models.TransientModel):
    _name = "spid.ticket.close.wizard"
    _description = "Close a ticket"

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade")
    status_id = fields.Many2one(
        "spid.ticket.status",
        string="Closing status",
        required=True,
        domain=[("is_closed", "=", True)],
        default=lambda self: self.env["spid.ticket.status"].search([("is_closed", "=", True)], limit=1),
    )
    resolution = fields.Selection(RESOLUTIONS, required=True, default="solved")
    epilogue = fields.Html(required=True, help="How the ticket ended, for the requester.")
    lock = fields.Boolean(string="Lock the ticket", help="A locked ticket can never be reopened.")

    @api.onchange("ticket_id")
    def _onchange_ticket_id(self):
        if self.ticket_id.epilogue:
            self.epilogue = self.ticket_id.epilogue

    def action_confirm(self):
        self.ensure_one()
        self.ticket_id.write(
            {"resolution": self.resolution, "epilogue": self.epilogue, "status_id": self.status_id.id}
        )
        if self.lock:
            self.ticket_id.action_lock()
        return {"type": "ir.actions.act_window_close"}
