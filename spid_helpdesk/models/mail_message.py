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
