from collections import defaultdict

from odoo import Command, _, models
from odoo.exceptions import AccessError

from ..internal import BATCH_CREATE, switched


class SpidTicketFollowers(models.Model):
    """Who follows a ticket: only those who may read it, the requester
    always, a batch's followers added per group of tickets."""

    _inherit = "spid.ticket"

    def _message_subscribe(self, partner_ids=None, subtype_ids=None, customer_ids=None):
        if partner_ids and not self.env.su:
            self._spid_check_may_follow(partner_ids)
        return super()._message_subscribe(partner_ids, subtype_ids, customer_ids=customer_ids)

    def _spid_check_may_follow(self, partner_ids):
        """Following gives no access (the record rules do), but it sends the
        ticket's updates: a user who could not read a ticket never follows
        it, whoever subscribes them (the Follow button, message_subscribe
        over RPC, a post that adds its recipients). The current user was
        checked by mail itself; the requester always follows their ticket;
        addresses without a user are the caller's choice (write access)."""
        partners = self.env["res.partner"].sudo().browse(set(partner_ids) - {self.env.user.partner_id.id})
        for user in partners.user_ids:
            tickets = self.filtered(lambda t, p=user.partner_id: t.partner_id != p)
            unreadable = tickets - tickets._spid_readable_by(user)
            if unreadable:
                raise AccessError(
                    _(
                        "%(user)s cannot read ticket %(ref)s, so they cannot follow it.",
                        user=user.name,
                        ref=unreadable[0].reference,
                    )
                )

    def _spid_readable_by(self, user):
        """The tickets of `self` that the record rules let `user` read, in
        any of the user's companies (whatever companies the current request
        runs in: a recipient or a sender is not the current user)."""
        readable = (
            self.with_user(user)
            .with_context(allowed_company_ids=user.sudo().company_ids.ids)
            ._filtered_access("read")
        )
        return self.browse(readable.ids)

    def _message_auto_subscribe(self, updated_values, followers_existing_policy="skip"):
        if switched(self.env, BATCH_CREATE):
            return True  # done per group by _spid_auto_subscribe_grouped
        return super()._message_auto_subscribe(updated_values, followers_existing_policy)

    def _spid_auto_subscribe_grouped(self):
        """Owner and team followers of a batch, one call per (team, owner)."""
        groups = defaultdict(list)
        for ticket in self:
            groups[(ticket.team_id.id, ticket.user_id.id)].append(ticket.id)
        for (team_id, user_id), ticket_ids in groups.items():
            values = {"team_id": team_id, "user_id": user_id}
            self.browse(ticket_ids)._message_auto_subscribe(
                {k: v for k, v in values.items() if v}, followers_existing_policy="update"
            )

    def _spid_subscribe_requesters(self):
        """The requester follows their ticket, so that public updates reach
        them. What message_subscribe() does for one requester (access check,
        active partners only, default subtypes, external ones for customers,
        existing followers kept), done for every requester at once: a batch
        of tickets from 1,000 clients costs a few queries, not 5,000."""
        tickets, own = self._spid_requesters_may_follow()
        missing = tickets._spid_requesters_not_following()
        if missing:
            missing._spid_add_requester_followers(own)

    def _spid_requesters_may_follow(self):
        """(tickets, own): the tickets whose requester the current user may
        subscribe, like message_subscribe: their own tickets when they may
        read them, any other with write access (else an AccessError); `own`,
        those where the requester is the current user."""
        tickets = self.filtered("partner_id")
        if not tickets:
            return tickets, tickets
        me = self.env.user.partner_id
        own = tickets.filtered(lambda ticket: ticket.partner_id == me)
        if own and not own.has_access("read"):
            own = own.browse()
        others = tickets - own
        others.check_access("write")
        return own | others, own

    def _spid_requesters_not_following(self):
        """The tickets whose requester does not follow them yet (one query)."""
        if not self:
            return self
        existing = {
            (follower.res_id, follower.partner_id.id)
            for follower in self.env["mail.followers"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("partner_id", "in", self.partner_id.ids),
                ],
                ["res_id", "partner_id"],
            )
        }
        return self.filtered(lambda ticket: (ticket.id, ticket.partner_id.id) not in existing)

    def _spid_add_requester_followers(self, own):
        """Make the requesters follow these tickets. Like message_subscribe:
        the current user's own partner (tickets of `own`) is taken as is,
        with the default subtypes; other partners only when active, with the
        external subtypes for customers."""
        me = self.env.user.partner_id
        others = self - own
        partners = self.env["res.partner"].sudo()
        if others:
            partners = partners.search_fetch(
                [("id", "in", others.partner_id.ids), ("active", "=", True)], ["partner_share"]
            )
        own_ids = set(own.ids)
        customer_ids = set(partners.filtered("partner_share").ids)
        active_ids = set(partners.ids) | {me.id}
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        self.env["mail.followers"].sudo().with_context(default_partner_id=False).create(
            [
                {
                    "res_model": self._name,
                    "res_id": ticket.id,
                    "partner_id": ticket.partner_id.id,
                    "subtype_ids": [
                        Command.set(
                            (
                                external
                                if ticket.partner_id.id in customer_ids and ticket.id not in own_ids
                                else default
                            ).ids
                        )
                    ],
                }
                for ticket in self
                if ticket.partner_id.id in active_ids
            ]
        )
