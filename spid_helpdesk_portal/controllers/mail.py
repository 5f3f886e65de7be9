from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.mail.controllers.attachment import AttachmentController
from odoo.addons.mail.controllers.thread import ThreadController


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
