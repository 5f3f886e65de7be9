import email
import email.policy
import logging
from email.header import decode_header, make_header

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import clean_context

_logger = logging.getLogger(__name__)

HEADER_MAX = 256  # a header kept on the record; the raw email keeps it whole
ERROR_MAX = 4000


def _safe_header(message, name):
    """A header of a parsed email as text, whatever its shape: encoded
    words decoded when they can be, cut to HEADER_MAX characters."""
    try:
        value = message.get(name)
    except Exception:  # a broken email may break the parser in any way
        return ""
    if value is None:
        return ""
    try:
        value = str(make_header(decode_header(str(value))))
    except Exception:
        value = str(value)
    value = " ".join(value.replace("\x00", "").split())
    return value[:HEADER_MAX]


class SpidMailFailure(models.Model):
    """An incoming email that the mail gateway could not process. The raw
    email is kept as an attachment, so that nothing a customer wrote is lost
    and a manager can read it, download it or retry it once the cause is
    fixed. Only helpdesk managers see these records: they hold customers'
    mail. They are written by the gateway alone (no one may create or edit
    one); a manager may delete them."""

    _name = "spid.mail.failure"
    _description = "Failed incoming email"
    _order = "date desc, id desc"
    _rec_name = "subject"

    subject = fields.Char(readonly=True)
    email_from = fields.Char(string="From", readonly=True)
    message_id = fields.Char(string="Message-Id", readonly=True, index="btree_not_null")
    date = fields.Datetime(string="Received on", readonly=True, default=fields.Datetime.now, required=True)
    model = fields.Char(
        string="Target model",
        readonly=True,
        help="The model the mail server hands its emails to when no alias matches.",
    )
    thread_id = fields.Integer(string="Target record", readonly=True)
    fetchmail_server_id = fields.Many2one(
        "fetchmail.server", string="Incoming mail server", readonly=True, ondelete="set null"
    )
    error_type = fields.Char(string="Error", readonly=True)
    error = fields.Text(string="Error details", readonly=True)
    state = fields.Selection(
        [("failed", "Failed"), ("done", "Processed")],
        string="Status",
        default="failed",
        required=True,
        readonly=True,
    )
    retry_count = fields.Integer(string="Retries", readonly=True)
    ticket_id = fields.Many2one(
        "spid.ticket",
        readonly=True,
        ondelete="set null",
        help="The ticket the email went into when it was retried.",
    )
    raw_attachment_id = fields.Many2one(
        "ir.attachment", string="Raw email", readonly=True, ondelete="set null"
    )
    raw_size = fields.Integer(string="Size (bytes)", readonly=True)

    @api.model
    def _spid_keep(self, model, message, error, thread_id=None):
        """Keep an email the gateway failed on: a failure record with the raw
        email attached. Never raises (it runs where an exception would stop
        the fetch of the next emails); returns the record or an empty set."""
        try:
            with self.env.cr.savepoint():
                # the fetch names its server in the context (a label, checked
                # to exist); no other default_* key of it fills a field
                server_id = self.env.context.get("default_fetchmail_server_id")
                failure = self.env(context=clean_context(self.env.context), su=True)[self._name]
                return failure._spid_create_failure(model, message, error, thread_id, server_id)
        except Exception:  # the last resort must not raise
            _logger.exception("Could not keep the failed email (%s bytes)", len(message or b""))
            return self.browse()

    @api.model
    def _spid_create_failure(self, model, message, error, thread_id, server_id):
        if isinstance(message, str):
            message = message.encode("utf-8", "surrogateescape")
        elif not isinstance(message, bytes):
            message = bytes(message) if isinstance(message, bytearray) else str(message).encode()
        try:
            parsed = email.message_from_bytes(message, policy=email.policy.compat32)
        except Exception:
            parsed = email.message.Message()
        server = self.env["fetchmail.server"].browse(server_id if isinstance(server_id, int) else ()).exists()
        failure = self.create(
            {
                "subject": _safe_header(parsed, "Subject") or _("(no subject)"),
                "email_from": _safe_header(parsed, "From"),
                "message_id": _safe_header(parsed, "Message-Id"),
                "model": model if isinstance(model, str) else False,
                "thread_id": thread_id if isinstance(thread_id, int) else 0,
                "fetchmail_server_id": server.id,
                "error_type": type(error).__name__,
                "error": str(error)[:ERROR_MAX],
                "raw_size": len(message),
            }
        )
        failure.raw_attachment_id = self.env["ir.attachment"].create(
            {
                "name": f"failed-email-{failure.id}.eml",
                "raw": message,
                "mimetype": "message/rfc822",
                "res_model": self._name,
                "res_id": failure.id,
            }
        )
        _logger.warning(
            "Kept failed email %s from %s as %s,%s",
            failure.message_id or "(no Message-Id)",
            failure.email_from or "(no From)",
            self._name,
            failure.id,
        )
        return failure

    def _spid_check_manager(self):
        if not self.env.user.has_group("spid_helpdesk.group_spid_manager"):
            raise AccessError(_("Only helpdesk managers may handle failed emails."))
        self.check_access("read")

    def action_retry(self):
        """Hand the kept emails to the gateway again, with the gateway's
        normal rules (the mail server's rights, not the manager's: the
        routing, the sender checks and the limits decide as for a fetched
        email)."""
        self._spid_check_manager()
        Thread = self.env["mail.thread"].sudo()
        done = self.browse()
        for failure in self.sudo():
            if failure.state != "failed":
                continue
            if not failure.raw_attachment_id:
                raise UserError(_("The email “%s” has no raw file to retry.", failure.subject))
            raw = Thread._spid_strip_header_nul(failure.raw_attachment_id.raw or b"")
            result, error = Thread._spid_message_process_safe(
                failure.model or False, raw, thread_id=failure.thread_id or None
            )
            if error:
                failure.write(
                    {
                        "retry_count": failure.retry_count + 1,
                        "error_type": type(error).__name__,
                        "error": str(error)[:ERROR_MAX],
                    }
                )
                continue
            ticket = self.env["spid.ticket"].sudo().browse()
            if isinstance(result, int) and result and (failure.model or "spid.ticket") == "spid.ticket":
                ticket = ticket.browse(result).exists()
            failure.write({"state": "done", "retry_count": failure.retry_count + 1, "ticket_id": ticket.id})
            done |= failure
        if len(self) == 1 and (done or self.sudo().state == "failed"):
            if done:
                return {
                    "type": "ir.actions.client",
                    "tag": "display_notification",
                    "params": {
                        "type": "success",
                        "message": _("The email was processed."),
                        "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                    },
                }
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "message": _("The email failed again: %s", self.sudo().error_type),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return True

    def action_download(self):
        self.ensure_one()
        self._spid_check_manager()
        if not self.raw_attachment_id:
            raise UserError(_("The email “%s” has no raw file.", self.subject))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.raw_attachment_id.id}?download=true",
            "target": "self",
        }

    def action_open_ticket(self):
        self.ensure_one()
        self.ticket_id.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "spid.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
        }
