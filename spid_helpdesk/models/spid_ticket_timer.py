from odoo import models


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    def action_spid_timer_start(self):
        """Start the agent's timer on this ticket (spid_timer.py): a timer
        running elsewhere is stopped and logged first."""
        self.ensure_one()
        return self.env["spid.timer"]._spid_start(self)
