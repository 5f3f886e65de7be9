from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SpidTicketLink(models.Model):
    _name = "spid.ticket.link"
    _inherit = ["spid.system.fields.mixin", "spid.ticket.part.mixin"]
    _description = "Link from a ticket to any record"
    _order = "id"

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade", index=True)
    name = fields.Char(string="Note")
    res_ref = fields.Reference(selection="_selection_res_ref", string="Record", required=True)
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)

    @api.model
    def _selection_res_ref(self):
        models_ = self.env["ir.model"].sudo().search([("transient", "=", False)], order="name")
        return [
            (model.model, model.name)
            for model in models_
            if model.model in self.env and not self.env[model.model]._abstract
        ]

    @api.depends("res_ref", "name")
    def _compute_display_name(self):
        for link in self:
            label = link.res_ref.display_name if link.res_ref else ""
            link.display_name = f"{label} ({link.name})" if link.name else label

    @api.model
    def _spid_check_locked(self, tickets):
        """A locked ticket (closed for good, or invoiced) keeps its links as
        they are; only the system changes them."""
        if self.env.su:
            return
        locked = tickets.sudo().filtered("is_locked")
        if locked:
            raise UserError(
                _(
                    "Ticket %s is locked: its links to other records can no longer change.",
                    locked[0].reference,
                )
            )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_ref._name,
            "res_id": self.res_ref.id,
            "view_mode": "form",
        }
