from collections import defaultdict

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_duration, is_html_empty

from ..internal import IMPORTING, switched, with_switch

# where an upload waits for its record: the form's file widget uploads on a
# new unit with res_id 0, the chatter composer on mail.compose.message
PENDING_MODELS = (False, "spid.workunit", "mail.compose.message")

ACTION_TYPES = [
    ("question", "Question"),
    ("answer", "Answer"),
    ("instruction", "Instruction"),
    ("information", "Information"),
    ("motive", "Motive"),
    ("event", "Event"),
    ("document", "Document"),
    ("solution", "Solution"),
]


class SpidWorkunit(models.Model):
    _name = "spid.workunit"
    _inherit = ["spid.system.fields.mixin", "spid.ticket.part.mixin"]
    _description = "Work unit"
    _order = "date desc, id desc"
    _check_company_auto = True

    ticket_id = fields.Many2one("spid.ticket", string="Ticket", required=True, index=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users", string="Done by", required=True, index=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(
        required=True, index=True, default=fields.Datetime.now, help="When the work was done."
    )
    duration = fields.Float(
        string="Hours",
        default=lambda self: self.env.company.spid_default_duration,
        help="Time spent, in hours.",
    )
    action_type = fields.Selection(ACTION_TYPES, string="Action", required=True, default="information")
    description = fields.Html(index="trigram")
    visibility = fields.Selection(
        [("internal", "Internal"), ("public", "Public")],
        required=True,
        default="internal",
        help="Public work units are shown and sent to the customer; internal ones never are.",
    )
    billable = fields.Boolean(default=True)
    shared_user_ids = fields.Many2many(
        "res.users",
        "spid_workunit_shared_user_rel",
        "workunit_id",
        "user_id",
        string="Worked with",
    )
    post_id = fields.Many2one(
        "mail.message",
        string="Chatter post",
        readonly=True,
        copy=False,
        help="The unit's post in the ticket's conversation: made internal with the unit.",
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "spid_workunit_attachment_rel",
        "workunit_id",
        "attachment_id",
        string="Attachments",
        help="Files of the work: they belong to the unit and travel with its post in the ticket's"
        " conversation (to the customer for a public unit, by email and on the portal; never for an"
        " internal one).",
    )
    intervention_id = fields.Many2one(
        "spid.intervention",
        string="Intervention",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The intervention whose time on site this unit logs.",
    )
    client_id = fields.Many2one(related="ticket_id.client_id", store=True, index=True)
    team_id = fields.Many2one(related="ticket_id.team_id", store=True)
    # stored for the time analysis (spid.workunit.report), which then reads
    # the work units alone
    category_id = fields.Many2one(related="ticket_id.category_id", store=True)
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    cost = fields.Monetary(
        compute="_compute_cost",
        store=True,
        precompute=True,
        currency_field="company_currency_id",
        groups="spid_helpdesk.group_spid_supervisor",
        help="Hours times the agent's hourly cost when the unit was logged (or its hours or agent"
        " last changed): a later change of the hourly cost leaves it as it is.",
    )

    @api.depends("ticket_id.reference", "date", "user_id")
    def _compute_display_name(self):
        for unit in self:
            unit.display_name = (
                f"{unit.ticket_id.reference or ''} {unit.user_id.name or ''} {unit.date or ''}".strip()
            )

    @api.depends("duration", "user_id")
    def _compute_cost(self):
        # the agent's cost at this moment, not a dependency: logged costs stay
        for company, units in self.grouped("company_id").items():
            costs = units.user_id._spid_hourly_costs(company or self.env.company)
            for unit in units:
                unit.cost = unit.duration * costs.get(unit.user_id.id, 0.0)

    @api.constrains("duration")
    def _check_duration(self):
        for unit in self:
            if unit.duration < 0 or unit.duration > 24:
                raise ValidationError(_("A work unit lasts between 0 and 24 hours (got %s).", unit.duration))

    @api.model_create_multi
    def create(self, vals_list):
        units = super().create(vals_list)
        units._spid_check_done_by_self()
        if any(vals.get("attachment_ids") for vals in vals_list):
            units._spid_claim_attachments()
            units._spid_share_public_files()
        units._spid_notify()
        return units

    def write(self, vals):
        if "user_id" in vals:
            self._spid_check_done_by_self(vals["user_id"])
        files_before = {unit: unit.attachment_ids for unit in self} if "attachment_ids" in vals else {}
        now_internal = (
            self.filtered(lambda unit: unit.visibility == "public")
            if vals.get("visibility") == "internal"
            else self.browse()
        )
        result = super().write(vals)
        if files_before:
            self._spid_claim_attachments()
            self._spid_files_changed(files_before)
        if now_internal:
            now_internal._spid_withdraw_files()
        if files_before or vals.get("visibility") == "public":
            self._spid_share_public_files()
        return result

    @api.model
    def load(self, fields, data):
        """Odoo's import: historical work is logged without notifications."""
        return super(SpidWorkunit, with_switch(self, IMPORTING)).load(fields, data)

    def _spid_check_done_by_self(self, user_id=None):
        """Work is logged as oneself: only a supervisor (or the system) logs
        time for someone else. `user_id`: the value being written, else the
        units' own."""
        if self.env.su or self.env.user.has_group("spid_helpdesk.group_spid_supervisor"):
            return
        if user_id is not None:
            others = user_id != self.env.uid
        else:
            others = any(unit.user_id != self.env.user for unit in self)
        if others:
            raise UserError(
                _(
                    "You log your own work only: the agent of a work unit must be you (%s)."
                    " A supervisor may log time for someone else.",
                    self.env.user.name,
                )
            )

    def _spid_claim_attachments(self):
        """The files of a unit belong to it: an upload still waiting for its
        record (made by the current user) is given to the unit; a file of
        another record is refused, since linking it would publish a file of
        another document with the unit (its access follows its own record)."""
        for unit in self:
            files = unit.attachment_ids.sudo()
            pending = files.filtered(
                lambda attachment: attachment.res_model in PENDING_MODELS
                and not attachment.res_id
                and (self.env.su or attachment.create_uid.id == self.env.uid)
            )
            foreign = (files - pending).filtered(
                lambda attachment, unit=unit: (attachment.res_model, attachment.res_id)
                != (self._name, unit.id)
            )
            if foreign:
                raise UserError(
                    _(
                        "The file %(file)s belongs to another record: upload it on the work unit itself.",
                        file=foreign[0].name,
                    )
                )
            if pending:
                pending.write({"res_model": self._name, "res_id": unit.id})

    def _spid_files_changed(self, files_before):
        """Files added to an existing unit are posted as its first files were
        (same audience); files taken off the unit are deleted, so that they
        also leave its post (emails already sent keep them)."""
        for unit, before in files_before.items():
            added = unit.attachment_ids - before
            removed = (
                (before - unit.attachment_ids)
                .sudo()
                .filtered(
                    lambda attachment, unit=unit: attachment.res_model == self._name
                    and attachment.res_id == unit.id
                )
            )
            if removed:
                removed.unlink()
            if added:
                unit._spid_post(_("Files added to the work unit of %(user)s", user=unit.user_id.name), added)

    def _spid_withdraw_files(self):
        """A public unit turned internal: its post becomes an internal note
        (out of the customer's portal conversation), its files leave the
        public posts of its ticket and lose their share links, so the
        customer can no longer download them (an email already sent keeps
        what it carried)."""
        self.sudo().post_id.filtered(lambda post: not post.subtype_id.internal).write(
            {"subtype_id": self.env.ref("spid_helpdesk.mt_workunit_internal").id, "is_internal": True}
        )
        files = self.sudo().attachment_ids
        if not files:
            return
        posts = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "spid.ticket"),
                    ("res_id", "in", self.ticket_id.ids),
                    ("attachment_ids", "in", files.ids),
                    ("subtype_id.internal", "=", False),
                ]
            )
        )
        posts.write({"attachment_ids": [Command.unlink(file.id) for file in files]})
        files.write({"access_token": False})

    def _spid_share_public_files(self):
        """The files of public units get their share link's token when they
        are attached or the unit is made public: the customer's ticket page
        then only reads them (a readonly route, served by a read replica)."""
        self.sudo().filtered(lambda unit: unit.visibility == "public").attachment_ids.generate_access_token()

    def _spid_portal_files(self):
        """{unit id: files} of public units, each with its share link's token
        (the portal's work done lists them); internal units have none. The
        tokens exist since the files were attached (_spid_share_public_files):
        one missing here (a file older than that) is written now."""
        public = self.sudo().filtered(lambda unit: unit.visibility == "public")
        missing = public.attachment_ids.filtered(lambda attachment: not attachment.access_token)
        if missing:
            missing.generate_access_token()
        return {unit.id: unit.attachment_ids for unit in public}

    @api.model
    def _spid_check_locked(self, tickets):
        locked = tickets.filtered("is_locked")
        if locked:
            raise UserError(
                _("Ticket %s is locked: its work units can no longer change.", locked[0].reference)
            )

    def _spid_notify(self):
        """Post each new unit on its ticket: public ones reach every follower,
        internal ones only the internal followers (internal subtype). Units
        of an import are logged in one batch, dated as the work, without
        notifying anyone (no email per historical unit)."""
        public = self.env.ref("spid_helpdesk.mt_workunit_public")
        internal = self.env.ref("spid_helpdesk.mt_workunit_internal")
        imported = switched(self.env, IMPORTING)
        logs, logged, posts = [], [], {}
        for unit in self:
            action = dict(self._fields["action_type"]._description_selection(self.env))[unit.action_type]
            header = _("%(action)s by %(user)s", action=action, user=unit.user_id.name)
            if unit.visibility == "internal":
                header = _("%(header)s, %(hours)s h", header=header, hours=format_duration(unit.duration))
            body = Markup("<p><b>%s</b></p>%s") % (
                header,
                Markup() if is_html_empty(unit.description) else unit.description,
            )
            subtype = public if unit.visibility == "public" else internal
            if imported:
                logs.append(
                    {
                        "model": unit.ticket_id._name,
                        "res_id": unit.ticket_id.id,
                        "message_type": "comment",
                        "subtype_id": subtype.id,
                        "is_internal": unit.visibility == "internal",
                        "body": body,
                        "author_id": unit.user_id.partner_id.id,
                        "email_from": unit.user_id.partner_id.email_formatted,
                        "record_name": unit.ticket_id.display_name,
                        "date": unit.date,
                    }
                )
                if unit.attachment_ids:
                    logs[-1]["attachment_ids"] = [Command.set(unit.attachment_ids.ids)]
                logged.append(unit)
                continue
            posts[unit] = unit.ticket_id.message_post(
                body=body,
                message_type="comment",
                subtype_id=subtype.id,
                attachment_ids=unit.attachment_ids.ids,
            )
        if logs:
            self._spid_set_reply_to(logs)
            posts.update(zip(logged, self.env["mail.message"].sudo().create(logs)))
        for unit, post in posts.items():  # the unit keeps its post (made internal with it)
            unit.sudo().post_id = post

    def _spid_post(self, header, files):
        """Post `files` of this unit under `header`, to the unit's audience."""
        self.ensure_one()
        public = self.visibility == "public"
        self.ticket_id.message_post(
            body=Markup("<p><b>%s</b></p>") % header,
            message_type="comment",
            subtype_xmlid="spid_helpdesk.mt_workunit_public"
            if public
            else "spid_helpdesk.mt_workunit_internal",
            attachment_ids=files.ids,
        )

    def _spid_set_reply_to(self, logs):
        """Give the messages of an import their Reply-To in one call per
        author, which mail.message would otherwise look up message by message."""
        by_author = defaultdict(list)
        for values in logs:
            by_author[values["email_from"]].append(values)
        Ticket = self.env["spid.ticket"].sudo()
        for email_from, values_list in by_author.items():
            tickets = Ticket.browse({values["res_id"] for values in values_list})
            reply_to = tickets._notify_get_reply_to(default=email_from)
            for values in values_list:
                values["reply_to"] = reply_to[values["res_id"]]
