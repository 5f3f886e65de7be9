import re
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date, html2plaintext, plaintext2html
from odoo.tools.mimetypes import guess_mimetype

# What a customer may fill in when opening a ticket from the portal.
PORTAL_CREATE_FIELDS = ("name", "description", "category_id", "type_id", "site_id", "urgency")
# What the requester may correct on their open request from the portal (the
# custom fields: only those of the type that the portal form shows).
PORTAL_EDIT_FIELDS = ("name", "description", "urgency", "properties")
URGENCIES = ("0", "1", "2", "3")

# The fields of a ticket that a share user (portal customer, or a visitor
# holding a token) may read, search and sort on: what the portal pages show.
# Every other field, including those other addons add later, is refused to
# them over RPC and in domains (see check_field_access_rights and _search).
PORTAL_READABLE_FIELDS = frozenset(
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
        "status_id",
        "portal_status",
        "is_closed",
        "is_locked",
        "resolution",
        "epilogue",
        "date_closed",
        "user_id",
        "access_url",
        "access_token",
        "access_warning",
    }
)
# The order used for share users when the caller gives none (the model's
# own order sorts on the technician's priority, which they may not read).
# What a customer's message may carry; anything else is refused.
CUSTOMER_POST_KEYS = frozenset(
    {
        "body",
        "subject",
        "attachments",
        "attachment_ids",
        "partner_ids",
        "message_type",
        "subtype_xmlid",
        "subtype_id",
        "author_id",
        "email_from",
        "parent_id",
        "body_is_html",
        "email_add_signature",
    }
)
# A file uploaded for a message is "fresh" for a day; older ones are refused.
PENDING_ATTACHMENT_HOURS = 24

