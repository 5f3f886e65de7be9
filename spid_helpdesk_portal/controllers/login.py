from odoo import http
from odoo.http import request

from odoo.addons.auth_signup.controllers.main import AuthSignupHome


class SpidLoginHome(AuthSignupHome):
    """The portal speaks the language of the customer who signs in.

    Odoo picks the frontend's language from the URL, then the `frontend_lang`
    cookie, then the user's language; any anonymous visit of a frontend page
    (the public form, a shared link) sets that cookie in the visitor's
    language (English by default). So a French customer who signed in read
    their tickets in English. Signing in sets the
    cookie to the user's own language; the language selector still changes it
    afterwards."""

    @http.route()
    def web_login(self, *args, **kw):
        response = super().web_login(*args, **kw)
        uid = request.session.uid
        if request.httprequest.method == "POST" and uid and hasattr(response, "set_cookie"):
            lang = request.env["res.users"].sudo().browse(uid).lang
            if lang and lang in dict(request.env["res.lang"].get_installed()):
                response.set_cookie("frontend_lang", lang)
        return response
