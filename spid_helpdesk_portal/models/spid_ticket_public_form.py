from datetime import timedelta
from email.utils import formataddr

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import consteq, email_normalize, is_html_empty, plaintext2html
from odoo.tools.misc import hmac

from odoo.addons.spid_helpdesk.models.mail_thread import email_key

from .spid_ticket import clean_form_values

# Public form: tickets per address and per client IP in the last hour.
DEFAULT_SUBMIT_RATE_LIMIT = 5
DEFAULT_SUBMIT_IP_RATE_LIMIT = 20
CONFIRM_SCOPE = "spid_helpdesk_portal.confirm"


class SpidTicketPublicForm(models.Model):
    """The public form: a visitor without an account opens a ticket, which
    an existing contact's address must confirm by email first."""

    _inherit = "spid.ticket"

    # ------------------------------------------------------------------
    # Public form
    # ------------------------------------------------------------------

    @api.model
    def _spid_public_submit(self, post, attachments=(), remote_ip=None):
        """Open a ticket from the public form. Returns None when the honeypot
        field was filled (a robot). Raises a clear error on bad input, and
        when the address or the visitor's IP already opened too many tickets
        in the last hour. The errors never tell about other people.

        The address of an existing contact (or one that falls under a
        client) gives a ticket that only shows on the portal once confirmed
        through a link emailed to that address."""
        if post.get("website_url"):  # hidden field: only robots fill it
            return None
        post = clean_form_values(post)
        email = email_normalize(post.get("email") or "") if isinstance(post.get("email"), str) else False
        if not email:
            raise ValidationError(_("Give a valid email address: we answer there."))
        name = (post.get("name") or "").strip()
        title = (post.get("title") or "").strip()
        if not name or not title:
            raise ValidationError(_("Your name and a title are required."))
        address = email_key(email)
        self._spid_check_submit_rate(address, remote_ip)
        self._spid_check_portal_attachments(attachments)
        category = self.env["spid.ticket.category"]
        if post.get("category_id"):
            try:
                category_id = int(post["category_id"])
            except (TypeError, ValueError) as error:
                raise ValidationError(_("Unknown category.")) from error
            category = self._spid_portal_categories().filtered(lambda c: c.id == category_id)
            if not category:
                raise ValidationError(_("Unknown category."))
        existed = bool(self.env["res.partner"].sudo().search_count([("email_normalized", "=", email)]))
        partner, confirmed = self.env["res.partner"]._spid_find_or_create_by_email(formataddr((name, email)))
        # visible at once only to a new contact of no client: nobody else's portal
        portal_confirmed = not existed and not partner.parent_id
        vals = {
            "name": title,
            "description": plaintext2html(post.get("description") or ""),
            **self._spid_requester_values(partner, confirmed),
            "channel": "web",
            "email_from": email,
            "portal_confirmed": portal_confirmed,
            "notify_customer": portal_confirmed,
            "submit_ip": remote_ip or False,
            "category_id": category.id,
        }
        if post.get("client_name") and not confirmed:
            vals["description"] += Markup("<p>%s</p>") % _("Client given: %s", post["client_name"])
        try:
            ticket = self.sudo().create(vals)
        except (UserError, ValidationError) as error:
            # the creation limits name the contact, their tickets and client
            raise UserError(
                _(
                    "We cannot open a new request for this address right now."
                    " Please contact us by email or phone."
                )
            ) from error
        if attachments:
            ticket._spid_portal_attach(attachments, _("Attachments of the request"))
        if not portal_confirmed:
            ticket._spid_send_confirmation_request()
        return ticket

    @api.model
    def _spid_check_submit_rate(self, address, remote_ip):
        """At most N tickets per address (+tag stripped) and M per client IP
        over the last hour (system parameters spid_helpdesk.submit_rate_limit
        and spid_helpdesk.submit_ip_rate_limit; 0 turns a limit off)."""
        params = self.env["ir.config_parameter"].sudo()
        since = fields.Datetime.now() - timedelta(hours=1)
        Ticket = self.sudo().with_context(active_test=False)
        limit = int(params.get_param("spid_helpdesk.submit_rate_limit", DEFAULT_SUBMIT_RATE_LIMIT))
        if (
            limit
            and Ticket.search_count([("email_from_key", "=", address), ("create_date", ">=", since)]) >= limit
        ):
            raise UserError(
                _("Too many requests from this address in the last hour; please try again later.")
            )
        ip_limit = int(params.get_param("spid_helpdesk.submit_ip_rate_limit", DEFAULT_SUBMIT_IP_RATE_LIMIT))
        if (
            remote_ip
            and ip_limit
            and Ticket.search_count([("submit_ip", "=", remote_ip), ("create_date", ">=", since)]) >= ip_limit
        ):
            raise UserError(
                _("Too many requests from your network in the last hour; please try again later.")
            )

    def _spid_confirmation_token(self):
        """The signed token of the confirmation link: bound to the ticket
        and the address it was sent to; nothing stored."""
        self.ensure_one()
        return hmac(self.env(su=True), CONFIRM_SCOPE, (self.id, self.sudo().email_from or ""))

    def _spid_check_confirmation_token(self, token):
        self.ensure_one()
        return bool(token) and isinstance(token, str) and consteq(self._spid_confirmation_token(), token)

    def _spid_send_confirmation_request(self):
        """Email the address of the form a link to confirm the request. The
        email carries no text of the visitor: the page it opens shows it."""
        self.ensure_one()
        ticket = self.sudo()
        lang = ticket.partner_id.lang or self.env.lang
        ticket = ticket.with_context(lang=lang)
        base_url = ticket.get_base_url()
        url = f"{base_url}/helpdesk/confirm/{ticket.id}/{ticket._spid_confirmation_token()}"
        company = ticket.company_id
        team = ticket.team_id
        body = Markup("<div>%s<p>%s</p><p>%s</p><p><a href='%s'>%s</a></p><p>%s</p>%s</div>") % (
            team.mail_header if not is_html_empty(team.mail_header) else "",
            ticket.env._("Hello,"),
            ticket.env._(
                "A request %(reference)s was sent from our website with your email address. Before"
                " it appears in your customer space and we answer it, please confirm that it is yours.",
                reference=ticket.reference,
            ),
            url,
            ticket.env._("See and confirm the request"),
            ticket.env._("If you did not send it, ignore this email: nothing will be shown or sent to you."),
            team.mail_footer if not is_html_empty(team.mail_footer) else "",
        )
        self.env["mail.mail"].sudo().create(
            {
                "subject": ticket.env._(
                    "%(company)s: please confirm your request %(reference)s",
                    company=company.name,
                    reference=ticket.reference,
                ),
                "body_html": body,
                "email_to": ticket.email_from,
                # the team's voice, as every email about the ticket
                "email_from": ticket._spid_email_from() or self.env.user.email_formatted or False,
                "auto_delete": True,
            }
        )
        # not in the ticket's thread (the requester has not confirmed it): a note for the agents
        ticket._message_log(body=_("A confirmation request was emailed to %s.", ticket.email_from))

    def _spid_portal_confirm(self, token):
        """Confirm an unconfirmed request through its emailed link: it shows
        on the requester's portal, and the usual emails reach them."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket.exists() or not ticket._spid_check_confirmation_token(token):
            raise AccessError(_("This link is not valid."))
        if ticket.portal_confirmed:
            return False
        ticket.write({"portal_confirmed": True, "notify_customer": True})
        ticket._message_log(
            body=_("The requester confirmed the request through the link sent to %s.", ticket.email_from)
        )
        template = ticket._spid_entering_template()  # the team's own, else the status's
        if template and ticket.status_id.is_start:
            ticket.message_post_with_source(
                template,
                message_type="auto_comment",
                subtype_id=ticket._spid_status_email_subtype_id(template),
                email_layout_xmlid="mail.mail_notification_light",
            )
        return True
