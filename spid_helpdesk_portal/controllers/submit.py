from odoo import _, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .portal import uploaded_files


class SpidHelpdeskSubmit(http.Controller):
    """The public form: a customer without a login (or any website posting
    to it) opens a ticket; the requester is matched or created exactly as
    for an incoming email."""

    def _render_form(self, error=None, values=None, done=None):
        return request.render(
            "spid_helpdesk_portal.helpdesk_submit",
            {
                "categories": request.env["spid.ticket.category"].sudo().search([]),
                "error": error,
                "values": values or {},
                "done": done,
            },
        )

    @http.route("/helpdesk/submit", type="http", auth="public", website=True, methods=["GET"], sitemap=True)
    def helpdesk_submit_form(self, **kw):
        return self._render_form()

    @http.route("/helpdesk/submit", type="http", auth="public", website=True, methods=["POST"])
    def helpdesk_submit(self, **post):
        attachments = uploaded_files()
        try:
            ticket = request.env["spid.ticket"].sudo()._spid_public_submit(post, attachments)
        except (UserError, ValidationError) as error:
            request.env.cr.rollback()
            return self._render_form(error=error.args[0], values=post)
        if ticket is None:  # the honeypot caught a robot: answer as if all went well
            return self._render_form(done=_("Thank you, your request was received."))
        return self._render_form(
            done=_(
                "Thank you, your request was received as %s. We sent you an email with its link.",
                ticket.reference,
            )  # fmt: skip
        )
