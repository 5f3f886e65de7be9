from odoo import models


class SpidWorkunit(models.Model):
    _inherit = "spid.workunit"

    def action_spid_timer_resume(self):
        """Time more work on this unit: the timer adds its time to the unit
        when it stops (spid_timer.py)."""
        self.ensure_one()
        return self.env["spid.timer"]._spid_start(self.ticket_id, self)
