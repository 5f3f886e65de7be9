from odoo import api, models

# Interventions whose time and travel are billed: done, or done and signed.
BILLED_INTERVENTION_STATES = ("done", "signed")


class SpidWorkunit(models.Model):
    _inherit = "spid.workunit"

    @api.model
    def _spid_billed_domain(self):
        """The units whose time is billed with their ticket: billable, logged
        on the ticket itself or by a billable intervention done or signed."""
        return [
            ("billable", "=", True),
            "|",
            ("intervention_id", "=", False),
            "&",
            ("intervention_id.billable", "=", True),
            ("intervention_id.state", "in", BILLED_INTERVENTION_STATES),
        ]

    def _spid_billed(self):
        """These units filtered by _spid_billed_domain, in memory."""
        return self.filtered(
            lambda unit: unit.billable
            and (
                not unit.intervention_id
                or (
                    unit.intervention_id.billable and unit.intervention_id.state in BILLED_INTERVENTION_STATES
                )
            )
        )

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
