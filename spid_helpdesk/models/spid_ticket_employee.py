from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import clean_context

# What an employee without a helpdesk group (a requester only) reads, searches
# and sorts on: their request as the portal shows it, and its custom fields.
# Every other field (priority, team, participants, deadline, work units, SLA
# clocks, costs, copies, and those other addons add later) is refused to
# them over RPC and in domains, as the portal's whitelist does for customers.
EMPLOYEE_READABLE_FIELDS = frozenset(
    {
        "id",
        "active",
        "display_name",
        "reference",
        "name",
        "description",
        "create_date",
        "write_date",
        "company_id",
        "client_id",
        "partner_id",
        "site_id",
        "category_id",
        "type_id",
        "urgency",
        "properties",
        "status_id",
        "is_closed",
        "is_locked",
        "resolution",
        "epilogue",
        "date_closed",
        "user_id",
    }
)
# What an employee gives when opening a request from the backend form.
EMPLOYEE_CREATE_FIELDS = frozenset({"name", "description", "type_id", "category_id", "urgency", "properties"})
# What an employee's message may carry (the chatter's composer sends these).
EMPLOYEE_POST_KEYS = frozenset(
    {
        "body",
        "attachment_ids",
        "attachments",
        "partner_ids",
        "message_type",
        "subtype_xmlid",
        "parent_id",
        "email_add_signature",
        "body_is_html",
    }
)
# A file uploaded for a message is "fresh" for a day; older ones are refused.
PENDING_UPLOAD_HOURS = 24


