from odoo import fields, models


class SpidTicketReopenWizard(models.TransientModel):
    _name = "spid.ticket.reopen.wizard"
    _description = "Reopen a closed ticket"

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.ticket_id._spid_reopen(self.reason)
        return {"type": "ir.actions.act_window_close"}
