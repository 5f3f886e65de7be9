from odoo import _, http
from odoo.exceptions import AccessError, UserError, ValidationError
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
                "categories": request.env["spid.ticket"]._spid_portal_categories(),
                "error": error,
                "values": {key: value for key, value in (values or {}).items() if isinstance(value, str)},
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
            ticket = (
                request.env["spid.ticket"]
                .sudo()
                ._spid_public_submit(post, attachments, remote_ip=request.httprequest.remote_addr)
            )
        except (UserError, ValidationError) as error:
            request.env.cr.rollback()
            return self._render_form(error=error.args[0], values=post)
        if ticket is None:  # the honeypot caught a robot: answer as if all went well
            return self._render_form(done=_("Thank you, your request was received."))
        # the same answer whether the address was known or not: it tells nothing about others
        return self._render_form(
            done=_(
                "Thank you, your request was received as %s. We sent you an email with its link.",
                ticket.reference,
            )  # fmt: skip
        )

    def _confirm_ticket_or_none(self, ticket_id, token):
        ticket = request.env["spid.ticket"].sudo().browse(ticket_id).exists()
        if not ticket or not ticket._spid_check_confirmation_token(token):
            return None
        return ticket

    @http.route(
        "/helpdesk/confirm/<int:ticket_id>/<string:token>",
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        sitemap=False,
    )
    def helpdesk_confirm_page(self, ticket_id, token, **kw):
        """The emailed link: shows the request and a button; a GET changes nothing."""
        ticket = self._confirm_ticket_or_none(ticket_id, token)
        if ticket is None:
            return request.not_found()
        return request.render(
            "spid_helpdesk_portal.helpdesk_confirm", {"ticket": ticket, "token": token, "done": False}
        )

    @http.route(
        "/helpdesk/confirm/<int:ticket_id>/<string:token>",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def helpdesk_confirm(self, ticket_id, token, **post):
        ticket = self._confirm_ticket_or_none(ticket_id, token)
        if ticket is None:
            return request.not_found()
        try:
            ticket._spid_portal_confirm(token)
        except AccessError:
            return request.not_found()
        return request.render(
            "spid_helpdesk_portal.helpdesk_confirm", {"ticket": ticket, "token": token, "done": True}
        )
