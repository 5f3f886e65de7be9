import ast
import email.errors
import logging
import re
from datetime import timedelta
from email.header import decode_header, make_header

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize, email_split

from ..internal import AUTO_SUBMITTED, REQUESTER, Switch, with_switch, without_switch

_logger = logging.getLogger(__name__)

AUTO_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|bounces?)([+-].*)?@", re.IGNORECASE)
DEFAULT_RATE_LIMIT = 10  # new tickets per sender and hour
DEFAULT_MAX_ATTACHMENT_MB = 25
HEADER_END = re.compile(rb"\r?\n\r?\n")
SUBJECT_REFERENCE = re.compile(r"\[([^\]\s]{2,32})\]")
# Anything that looks like an address in a From header, display name included.
ADDRESS_LIKE = re.compile(r"[^\s<>,;:\"'()\[\]]+@[^\s<>,;:\"'()\[\]]+")
ANGLE_ADDRESS = re.compile(r"<([^<>]*)>")
# The gateway refused to add an email to the ticket it referred to (headers
# or subject): the ticket it opens instead tells the sender so.
REFERENCE_REFUSED = Switch("spid_reference_refused")


def email_key(email):
    """The address an email counts under for rate limits: normalized, without
    its `+tag` (``name+x@d`` is ``name@d``). False for no valid address."""
    email = email_normalize(email or "")
    if not email:
        return False
    local, _at, domain = email.rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}"


