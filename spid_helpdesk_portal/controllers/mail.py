from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.osv import expression

from odoo.addons.mail.controllers.attachment import AttachmentController
from odoo.addons.mail.controllers.thread import ThreadController
from odoo.addons.mail.tools.discuss import Store
from odoo.addons.portal.controllers.mail import PortalChatter


class SpidThreadController(ThreadController):
    """Odoo's chatter routes on a ticket, for a customer or a visitor with
    its token: the message is a public comment by themselves, to the
    ticket's followers only, with their own checked uploads; the request's
    `context` is not applied."""

    @http.route()
    def mail_message_post(self, thread_model, thread_id, post_data, context=None, **kwargs):
        if thread_model == "spid.ticket" and not request.env.user._is_internal():
            context = None
        return super().mail_message_post(thread_model, thread_id, post_data, context=context, **kwargs)

    def _prepare_post_data(self, post_data, thread, **kwargs):
        post_data = super()._prepare_post_data(post_data, thread, **kwargs)
        if thread._name == "spid.ticket" and not request.env.user._is_internal():
            user = request.env.user
            author = user.partner_id if not user._is_public() else None
            if author is None and post_data.get("author_id"):  # the token's partner, checked by portal
                author = request.env["res.partner"].sudo().browse(post_data["author_id"])
            post_data = thread.sudo()._spid_customer_post_values(post_data, author)
        return post_data


class SpidAttachmentController(AttachmentController):
    """A customer's upload on a ticket passes the portal form's checks and
    stays pending until a message takes it."""

    @http.route()
    def mail_attachment_upload(self, ufile, thread_id, thread_model, is_pending=False, **kwargs):
        if thread_model == "spid.ticket" and request.env.user.share:
            content = ufile.read()
            ufile.seek(0)
            try:
                request.env["spid.ticket"]._spid_check_portal_attachments(
                    [(ufile.filename, content, ufile.mimetype)]
                )
            except ValidationError as error:
                return request.make_json_response({"error": error.args[0]})
            is_pending = True
        return super().mail_attachment_upload(ufile, thread_id, thread_model, is_pending=is_pending, **kwargs)


class SpidPortalChatter(PortalChatter):
    """The portal conversation of a ticket shows the comments (all that
    Odoo's portal shows) and the status emails sent to the requester
    (subtype "Email to the customer"), never an internal note."""

    @http.route()
    def portal_message_fetch(self, thread_model, thread_id, limit=10, after=None, before=None, **kw):
        if thread_model != "spid.ticket":
            return super().portal_message_fetch(thread_model, thread_id, limit, after, before, **kw)
        Ticket = request.env["spid.ticket"]
        domain = expression.AND(
            [
                self._setup_portal_message_fetch_extra_domain(kw),
                Ticket._fields["website_message_ids"].get_domain_list(Ticket),
                [
                    ("res_id", "=", thread_id),
                    "|",
                    ("body", "!=", ""),
                    ("attachment_ids", "!=", False),
                    ("subtype_id", "in", Ticket._spid_portal_subtypes().ids),
                ],
            ]
        )
        Message = request.env["mail.message"]
        if kw.get("token"):
            if not Ticket._get_thread_with_access(thread_id, token=kw.get("token")):
                raise Forbidden()
            if not request.env.user._is_internal():
                domain = expression.AND([Message._get_search_domain_share(), domain])
            Message = Message.sudo()
        res = Message._message_fetch(domain, None, before, after, None, limit)
        messages = res.pop("messages")
        return {
            **res,
            "data": {"mail.message": messages.portal_message_format(options=kw)},
            "messages": Store.many_ids(messages),
        }
