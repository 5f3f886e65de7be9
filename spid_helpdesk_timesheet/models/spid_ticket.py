from odoo import models

# what decides the project of a ticket's timesheet lines
TARGET_FIELDS = {"team_id", "project_id", "task_id", "company_id"}


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    def write(self, vals):
        result = super().write(vals)
        if TARGET_FIELDS.intersection(vals):
            # the lines of a locked ticket stay where they were billed
            self.sudo().filtered(lambda ticket: not ticket.is_locked).workunit_ids._spid_timesheet_sync()
        return result