MAX_ATTACHMENT_MB = 10
MAX_ATTACHMENTS = 5
# The accepted extensions and what the bytes of such a file must look like
# (Odoo's guess_mimetype: libmagic when installed, else Odoo's own sniffer).
TEXT_MIMETYPES = ("text/plain", "text/csv")
EXTENSION_MIMETYPES = {
    ".pdf": ("application/pdf",),
    ".png": ("image/png",),
    ".jpg": ("image/jpeg",),
    ".jpeg": ("image/jpeg",),
    ".gif": ("image/gif",),
    ".txt": TEXT_MIMETYPES,
    ".log": TEXT_MIMETYPES,
    ".csv": TEXT_MIMETYPES,
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    ".odt": ("application/vnd.oasis.opendocument.text",),
}
ALLOWED_EXTENSIONS = tuple(EXTENSION_MIMETYPES)
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
    portal_confirmed = fields.Boolean(
        string="Confirmed by the requester",
        default=True,
        copy=False,
        help="Off for a request sent from the public form with the address of an existing contact:"
        " the ticket stays out of that contact's portal, and no email but the confirmation request"
        " reaches them, until they confirm it through the link emailed to that address.",
    )
    submit_ip = fields.Char(
        string="Form IP address",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="spid_helpdesk.group_spid_supervisor",
        help="Public form: the address of the visitor's computer, for the rate limit.",
    )

    # ------------------------------------------------------------------
    # What a share user may read (as project.task does for portal users)
    # ------------------------------------------------------------------

    def _spid_share_caller(self):
        """A portal user or a visitor, acting as themselves (not through our
        own sudo())."""
        return not self.env.su and self.env.user.share

    def _spid_readable_fields(self):
        if self._spid_share_caller():
            return PORTAL_READABLE_FIELDS
        return super()._spid_readable_fields()

    def onchange(self, values, field_names, fields_spec):
        if self._spid_share_caller():
            raise AccessError(_("Customers do not edit tickets in forms."))
        return super().onchange(values, field_names, fields_spec)

    # ------------------------------------------------------------------
    # What a share user may post: a public comment to the followers
    # ------------------------------------------------------------------

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        if self._spid_share_caller():
            values = self._spid_customer_post_values(kwargs, self.env.user.partner_id)
            # checked above as the customer: Odoo's hooks run as for the portal routes
            return super(SpidTicket, self.sudo()).message_post(**values).sudo(False)
        return super().message_post(**kwargs)

    def _spid_customer_post_values(self, values, author):
        """The values of a customer's message, whatever they asked for: a
        public comment by themselves (`author`), to the ticket's followers
        only, with files they have just uploaded and that pass the portal
        form's checks. Raises AccessError on what cannot be honoured."""
        self.ensure_one()
        extra = set(values) - CUSTOMER_POST_KEYS
        if extra:
            raise AccessError(_("A customer's message cannot set: %s", ", ".join(sorted(extra))))
        if self._spid_share_caller():
            self.check_access("read")
        if values.get("author_id") and (not author or values["author_id"] != author.id):
            raise AccessError(_("You can only post as yourself."))
        clean = {
            "body": values.get("body") or "",
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_comment",
            "author_id": author.id if author else False,
        }
        if "email_add_signature" in values:
            clean["email_add_signature"] = bool(values["email_add_signature"])
        followers = (
            self.env["mail.followers"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "=", self.id)])
            .partner_id
        )
        partner_ids = [pid for pid in values.get("partner_ids") or [] if isinstance(pid, int)]
        clean["partner_ids"] = [pid for pid in partner_ids if pid in followers.ids]
        files = []
        for attachment in values.get("attachments") or []:
            if not isinstance(attachment, list | tuple) or len(attachment) not in (2, 3):
                raise AccessError(_("Invalid attachment."))
            name, content = attachment[0], attachment[1]
            if isinstance(content, str):
                content = content.encode()
            files.append((name, content or b"", None))
        attachment_ids = values.get("attachment_ids") or []
        if attachment_ids:
            if not all(isinstance(aid, int) for aid in attachment_ids):
                raise AccessError(_("Invalid attachment."))
            uploads = self._spid_fresh_uploads(attachment_ids)
            if len(uploads) != len(set(attachment_ids)):
                raise AccessError(_("You can only attach files you have just uploaded."))
            files += [(upload.name, upload.raw or b"", upload.mimetype) for upload in uploads]
            clean["attachment_ids"] = uploads.ids
        self._spid_check_portal_attachments(files)
        if values.get("attachments"):
            clean["attachments"] = [
                (name, content) for name, content, _mimetype in files[: len(values["attachments"])]
            ]
        parent = values.get("parent_id")
        if parent and isinstance(parent, int):
            message = self.env["mail.message"].sudo().browse(parent).exists()
            if (
                message
                and message.model == self._name
                and message.res_id == self.id
                and not message.is_internal
                and not message.subtype_id.internal
            ):
                clean["parent_id"] = message.id
        return clean

    def _spid_fresh_uploads(self, attachment_ids):
        """The current user's own pending uploads (not yet on any message)
        among `attachment_ids`, uploaded in the last day."""
        since = fields.Datetime.now() - timedelta(hours=PENDING_ATTACHMENT_HOURS)
        return (
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

    def _spid_refuse_share_caller(self):
        if self._spid_share_caller():
            raise AccessError(_("This operation is reserved to the helpdesk's agents."))

    def message_notify(self, **kwargs):
        self._spid_refuse_share_caller()
        return super().message_notify(**kwargs)

    def message_post_with_source(self, *args, **kwargs):
        self._spid_refuse_share_caller()
        return super().message_post_with_source(*args, **kwargs)

    def message_mail_with_source(self, *args, **kwargs):
        self._spid_refuse_share_caller()
        return super().message_mail_with_source(*args, **kwargs)

    def message_change_thread(self, new_thread, new_parent_message=False):
        self._spid_refuse_share_caller()
        return super().message_change_thread(new_thread, new_parent_message=new_parent_message)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        self._spid_refuse_share_caller()
        return super().message_new(msg_dict, custom_values=custom_values)

    def message_update(self, msg_dict, update_vals=None):
        self._spid_refuse_share_caller()
        return super().message_update(msg_dict, update_vals=update_vals)

    def rating_get_grades(self, domain=None):
        self._spid_refuse_share_caller()
        return super().rating_get_grades(domain=domain)

    def rating_get_stats(self, domain=None):
        self._spid_refuse_share_caller()
        return super().rating_get_stats(domain=domain)

    def _track_template(self, changes):
        """No status email (the acknowledgement carries the title) for a
        ticket its requester has not confirmed: it may come from anyone."""
        res = super()._track_template(changes)
        if "status_id" in res and not self[:1].portal_confirmed:
            del res["status_id"]
        return res

    # ------------------------------------------------------------------
    # Portal pages
    # ------------------------------------------------------------------

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"
        return res

    @api.model
    def _spid_portal_domain(self, partner=None):
        """The tickets a customer sees: those they asked for, plus every
        ticket of their client when it shares its tickets (grouped), once
        confirmed. The record rule of portal users says the same."""
        partner = partner or self.env.user.partner_id
        client = partner.commercial_partner_id
        if client.spid_team_visibility == "grouped":
            return ["|", ("partner_id", "=", partner.id), ("client_id", "=", client.id)]
        return [("partner_id", "=", partner.id)]

    @api.model
    def _spid_portal_subtypes(self):
        """The messages of a ticket's portal conversation: comments, the
        status emails sent to the requester, the public work units (with
        their files), as the customer was emailed them, and their own edits."""
        return (
            self.env.ref("mail.mt_comment")
            | self.env.ref("spid_helpdesk.mt_customer_email")
            | self.env.ref("spid_helpdesk.mt_workunit_public")
            | self.env.ref("spid_helpdesk_portal.mt_ticket_edited")
        )

    @api.model
    def _spid_portal_categories(self):
        """The categories offered on the portal and public forms: those of
        the current company (the website's, or the customer's)."""
        return (
            self.env["spid.ticket.category"]
            .sudo()
            .search([("company_id", "in", [False, self.env.company.id])])
        )

    def _spid_portal_rating_token(self):
        """The requester's token for Odoo's rating page, while not yet rated.
        Read only: the rating row is made when the closing email is sent, never
        by looking at the page. None when the ticket's team asks for no rating."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket._spid_rating_enabled():
            return False
        ratings = ticket.rating_ids.filtered(lambda rating: rating.partner_id == ticket.partner_id)
        if not ratings or ratings.filtered("consumed"):
            return False
        return ratings.sorted("id")[-1:].access_token

    def _spid_portal_answers(self):
        """[(label, value)] of the custom fields of the ticket's type that the
        portal form asks for, as the requester answered them: the values the
        customer may read, shown on their page (the `properties` field itself
        stays out of PORTAL_READABLE_FIELDS)."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket.type_id:
            return []
        answers = ticket.properties or {}
        shown = []
        for definition in ticket.type_id._spid_portal_property_definitions():
            value = answers.get(definition["name"])
            unanswered = value is None or value is False or value == ""
            if unanswered and definition["type"] != "boolean":
                continue
            if definition["type"] == "selection":
                value = dict(definition.get("selection") or []).get(value, value)
            elif definition["type"] == "boolean":
                value = _("Yes") if value else _("No")
            elif definition["type"] == "date":
                value = format_date(self.env, value)
            shown.append((definition.get("string") or definition["name"], str(value)))
        return shown

    def _spid_portal_workunits(self):
        """Public work units only, never time when the client does not see it."""
        self.ensure_one()
        return self.sudo().workunit_ids.filtered(lambda unit: unit.visibility == "public").sorted("date")

    @api.model
    def _spid_portal_create(self, values, attachments=()):
        """Create a ticket for the current portal user from the portal form:
        only the allowed fields, the user's contact as requester, checked
        category, type and site, and checked attachments; all or nothing."""
        values = clean_form_values(values)
        vals = self._spid_portal_parse(values)
        self._spid_portal_check_choices(vals)
        self._spid_check_portal_attachments(attachments)
        if vals.get("type_id"):
            kind = self.env["spid.ticket.type"].sudo().browse(vals["type_id"])
            properties = kind._spid_portal_properties(values)
            if properties:
                vals["properties"] = properties
        # typed in a text area: kept as text, never as HTML (no remote images)
        vals["description"] = plaintext2html(vals["description"]) if vals.get("description") else False
        partner = self.env.user.partner_id
        vals.update(partner_id=partner.id, client_id=partner.commercial_partner_id.id, channel="portal")
        ticket = self.sudo().with_context(mail_create_nosubscribe=True).create(vals)
        if attachments:
            ticket._spid_portal_attach(attachments, _("Attachments of the request"))
        return ticket.sudo(False)

    @api.model
    def _spid_portal_parse(self, values):
        """The ticket values of the portal form's cleaned `values`: the
        allowed fields only, a title, record ids as positive integers."""
        vals = {key: values[key] for key in PORTAL_CREATE_FIELDS if values.get(key)}
        if not isinstance(vals.get("name") or "", str) or not (vals.get("name") or "").strip():
            raise ValidationError(_("Give your request a title."))
        for key in ("category_id", "type_id", "site_id"):
            if vals.get(key):
                try:
                    vals[key] = int(vals[key])
                except (TypeError, ValueError) as error:
                    raise ValidationError(_("Invalid value for %s.", key)) from error
                if not 0 < vals[key] <= MAX_RECORD_ID:
                    raise ValidationError(_("Invalid value for %s.", key))
        if vals.get("urgency") is not None and vals["urgency"] not in URGENCIES:
            raise ValidationError(_("Invalid urgency."))
        return vals

    @api.model
    def _spid_portal_check_choices(self, vals):
        """The type, category and site chosen on the portal form are ones the
        current portal user may choose."""
        client = self.env.user.partner_id.commercial_partner_id
        Type = self.env["spid.ticket.type"]
        if vals.get("type_id") and not Type.sudo().search_count(
            [("id", "=", vals["type_id"]), *Type._spid_portal_domain()]
        ):
            raise ValidationError(_("This type of request cannot be chosen here."))
        if vals.get("category_id") and vals["category_id"] not in self._spid_portal_categories().ids:
            raise ValidationError(_("Unknown category."))
        if vals.get("site_id"):
            site = self.env["res.partner"].sudo().browse(vals["site_id"]).exists()
            if not site or site.commercial_partner_id != client:
                raise ValidationError(_("This site is not one of yours."))
        if not vals.get("type_id") and self.env.company.spid_type_required:
            raise ValidationError(_("Choose the type of your request."))

    # ------------------------------------------------------------------
    # Files
    # ------------------------------------------------------------------

    @api.model
    def _spid_check_portal_attachments(self, attachments):
        """(name, content, mimetype) triples from a customer or a visitor:
        at most MAX_ATTACHMENTS files of MAX_ATTACHMENT_MB each, of an
        accepted extension, whose bytes look like that extension."""
        attachments = list(attachments or ())
        if len(attachments) > MAX_ATTACHMENTS:
            raise ValidationError(_("Attach %s files at most.", MAX_ATTACHMENTS))
        for name, content, _mimetype in attachments:
            name = name if isinstance(name, str) else ""
            if len(content) > MAX_ATTACHMENT_MB * 1024 * 1024:
                raise ValidationError(
                    _("%(name)s is larger than %(max)s MB.", name=name, max=MAX_ATTACHMENT_MB)
                )
            extension = next((ext for ext in ALLOWED_EXTENSIONS if name.lower().endswith(ext)), None)
            if not extension:
                raise ValidationError(
                    _(
                        "%(name)s: only these files are accepted: %(ext)s",
                        name=name,
                        ext=", ".join(ALLOWED_EXTENSIONS),
                    )
                )
            if not content:
                raise ValidationError(_("%s is empty.", name))
            if (
                guess_mimetype(content, default="application/octet-stream")
                not in EXTENSION_MIMETYPES[extension]
            ):
                raise ValidationError(
                    _(
                        "%(name)s does not contain what its extension (%(ext)s) says.",
                        name=name,
                        ext=extension,
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

    # ------------------------------------------------------------------
    # The customer's actions
    # ------------------------------------------------------------------

    def _spid_portal_check(self):
        """The current portal user may act on these tickets (read access under
        the portal rules, checked as that user)."""
        self.check_access("read")
        if self.env.user._is_public():
            raise AccessError(_("Please sign in."))

    def _spid_portal_reply(self, body, attachments=()):
        self._spid_portal_check()
        body = clean_form_values({"body": body})["body"]
        if not isinstance(body, str) or (not body.strip() and not attachments):
            raise ValidationError(_("Write a message or attach a file."))
        self._spid_check_portal_attachments(attachments)
        for ticket in self:
            # posted as the customer: a public comment to the followers
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
            self.env["spid.ticket.transition"]._spid_check(ticket, status, requester=ticket.partner_id)
            ticket.sudo().write(
                {
                    "status_id": status.id,
                    "resolution": "solved",
                    "epilogue": _("Closed by the requester from the portal."),
                }
            )

    def _spid_portal_can_edit(self):
        """The current user may correct this request on the portal: they are
        its requester, and it is neither closed nor locked."""
        self.ensure_one()
        ticket = self.sudo()
        user = self.env.user
        return (
            not user._is_public()
            and ticket.partner_id == user.partner_id
            and not ticket.is_closed
            and not ticket.is_locked
        )

    def _spid_portal_edit(self, values):
        """The requester corrects the title, description, urgency and the
        type's portal custom fields of their open request, from the portal's
        edit form. Only those fields are written, checked; the changes are
        tracked in one public message of the customer. Nothing is written
        when a value is refused. Returns whether anything changed."""
        self.ensure_one()
        self._spid_portal_check()
        ticket = self.sudo()
        if ticket.partner_id != self.env.user.partner_id:
            raise AccessError(_("Only the requester can edit the request."))
        if ticket.is_locked:
            raise UserError(_("Ticket %s is locked: it can no longer be changed.", ticket.reference))
        if ticket.is_closed:
            raise UserError(_("Ticket %s is closed: reopen it to change it.", ticket.reference))
        vals = ticket._spid_portal_edit_values(clean_form_values(values))
        if not vals:
            return False
        initial = {name: ticket[name] for name in vals}
        # tracked here rather than by the write: one public message of the
        # customer, which their portal conversation shows (a tracking note is
        # internal), carrying the same tracking values for the agents
        ticket.with_context(mail_notrack=True).write(vals)
        tracked = ticket.fields_get(list(vals), attributes=("string", "type", "selection", "currency_field"))
        changes, tracking_values = ticket._mail_track(tracked, initial)
        if not changes:
            return False
        ticket.message_post(
            body=_(
                "Request edited: %(fields)s",
                fields=", ".join(tracked[name]["string"] for name in PORTAL_EDIT_FIELDS if name in changes),
            ),
            message_type="comment",
            subtype_xmlid="spid_helpdesk_portal.mt_ticket_edited",
            author_id=self.env.user.partner_id.id,
            tracking_value_ids=tracking_values,
        )
        return True

    def _spid_portal_edit_values(self, values):
        """The changed values among PORTAL_EDIT_FIELDS from the edit form's
        cleaned `values`: a title, an urgency of the selection, the
        description typed as text, the type's portal custom fields (a field
        left empty is cleared; the type's other custom fields are kept)."""
        self.ensure_one()
        name = values.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(_("Give your request a title."))
        urgency = values.get("urgency")
        if urgency not in URGENCIES:
            raise ValidationError(_("Invalid urgency."))
        description = values.get("description") or ""
        if not isinstance(description, str):
            raise ValidationError(_("Invalid description."))
        # browsers post a text area's line breaks as CRLF
        description = description.replace("\r\n", "\n").replace("\r", "\n")
        vals = {}
        if name.strip() != self.name:
            vals["name"] = name.strip()
        if urgency != self.urgency:
            vals["urgency"] = urgency
        # shown as text in the form: rewritten only when the text changed,
        # so that an email's formatting stays when the customer keeps it
        if description.strip() != html2plaintext(self.description or "").strip():
            vals["description"] = plaintext2html(description.strip()) if description.strip() else False
        if self.type_id:
            current = dict(self.properties or {})
            answers = self.type_id._spid_portal_properties(values)
            properties = dict(current)
            for definition in self.type_id._spid_portal_property_definitions():
                key = definition["name"]
                if key in answers:
                    properties[key] = answers[key]
                elif current.get(key) not in (None, False, ""):
                    properties[key] = False
            if properties != current:
                vals["properties"] = properties
        return vals

    def _spid_portal_reopen(self, reason):
        self._spid_portal_check()
        reason = clean_form_values({"reason": reason})["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError(_("Say why the ticket must be reopened."))
        # _spid_reopen checks the requester and the lock itself
        self._spid_reopen(reason)
