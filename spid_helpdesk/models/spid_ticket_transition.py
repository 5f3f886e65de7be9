from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import is_html_empty


class SpidTicketTransition(models.Model):
    _name = "spid.ticket.transition"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Ticket status transition"
    _order = "from_status_id, sequence, id"

    sequence = fields.Integer(default=10)
    from_status_id = fields.Many2one(
        "spid.ticket.status", string="From", required=True, ondelete="cascade", index=True
    )
    to_status_id = fields.Many2one("spid.ticket.status", string="To", required=True, ondelete="cascade")
    group_ids = fields.Many2many(
        "res.groups",
        string="Allowed groups",
        help="Who may take this transition; empty = every agent.",
    )
    required_field_ids = fields.Many2many(
        "ir.model.fields",
        string="Required fields",
        domain=[("model", "=", "spid.ticket"), ("store", "=", True)],
        help="Fields that must be filled before the ticket enters the target status.",
    )

    _sql_constraints = [
        (
            "transition_unique",
            "unique(from_status_id, to_status_id)",
            "This transition already exists.",
        ),
    ]

    @api.depends("from_status_id", "to_status_id")
    def _compute_display_name(self):
        for transition in self:
            transition.display_name = f"{transition.from_status_id.name} → {transition.to_status_id.name}"

    # ------------------------------------------------------------------
    # The workflow's rule: may these tickets move to that status?
    # ------------------------------------------------------------------

    @api.model
    def _spid_check(self, tickets, status, requester=None, owner=None):
        """Refuse, before anything is written, a move of `tickets` to
        `status` that the workflow forbids. The one rule behind the backend's
        status changes, the portal's close, the requester's reply and reopen:

        - a locked ticket never moves;
        - when its status has transitions, the move must be one of them;
        - the owner or a supervisor closes, a supervisor reopens;
        - on a team whose status is the owner's (`owner_only_status`), only
          the owner or a supervisor moves it at all;
        - a ticket in a history step is taken out of it by a supervisor only;
        - a transition with groups is for their members (the superuser
          excepted): groups restrict the helpdesk's users.

        `requester`: the partner on whose behalf the move is made when it is
        the requester's own action on their ticket (closing it from the
        portal, reopening it, answering it); their role lets them close and
        reopen their own tickets, along the transitions, whatever the groups.
        `owner`: the owner the same write gives the tickets (an agent taking
        a ticket moves it as its new owner).
        """
        for error in self._spid_refusals(tickets, status, requester, owner):
            raise error

    @api.model
    def _spid_allows(self, ticket, status, requester=None):
        """Whether `ticket` may move to `status`, for moves the system makes
        on its own (a requester's reply) and skips when refused."""
        return next(self._spid_refusals(ticket, status, requester), None) is None

    @api.model
    def _spid_refusals(self, tickets, status, requester=None, owner=None):
        """The error of each ticket of `tickets` that may not move to
        `status`, lazily: the first is enough to refuse."""
        if not tickets:
            return
        outgoing = self._spid_outgoing(tickets)
        supervisor = tickets.with_env(self.env)._spid_is_supervisor()
        # the rule reads what the caller may not (lock, owner): it decides
        # for the current user, from the ticket's facts
        for ticket in tickets.sudo():
            error = self._spid_refusal(ticket, status, outgoing, supervisor, requester, owner)
            if error:
                yield error

    @api.model
    def _spid_allowed_statuses(self, tickets):
        """{ticket: the statuses the current user may move it to now}, its
        own status excluded: what the status bar offers. The same rule as
        `_spid_check`, with one query for the whole set."""
        statuses = self.env["spid.ticket.status"].sudo().search([])
        outgoing = self._spid_outgoing(tickets)
        supervisor = tickets._spid_is_supervisor()
        return {
            ticket: statuses.filtered(
                lambda status, t=ticket: status != t.status_id
                and not self._spid_refusal(t.sudo(), status, outgoing, supervisor)
            )
            for ticket in tickets
        }

    @api.model
    def _spid_outgoing(self, tickets):
        """{status id: {target status id: transition}} from the statuses of `tickets`."""
        outgoing = defaultdict(dict)
        for transition in self.sudo().search([("from_status_id", "in", tickets.sudo().status_id.ids)]):
            outgoing[transition.from_status_id.id][transition.to_status_id.id] = transition
        return outgoing

    @api.model
    def _spid_refusal(self, ticket, status, outgoing, supervisor, requester=None, owner=None):
        """The error when the current user may not move `ticket` (read as
        superuser) to `status`, else None. `outgoing`: `_spid_outgoing`."""
        user = self.env.user
        current = ticket.status_id
        own = bool(requester) and ticket.partner_id == requester
        if ticket.is_locked:
            return UserError(_("Ticket %s is locked: its status can no longer change.", ticket.reference))
        allowed = outgoing.get(current.id)
        transition = allowed.get(status.id) if allowed else None
        if allowed and not transition:
            return UserError(
                _(
                    "Ticket %(ref)s cannot go from %(from)s to %(to)s. Allowed next statuses: %(allowed)s.",
                    ref=ticket.reference,
                    to=status.name,
                    allowed=", ".join(t.to_status_id.name for t in allowed.values()),
                    **{"from": current.name},
                )
            )
        if status.is_closed and not current.is_closed:
            error = self._spid_closing_refusal(ticket, own or supervisor)
            if error:
                return error
        reopening = current.is_closed and not status.is_closed
        if current.is_history and status != current and not supervisor:
            return AccessError(
                _(
                    "Ticket %s is kept for the record (history): only a supervisor may take it out.",
                    ticket.reference,
                )
            )
        if (
            status != current
            and not reopening
            and not (own or supervisor)
            # the owner a write gives counts only for a ticket without one:
            # nobody takes someone else's ticket to move it in one write
            and (owner if owner is not None and not ticket.user_id else ticket.user_id) != user
            # read last: the owner's form reads no team
            and ticket.team_id.owner_only_status
        ):
            return AccessError(
                _(
                    "On team %(team)s only the owner of a ticket or a supervisor changes its status"
                    " (ticket %(ref)s).",
                    team=ticket.team_id.name,
                    ref=ticket.reference,
                )
            )
        if reopening and not (own or supervisor):
            if not (ticket.partner_id and ticket.partner_id == user.partner_id):
                return AccessError(
                    _("Only the requester of ticket %s or a supervisor may reopen it.", ticket.reference)
                )
        if (
            transition
            and transition.group_ids
            and not own
            and not self.env.su
            and not (transition.group_ids & user.groups_id)
        ):
            return AccessError(
                _(
                    "Only %(groups)s may move a ticket from %(from)s to %(to)s.",
                    groups=transition._spid_group_names(),
                    to=status.name,
                    **{"from": current.name},
                )
            )
        return None

    def _spid_group_names(self):
        """The groups these transitions are reserved to, for a message."""
        return ", ".join(self.group_ids.mapped("full_name"))

    @api.model
    def _spid_check_entry(self, tickets):
        """Tickets created past the starting status: whoever creates them
        must be allowed to bring a ticket there. When every transition into
        that status is reserved to groups the user is not in, they may not."""
        if self.env.su:
            return
        statuses = tickets.status_id.filtered(lambda status: not status.is_start)
        if not statuses:
            return
        user_groups = self.env.user.groups_id
        into = self.sudo().search([("to_status_id", "in", statuses.ids)])
        for status in statuses:
            transitions = into.filtered(lambda t, s=status: t.to_status_id == s)
            if transitions and all(t.group_ids and not t.group_ids & user_groups for t in transitions):
                raise AccessError(
                    _(
                        "Only %(groups)s may put a ticket in %(status)s.",
                        groups=transitions._spid_group_names(),
                        status=status.name,
                    )
                )

    @api.model
    def _spid_check_closing(self, tickets):
        """Tickets created closed: the same rules as closing an open ticket
        (owner or supervisor, the fields the transitions into it ask for)."""
        supervisor = tickets._spid_is_supervisor()
        for ticket in tickets:
            error = self._spid_closing_refusal(ticket, supervisor)
            if error:
                raise error
        for status in tickets.status_id:
            self._spid_check_required(tickets.filtered(lambda t, s=status: t.status_id == s), status)

    @api.model
    def _spid_closing_refusal(self, ticket, allowed):
        """The error when the current user may not close `ticket`: only its
        owner closes it, unless `allowed` already (a supervisor, or the
        requester closing their own ticket)."""
        if allowed or ticket.user_id == self.env.user:
            return None
        return AccessError(_("Only the owner of ticket %s or a supervisor may close it.", ticket.reference))

    @api.model
    def _spid_check_required(self, tickets, status):
        """The fields to fill before entering `status` are filled: those
        asked by any transition into it, whichever way the ticket comes."""
        required = self.sudo().search([("to_status_id", "=", status.id)]).required_field_ids
        if not required:
            return
        for ticket in tickets:
            missing = [
                field.field_description
                for field in required
                if field.name in ticket._fields
                and (
                    is_html_empty(ticket[field.name])
                    if ticket._fields[field.name].type == "html"
                    else not ticket[field.name]
                )
            ]
            if missing:
                raise ValidationError(
                    _(
                        "Fill in %(fields)s before moving ticket %(ref)s to %(status)s.",
                        fields=", ".join(missing),
                        ref=ticket.reference,
                        status=status.name,
                    )
                )
