from odoo import fields, models


class SpidTicketEscalateWizard(models.TransientModel):
    _name = "spid.ticket.escalate.wizard"
    _description = "Escalate a ticket to another owner"

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users",
        string="New owner",
        required=True,
        domain=lambda self: self.env["res.users"]._spid_agent_domain(),
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.ticket_id._spid_escalate(self.user_id, self.reason)
        return {"type": "ir.actions.act_window_close"}
