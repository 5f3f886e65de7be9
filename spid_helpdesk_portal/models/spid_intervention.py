import uuid

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch

# The fields of an intervention that a share user (portal customer, or a
# visitor holding its link) may read, search and sort on: what the signature
# page shows. The instructions, the work units, the calendar event, the
# materials' table and the signature image stay out (the page reads them for
# the customer); every field other addons add later is refused too.
PORTAL_READABLE_FIELDS = frozenset(
    {
        "id",
        "display_name",
        "name",
        "ticket_id",
        "client_id",
        "partner_id",
        "company_id",
        "site_id",
        "user_ids",
        "date_planned",
        "duration_planned",
        "date_end_planned",
        "report",
        "duration_done",
        "state",
        "signed_by",
        "signed_on",
        "access_url",
    }
)
# Written on a signed intervention, which is otherwise final: the link's
# token (made when a page shows its URL) and the signed report, by the
# signature itself.
WRITABLE_WHEN_SIGNED = {"access_token", "signed_report_id"}


class SpidIntervention(models.Model):
    _name = "spid.intervention"
    _inherit = ["spid.intervention", "portal.mixin"]

    signed_report_id = fields.Many2one(
        "ir.attachment",
        string="Signed report",
        readonly=True,
        copy=False,
        help="The PDF of the signed report, attached to the ticket when the customer signed.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # the signature page's token is made with the intervention (set in
        # the values: no query of its own), so that showing or emailing its
        # link later writes nothing: a GET changes no data, and the
        # intervention of a ticket locked by its invoice takes no write
        vals_list = [dict(vals, access_token=str(uuid.uuid4())) for vals in vals_list]
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # What a share user may read (as the ticket does)
    # ------------------------------------------------------------------

    def _spid_share_caller(self):
        return not self.env.su and self.env.user.share

    def _spid_readable_fields(self):
        if self._spid_share_caller():
            return PORTAL_READABLE_FIELDS
        return super()._spid_readable_fields()

    def onchange(self, values, field_names, fields_spec):
        if self._spid_share_caller():
            raise AccessError(_("Customers do not edit interventions in forms."))
        return super().onchange(values, field_names, fields_spec)

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for intervention in self:
            intervention.access_url = f"/my/interventions/{intervention.id}"
        return res

    @api.depends("state")
    def _compute_may_send_for_signature(self):
        # the page exists; its link (and token) is made when it is sent
        for intervention in self:
            intervention.may_send_for_signature = intervention.state == "done"

    def _spid_signature_url(self):
        """The signature page, with the token that opens it from an email."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url()

    def _spid_check_editable(self, vals):
        return super()._spid_check_editable(
            {name: value for name, value in vals.items() if name not in WRITABLE_WHEN_SIGNED}
        )

    def _spid_sign(self, name, signature):
        attachment = super()._spid_sign(name, signature)
        with_switch(self.sudo(), SYSTEM).write({"signed_report_id": attachment.id})
        return attachment

    def _spid_portal_materials(self):
        self.ensure_one()
        return self.sudo().material_ids
