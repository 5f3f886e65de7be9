from odoo import _, api, models
from odoo.exceptions import UserError


class SpidWorkunit(models.Model):
    _inherit = "spid.workunit"

    @api.model_create_multi
    def create(self, vals_list):
        billable_ticket_ids = {
            vals["ticket_id"] for vals in vals_list if vals.get("ticket_id") and vals.get("billable", True)
        }
        self._spid_check_not_invoiced(self.env["spid.ticket"].browse(billable_ticket_ids))
        return super().create(vals_list)

    def write(self, vals):
        if {"billable", "duration", "ticket_id"}.intersection(vals):
            self._spid_check_not_invoiced(self.filtered("billable").ticket_id)
            if vals.get("ticket_id") and vals.get("billable", True):
                self._spid_check_not_invoiced(self.env["spid.ticket"].browse(vals["ticket_id"]))
            if vals.get("billable"):
                self._spid_check_not_invoiced(self.ticket_id)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        self._spid_check_not_invoiced(self.filtered("billable").ticket_id)

    @api.model
    def _spid_check_not_invoiced(self, tickets):
        billed = tickets.sudo().filtered("move_id")
        if billed:
            raise UserError(
                _(
                    "Ticket %(ticket)s is on invoice %(invoice)s: its billable time can no longer change.",
                    ticket=billed[0].reference,
                    invoice=billed[0].move_id.display_name,
                )
            )
