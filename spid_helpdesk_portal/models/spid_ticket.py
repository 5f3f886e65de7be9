from odoo import models


class SpidTicket(models.Model):
    _name = "spid.ticket"
    _inherit = ["spid.ticket", "portal.mixin"]

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"
        return res
