import email.errors
import logging
import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

_logger = logging.getLogger(__name__)

AUTO_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|bounces?)([+-].*)?@", re.IGNORECASE)
DEFAULT_RATE_LIMIT = 10  # new tickets per sender and hour
DEFAULT_MAX_ATTACHMENT_MB = 25
HEADER_END = re.compile(rb"\r?\n\r?\n")


class MailThread(models.AbstractModel):
    """Safety of the helpdesk's email channel, applied where Odoo's gateway
    decides what an incoming email does: auto-replies and bounces never open a
    ticket, a sender cannot flood the desk, a reply quoting a ticket reference
    goes into that ticket, and oversized attachments are dropped."""

    _inherit = "mail.thread"

    @api.model
    def message_process(
        self, model, message, custom_values=None, save_original=False, strip_attachments=False, thread_id=None
    ):
        """A message Python's email package cannot decode (unknown charset,
        undecodable bytes) is rejected with a log line instead of an exception
        that would stop the fetch of the next messages, and leaves nothing
        half-written behind."""
        message = self._spid_strip_header_nul(message)
        try:
            with self.env.cr.savepoint():
                return super().message_process(
                    model,
                    message,
                    custom_values=custom_values,
                    save_original=save_original,
                    strip_attachments=strip_attachments,
                    thread_id=thread_id,
                )
        except (LookupError, UnicodeError, email.errors.MessageError) as error:
            _logger.warning("Rejected malformed email (%s): %s", type(error).__name__, error)
            return False

    @api.model
    def _spid_strip_header_nul(self, message):
        """The raw email without NUL bytes in its headers, which the routing
        would search for (In-Reply-To, References) and PostgreSQL refuse."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        if isinstance(message, bytes) and b"\x00" in message:
            end = HEADER_END.search(message)
            end = end.start() if end else len(message)
            message = message[:end].replace(b"\x00", b"") + message[end:]
        return message

    @api.model
    def message_parse(self, message, save_original=False):
        """Without the NUL characters an email may carry (encoded in its
        headers or body): PostgreSQL cannot store them, and the failed insert
        made the gateway bounce the email and mark the alias invalid."""
        msg_dict = super().message_parse(message, save_original=save_original)
        for key, value in msg_dict.items():
            if isinstance(value, str) and "\x00" in value:
                msg_dict[key] = value.replace("\x00", "")
        msg_dict["attachments"] = [
            attachment._replace(fname=attachment.fname.replace("\x00", ""))
            if isinstance(attachment.fname, str) and "\x00" in attachment.fname
            else attachment
            for attachment in msg_dict.get("attachments") or []
        ]
        return msg_dict

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        if not any(route[0] == "spid.ticket" for route in routes or ()):
            return super()._message_route_process(message, message_dict, routes)
        auto = self._spid_is_auto_submitted(message, message_dict)
        found = {}  # the sender's contact, when a check looked it up
        routes = [self._spid_reroute(route, message_dict, auto, found) for route in routes]
        routes = [route for route in routes if route]
        self._spid_drop_big_attachments(message_dict)
        if not routes:
            return False
        ctx = {"spid_auto_submitted": auto}
        if found.get("requester"):
            ctx["spid_requester_id"] = found["requester"].id
        return super(MailThread, self.with_context(**ctx))._message_route_process(
            message, message_dict, routes
        )

    @api.model
    def _spid_is_auto_submitted(self, message, message_dict):
        auto_submitted = (message.get("Auto-Submitted") or "no").strip().lower()
        precedence = (message.get("Precedence") or "").strip().lower()
        return bool(
            auto_submitted != "no"
            or message.get("X-Autoreply")
            or message.get("X-Autorespond")
            or message.get("X-Auto-Response-Suppress") in ("All", "OOF")
            or precedence in ("bulk", "junk", "list", "auto_reply")
            or message_dict.get("is_bounce")
            or AUTO_SENDERS.match(email_normalize(message_dict.get("email_from") or "") or "")
        )

    @api.model
    def _spid_reroute(self, route, message_dict, auto, found):
        """The route to keep for an email to the helpdesk, or None to drop it."""
        model, thread_id, *rest = route
        if model != "spid.ticket" or thread_id:
            return route
        Ticket = self.env["spid.ticket"].sudo()
        ticket = Ticket._spid_ticket_from_subject(message_dict.get("subject"))
        if ticket:
            _logger.info(
                "Email %s goes into ticket %s by its subject",
                message_dict.get("message_id"),
                ticket.reference,
            )
            return (model, ticket.id, *rest)
        sender = email_normalize(message_dict.get("email_from") or "")
        if auto:
            _logger.info(
                "Ignored automatic email %s from %s: no ticket opened",
                message_dict.get("message_id"),
                message_dict.get("email_from"),
            )
            return None
        if sender:
            limit = int(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("spid_helpdesk.mail_rate_limit", DEFAULT_RATE_LIMIT)
            )
            since = fields.Datetime.now() - timedelta(hours=1)
            if (
                limit
                and Ticket.search_count([("email_from", "ilike", sender), ("create_date", ">=", since)])
                >= limit
            ):
                _logger.warning(
                    "Ignored email %s from %s: more than %s tickets in an hour",
                    message_dict.get("message_id"),
                    sender,
                    limit,
                )
                return None
            blocked = self._spid_creation_blocked(route, sender, found)
            if blocked:
                _logger.warning(
                    "Ignored email %s from %s: %s", message_dict.get("message_id"), sender, blocked
                )
                return None
        return route

    @api.model
    def _spid_creation_blocked(self, route, sender, found):
        """The creation limit (block mode) that a ticket from `sender` would
        break, checked before the gateway creates it: a failed creation makes
        Odoo bounce the email as if the team's alias were broken, and mark
        the alias invalid. Empty when the ticket may be created. The contact
        goes into `found`, for message_new not to search it again."""
        partner = found["requester"] = self.env["spid.ticket"]._spid_partner_of_email(sender)
        if not partner:
            return ""  # a new contact has no ticket yet
        defaults = route[2] or {}
        vals = {"partner_id": partner.id, "team_id": defaults.get("team_id")}
        if not vals["team_id"] and defaults.get("category_id"):
            vals["team_id"] = (
                self.env["spid.ticket.category"].sudo().browse(defaults["category_id"])._spid_team().id
            )
        try:
            self.env["spid.ticket"].sudo()._spid_check_creation_limits([vals])
        except UserError as error:
            return error.args[0]
        return ""

    @api.model
    def _spid_drop_big_attachments(self, message_dict):
        max_mb = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("spid_helpdesk.mail_max_attachment_mb", DEFAULT_MAX_ATTACHMENT_MB)
        )
        kept = []
        for attachment in message_dict.get("attachments") or []:
            content = attachment[1] if len(attachment) > 1 else b""
            if content and len(content) > max_mb * 1024 * 1024:
                _logger.warning(
                    "Dropped attachment %s (%.1f MB) of email %s: over %s MB",
                    attachment[0],
                    len(content) / 1024 / 1024,
                    message_dict.get("message_id"),
                    max_mb,
                )
                continue
            kept.append(attachment)
        message_dict["attachments"] = kept
