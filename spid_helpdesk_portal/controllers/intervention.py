from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools.image import image_data_uri

from odoo.addons.portal.controllers.portal import CustomerPortal

STATE_CLASSES = {"planned": "text-bg-info", "done": "text-bg-warning", "signed": "text-bg-success"}
# A drawn signature is a few dozen kB; more is not a signature.
MAX_SIGNATURE_LENGTH = 2 * 1024 * 1024


class SpidInterventionPortal(CustomerPortal):
    """The signature page of an intervention: the customer (a portal user who
    reads its ticket, or whoever holds the emailed link) or the technician on
    a tablet (an agent who may read it) reads the report and signs it."""

    def _spid_intervention_or_none(self, intervention_id, access_token=None):
        """The intervention (as superuser) when the current user may read it
        or `access_token` is its token, else None."""
        try:
            return self._document_check_access("spid.intervention", intervention_id, access_token)
        except (AccessError, MissingError):
            return None

    @http.route(["/my/interventions/<int:intervention_id>"], type="http", auth="public", website=True)
    def portal_my_intervention(self, intervention_id, access_token=None, **kw):
        intervention = self._spid_intervention_or_none(intervention_id, access_token)
        if intervention is None:
            if request.env.user._is_public() and not access_token:
                path = f"/my/interventions/{intervention_id}"
                return request.redirect(f"/web/login?{url_encode({'redirect': path})}")
            return request.not_found()
        ticket = intervention.ticket_id
        report = intervention.signed_report_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "intervention": intervention,
                # the ticket's page only for who reads the ticket themselves
                "intervention_ticket_url": ticket.access_url
                if request.env["spid.ticket"].browse(ticket.id).has_access("read")
                else False,
                "materials": intervention._spid_portal_materials(),
                "state_class": STATE_CLASSES.get(intervention.state, "text-bg-secondary"),
                "signature_src": image_data_uri(intervention.signature) if intervention.signature else False,
                "access_token": access_token,
                "page_name": "spid_intervention",
                "sign_url": f"/my/interventions/{intervention.id}/sign"
                + (f"?{url_encode({'access_token': access_token})}" if access_token else ""),
                "report_url": f"/web/content/{report.id}?"
                + url_encode({"access_token": report.access_token, "download": "true"})
                if report
                else False,
            }
        )
        return request.render("spid_helpdesk_portal.portal_my_intervention", values)

    @http.route(
        ["/my/interventions/<int:intervention_id>/sign"],
        type="json",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def portal_intervention_sign(self, intervention_id, access_token=None, name=None, signature=None, **kw):
        """Odoo's signature widget posts here (JSON, which no other site's
        form can send). Checked here: who asks; by `_spid_sign`: the state,
        the name and the PNG image."""
        access_token = access_token or request.httprequest.args.get("access_token")
        intervention = self._spid_intervention_or_none(intervention_id, access_token)
        if intervention is None:
            return {"error": _("This intervention cannot be found, or you may not sign it.")}
        if not isinstance(name, str) or not isinstance(signature, str) or not signature:
            return {"error": _("Write your name and sign in the box.")}
        if len(signature) > MAX_SIGNATURE_LENGTH:
            return {"error": _("The signature must be a PNG image.")}
        try:
            intervention._spid_sign(name, signature)
        except UserError as error:
            request.env.cr.rollback()
            return {"error": error.args[0]}
        query = f"?{url_encode({'access_token': access_token})}" if access_token else ""
        return {"force_refresh": True, "redirect_url": f"/my/interventions/{intervention.id}{query}"}