class MailThread(models.AbstractModel):
    """Safety of the helpdesk's email channel, applied where Odoo's gateway
    decides what an incoming email does: only the mail server delivers
    emails to tickets, auto-replies and bounces never open a ticket, a sender
    cannot flood the desk, an email joins the ticket it refers to (headers or
    a reference in its subject) only when its sender has the authority to,
    and oversized attachments are dropped."""

    _inherit = "mail.thread"

    @api.model
    def message_process(
        self, model, message, custom_values=None, save_original=False, strip_attachments=False, thread_id=None
    ):
        """No email, however broken, raises out of the gateway: an exception
        would leave the fetch without its next emails, and an email that
        fails at every fetch is never read. An email that fails is logged and
        kept (spid.mail.failure, the raw email attached, for a manager to read
        or retry), and leaves nothing half-written behind. Only the gateway
        itself (the mail server, the mailgate script) gets this: any other
        caller still gets the exception."""
        message = self._spid_strip_header_nul(message)
        result, error = self._spid_message_process_safe(
            model,
            message,
            custom_values=custom_values,
            save_original=save_original,
            strip_attachments=strip_attachments,
            thread_id=thread_id,
        )
        if error is not None:
            self.env["spid.mail.failure"]._spid_keep(model, message, error, thread_id=thread_id)
            return False
        return result

    @api.model
    def _spid_message_process_safe(self, model, message, thread_id=None, **kwargs):
        """Odoo's message_process in a savepoint: (its result, None) or
        (False, the exception) with nothing of it written. Raised: what a
        caller that is not the mail server did wrong (no email's fault), and
        a concurrency error outside a fetch, which the RPC layer (the mailgate
        script) retries; a fetch marks every email seen, so there it is kept
        like any failure, to be retried by hand."""
        try:
            with self.env.cr.savepoint():
                return super().message_process(model, message, thread_id=thread_id, **kwargs), None
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable) as error:
            # the context key alone is the caller's claim: only the mail server's own fetch keeps
            if not (self.env.context.get("fetchmail_cron_running") and self._spid_is_gateway_caller()):
                raise
            _logger.warning("Concurrent update while processing an email (%s): kept", type(error).__name__)
            return False, error
        except (LookupError, UnicodeError, email.errors.MessageError) as error:
            _logger.warning("Rejected malformed email (%s): %s", type(error).__name__, error)
            if not self._spid_is_gateway_caller():
                return False, None
            return False, error
        except Exception as error:  # the gateway's last line: nothing raises out of it
            if not self._spid_is_gateway_caller():
                raise
            _logger.warning(
                "The mail gateway failed on an email (%s): %s", type(error).__name__, error, exc_info=True
            )
            return False, error

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
        if hasattr(message, "raw_items"):
            self._spid_parse_sender(message, msg_dict)
        return msg_dict

    @api.model
    def _spid_raw_header(self, message, name):
        """A header as it was sent, encoded words decoded: Python's parsed
        value drops what it cannot make sense of (`a@b <c@d>` reads `a@b`)."""
        values = [value for key, value in message.raw_items() if key.lower() == name.lower()]
        decoded = []
        for value in values:
            try:
                decoded.append(str(make_header(decode_header(value))))
            except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
                decoded.append(str(value))
        return ",".join(decoded)

    @api.model
    def _spid_parse_sender(self, message, msg_dict):
        """The mailbox an email really comes from. Odoo takes the first
        address found in From, display name included, so that
        `From: ann@client.example <mallory@evil.example>` (SPF and DKIM pass
        for evil.example) passed for Ann. When From holds more than one
        address: the one between angle brackets when there is exactly one,
        else the Sender header's single address, else none at all — the
        email then gets no authority on any ticket (`spid_no_sender`)."""
        raw = self._spid_raw_header(message, "From")
        found = {email_normalize(address) for address in ADDRESS_LIKE.findall(raw)} - {False, None}
        if len(found) <= 1:
            return
        angles = {email_normalize(address) for address in ANGLE_ADDRESS.findall(raw)} - {False, None}
        if len(angles) != 1:
            sender = self._spid_raw_header(message, "Sender")
            angles = {email_normalize(address) for address in ADDRESS_LIKE.findall(sender)} - {False, None}
        if len(angles) == 1:
            msg_dict["email_from"] = msg_dict["from"] = angles.pop()
        else:
            msg_dict["spid_no_sender"] = True

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        if not any(route[0] == "spid.ticket" for route in routes or ()):
            return super()._message_route_process(message, message_dict, routes)
        self._spid_check_gateway_caller()
        auto = self._spid_is_auto_submitted(message, message_dict)
        found = {}  # the sender's contact, when a check looked it up; a refused reference
        routes = [self._spid_reroute(route, message_dict, auto, found) for route in routes]
        routes = [route for route in routes if route]
        self._spid_drop_big_attachments(message_dict)
        if not routes:
            return False
        # what the checks found travels in switches that no request can set
        gateway = with_switch(self, AUTO_SUBMITTED) if auto else without_switch(self, AUTO_SUBMITTED)
        if found.get("requester"):
            gateway = with_switch(gateway, REQUESTER, found["requester"].id)
        else:
            gateway = without_switch(gateway, REQUESTER)
        if found.get("refused"):
            gateway = with_switch(gateway, REFERENCE_REFUSED)
        else:
            gateway = without_switch(gateway, REFERENCE_REFUSED)
        return super(MailThread, gateway)._message_route_process(message, message_dict, routes)

    @api.model
    def _spid_is_gateway_caller(self):
        return bool(self.env.su or self.env.user._is_superuser() or self.env.user._is_system())

    @api.model
    def _spid_check_gateway_caller(self):
        """Emails reach tickets only from the mail server: the fetchmail cron
        (superuser), the mailgate script (an administrator) or our own
        code. A user calling message_process over RPC would post as any
        sender into any ticket, or open tickets in anyone's name."""
        if self._spid_is_gateway_caller():
            return
        _logger.warning("Refused an email handed to the helpdesk over RPC by user %s", self.env.uid)
        raise AccessError(_("Only the mail server may deliver emails to the helpdesk."))

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
    def _spid_route_companies(self, alias, message_dict):
        """The companies an email to the helpdesk came to: its alias's (the
        team's company), else those of the alias domains whose catchall it
        was sent to. Empty when nothing tells."""
        Company = self.env["res.company"].sudo()
        if alias:
            alias = alias.sudo()
            defaults = self._spid_alias_defaults(alias)
            if defaults.get("company_id"):
                return Company.browse(defaults["company_id"]).exists()
            team_id = defaults.get("team_id")
            if not team_id and alias.alias_parent_model_id.model == "spid.team":
                team_id = alias.alias_parent_thread_id
            if team_id:
                return self.env["spid.team"].sudo().browse(team_id).exists().company_id
            return alias.alias_domain_id.company_ids
        recipients = {
            email_normalize(email)
            for email in email_split(
                ",".join(filter(None, (message_dict.get("to"), message_dict.get("recipients"))))
            )
        }
        domains = (
            self.env["mail.alias.domain"]
            .sudo()
            .search([("catchall_email", "in", list(recipients - {False}))])
        )
        return domains.company_ids

    @api.model
    def _spid_reroute(self, route, message_dict, auto, found):
        """The route to keep for an email to the helpdesk, or None to drop it.
        An email joins the ticket it refers to (by its headers, its subject
        or the route given) only when its sender has the authority to
        (spid.ticket._spid_sender_may_join); otherwise it opens a new ticket,
        as if it referred to none."""
        model, thread_id, custom_values, user_id, alias = route
        if model != "spid.ticket":
            return route
        Ticket = self.env["spid.ticket"].sudo()
        sender = email_normalize(message_dict.get("email_from") or "")
        message_id = message_dict.get("message_id")
        if message_dict.get("spid_no_sender"):
            # several authors and no single real mailbox: nobody to answer,
            # and no one whose name it may use
            _logger.warning("Ignored email %s: its From names several mailboxes", message_id)
            return None
        if email_key(sender) in Ticket._spid_own_addresses():
            # from one of our own addresses: answering would loop
            _logger.warning("Ignored email %s from the helpdesk's own address %s", message_id, sender)
            return None
        refused = Ticket
        if thread_id:
            companies = self._spid_route_companies(alias, message_dict)
            ticket = Ticket.browse(thread_id)
            if ticket._spid_sender_may_join(sender, companies):
                return route
            refused = ticket
            if not alias:  # no alias gives defaults: the same team triages the new ticket
                custom_values = {"team_id": ticket.team_id.id, "company_id": ticket.company_id.id}
            else:
                custom_values = self._spid_alias_defaults(alias)
        elif SUBJECT_REFERENCE.search(message_dict.get("subject") or ""):
            # a reference is looked up in the alias's company only
            companies = self._spid_route_companies(alias, message_dict)
            candidates = Ticket._spid_ticket_from_subject(
                message_dict.get("subject"), companies or self.env.company
            )
            for ticket in candidates:
                if ticket._spid_sender_may_join(sender, companies):
                    _logger.info("Email %s goes into ticket %s by its subject", message_id, ticket.reference)
                    return (model, ticket.id, custom_values, user_id, alias)
            refused = candidates
        if refused:
            _logger.warning(
                "Email %s from %s may not go into ticket %s: it opens a new ticket",
                message_id,
                sender,
                ",".join(refused.mapped("reference")),
            )
            found["refused"] = True
            message_dict.pop("parent_id", None)
            route = (model, False, custom_values, user_id, alias)
        if auto:
            _logger.info(
                "Ignored automatic email %s from %s: no ticket opened",
                message_id,
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
                and Ticket.search_count(
                    [("email_from_key", "=", email_key(sender)), ("create_date", ">=", since)]
                )
                >= limit
            ):
                _logger.warning(
                    "Ignored email %s from %s: more than %s tickets in an hour", message_id, sender, limit
                )
                return None
            blocked = self._spid_creation_blocked(route, sender, found)
            if blocked:
                _logger.warning("Ignored email %s from %s: %s", message_id, sender, blocked)
                return None
        return route

    @api.model
    def _spid_alias_defaults(self, alias):
        try:
            defaults = ast.literal_eval(alias.sudo().alias_defaults or "{}")
        except (ValueError, SyntaxError):
            return {}
        return defaults if isinstance(defaults, dict) else {}

    @api.model
    def _spid_creation_blocked(self, route, sender, found):
        """The creation limit (block mode) that a ticket from `sender` would
        break, checked before the gateway creates it: a failed creation makes
        Odoo bounce the email as if the team's alias were broken, and mark
        the alias invalid. Empty when the ticket may be created. The contact
        goes into `found`, for message_new not to search it again."""
        partner = found["requester"] = self.env["res.partner"]._spid_find_by_email(sender)
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
