from odoo import api, models

# The messages of tickets an employee requester (an internal user without a
# helpdesk group) may read: Odoo shows internal users every note of the
# records they read, which would show them the agents' notes on their own
# requests.
REQUESTER_MESSAGE_DOMAIN = [
    "|",
    ("model", "!=", "spid.ticket"),
    "&",
    "&",
    ("is_internal", "=", False),
    ("subtype_id", "!=", False),
    ("subtype_id.internal", "=", False),
]


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if not self.env.su and self.env.user._is_internal():
            if self.env.user._spid_is_requester_only():
                domain = REQUESTER_MESSAGE_DOMAIN + list(domain)
            elif not self.env.user.has_group("spid_helpdesk.group_spid_supervisor"):
                domain = self._spid_agent_message_domain() + list(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _spid_handled_tickets(self, ticket_ids=None):
        """The tickets the current agent reads as an agent (their rule's
        `visible_to_agent_id`), among `ticket_ids` when given: a Query, or
        the ids. The others they read only as their requester (the
        employees' rule: an agent asks for help too)."""
        Ticket = self.env["spid.ticket"].sudo().with_context(active_test=False)
        domain = [("visible_to_agent_id", "=", self.env.uid)]
        if ticket_ids is None:
            return Ticket._search(domain)
        return set(Ticket.search([("id", "in", list(ticket_ids))] + domain).ids)

    @api.model
    def _spid_agent_message_domain(self):
        """An agent reads every message of the tickets they handle, and of
        their own requests to other teams only what a requester reads: the
        handling team's notes stay theirs (one subquery, no query of its
        own)."""
        return ["|", ("res_id", "in", self._spid_handled_tickets()), *REQUESTER_MESSAGE_DOMAIN]

    def _get_forbidden_access(self, operation):
        """A customer never reads an internal message of a ticket by its id.
        Odoo hides internal notes from portal users only when they are
        comments: a note posted with the default `notification` type (an
        RPC call, an automated action) or a log (`is_internal`) was readable
        through mail.message.read. The rule here is the one Odoo already
        applies to their searches (`_get_search_domain_share`)."""
        forbidden = super()._get_forbidden_access(operation)
        # employees who only ask (no helpdesk group) are kept from the notes
        # as customers are
        user = self.env.user
        if self.env.su or user.has_group("spid_helpdesk.group_spid_supervisor"):
            return forbidden
        internal = (
            (self - forbidden)
            .sudo()
            .filtered(
                lambda message: message.model == "spid.ticket"
                and (message.is_internal or not message.subtype_id or message.subtype_id.internal)
            )
        )
        if internal and user._is_internal() and not user._spid_is_requester_only():
            if operation != "read":
                return forbidden  # an agent writes notes where Odoo lets them
            # an agent: the notes of the tickets they handle are theirs (one
            # query, only when notes of tickets are read)
            handled = self._spid_handled_tickets(set(internal.mapped("res_id")))
            internal = internal.filtered(lambda message: message.res_id not in handled)
        return forbidden + internal.with_env(self.env)

    def _extras_to_store(self, store, format_reply):
        """Internal work units are drawn as Odoo's logged notes (grey, no
        bubble): they are internal like notes, but keep their own subtype,
        which the internal followers subscribe to."""
        super()._extras_to_store(store, format_reply=format_reply)
        internal = self.env.ref("spid_helpdesk.mt_workunit_internal", raise_if_not_found=False)
        if not internal:
            return
        for message in self:
            if message.subtype_id == internal:
                store.add(message, {"is_note": True})
