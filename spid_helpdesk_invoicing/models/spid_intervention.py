from odoo import api, models

from odoo.addons.spid_helpdesk.models.spid_system_fields_mixin import MIXIN_PREFIXES

# What signing writes (the portal adds the signed PDF and the page's token):
# a signature after the invoice changes nothing billed.
SIGNING_FIELDS = {"signature", "signed_by", "signed_on", "signed_report_id", "access_token"}


class SpidIntervention(models.Model):
    _inherit = "spid.intervention"

    @api.model_create_multi
    def create(self, vals_list):
        interventions = super().create(vals_list)
        interventions.filtered("billable").ticket_id._spid_check_not_invoiced()
        return interventions

    def write(self, vals):
        """A billable intervention of an invoiced ticket is frozen (its time,
        travel and technicians are on the invoice), whatever the caller and
        its context, until the invoice is cancelled or its line deleted; only
        the customer's signature may still come. A non-billable one stays
        editable, but cannot become billable."""
        changed = {name for name in vals if not name.startswith(MIXIN_PREFIXES)} - SIGNING_FIELDS
        if changed == {"state"} and vals["state"] == "signed":
            changed = set()
        if changed:
            self.filtered("billable").ticket_id._spid_check_not_invoiced()
        if vals.get("billable"):
            self.ticket_id._spid_check_not_invoiced()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        self.filtered("billable").ticket_id._spid_check_not_invoiced()
