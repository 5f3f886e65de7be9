from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SpidTicketEscalateWizard(models.TransientModel):
    _name = "spid.ticket.escalate.wizard"
    _description = "Escalate a ticket to another owner"

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade")
    candidate_ids = fields.Many2many("res.users", compute="_compute_candidate_ids", string="Candidates")
    user_id = fields.Many2one(
        "res.users",
        string="New owner",
        required=True,
        domain="[('id', 'in', candidate_ids)]",
    )
    reason = fields.Text(required=True)

    @api.depends("ticket_id")
    def _compute_candidate_ids(self):
        for wizard in self:
            wizard.candidate_ids = wizard.ticket_id._spid_escalation_candidates()

    def action_confirm(self):
        self.ensure_one()
        if self.user_id not in self.ticket_id._spid_escalation_candidates():
            raise UserError(
                _(
                    "%(user)s cannot take over ticket %(ref)s: choose another agent of its team.",
                    user=self.user_id.name,
                    ref=self.ticket_id.reference,
                )
            )
        self.ticket_id._spid_escalate(self.user_id, self.reason)
        return {"type": "ir.actions.act_window_close"}
