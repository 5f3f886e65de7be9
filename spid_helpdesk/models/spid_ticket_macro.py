import logging

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import OrderedSet, format_duration, is_html_empty

from .spid_ticket import LEVELS, RESOLUTIONS
from .spid_workunit import ACTION_TYPES

_logger = logging.getLogger(__name__)

# What a run keeps of the caller's context: the language and time zone of
# the texts, the companies the user works in (Odoo checks them against the
# user's own). Every other key (`default_*` values for the work units and
# messages, `tracking_disable`, `active_test`...) is the caller's choice and
# stays out: a macro does the same thing whoever calls it and however.
KEPT_CONTEXT = ("lang", "tz", "allowed_company_ids")


class SpidTicketMacro(models.Model):
    """One click that does what an agent does by hand, in a fixed order:
    team, owner, priority, custom fields, work unit, reply, status (or
    closing). Each step goes through the same server method as the form's
    button or field, as the user who runs it: a macro never does what that
    user could not do by hand."""

    _name = "spid.ticket.macro"
    _description = "Ticket macro"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, index=True, default=lambda self: self.env.company
    )
    team_ids = fields.Many2many(
        "spid.team",
        "spid_ticket_macro_team_rel",
        "macro_id",
        "team_id",
        string="Teams",
        check_company=True,
        help="The teams whose agents run this macro, on tickets of these teams; empty = every team.",
    )
    description = fields.Text(help="When to use it, for the agents.")

    # 1. routing
    set_team_id = fields.Many2one(
        "spid.team", string="Set team", check_company=True, help="Move the ticket to this team."
    )
    owner_mode = fields.Selection(
        [("me", "The agent running the macro"), ("user", "A given agent"), ("nobody", "Nobody")],
        string="Set owner",
        help="The agent running it takes the ticket as with the Take it button (their team's tickets"
        " only); a given agent or nobody is written as in the Owner field.",
    )
    set_user_id = fields.Many2one(
        "res.users",
        string="Owner to set",
        domain=lambda self: self.env["res.users"]._spid_agent_domain(),
    )
    set_priority = fields.Selection(LEVELS, string="Set priority")
    # 2. custom fields of one ticket type
    type_id = fields.Many2one(
        "spid.ticket.type",
        string="Custom fields of type",
        help="The ticket type whose custom fields (tags, choices...) the macro fills in; it runs only on"
        " tickets of that type.",
    )
    properties = fields.Properties(
        string="Custom field values",
        definition="type_id.properties_definition",
        help="The values written on the ticket; the fields left empty are not changed.",
    )
    # 3. time
    workunit_minutes = fields.Integer(
        string="Log minutes", help="Log a work unit of this many minutes, done by the agent running it."
    )
    workunit_action_type = fields.Selection(ACTION_TYPES, string="Work unit action", default="solution")
    workunit_billable = fields.Boolean(string="Billable", default=True)
    workunit_description = fields.Text(string="Work unit description")
    # 4. reply
    template_id = fields.Many2one(
        "mail.template",
        string="Reply with",
        domain=[("model", "=", "spid.ticket")],
        help="Rendered as the agent running the macro, on each ticket.",
    )
    reply_mode = fields.Selection(
        [("comment", "Reply to the customer"), ("note", "Internal note")],
        string="Post as",
        default="comment",
        required=True,
    )
    # 5. status, or closing
    status_id = fields.Many2one(
        "spid.ticket.status",
        string="Set status",
        help="Along the workflow's transitions, as the status bar: a status the agent could not choose"
        " by hand refuses the macro. A closing status closes the ticket as the Close button does.",
    )
    is_closing = fields.Boolean(related="status_id.is_closed", string="Closes")
    resolution = fields.Selection(RESOLUTIONS, default="solved")
    epilogue = fields.Html(help="How the ticket ended, for the requester (closing only).")
    preview = fields.Html(compute="_compute_preview", string="What it does")

    @api.depends(
        "set_team_id",
        "owner_mode",
        "set_user_id",
        "set_priority",
        "type_id",
        "properties",
        "workunit_minutes",
        "workunit_action_type",
        "workunit_billable",
        "template_id",
        "reply_mode",
        "status_id",
        "resolution",
    )
    def _compute_preview(self):
        for macro in self:
            steps = macro._spid_steps()
            macro.preview = (
                Markup("<ol>%s</ol>") % Markup().join(Markup("<li>%s</li>") % step for step in steps)
                if steps
                else False
            )

    def _spid_steps(self):
        """What this macro does, one sentence per step, in the order it runs."""
        self.ensure_one()
        steps = []
        if self.set_team_id:
            steps.append(_("Move the ticket to team %s", self.set_team_id.name))
        if self.owner_mode == "me":
            steps.append(_("Take the ticket (you become its owner)"))
        elif self.owner_mode == "user" and self.set_user_id:
            steps.append(_("Give the ticket to %s", self.set_user_id.name))
        elif self.owner_mode == "nobody":
            steps.append(_("Remove the ticket's owner"))
        if self.set_priority:
            steps.append(
                _(
                    "Set the priority to %s",
                    dict(self._fields["set_priority"]._description_selection(self.env))[self.set_priority],
                )
            )
        values = self._spid_property_values()
        if values:
            labels = {
                prop["name"]: prop.get("string") or prop["name"]
                for prop in self.type_id.properties_definition or []
            }
            steps.append(
                _(
                    "Fill in %(fields)s (type %(type)s)",
                    fields=", ".join(labels.get(n, n) for n in values),
                    type=self.type_id.name,
                )
            )
        if self.workunit_minutes:
            steps.append(
                _(
                    "Log %(duration)s of work (%(action)s, %(billable)s)",
                    duration=format_duration(self.workunit_minutes / 60),
                    action=dict(self._fields["workunit_action_type"]._description_selection(self.env)).get(
                        self.workunit_action_type, ""
                    ),
                    billable=_("billable") if self.workunit_billable else _("not billable"),
                )
            )
        if self.template_id:
            if self.reply_mode == "comment":
                steps.append(_("Reply to the customer with “%s”", self.template_id.name))
            else:
                steps.append(_("Log an internal note with “%s”", self.template_id.name))
        if self.status_id.is_closed:
            steps.append(
                _(
                    "Close the ticket (%(status)s, %(resolution)s)",
                    status=self.status_id.name,
                    resolution=dict(self._fields["resolution"]._description_selection(self.env)).get(
                        self.resolution, ""
                    ),
                )
            )
        elif self.status_id:
            steps.append(_("Move the ticket to %s", self.status_id.name))
        return [escape(step) for step in steps]

    # ------------------------------------------------------------------
    # Constraints: a macro that says what it does
    # ------------------------------------------------------------------

    @api.constrains(
        "owner_mode",
        "set_user_id",
        "status_id",
        "epilogue",
        "resolution",
        "workunit_minutes",
        "template_id",
        "set_team_id",
        "set_priority",
        "type_id",
    )
    def _check_actions(self):
        for macro in self:
            if macro.owner_mode == "user" and not macro.set_user_id:
                raise ValidationError(_("Macro %s: choose the agent who becomes the owner.", macro.name))
            if macro.status_id.is_closed and (not macro.resolution or is_html_empty(macro.epilogue)):
                raise ValidationError(
                    _("Macro %s closes tickets: give the resolution and the epilogue.", macro.name)
                )
            if macro.workunit_minutes < 0:
                raise ValidationError(_("Macro %s: the minutes to log cannot be negative.", macro.name))
            if macro.template_id and macro.template_id.model != "spid.ticket":
                raise ValidationError(_("Macro %s: the reply template must be one of tickets.", macro.name))
            if not macro._spid_steps():
                raise ValidationError(_("Macro %s does nothing: choose at least one action.", macro.name))

    # ------------------------------------------------------------------
    # Running
    # ------------------------------------------------------------------

    def _spid_clean(self):
        """This macro in an environment with only the context keys a run
        keeps (KEPT_CONTEXT)."""
        context = {key: self.env.context[key] for key in KEPT_CONTEXT if key in self.env.context}
        return self.with_env(self.env(context=context))

    @api.model
    def _spid_available_domain(self, tickets):
        """The macros the current user may run on all of `tickets`: their
        record rules, the tickets' company and teams."""
        domain = [("company_id", "in", tickets.company_id.ids or self.env.company.ids)]
        if any(not ticket.team_id for ticket in tickets.sudo()):
            # a ticket without team: the macros of every team only
            return [*domain, ("team_ids", "=", False)]
        for team in tickets.sudo().team_id:
            domain += ["|", ("team_ids", "=", False), ("team_ids", "in", team.ids)]
        return domain

    def spid_run(self, ticket_ids):
        """Run this macro on the tickets `ticket_ids`, as the current user.

        One ticket: all or nothing, its error is raised. Several: each
        ticket is all or nothing, the others go on. The whole set is first
        tried at once (the fast path: one write for routing, one for the
        status, one create for the work units; custom fields, replies and
        closing ticket by ticket); when one ticket refuses, each ticket is
        run again on its own, in a savepoint, and the refused ones are
        listed. A savepoint rolled back drops the live notifications queued
        inside it. An id given twice runs once.

        Returns {"done": [ticket ids], "failed": [[ticket id, message]]}."""
        self.ensure_one()
        macro = self._spid_clean()
        if not isinstance(ticket_ids, list | tuple) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ticket_ids
        ):
            raise UserError(_("A macro runs on a list of ticket ids."))
        # each ticket once, whatever the caller repeats
        tickets = macro.env["spid.ticket"].browse(OrderedSet(ticket_ids)).exists()
        if not tickets:
            raise UserError(_("Choose the tickets to run the macro on."))
        # the macro as this user may read it (its teams', its company's)
        macro.check_access("read")
        if not macro.active:
            raise UserError(_("Macro %s is archived.", macro.name))
        if not macro.env.user.has_group("spid_helpdesk.group_spid_agent"):
            raise AccessError(_("Only helpdesk agents run macros."))
        tickets.check_access("write")
        if len(tickets) == 1:
            macro._spid_apply(tickets)
            return {"done": tickets.ids, "failed": []}
        # a savepoint rolled back takes the live notifications it queued with
        # it (_spid_live_savepoint): no event for a change that never happened
        Ticket = macro.env["spid.ticket"]
        try:
            with Ticket._spid_live_savepoint():
                macro._spid_apply(tickets)
            return {"done": tickets.ids, "failed": []}
        except UserError:
            macro.env.invalidate_all()
        done, failed = [], []
        for ticket in tickets:
            try:
                with Ticket._spid_live_savepoint():
                    macro._spid_apply(ticket)
                done.append(ticket.id)
            except UserError as error:
                macro.env.invalidate_all()
                failed.append([ticket.id, error.args[0] if error.args else str(error)])
        return {"done": done, "failed": failed}

    def _spid_refusal(self, ticket):
        """Why this macro may not run on `ticket` (before any step), else None."""
        if ticket.company_id != self.company_id:
            return AccessError(
                _(
                    "Macro %(macro)s belongs to company %(company)s, not ticket %(ref)s's.",
                    macro=self.name,
                    company=self.company_id.name,
                    ref=ticket.reference,
                )
            )
        team = ticket.sudo().team_id
        if self.team_ids and team not in self.team_ids:
            return AccessError(
                _(
                    "Macro %(macro)s is for the tickets of %(teams)s: ticket %(ref)s is not.",
                    macro=self.name,
                    teams=", ".join(self.team_ids.mapped("name")),
                    ref=ticket.reference,
                )
            )
        if ticket.is_locked:
            return UserError(_("Ticket %s is locked: it can no longer be changed.", ticket.reference))
        if self.type_id and self._spid_property_values() and ticket.type_id != self.type_id:
            return UserError(
                _(
                    "Macro %(macro)s fills in fields of type %(type)s: ticket %(ref)s is of another type.",
                    macro=self.name,
                    type=self.type_id.name,
                    ref=ticket.reference,
                )
            )
        return None

    def _spid_property_values(self):
        """{property name: value} that this macro writes: the ones given."""
        values = dict(self.properties or {}) if self.type_id else {}
        return {name: value for name, value in values.items() if value not in (False, None, "", [])}

    def _spid_apply(self, tickets):
        """Every step on `tickets`, as the current user, through the
        methods the form's buttons and fields call."""
        for ticket in tickets:
            error = self._spid_refusal(ticket)
            if error:
                raise error
        self._spid_route(tickets)
        self._spid_fill_properties(tickets)
        self._spid_log_time(tickets)
        # the reply, rendered as the user: a field they may not read
        # refuses the macro rather than leaking into the message
        if self.template_id:
            self._spid_reply(tickets)
        self._spid_move(tickets)

    def _spid_route(self, tickets):
        """Team, owner, priority: what the form writes, in one write; the
        agent taking the tickets through the Take it button's method (their
        team's tickets only, a new ticket moving to its first open status)."""
        vals = {}
        if self.set_team_id:
            vals["team_id"] = self.set_team_id.id
        if self.owner_mode == "user":
            vals["user_id"] = self.set_user_id.id
        elif self.owner_mode == "nobody":
            vals["user_id"] = False
        if self.set_priority:
            vals["priority"] = self.set_priority
        if vals:
            tickets.write(vals)
        if self.owner_mode == "me":
            tickets.filtered(lambda t: t.user_id != self.env.user).action_take()

    def _spid_fill_properties(self, tickets):
        """The custom fields given: each ticket keeps its other values."""
        values = self._spid_property_values()
        if values:
            for ticket in tickets:
                ticket.write({"properties": {**(ticket.properties or {}), **values}})

    def _spid_log_time(self, tickets):
        """One work unit per ticket, done by the user, as their form logs it."""
        if not self.workunit_minutes:
            return
        self.env["spid.workunit"].create(
            [
                {
                    "ticket_id": ticket.id,
                    "user_id": self.env.uid,
                    "duration": self.workunit_minutes / 60,
                    "action_type": self.workunit_action_type or "information",
                    "billable": self.workunit_billable,
                    "visibility": "internal",
                    "description": Markup("<p>%s</p>") % (self.workunit_description or self.name),
                }
                for ticket in tickets
            ]
        )

    def _spid_move(self, tickets):
        """The status bar's write, or the close wizard's method."""
        if self.status_id.is_closed:
            Wizard = self.env["spid.ticket.close.wizard"]
            for ticket in tickets.filtered(lambda t: t.status_id != self.status_id):
                Wizard.create(
                    {
                        "ticket_id": ticket.id,
                        "status_id": self.status_id.id,
                        "resolution": self.resolution,
                        "epilogue": self.epilogue,
                    }
                ).action_confirm()
        elif self.status_id:
            moving = tickets.filtered(lambda t: t.status_id != self.status_id)
            if moving:
                moving.write({"status_id": self.status_id.id})

    def _spid_reply(self, tickets):
        template = self.template_id
        try:
            subjects = template._render_field("subject", tickets.ids, compute_lang=True)
            bodies = template._render_field("body_html", tickets.ids, compute_lang=True)
        except UserError as error:  # AccessError included
            # the renderer wraps what failed (a field the user may not read)
            # with the template's source and traceback: logged, not shown
            _logger.info(
                "Macro %s: reply template %s refused for uid %s: %s",
                self.id,
                template.id,
                self.env.uid,
                error,
            )
            raise UserError(
                _(
                    "Macro %(macro)s: its reply cannot be written as you (it reads what you may not read, or"
                    " the template %(template)s is broken). Ask a helpdesk manager.",
                    macro=self.name,
                    template=template.name,
                )
            ) from error
        subtype = "mail.mt_comment" if self.reply_mode == "comment" else "mail.mt_note"
        for ticket in tickets:
            ticket.message_post(
                body=bodies[ticket.id],
                subject=subjects[ticket.id] or False,
                message_type="comment",
                subtype_xmlid=subtype,
            )


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    def action_open_macro_wizard(self):
        """The form's Macros button: the macros of this ticket's team."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Macros"),
            "res_model": "spid.ticket.macro.run.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids},
        }
