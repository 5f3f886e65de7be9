from odoo import api, models


class SpidWorkunit(models.Model):
    _inherit = "spid.workunit"

    @api.model_create_multi
    def create(self, vals_list):
        billable_ticket_ids = {
            vals["ticket_id"] for vals in vals_list if vals.get("ticket_id") and vals.get("billable", True)
        }
        self.env["spid.ticket"].browse(billable_ticket_ids)._spid_check_not_invoiced()
        return super().create(vals_list)

    def write(self, vals):
        if {"billable", "duration", "ticket_id"}.intersection(vals):
            self.filtered("billable").ticket_id._spid_check_not_invoiced()
            if vals.get("ticket_id") and vals.get("billable", True):
                self.env["spid.ticket"].browse(vals["ticket_id"])._spid_check_not_invoiced()
            if vals.get("billable"):
                self.ticket_id._spid_check_not_invoiced()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        self.filtered("billable").ticket_id._spid_check_not_invoiced()