class SpidTicket(models.Model):
    """Employees as requesters: an internal user without a helpdesk group
    opens and follows their own requests (Helpdesk > My requests). Their
    record rule shows the tickets they asked for; this class keeps them to
    the requester's share of those tickets, on the server."""

    _inherit = "spid.ticket"

    def _spid_requester_caller(self):
        """An internal user without a helpdesk group, acting as themselves
        (not through our own sudo())."""
        return not self.env.su and self.env.user._spid_is_requester_only()

    # ------------------------------------------------------------------
    # What they read and search
    # ------------------------------------------------------------------

    def _spid_readable_fields(self):
        if self._spid_requester_caller():
            return EMPLOYEE_READABLE_FIELDS
        return super()._spid_readable_fields()

    # ------------------------------------------------------------------
    # What they create, write and post
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self._spid_requester_caller():
            return super().create(vals_list)
        partner = self.env.user.partner_id
        clean = []
        for vals in vals_list:
            extra = set(vals) - EMPLOYEE_CREATE_FIELDS
            if extra:
                raise AccessError(
                    _("A request cannot set these fields: %(fields)s", fields=", ".join(sorted(extra)))
                )
            if not isinstance(vals.get("name"), str) or not vals["name"].strip():
                raise ValidationError(_("Give your request a title."))
            clean.append(
                dict(
                    vals,
                    partner_id=partner.id,
                    client_id=partner.commercial_partner_id.id,
                    channel="web",
                    company_id=self.env.company.id,
                )
            )
        # checked as the employee (types reserved to groups, a required
        # type), then created as the helpdesk: the team, owner, followers
        # and clocks are none of theirs to read
        self.env["spid.ticket.type"]._spid_check_new_tickets(clean)
        self.check_access("create")
        # without the caller's `default_<field>` keys, which the ORM would
        # apply as the helpdesk to every field the values leave out (the
        # context is replaced on purpose: merging would keep those keys)
        helpdesk = self.sudo().with_context(clean_context(self.env.context))  # pylint: disable=W8121
        tickets = super(SpidTicket, helpdesk).create(clean)
        return tickets.sudo(False)

    def write(self, vals):
        if self._spid_requester_caller():
            # their replies go through message_post; the ticket's facts
            # (status, owner, team, priority...) are the agents'
            raise AccessError(_("Only the helpdesk's agents change tickets: answer in the conversation."))
        return super().write(vals)

    def onchange(self, values, field_names, fields_spec):
        if self._spid_requester_caller():
            # the request form's defaults and onchanges, never the agents' fields
            fields_spec = {
                name: spec for name, spec in fields_spec.items() if name in EMPLOYEE_READABLE_FIELDS
            }
            values = {name: value for name, value in values.items() if name in EMPLOYEE_READABLE_FIELDS}
            field_names = [name for name in field_names if name in EMPLOYEE_READABLE_FIELDS]
        return super().onchange(values, field_names, fields_spec)

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        if not self._spid_requester_caller():
            return super().message_post(**kwargs)
        values = self._spid_requester_post_values(kwargs)
        # checked above as the employee: posted as the helpdesk would for a
        # customer (the clocks and the reply status are not theirs to read)
        author = self.sudo().with_context(clean_context(self.env.context))  # pylint: disable=W8121
        return super(SpidTicket, author).message_post(**values).sudo(False)

    def _spid_requester_post_values(self, values):
        """An employee's message: a public comment by themselves, to the
        followers only, with files they have just uploaded."""
        self.ensure_one()
        self.check_access("read")
        extra = set(values) - EMPLOYEE_POST_KEYS
        if extra:
            raise AccessError(_("A requester's message cannot set: %s", ", ".join(sorted(extra))))
        clean = {
            "body": values.get("body") or "",
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_comment",
            "author_id": self.env.user.partner_id.id,
        }
        if "body_is_html" in values:
            clean["body_is_html"] = bool(values["body_is_html"])
        followers = self.sudo().message_partner_ids
        clean["partner_ids"] = [
            pid for pid in values.get("partner_ids") or [] if isinstance(pid, int) and pid in followers.ids
        ]
        if values.get("attachments"):
            clean["attachments"] = values["attachments"]
        attachment_ids = values.get("attachment_ids") or []
        if attachment_ids:
            if not all(isinstance(aid, int) for aid in attachment_ids):
                raise AccessError(_("You can only attach files you have just uploaded."))
            since = fields.Datetime.now() - timedelta(hours=PENDING_UPLOAD_HOURS)
            uploads = (
                self.env["ir.attachment"]
                .sudo()
                .search(
                    [
                        ("id", "in", list(attachment_ids)),
                        ("create_uid", "=", self.env.uid),
                        ("res_model", "=", "mail.compose.message"),
                        ("res_id", "=", 0),
                        ("create_date", ">=", since),
                    ]
                )
            )
            if len(uploads) != len(set(attachment_ids)):
                raise AccessError(_("You can only attach files you have just uploaded."))
            clean["attachment_ids"] = uploads.ids
        parent = values.get("parent_id")
        if parent and isinstance(parent, int):
            message = self.env["mail.message"].browse(parent).exists()
            if message and message.model == self._name and message.res_id == self.id:
                clean["parent_id"] = message.id
        return clean

    def action_spid_send_request(self):
        """The request form's button: the form saved the new request before
        calling it (a requester creates, never writes); nothing else to do."""
        self.check_access("read")
        return True

    # ------------------------------------------------------------------
    # The chatter: public messages and files only
    # ------------------------------------------------------------------

    def _track_filter_for_display(self, tracking_values):
        tracking_values = super()._track_filter_for_display(tracking_values)
        if self._spid_requester_caller():
            return self._spid_customer_trackings(tracking_values)
        return tracking_values

    def _get_mail_thread_data_attachments(self):
        """The chatter's files: a requester's are those of the public
        messages, never those of internal notes."""
        attachments = super()._get_mail_thread_data_attachments()
        if not self._spid_requester_caller():
            return attachments
        public = self.env["mail.message"].search([("model", "=", self._name), ("res_id", "=", self.id)])
        return attachments & public.attachment_ids

    def _message_get_suggested_recipients(self):
        if self._spid_requester_caller():
            return []
        return super()._message_get_suggested_recipients()

    def _thread_to_store(self, store, /, *, fields=None, request_list=None):
        if request_list and self._spid_requester_caller():
            # activities are the agents' to-dos
            request_list = [request for request in request_list if request != "activities"]
        return super()._thread_to_store(store, fields=fields, request_list=request_list)
