import ast

from odoo import models
from odoo.tools.mail import unfold_references


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    def _notify_by_email_get_base_mail_values(self, message, additional_values=None):
        """Emails of a ticket name a message they answer in In-Reply-To,
        besides Odoo's References (the last messages of the ticket, then the
        email's own Message-Id): a mail client that threads on In-Reply-To
        alone (RFC 5322) files the answer under the customer's email, and the
        customer's reply comes back into the ticket. No query: the references
        are Odoo's."""
        values = super()._notify_by_email_get_base_mail_values(message, additional_values=additional_values)
        references = unfold_references(values.get("references") or "")
        if len(references) < 2:
            return values
        try:
            headers = ast.literal_eval(values.get("headers") or "{}")
        except (ValueError, SyntaxError):
            headers = {}
        if not isinstance(headers, dict):
            headers = {}
        # the references end with the email's own Message-Id; before it, the
        # newest of the ticket's messages Odoo chose (public discussion first)
        headers.setdefault("In-Reply-To", references[-2])
        values["headers"] = repr(headers)
        return values
