from odoo import api, fields, models


class SpidTicketLink(models.Model):
    _name = "spid.ticket.link"
    _description = "Link from a ticket to any record"
    _order = "id"

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade", index=True)
    name = fields.Char(string="Note")
    res_ref = fields.Reference(selection="_selection_res_ref", string="Record", required=True)

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

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_ref._name,
            "res_id": self.res_ref.id,
            "view_mode": "form",
        }
