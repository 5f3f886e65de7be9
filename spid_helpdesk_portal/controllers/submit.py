import time

from odoo import _, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq
from odoo.tools.misc import hmac

from ..models.res_config_settings import EMBED_ORIGINS_PARAM, parse_embed_origins
from .portal import uploaded_files

EMBED_SCOPE = "spid_helpdesk_portal.embed"
# the embedded form's token: valid from a few seconds (a person reads and
# types; a robot posting at once is refused) to two hours after the form
# was shown, and only from the address it was shown to
EMBED_TOKEN_MIN_AGE = 2
EMBED_TOKEN_MAX_AGE = 2 * 3600


def embed_token(env, remote_ip, now=None):
    """The signed, time-limited token of the embedded form: issue time and
    an HMAC of it with the visitor's IP address; nothing stored."""
    issued = int(now if now is not None else time.time())
    return f"{issued}.{hmac(env(su=True), EMBED_SCOPE, (issued, remote_ip or ''))}"


def embed_token_error(env, token, remote_ip, now=None):
    """The reason why `token` is refused, or None when it is good."""
    issued, _sep, signature = token.partition(".") if isinstance(token, str) else ("", "", "")
    if not issued.isdigit() or not signature:
        return _("This form has expired. Please send it again.")
    expected = hmac(env(su=True), EMBED_SCOPE, (int(issued), remote_ip or ""))
    if not consteq(expected, signature):
        return _("This form has expired. Please send it again.")
    age = (now if now is not None else time.time()) - int(issued)
    if age > EMBED_TOKEN_MAX_AGE or age < -60:
        return _("This form has expired. Please send it again.")
    if age < EMBED_TOKEN_MIN_AGE:
        return _("The form was sent too fast. Please check it and send it again.")
    return None


def frame_ancestors(env):
    """`frame-ancestors` of the public form's pages: this server and the
    sites of the setting (re-checked here: a system parameter may be set by
    hand, and nothing read from it may end the directive)."""
    origins, _invalid = parse_embed_origins(env["ir.config_parameter"].sudo().get_param(EMBED_ORIGINS_PARAM))
    return " ".join(["frame-ancestors 'self'", *origins])


class SpidHelpdeskSubmit(http.Controller):
    """The public form: a customer without a login (or any website posting
    to it) opens a ticket; the requester is matched or created exactly as
    for an incoming email."""

    def _render_form(self, error=None, values=None, done=None, embed=False, status=200):
        qcontext = {
            "categories": request.env["spid.ticket"]._spid_portal_categories(),
            "error": error,
            "values": {key: value for key, value in (values or {}).items() if isinstance(value, str)},
            "done": done,
            "embed": embed,
            "form_action": "/helpdesk/embed" if embed else "/helpdesk/submit",
        }
        if embed:
            qcontext["embed_token"] = embed_token(request.env, request.httprequest.remote_addr)
        response = request.render("spid_helpdesk_portal.helpdesk_submit", qcontext, status=status)
        # the form's pages may be framed by this server and the configured
        # sites only (Odoo's other pages keep their own headers)
        response.headers["Content-Security-Policy"] = frame_ancestors(request.env)
        response.headers.pop("X-Frame-Options", None)
        return response

    @http.route("/helpdesk/submit", type="http", auth="public", website=True, methods=["GET"], sitemap=True)
    def helpdesk_submit_form(self, **kw):
        return self._render_form()

    @http.route("/helpdesk/submit", type="http", auth="public", website=True, methods=["POST"])
    def helpdesk_submit(self, **post):
        return self._submit(post)

    @http.route("/helpdesk/embed", type="http", auth="public", website=True, methods=["GET"], sitemap=False)
    def helpdesk_embed_form(self, **kw):
        """The public form for an iframe on another website."""
        return self._render_form(embed=True)

    # A POST from an iframe on another site carries no session cookie
    # (SameSite=Lax), so the session's CSRF token cannot match: the embedded
    # form carries its own signed, time-limited token instead (bound to the
    # visitor's address), and the same honeypot and rate limits apply. The
    # request runs as the public user: there is no session to ride on.
    @http.route(
        "/helpdesk/embed",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        csrf=False,
        sitemap=False,
    )
    def helpdesk_embed(self, **post):
        error = embed_token_error(request.env, post.get("embed_token"), request.httprequest.remote_addr)
        if error:
            return self._render_form(error=error, values=post, embed=True, status=400)
        return self._submit(post, embed=True)

    def _submit(self, post, embed=False):
        attachments = uploaded_files()
        try:
            ticket = (
                request.env["spid.ticket"]
                .sudo()
                ._spid_public_submit(post, attachments, remote_ip=request.httprequest.remote_addr)
            )
        except (UserError, ValidationError) as error:
            request.env.cr.rollback()
            return self._render_form(error=error.args[0], values=post, embed=embed)
        if ticket is None:  # the honeypot caught a robot: answer as if all went well
            return self._render_form(done=_("Thank you, your request was received."), embed=embed)
        # the same answer whether the address was known or not: it tells nothing about others
        return self._render_form(
            done=_(
                "Thank you, your request was received as %s. We sent you an email with its link.",
                ticket.reference,
            ),
            embed=embed,
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
