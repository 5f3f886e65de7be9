from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SpidTicketMergeWizard(models.TransientModel):
    _name = "spid.ticket.merge.wizard"
    _description = "Merge duplicate tickets"

    ticket_ids = fields.Many2many("spid.ticket", string="Tickets", required=True)
    target_id = fields.Many2one(
        "spid.ticket",
        string="Keep",
        required=True,
        domain="[('id', 'in', ticket_ids)]",
        help="The ticket that stays open and receives the messages, work and followers of the others.",
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "spid.ticket":
            tickets = self.env["spid.ticket"].browse(self.env.context.get("active_ids") or [])
            res.setdefault("ticket_ids", [fields.Command.set(tickets.ids)])
            if tickets:
                res.setdefault("target_id", tickets.sorted("id")[0].id)
        return res

    def action_merge(self):
        self.ensure_one()
        if self.target_id not in self.ticket_ids:
            raise UserError(_("The ticket to keep must be one of the tickets to merge."))
        self.ticket_ids._spid_merge_into(self.target_id)
        return {
            "type": "ir.actions.act_window",
            "res_model": "spid.ticket",
            "res_id": self.target_id.id,
            "view_mode": "form",
            "target": "current",
        }
