import logging
from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import email_normalize
from odoo.tools.mail import email_split_tuples

from ..internal import BATCH_CREATE, COPIES_BY_EMAIL, switched

_logger = logging.getLogger(__name__)

# The fields whose people follow the ticket by their role (the owner is
# subscribed by Odoo's tracking of user_id, the requester by
# _spid_subscribe_requesters).
ROLE_FIELDS = frozenset({"participant_ids", "reporter_id", "email_cc"})


class SpidTicketFollowers(models.Model):
    """Who follows a ticket: only those who may read it, the requester
    always, a batch's followers added per group of tickets."""

    _inherit = "spid.ticket"

    public_recipient_ids = fields.Many2many(
        "res.partner",
        string="Written to",
        compute="_compute_public_recipient_ids",
        groups="base.group_user",
        help="Who receives the ticket's public updates by email now: the followers of its public"
        " messages (requester, reporter, addresses in copy, agents), without the customers when"
        " Notify the customer is off.",
    )

    @api.depends("message_follower_ids", "notify_customer")
    def _compute_public_recipient_ids(self):
        # one query for the page: the followers of the "Discussions" subtype
        # (a public update), then their partners' kind in one fetch
        saved = self.filtered("id")
        by_ticket = defaultdict(set)
        if saved:
            comment = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
            for follower in (
                self.env["mail.followers"]
                .sudo()
                .search_fetch(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", saved.ids),
                        ("subtype_ids", "in", comment),
                    ],
                    ["res_id", "partner_id"],
                )
            ):
                by_ticket[follower.res_id].add(follower.partner_id.id)
        Partner = self.env["res.partner"]
        partners = Partner.sudo().browse({pid for ids in by_ticket.values() for pid in ids})
        customers = set(partners.filtered("partner_share").ids)
        for ticket in self:
            ids = by_ticket[ticket.id] if ticket.id else set()
            if not ticket.notify_customer:
                ids = ids - customers
            ticket.public_recipient_ids = Partner.browse(sorted(ids))

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
        existing = self._spid_follower_pairs(self.partner_id.ids)
        return self.filtered(lambda ticket: (ticket.id, ticket.partner_id.id) not in existing)

    def _spid_followers_among(self, partner_ids):
        """The followers of these tickets among `partner_ids` (one query)."""
        return (
            self.env["mail.followers"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("partner_id", "in", list(partner_ids)),
                ],
                ["res_id", "partner_id"],
            )
        )

    def _spid_follower_pairs(self, partner_ids):
        """{(ticket id, partner id)} of the followers among `partner_ids`."""
        return {(f.res_id, f.partner_id.id) for f in self._spid_followers_among(partner_ids)}

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

    # ------------------------------------------------------------------
    # Followers by role: participants, reporter, addresses in copy
    # ------------------------------------------------------------------

    def write(self, vals):
        before = self._spid_role_snapshot() if ROLE_FIELDS & vals.keys() else None
        res = super().write(vals)
        if before is not None:
            self._spid_sync_role_followers(before)
        return res

    def _spid_role_snapshot(self):
        """{ticket id: (participants' partners, reporter, copies)}: the
        people who follow by their role, before a write."""
        return {ticket.id: ticket._spid_role_people() for ticket in self}

    def _spid_role_people(self):
        self.ensure_one()
        ticket = self.sudo()
        return (
            frozenset(ticket.participant_ids.partner_id.ids),
            ticket.reporter_id.id,
            frozenset(email_normalize(email) for _name, email in email_split_tuples(ticket.email_cc or ""))
            - {False},
        )

    def _spid_sync_role_followers(self, before):
        """After a write: who took a role follows, who left one (and holds
        no other) stops following. Copies written by the gateway are
        followed by the email's rules (_spid_follow_cc), not here."""
        wanted = {}
        leaving = defaultdict(set)
        typed = not switched(self.env, COPIES_BY_EMAIL)
        for ticket in self:
            old_participants, old_reporter, old_copies = before[ticket.id]
            participants, reporter, copies = ticket._spid_role_people()
            for partner_id in participants - old_participants:
                wanted[(ticket.id, partner_id)] = True
            leaving[ticket.id] |= old_participants - participants
            if reporter != old_reporter:
                if reporter:
                    wanted[(ticket.id, reporter)] = True
                if old_reporter:
                    leaving[ticket.id].add(old_reporter)
            if typed and copies - old_copies:
                added = [email for email in copies if email not in old_copies]
                for partner in ticket._spid_cc_partners(added, {}):
                    wanted[(ticket.id, partner.id)] = True
            if old_copies - copies:
                leaving[ticket.id] |= set(
                    ticket.sudo()
                    .message_partner_ids.filtered(
                        lambda p, gone=old_copies - copies: p.email_normalized in gone
                    )
                    .ids
                )
        self._spid_add_followers(wanted)
        self._spid_remove_role_followers(leaving)

    def _spid_subscribe_roles(self, participants=True, others=True):
        """New tickets: participants, reporter and addresses in copy typed
        by the agent follow them (the gateway's copies follow by the
        email's rules). Nothing is read for tickets with none of them.
        `participants` / `others`: which roles (the participants follow
        before the creation's job keeps its recipients, so that they get
        the creation message; the others after, as the requester)."""
        wanted = {}
        by_email = switched(self.env, COPIES_BY_EMAIL)
        tickets = self.sudo().filtered(
            lambda t: (participants and t.participant_ids) or (others and (t.reporter_id or t.email_cc))
        )
        for ticket in tickets:
            for partner_id in ticket.participant_ids.partner_id.ids if participants else ():
                wanted[(ticket.id, partner_id)] = True
            if not others:
                continue
            if ticket.reporter_id:
                wanted[(ticket.id, ticket.reporter_id.id)] = True
            if ticket.email_cc and not by_email:
                emails = [email_normalize(email) for _name, email in email_split_tuples(ticket.email_cc)]
                names = {email_normalize(email): name for name, email in email_split_tuples(ticket.email_cc)}
                for partner in ticket.with_env(self.env)._spid_cc_partners(
                    list(dict.fromkeys(e for e in emails if e)), names
                ):
                    wanted[(ticket.id, partner.id)] = True
        self._spid_add_followers(wanted)

    def _spid_add_followers(self, wanted):
        """Make the partners of `wanted` ({(ticket id, partner id): True})
        follow those tickets, set-based: existing followers keep their
        subtypes; internal users get the default subtypes, everybody else
        (customers, addresses) the customer's view (external subtypes);
        inactive partners and users who may not read the ticket never
        follow it (logged)."""
        if not wanted:
            return
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partners = Partner.browse({pid for _tid, pid in wanted})
        partners.fetch(["active", "partner_share"])
        tickets = self.browse({tid for tid, _pid in wanted})
        refused = set()
        for user in partners.user_ids:
            if not user.active:
                refused |= {(tid, pid) for tid, pid in wanted if pid == user.partner_id.id}
                continue
            concerned = self.browse({tid for tid, pid in wanted if pid == user.partner_id.id})
            for ticket in concerned - concerned._spid_readable_by(user):
                refused.add((ticket.id, user.partner_id.id))
        if refused:
            _logger.info("Not followers of tickets they may not read: %s", sorted(refused))
        existing = tickets._spid_follower_pairs(partners.ids)
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        kind = {partner.id: (partner.active, partner.partner_share) for partner in partners}
        self.env["mail.followers"].sudo().with_context(default_partner_id=False).create(
            [
                {
                    "res_model": self._name,
                    "res_id": tid,
                    "partner_id": pid,
                    "subtype_ids": [Command.set((external if kind[pid][1] else default).ids)],
                }
                for tid, pid in wanted
                if kind[pid][0] and (tid, pid) not in existing and (tid, pid) not in refused
            ]
        )

    def _spid_remove_role_followers(self, leaving):
        """Unfollow those who left a role ({ticket id: partner ids}), unless
        they still hold one: requester, owner, participant, reporter or an
        address still in copy."""
        removal = []
        for ticket in self.sudo():
            gone = leaving.get(ticket.id)
            if not gone:
                continue
            participants, reporter, copies = ticket._spid_role_people()
            staying = set(participants) | {reporter, ticket.partner_id.id, ticket.user_id.partner_id.id}
            for partner in self.env["res.partner"].sudo().browse(gone - staying):
                if partner.email_normalized not in copies:
                    removal.append((ticket.id, partner.id))
        if not removal:
            return
        removal = set(removal)
        followers = self.browse({tid for tid, _pid in removal})._spid_followers_among(
            {pid for _tid, pid in removal}
        )
        followers.filtered(lambda f: (f.res_id, f.partner_id.id) in removal).unlink()
