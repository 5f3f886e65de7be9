from odoo import models


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _get_forbidden_access(self, operation):
        """A customer never reads an internal message of a ticket by its id.
        Odoo hides internal notes from portal users only when they are
        comments: a note posted with the default `notification` type (an
        RPC call, an automated action) or a log (`is_internal`) was readable
        through mail.message.read. The rule here is the one Odoo already
        applies to their searches (`_get_search_domain_share`)."""
        forbidden = super()._get_forbidden_access(operation)
        if self.env.su or self.env.user._is_internal():
            return forbidden
        internal = (
            (self - forbidden)
            .sudo()
            .filtered(
                lambda message: message.model == "spid.ticket"
                and (message.is_internal or not message.subtype_id or message.subtype_id.internal)
            )
        )
        return forbidden + internal.with_env(self.env)

    def _extras_to_store(self, store, format_reply):
        """Internal work units are drawn as Odoo's logged notes (grey, no
        bubble): they are internal like notes, but keep their own subtype,
        which the internal followers subscribe to."""
        super()._extras_to_store(store, format_reply=format_reply)
        internal = self.env.ref("spid_helpdesk.mt_workunit_internal", raise_if_not_found=False)
        if not internal:
            return
        for message in self:
            if message.subtype_id == internal:
                store.add(message, {"is_note": True})
