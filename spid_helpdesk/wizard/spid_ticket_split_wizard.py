from odoo import fields, models


class SpidTicketSplitWizard(models.TransientModel):
    _name = "spid.ticket.split.wizard"
    _description = "Split a ticket"

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade")
    name = fields.Char(string="Title of the new ticket", required=True)
    workunit_ids = fields.Many2many(
        "spid.workunit",
        string="Work units to move",
        domain="[('ticket_id', '=', ticket_id)]",
    )
    message_ids = fields.Many2many(
        "mail.message",
        string="Messages to move",
        domain="[('model', '=', 'spid.ticket'), ('res_id', '=', ticket_id),"
        " ('message_type', 'in', ('comment', 'email'))]",
    )

    def action_split(self):
        self.ensure_one()
        child = self.ticket_id._spid_split(self.name, self.workunit_ids, self.message_ids)
        return {
            "type": "ir.actions.act_window",
            "res_model": "spid.ticket",
            "res_id": child.id,
            "view_mode": "form",
            "target": "current",
        }
