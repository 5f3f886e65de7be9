import re
from datetime import timedelta
from email.utils import formataddr

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize, plaintext2html

# What a customer may fill in when opening a ticket from the portal.
PORTAL_CREATE_FIELDS = ("name", "description", "category_id", "type_id", "site_id", "urgency")
MAX_ATTACHMENT_MB = 10
ALLOWED_MIMETYPES_PREFIXES = ("image/", "text/plain", "application/pdf")
ALLOWED_EXTENSIONS = (
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".txt",
    ".log",
    ".csv",
    ".docx",
    ".xlsx",
    ".odt",
)
# Database ids are 32-bit: a larger number in a form is not an id.
MAX_RECORD_ID = 2**31 - 1
# Control characters no one types: NUL cannot even be stored by PostgreSQL,
# and a message of only such characters breaks Odoo's notifications.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_form_values(values):
    """A form's text values without control characters (tabs and line
    breaks stay): only robots and broken clients send them."""
    return {
        key: CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value
        for key, value in values.items()
    }


class SpidTicket(models.Model):
    _name = "spid.ticket"
    _inherit = ["spid.ticket", "portal.mixin"]

    portal_status = fields.Char(related="status_id.portal_name", string="Status on the portal")

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"
        return res

    @api.model
    def _spid_portal_domain(self, partner=None):
        """The tickets a customer sees: those they asked for, plus every
        ticket of their client when it shares its tickets (grouped). The
        record rule of portal users says the same."""
        partner = partner or self.env.user.partner_id
        client = partner.commercial_partner_id
        if client.spid_team_visibility == "grouped":
            return ["|", ("partner_id", "=", partner.id), ("client_id", "=", client.id)]
        return [("partner_id", "=", partner.id)]

    def _spid_portal_rating_token(self):
        """The requester's token for Odoo's rating page, while not yet rated."""
        self.ensure_one()
        ticket = self.sudo()
        if ticket.rating_ids.filtered("consumed"):
            return False
        return ticket._rating_get_access_token()

    def _spid_portal_workunits(self):
        """Public work units only, never time when the client does not see it."""
        self.ensure_one()
        return self.sudo().workunit_ids.filtered(lambda unit: unit.visibility == "public").sorted("date")

    @api.model
    def _spid_portal_create(self, values, attachments=()):
        """Create a ticket for the current portal user from the portal form:
        only the allowed fields, the user's contact as requester, checked
        category, type and site, and checked attachments; all or nothing."""
        user = self.env.user
        partner = user.partner_id
        client = partner.commercial_partner_id
        values = clean_form_values(values)
        vals = {key: values[key] for key in PORTAL_CREATE_FIELDS if values.get(key)}
        if not (vals.get("name") or "").strip():
            raise ValidationError(_("Give your request a title."))
        for key in ("category_id", "type_id", "site_id"):
            if vals.get(key):
                try:
                    vals[key] = int(vals[key])
                except (TypeError, ValueError) as error:
                    raise ValidationError(_("Invalid value for %s.", key)) from error
                if not 0 < vals[key] <= MAX_RECORD_ID:
                    raise ValidationError(_("Invalid value for %s.", key))
        if vals.get("type_id") and not self.env["spid.ticket.type"].sudo().search_count(
            [("id", "=", vals["type_id"]), ("portal_selectable", "=", True)]
        ):
            raise ValidationError(_("This type of request cannot be chosen here."))
        if vals.get("category_id") and not self.env["spid.ticket.category"].sudo().search_count(
            [("id", "=", vals["category_id"])]
        ):
            raise ValidationError(_("Unknown category."))
        if vals.get("site_id"):
            site = self.env["res.partner"].sudo().browse(vals["site_id"]).exists()
            if not site or site.commercial_partner_id != client:
                raise ValidationError(_("This site is not one of yours."))
        if vals.get("urgency") not in (None, "0", "1", "2", "3"):
            raise ValidationError(_("Invalid urgency."))
        if not vals.get("type_id") and self.env.company.spid_type_required:
            raise ValidationError(_("Choose the type of your request."))
        self._spid_check_portal_attachments(attachments)
        if vals.get("type_id"):
            kind = self.env["spid.ticket.type"].sudo().browse(vals["type_id"])
            properties = kind._spid_portal_properties(values)
            if properties:
                vals["properties"] = properties
        vals.update(partner_id=partner.id, client_id=client.id, channel="portal")
        ticket = self.sudo().with_context(mail_create_nosubscribe=True).create(vals)
        if attachments:
            ticket._spid_portal_attach(attachments, _("Attachments of the request"))
        return ticket.sudo(False)

    @api.model
    def _spid_public_submit(self, post, attachments=()):
        """Open a ticket from the public form. Returns None when the honeypot
        field was filled (a robot). Raises a clear error on bad input, and
        when the address already opened too many tickets in the last hour."""
        if post.get("website_url"):  # hidden field: only robots fill it
            return None
        post = clean_form_values(post)
        email = email_normalize(post.get("email") or "")
        if not email:
            raise ValidationError(_("Give a valid email address: we answer there."))
        name = (post.get("name") or "").strip()
        title = (post.get("title") or "").strip()
        if not name or not title:
            raise ValidationError(_("Your name and a title are required."))
        limit = int(self.env["ir.config_parameter"].sudo().get_param("spid_helpdesk.submit_rate_limit", 5))
        since = fields.Datetime.now() - timedelta(hours=1)
        if (
            limit
            and self.sudo().search_count([("email_from", "=", email), ("create_date", ">=", since)]) >= limit
        ):
            raise UserError(
                _("Too many requests from this address in the last hour; please try again later.")
            )
        self._spid_check_portal_attachments(attachments)
        partner, confirmed = self._spid_partner_from_email(formataddr((name, email)))
        vals = {
            "name": title,
            "description": plaintext2html(post.get("description") or ""),
            "partner_id": partner.id,
            "channel": "web",
            "email_from": email,
            "requester_unconfirmed": not confirmed,
        }
        if post.get("category_id"):
            try:
                category = self.env["spid.ticket.category"].sudo().browse(int(post["category_id"])).exists()
            except (TypeError, ValueError) as error:
                raise ValidationError(_("Unknown category.")) from error
            vals["category_id"] = category.id or False
        if post.get("client_name") and not confirmed:
            vals["description"] += Markup("<p>%s</p>") % _("Client given: %s", post["client_name"])
        ticket = self.sudo().create(vals)
        if attachments:
            ticket._spid_portal_attach(attachments, _("Attachments of the request"))
        return ticket

    @api.model
    def _spid_check_portal_attachments(self, attachments):
        for name, content, _mimetype in attachments:
            if len(content) > MAX_ATTACHMENT_MB * 1024 * 1024:
                raise ValidationError(
                    _("%(name)s is larger than %(max)s MB.", name=name, max=MAX_ATTACHMENT_MB)
                )
            if not (name or "").lower().endswith(ALLOWED_EXTENSIONS):
                raise ValidationError(
                    _(
                        "%(name)s: only these files are accepted: %(ext)s",
                        name=name,
                        ext=", ".join(ALLOWED_EXTENSIONS),
                    )
                )

    def _spid_portal_attach(self, attachments, body):
        self.ensure_one()
        self.sudo().message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.env.user.partner_id.id,
            attachments=[(name, content) for name, content, _mimetype in attachments],
        )

    def _spid_portal_check(self):
        """The current portal user may act on these tickets (read access under
        the portal rules, checked as that user)."""
        self.check_access("read")
        if self.env.user._is_public():
            raise AccessError(_("Please sign in."))

    def _spid_portal_reply(self, body, attachments=()):
        self._spid_portal_check()
        body = clean_form_values({"body": body})["body"]
        if not (body or "").strip() and not attachments:
            raise ValidationError(_("Write a message or attach a file."))
        self._spid_check_portal_attachments(attachments)
        for ticket in self:
            # posted as the customer: Odoo checks they may read the ticket
            ticket.message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachments=[(name, content) for name, content, _mimetype in attachments],
            )

    def _spid_portal_close(self):
        """The requester closes their own ticket, when its status allows going to a closing status."""
        self._spid_portal_check()
        status = self.env["spid.ticket.status"].sudo().search([("is_closed", "=", True)], limit=1)
        for ticket in self:
            if ticket.partner_id != self.env.user.partner_id:
                raise AccessError(_("Only the requester closes a ticket."))
            if ticket.is_closed:
                raise UserError(_("Ticket %s is already closed.", ticket.reference))
            allowed = ticket.sudo().status_id.transition_ids.to_status_id
            if allowed and status not in allowed:
                raise UserError(_("Ticket %s cannot be closed in its current status.", ticket.reference))
            ticket.sudo().write(
                {
                    "status_id": status.id,
                    "resolution": "solved",
                    "epilogue": _("Closed by the requester from the portal."),
                }
            )

    def _spid_portal_reopen(self, reason):
        self._spid_portal_check()
        reason = clean_form_values({"reason": reason})["reason"]
        if not (reason or "").strip():
            raise ValidationError(_("Say why the ticket must be reopened."))
        # action_reopen checks the requester and the lock itself
        self.action_reopen(reason)
