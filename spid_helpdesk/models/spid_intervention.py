import base64
import binascii
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_datetime, is_html_empty

from ..internal import SYSTEM, check_system_fields, switched, with_switch
from .spid_system_fields_mixin import MIXIN_PREFIXES

STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("signed", "Signed"),
    ("cancelled", "Cancelled"),
]
# What a done intervention keeps as it was when its time was logged: its
# work units were made from them (reset it to planned to change them).
FROZEN_WHEN_DONE = {"duration_done", "user_ids", "ticket_id", "billable"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class SpidIntervention(models.Model):
    """A visit or job on site for a ticket: planned in the technicians'
    calendars, reported on site, its time logged as work units of the
    ticket, signed by the customer (on the portal), after which nothing of
    it changes. State, signature and what they bring are written by the
    helpdesk's own methods only (spid.system.fields.mixin)."""

    _name = "spid.intervention"
    _inherit = [
        "spid.system.fields.mixin",
        "spid.ticket.part.mixin",
        "spid.readable.fields.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _description = "Intervention"
    _order = "date_planned desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/", index="trigram")
    ticket_id = fields.Many2one(
        "spid.ticket", string="Ticket", required=True, index=True, ondelete="cascade", tracking=True
    )
    user_ids = fields.Many2many(
        "res.users",
        "spid_intervention_user_rel",
        "intervention_id",
        "user_id",
        string="Technicians",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
        help="The agents who go on site: the intervention is in their calendars and each of them logs"
        " the time on site as a work unit of the ticket.",
    )
    date_planned = fields.Datetime(
        string="Planned on", required=True, tracking=True, help="When the technicians are expected on site."
    )
    duration_planned = fields.Float(
        string="Planned hours", default=1.0, tracking=True, help="Expected time on site, in hours."
    )
    date_end_planned = fields.Datetime(
        string="Planned end", compute="_compute_date_end_planned", help="The planned date plus its duration."
    )
    event_id = fields.Many2one(
        "calendar.event",
        string="Calendar event",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The meeting in the technicians' calendars, moved with the planned date.",
    )
    site_id = fields.Many2one(
        "res.partner",
        string="Site",
        compute="_compute_site_id",
        store=True,
        readonly=False,
        domain="['|', ('id', '=', client_id), '&', ('parent_id', '=', client_id),"
        " ('type', 'in', ('delivery', 'other'))]",
        tracking=True,
        help="Where the intervention takes place: an address of the ticket's client (the ticket's site"
        " by default).",
    )
    client_id = fields.Many2one(related="ticket_id.client_id", store=True, index=True, string="Client")
    partner_id = fields.Many2one(related="ticket_id.partner_id", string="Requester")
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    instructions = fields.Html(
        help="What the technicians are to do, filled at creation from the work order text of the"
        " ticket's type."
    )
    report = fields.Html(help="What was done on site, written by the technicians; the customer signs it.")
    duration_done = fields.Float(
        string="Hours on site",
        help="Time each technician spent on site, in hours: logged as one work unit per technician.",
    )
    material_ids = fields.One2many(
        "spid.intervention.material", "intervention_id", string="Materials", copy=True
    )
    workunit_ids = fields.One2many(
        "spid.workunit",
        "intervention_id",
        string="Work units",
        readonly=True,
        help="The time of the intervention, logged on the ticket when it was done.",
    )
    billable = fields.Boolean(
        default=True,
        tracking=True,
        help="Its work units are billable: invoiced with the ticket (with the intervention tariffs).",
    )
    state = fields.Selection(
        STATES, required=True, default="planned", readonly=True, copy=False, index=True, tracking=True
    )
    signature = fields.Binary(readonly=True, copy=False, attachment=True, help="The customer's signature.")
    signed_by = fields.Char(readonly=True, copy=False, tracking=True, help="Name of who signed.")
    signed_on = fields.Datetime(readonly=True, copy=False, tracking=True)
    color = fields.Integer(compute="_compute_color", string="Color Index")
    may_send_for_signature = fields.Boolean(
        compute="_compute_may_send_for_signature",
        help="A signature page exists (portal) and the intervention is done.",
    )

    _sql_constraints = [
        ("duration_planned_positive", "CHECK(duration_planned >= 0)", "Planned hours cannot be negative."),
        ("duration_done_positive", "CHECK(duration_done >= 0)", "Hours on site cannot be negative."),
    ]

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("ticket_id")
    def _compute_site_id(self):
        for intervention in self:
            intervention.site_id = intervention.ticket_id.site_id or intervention.ticket_id.client_id

    @api.depends("date_planned", "duration_planned")
    def _compute_date_end_planned(self):
        for intervention in self:
            intervention.date_end_planned = intervention.date_planned and (
                intervention.date_planned + timedelta(hours=intervention.duration_planned or 0)
            )

    @api.depends("state")
    def _compute_color(self):
        colors = {"planned": 4, "done": 2, "signed": 10, "cancelled": 1}
        for intervention in self:
            intervention.color = colors.get(intervention.state, 0)

    @api.depends("state")
    def _compute_may_send_for_signature(self):
        for intervention in self:
            intervention.may_send_for_signature = intervention.state == "done" and bool(
                intervention._spid_signature_url()
            )

    @api.constrains("site_id", "ticket_id")
    def _check_site(self):
        for intervention in self:
            site, client = intervention.site_id, intervention.client_id
            if site and client and site != client and site.commercial_partner_id != client:
                raise ValidationError(
                    _(
                        "The site %(site)s is not an address of the client %(client)s.",
                        site=site.display_name,
                        client=client.display_name,
                    )
                )

    @api.constrains("user_ids")
    def _check_technicians(self):
        for intervention in self:
            if intervention.user_ids.filtered("share"):
                raise ValidationError(_("Technicians are internal users (agents)."))

    @api.constrains("duration_planned", "duration_done")
    def _check_durations(self):
        for intervention in self:
            if intervention.duration_planned > 24 or intervention.duration_done > 24:
                raise ValidationError(_("An intervention lasts at most 24 hours."))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # the caller's values are checked here, then the reference and the
        # instructions are ours to fill (the mixin's check would refuse them)
        check_system_fields(self, vals_list, exempt_prefixes=MIXIN_PREFIXES)
        tickets = self.env["spid.ticket"].browse(
            {vals["ticket_id"] for vals in vals_list if vals.get("ticket_id")}
        )
        self._spid_check_locked(tickets)
        instructions = self._spid_instructions(
            tickets.browse(
                {
                    vals["ticket_id"]
                    for vals in vals_list
                    if vals.get("ticket_id") and not vals.get("instructions")
                }
            )
        )
        for vals in vals_list:
            if vals.get("ticket_id") and not vals.get("instructions"):
                vals["instructions"] = instructions.get(vals["ticket_id"]) or False
            company = self.env["spid.ticket"].browse(vals.get("ticket_id")).company_id
            vals["name"] = (
                self.env["ir.sequence"].with_company(company or self.env.company).next_by_code(self._name)
                or "/"
            )
        interventions = (
            super(SpidIntervention, with_switch(self, SYSTEM)).create(vals_list).with_env(self.env)
        )
        interventions._spid_sync_events()
        interventions._spid_subscribe_technicians()
        return interventions

    def write(self, vals):
        self._spid_check_editable(vals)
        result = super().write(vals)
        if {"date_planned", "duration_planned", "user_ids", "ticket_id", "site_id"} & set(vals):
            self._spid_sync_events()
        if "user_ids" in vals:
            self._spid_subscribe_technicians()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(intervention.state in ("done", "signed") for intervention in self):
            raise UserError(
                _("A done or signed intervention cannot be deleted: reset it to planned or cancel it first.")
            )

    def unlink(self):
        events = self.sudo().event_id
        result = super().unlink()
        events.unlink()
        return result

    def _spid_check_editable(self, vals):
        """A signed intervention is final: no field of it changes, whatever
        the caller or context (only its chatter). A done one keeps what its
        work units were made from."""
        changed = {name for name in vals if not name.startswith(MIXIN_PREFIXES)}
        if not changed:
            return
        if "signed" in self.mapped("state"):
            raise UserError(_("A signed intervention can no longer be changed."))
        frozen = changed & FROZEN_WHEN_DONE
        if frozen and "done" in self.mapped("state") and not switched(self.env, SYSTEM):
            raise UserError(
                _(
                    "The time of a done intervention is logged on its ticket: reset it to planned to change"
                    " %(fields)s.",
                    fields=", ".join(
                        self._fields[name].get_description(self.env)["string"] for name in sorted(frozen)
                    ),
                )
            )

    @api.model
    def _spid_check_locked(self, tickets):
        # the helpdesk's own bookkeeping passes (our sudo() under the SYSTEM
        # switch, after the caller's checks): the customer's signature may
        # come after the invoice that locked the ticket
        if self.env.su and switched(self.env, SYSTEM):
            return
        locked = tickets.filtered("is_locked")
        if locked:
            raise UserError(
                _("Ticket %s is locked: its interventions can no longer change.", locked[0].reference)
            )

    # ------------------------------------------------------------------
    # Instructions and calendar
    # ------------------------------------------------------------------

    @api.model
    def _spid_instructions(self, tickets):
        """{ticket id: the work order text of its type, filled for it}."""
        Report = self.env["report.spid_helpdesk.report_spid_workorder"]
        result = {}
        for ticket in tickets.filtered(lambda ticket: not is_html_empty(ticket.type_id.workorder_template)):
            lang = ticket.partner_id.lang or self.env.lang
            rows = Report.with_context(lang=lang)._spid_property_rows(ticket)
            units = ticket.workunit_ids.filtered(lambda unit: unit.visibility == "public").sorted("date")
            result[ticket.id] = Report.with_context(lang=lang)._spid_render_workorder(
                ticket.type_id.workorder_template, ticket, dict(rows), units
            )
        return result

    def _spid_event_values(self):
        self.ensure_one()
        return {
            # the ticket's reference, not its title: private to the
            # technicians (the other employees see "Busy"), who alone may
            # read or move it
            "name": _("Intervention %(name)s: %(ticket)s", name=self.name, ticket=self.ticket_id.reference),
            "privacy": "private",
            "start": self.date_planned,
            "stop": self.date_planned + timedelta(hours=max(self.duration_planned, 0.25)),
            "partner_ids": [Command.set(self.user_ids.partner_id.ids)],
            "location": self.site_id._display_address(without_company=False).replace("\n", ", ")
            if self.site_id
            else False,
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "user_id": (self.user_ids[:1] or self.env.user).id,
        }

    def _spid_sync_events(self):
        """One calendar event per planned intervention, in its technicians'
        calendars, moved with it; none for the others. The technicians are
        the attendees and receive no invitation email (they follow the
        intervention instead); the customer is not an attendee."""
        Event = self.env["calendar.event"].sudo().with_context(no_mail_to_attendees=True, dont_notify=True)
        planned = self.filtered(
            lambda intervention: intervention.state == "planned" and intervention.date_planned
        )
        stale = (self - planned).sudo().event_id
        if stale:
            with_switch(self - planned, SYSTEM).write({"event_id": False})
            stale.unlink()
        to_create = planned.filtered(lambda intervention: not intervention.sudo().event_id)
        for intervention in planned - to_create:
            intervention.sudo().event_id.write(intervention._spid_event_values())
        if to_create:
            events = Event.create([intervention._spid_event_values() for intervention in to_create])
            for intervention, event in zip(to_create, events, strict=True):
                with_switch(intervention, SYSTEM).event_id = event

    def _spid_subscribe_technicians(self):
        """The technicians follow their interventions (Odoo's notice of the
        visit, instead of calendar invitations), one call per team of them."""
        by_technicians = defaultdict(lambda: self.browse())
        for intervention in self:
            by_technicians[intervention.user_ids] |= intervention
        for users, interventions in by_technicians.items():
            interventions.message_subscribe(partner_ids=users.partner_id.ids)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_done(self):
        """Done on site: needs a report and the hours on site; logs them as
        one public work unit per technician on the ticket."""
        for intervention in self:
            if intervention.state != "planned":
                raise UserError(_("Only a planned intervention can be marked done (%s).", intervention.name))
            if is_html_empty(intervention.report) or intervention.duration_done <= 0:
                raise UserError(
                    _(
                        "Write the report and the hours on site of intervention %s before marking it done.",
                        intervention.name,
                    )
                )
        self.check_access("write")
        units = []
        for intervention in self:
            description = Markup("<p>%s</p>%s") % (
                _("Intervention %s", intervention.name),
                intervention.report,
            )
            units += [
                {
                    "ticket_id": intervention.ticket_id.id,
                    "intervention_id": intervention.id,
                    "user_id": user.id,
                    "date": intervention.date_planned,
                    "duration": intervention.duration_done,
                    "action_type": "event",
                    "visibility": "public",
                    "billable": intervention.billable,
                    "description": description,
                }
                for user in intervention.user_ids
            ]
        # the technicians' time, logged by whoever closes the visit
        self.env["spid.workunit"].sudo().create(units)
        with_switch(self, SYSTEM).write({"state": "done"})
        self._spid_sync_events()
        return True

    def action_cancel(self):
        """Cancelled (from planned or done): its calendar event goes, its
        work units too (refused when they are invoiced)."""
        if any(intervention.state not in ("planned", "done") for intervention in self):
            raise UserError(_("Only a planned or done intervention can be cancelled."))
        self.check_access("write")
        self.sudo().workunit_ids.unlink()
        with_switch(self, SYSTEM).write({"state": "cancelled"})
        self._spid_sync_events()
        return True

    def action_reset(self):
        """Back to planned (from done or cancelled): the work units of a done
        one are removed, refused when they are invoiced or the ticket locked."""
        if any(intervention.state not in ("done", "cancelled") for intervention in self):
            raise UserError(_("Only a done or cancelled intervention can be reset to planned."))
        self.check_access("write")
        self._spid_check_locked(self.ticket_id)
        self.sudo().workunit_ids.unlink()
        with_switch(self, SYSTEM).write({"state": "planned"})
        self._spid_sync_events()
        return True

    def action_print(self):
        return self.env.ref("spid_helpdesk.action_report_intervention").report_action(self)

    def action_send_for_signature(self):
        """Email the requester the link of the intervention's signature page."""
        self.ensure_one()
        self.check_access("write")
        url = self._spid_signature_url()
        if self.state != "done" or not url:
            raise UserError(
                _("Only a done intervention can be sent for signature, once the portal is installed.")
            )
        if not self.ticket_id.partner_id:
            raise UserError(_("The ticket %s has no requester to sign.", self.ticket_id.reference))
        body = Markup("<p>%s</p><p><a href='%s'>%s</a></p>") % (
            _("Please review and sign the report of intervention %s.", self.name),
            url,
            _("Review and sign"),
        )
        self.ticket_id.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.ticket_id.partner_id.ids,
        )
        return True

    def _spid_signature_url(self):
        """The page where the requester signs; the portal addon gives it."""
        return False

    def _spid_sign(self, name, signature):
        """The customer signs a done intervention: signature (base64 PNG),
        name and date are stored, the signed report is rendered as PDF,
        attached to the ticket and sent to the requester in a public message.
        Not reachable over RPC (private); callers check access first."""
        self.ensure_one()
        name = (name or "").strip()
        if self.state != "done":
            raise UserError(_("Only a done intervention can be signed (%s).", self.name))
        if not name:
            raise UserError(_("Enter the name of who signs."))
        try:
            image = base64.b64decode(signature or b"", validate=True)
        except (binascii.Error, ValueError, TypeError):
            image = b""
        if not image.startswith(PNG_MAGIC):
            raise UserError(_("The signature must be a PNG image."))
        intervention = with_switch(self.sudo(), SYSTEM)
        intervention.write(
            {
                "signature": signature,
                "signed_by": name[:128],
                "signed_on": fields.Datetime.now(),
                "state": "signed",
            }
        )
        pdf, _kind = (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("spid_helpdesk.action_report_intervention", intervention.ids)
        )
        ticket = intervention.ticket_id
        # the PDF may come after the invoice that locked the ticket: written
        # by the helpdesk (SYSTEM), as the locked ticket's files are
        attachment = with_switch(self.env["ir.attachment"].sudo(), SYSTEM).create(
            {
                "name": _("Intervention %s - signed.pdf", intervention.name).replace("/", "-"),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": "spid.ticket",
                "res_id": ticket.id,
            }
        )
        attachment.generate_access_token()
        # told by the technician (in the team's voice), not by the signer:
        # Odoo leaves the current user out of a message's recipients
        technician = intervention.user_ids.filtered("active")[:1] or ticket.user_id or self.env.user
        with_switch(ticket.with_user(technician).sudo(), SYSTEM).message_post(
            body=Markup("<p>%s</p>")
            % _(
                "The report of intervention %(name)s was signed by %(signer)s on %(date)s: the signed PDF is"
                " attached.",
                name=intervention.name,
                signer=name,
                date=format_datetime(self.env, intervention.signed_on, tz=ticket.partner_id.tz),
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=ticket.partner_id.ids,
            attachment_ids=attachment.ids,
        )
        return attachment

    def _spid_check_materials_editable(self):
        """Materials change with their intervention: not once it is signed,
        and only for who may change it."""
        if "signed" in self.sudo().mapped("state"):
            raise UserError(_("A signed intervention can no longer be changed."))
        if not self.env.su:
            self.check_access("write")


class SpidInterventionMaterial(models.Model):
    _name = "spid.intervention.material"
    _description = "Intervention material"
    _order = "intervention_id, sequence, id"

    intervention_id = fields.Many2one("spid.intervention", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Material", required=True, help="What was used or fitted on site.")
    quantity = fields.Float(default=1.0)
    note = fields.Char(help="Serial number, reference, remark.")

    @api.model_create_multi
    def create(self, vals_list):
        self.env["spid.intervention"].browse(
            {vals["intervention_id"] for vals in vals_list if vals.get("intervention_id")}
        )._spid_check_materials_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.intervention_id._spid_check_materials_editable()
        if vals.get("intervention_id"):
            self.env["spid.intervention"].browse(vals["intervention_id"])._spid_check_materials_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_signed(self):
        self.intervention_id._spid_check_materials_editable()
