import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import email_normalize, formataddr, html_sanitize, is_html_empty
from odoo.tools.mail import email_split_tuples

from ..internal import (
    AUTO_SUBMITTED,
    BATCH_CREATE,
    COPIES_BY_EMAIL,
    CREATION_RECIPIENTS,
    QUIET_CLOSE,
    REQUESTER,
    SLA_SYSTEM,
    TYPE_OPTIONAL,
    switch_value,
    switched,
    with_switch,
)
from .mail_thread import REFERENCE_REFUSED, SUBJECT_REFERENCE, email_key

_logger = logging.getLogger(__name__)

DEFAULT_MAX_CC = 5  # addresses in copy that may follow a ticket, per email
# Odoo's notification layouts and ours, which add the team's header and footer
TEAM_LAYOUTS = {
    "mail.mail_notification_layout": "spid_helpdesk.mail_notification_team",
    "mail.mail_notification_light": "spid_helpdesk.mail_notification_team_light",
}


class SpidTicket(models.Model):
    """The email channel of tickets: who an incoming email comes from, which
    ticket it may join, who follows by being in copy. The routing decisions
    themselves (auto-replies, rate limits, authority to join a ticket) are
    taken in mail.thread's _message_route_process (mail_thread.py)."""

    _inherit = "spid.ticket"

    email_from_key = fields.Char(
        string="Sender key",
        compute="_compute_email_from_key",
        store=True,
        index=True,
        copy=False,
        help="The sender's address without its +tag: what the email rate limits count.",
    )

    @api.depends("email_from")
    def _compute_email_from_key(self):
        for ticket in self:
            ticket.email_from_key = email_key(ticket.email_from)

    # ------------------------------------------------------------------
    # Who writes
    # ------------------------------------------------------------------

    @api.model
    def _spid_ticket_from_subject(self, subject, companies):
        """The tickets of `companies` whose reference is quoted in brackets in
        an email subject, newest first (a reference elsewhere does not exist
        for this email)."""
        references = SUBJECT_REFERENCE.findall(subject or "")
        if not references or not companies:
            return self.browse()
        return self.sudo().search(
            [("reference", "in", references[:10]), ("company_id", "in", companies.ids)], order="id desc"
        )

    def _spid_sender_may_join(self, sender, companies):
        """Whether an email from the normalized address `sender` may go into
        this ticket: the ticket is not locked, belongs to one of `companies`
        (the alias's; empty when the email came to no alias) and the sender
        is an internal user who can read it, or else its requester, one of
        its followers or a contact of its client when the client shares its
        tickets (grouped: an independent client's contacts see their own
        tickets only, by email as on the portal)."""
        self.ensure_one()
        ticket = self.sudo()
        if not sender or ticket.is_locked:
            return False
        if companies and ticket.company_id not in companies:
            return False
        partners = self.env["res.partner"].sudo().search([("email_normalized", "=", sender)])
        internal = partners.user_ids.filtered(lambda user: not user.share)
        if internal:  # an agent's address: the record rules decide, nothing else
            return any(ticket._spid_readable_by(user) for user in internal)
        if not partners:
            return False
        return bool(
            ticket.partner_id in partners
            or partners & ticket.message_partner_ids
            or (
                ticket.client_id.spid_team_visibility == "grouped"
                and partners.commercial_partner_id & ticket.client_id
            )
        )

    # ------------------------------------------------------------------
    # The gateway's entry points (never over RPC)
    # ------------------------------------------------------------------

    @api.model
    @api.private
    def message_process(
        self, model, message, custom_values=None, save_original=False, strip_attachments=False, thread_id=None
    ):
        """The mail server's entry point: not callable over RPC on tickets
        (an RPC caller would post as any sender into any ticket)."""
        return super().message_process(
            model,
            message,
            custom_values=custom_values,
            save_original=save_original,
            strip_attachments=strip_attachments,
            thread_id=thread_id,
        )

    @api.model
    @api.private
    def message_new(self, msg_dict, custom_values=None):
        values = dict(custom_values or {})
        partner = self.env["res.partner"].sudo().browse(switch_value(self.env, REQUESTER))
        if partner:  # found by the gateway's checks
            confirmed = partner._spid_is_vetted()
        else:
            partner, confirmed = self.env["res.partner"]._spid_find_or_create_by_email(
                msg_dict.get("email_from")
            )
        employee = self._spid_employee_of(msg_dict.get("email_from"))
        if employee and employee.partner_id != partner:
            # an employee writing to the helpdesk asks as themselves (My
            # requests), whichever contact shares their address
            partner, confirmed = employee.partner_id, True
        values.setdefault("name", (msg_dict.get("subject") or "").strip() or _("(no subject)"))
        values.setdefault("description", html_sanitize(msg_dict.get("body") or ""))
        values.setdefault("channel", "email")
        values["email_from"] = email_normalize(msg_dict.get("email_from") or "") or False
        if values.get("team_id") and not values.get("company_id"):
            # in the company of the team whose alias it came to, not the gateway's
            values["company_id"] = self.env["spid.team"].sudo().browse(values["team_id"]).company_id.id
        if partner:
            requester = self._spid_requester_values(partner, confirmed)
            # the alias's defaults may name the requester, never vouch for the sender
            values = {**requester, **values, "requester_unconfirmed": requester["requester_unconfirmed"]}
        # the agent gives the type of an emailed ticket later; who follows
        # from the email's copy is decided below by its sender
        creator = with_switch(with_switch(self, TYPE_OPTIONAL), COPIES_BY_EMAIL)
        ticket = super(SpidTicket, creator).message_new(msg_dict, custom_values=values)
        ticket = ticket.with_env(self.env)
        if partner and not confirmed:
            ticket._spid_suggest_client(partner)
        ticket._spid_follow_cc(msg_dict.get("cc"), values["email_from"])
        if switched(self.env, REFERENCE_REFUSED):
            ticket._spid_tell_new_ticket(msg_dict)
        return ticket

    @api.private
    def message_update(self, msg_dict, update_vals=None):
        sender = email_normalize(msg_dict.get("email_from") or "")
        if msg_dict.get("cc") and len(self) == 1 and not self._spid_may_take_cc(sender):
            # In copy lists who is written to: not the copy of an email
            # whose sender may not add anyone
            update_vals = dict(update_vals or {}, email_cc=self.sudo().email_cc)
        res = super(SpidTicket, with_switch(self, COPIES_BY_EMAIL)).message_update(
            msg_dict, update_vals=update_vals
        )
        self._spid_follow_cc(msg_dict.get("cc"), sender)
        return res

    @api.model
    def _spid_employee_of(self, email_from):
        """The internal user whose address sent an email (employees are
        requesters too), or an empty recordset."""
        email = email_normalize(email_from or "")
        if not email:
            return self.env["res.users"]
        return (
            self.env["res.users"]
            .sudo()
            .search([("email_normalized", "=", email), ("share", "=", False)], order="id", limit=1)
        )

    @api.model
    def _spid_requester_values(self, partner, confirmed):
        """The requester of a ticket opened from an address (an email, the
        public form): an unvetted contact is the requester only, with no
        client until an agent classifies them (the form's "Requester to
        classify" banner); a vetted one gives the client as usual."""
        values = {"partner_id": partner.id, "requester_unconfirmed": not confirmed}
        if not confirmed:
            values["client_id"] = False
        return values

    def _spid_suggest_client(self, partner):
        """A note for the agent: the client that the requester's domain suggests."""
        client = self.env["res.partner"]._spid_client_of_domain(partner.email)
        if client:
            for ticket in self:
                ticket._message_log(
                    body=Markup("<p>%s</p>")
                    % _(
                        "The requester's address is at the domain of %(client)s: if they work there,"
                        " attach the contact to that client and confirm the requester.",
                        client=client.display_name,
                    )
                )

    def _spid_tell_new_ticket(self, msg_dict):
        """Tell the sender of an email that referred to a ticket it may not
        join that it opened this new ticket instead. Nothing of the other
        ticket is said (not even whether it exists)."""
        self.ensure_one()
        partner = self.partner_id
        if not partner.email:
            return
        ticket = self.with_context(lang=partner.lang or self.env.context.get("lang"))
        ticket.message_notify(
            partner_ids=partner.ids,
            subject=ticket.env._("New ticket %(reference)s", reference=self.reference),
            body=Markup("<p>%s</p>")
            % ticket.env._(
                "Your email could not be added to the conversation it refers to, so it opened a new"
                " ticket, %(reference)s. Please quote this reference when you write to us about it.",
                reference=self.reference,
            ),
            email_from=self._spid_email_from(),
            email_layout_xmlid="mail.mail_notification_light",
        )
        _logger.info(
            "Told %s that email %s opened ticket %s",
            partner.email,
            msg_dict.get("message_id"),
            self.reference,
        )

    def _spid_follow_cc(self, cc, sender):
        """Addresses in copy follow the ticket: they get its public updates
        by email, without any login. Only when the email comes from the
        ticket's requester or from an agent who can read the ticket (anyone
        else would make the helpdesk relay its answers anywhere); never the
        helpdesk's own addresses; at most `spid_helpdesk.mail_max_cc` per
        email; never a user (agent or customer) who could not read it; never
        from an automatic email."""
        if switched(self.env, AUTO_SUBMITTED):
            return  # an auto-reply's copy list is nobody's choice
        pairs = [(name, email_normalize(email)) for name, email in email_split_tuples(cc or "")]
        emails = list(dict.fromkeys(email for _name, email in pairs if email))
        if not emails or not self:
            return
        names = dict((email, name) for name, email in reversed(pairs) if email)
        for ticket in self:
            if not ticket._spid_may_add_cc(sender):
                _logger.info("Ignored the copy of an email from %s to %s: not the requester", sender, ticket)
                continue
            partners = ticket._spid_cc_partners(emails, names)
            if partners:
                ticket.message_subscribe(partner_ids=partners.ids)

    def _spid_may_take_cc(self, sender):
        """Whether the copy of an email from `sender` may join this ticket."""
        return not switched(self.env, AUTO_SUBMITTED) and self._spid_may_add_cc(sender)

    def _spid_may_add_cc(self, sender):
        self.ensure_one()
        if not sender:
            return False
        if self.partner_id.email_normalized == sender:
            return True
        users = (
            self.env["res.users"].sudo().search([("email_normalized", "=", sender), ("share", "=", False)])
        )
        return any(
            user.has_group("spid_helpdesk.group_spid_agent") and self._spid_readable_by(user)
            for user in users
        )

    def _spid_own_addresses(self):
        """The helpdesk's own addresses (aliases, catchall, bounce and
        senders), as rate-limit keys: `catchall+x@` is the catchall too."""
        aliases = self.env["mail.alias"].sudo().search([("alias_name", "!=", False)])
        domains = self.env["mail.alias.domain"].sudo().search([])
        own = set(aliases.mapped("alias_full_name"))
        own |= set(domains.mapped("catchall_email")) | set(domains.mapped("bounce_email"))
        own |= set(domains.mapped("default_from_email"))
        teams = (
            self.env["spid.team"].sudo().with_context(active_test=False).search([("email_from", "!=", False)])
        )
        own |= {email_normalize(team.email_from) for team in teams}
        return {email_key(email) for email in own} - {False, None, ""}

    def _spid_cc_partners(self, emails, names):
        """The partners that the addresses `emails` (normalized, in order)
        may add as followers of this ticket."""
        self.ensure_one()
        own = self._spid_own_addresses()
        emails = [email for email in emails if email_key(email) not in own]
        limit = int(
            self.env["ir.config_parameter"].sudo().get_param("spid_helpdesk.mail_max_cc", DEFAULT_MAX_CC) or 0
        )
        if len(emails) > limit:
            _logger.warning(
                "Only %s of the %s addresses in copy follow %s (spid_helpdesk.mail_max_cc)",
                limit,
                len(emails),
                self.reference,
            )
            emails = emails[:limit]
        if not emails:
            return self.env["res.partner"]
        Partner = self.env["res.partner"].sudo()
        existing = Partner.search([("email_normalized", "in", emails)], order="parent_id desc, id")
        ticket = self.sudo()
        partners = Partner
        missing = []
        for email in emails:
            found = existing.filtered(lambda p, email=email: p.email_normalized == email)
            users = found.with_context(active_test=False).user_ids
            if users:
                # a user follows only a ticket the rules let them read (an
                # agent of another team, another client's customer do not)
                readers = users.filtered(lambda user: user.active and ticket._spid_readable_by(user))
                partners |= readers.partner_id[:1]
            elif found:
                partners |= found[:1]
            else:
                missing.append(email)
        if missing:
            partners |= Partner._spid_create_contacts({email: names.get(email) for email in missing})
        return partners

    def _spid_on_requester_reply(self, message):
        """A public answer of the requester moves the ticket out of a status
        waiting for them (the status's "On the requester's reply")."""
        if switched(self.env, AUTO_SUBMITTED):
            return
        Transition = self.env["spid.ticket.transition"]
        for ticket in self.sudo():
            target = ticket.status_id.reply_status_id
            if (
                target
                and ticket.partner_id
                and message.author_id == ticket.partner_id
                and not ticket.is_closed
                and Transition._spid_allows(ticket, target, requester=ticket.partner_id)
            ):
                ticket.write({"status_id": target.id})

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if len(self) == 1 and (not self.notify_customer or self._spid_closed_quietly()):
            recipients = [r for r in recipients if not r.get("share")]
        if switched(self.env, CREATION_RECIPIENTS):  # the creation message, sent by its job
            followers = switch_value(self.env, CREATION_RECIPIENTS)
            recipients = [r for r in recipients if r["id"] in followers]
        return self._spid_readers_only(recipients)

    def _notify_by_email_prepare_rendering_context(
        self,
        message,
        msg_vals=False,
        model_description=False,
        force_email_company=False,
        force_email_lang=False,
    ):
        """Notification emails go to customers too: the changes they list are
        those of fields every reader may see (Odoo's "free" tracking, and of
        those only the customer's, CUSTOMER_TRACKED_FIELDS), never the
        internal ones (priority, deadline, team, parent, participants,
        copies), which the author's own rights would otherwise have let
        through."""
        context = super()._notify_by_email_prepare_rendering_context(
            message,
            msg_vals=msg_vals,
            model_description=model_description,
            force_email_company=force_email_company,
            force_email_lang=force_email_lang,
        )
        if context.get("tracking_values"):
            tracking = (
                self.env["mail.tracking.value"]
                .sudo()
                .search([("mail_message_id", "in", message.ids)])
                ._filter_free_field_access()
            )
            tracking = self._spid_customer_trackings(tracking)
            context["tracking_values"] = [
                (values["changedField"], values["oldValue"]["value"], values["newValue"]["value"])
                for values in tracking._tracking_value_format()
            ]
        team = self.sudo().team_id if len(self) == 1 else self.env["spid.team"]
        context["spid_mail_header"] = not is_html_empty(team.mail_header) and team.mail_header
        context["spid_mail_footer"] = not is_html_empty(team.mail_footer) and team.mail_footer
        return context

    def _notify_by_email_render_layout(self, message, recipients_group, msg_vals=False, render_values=None):
        """Every email of a ticket in the team's voice: Odoo's layouts become
        ours, which add the team's header and footer for customers (and
        third parties in copy); agents read the message without them."""
        layout = msg_vals.get("email_layout_xmlid") if msg_vals else message.email_layout_xmlid
        layout = layout or "mail.mail_notification_layout"
        if layout not in TEAM_LAYOUTS.values():  # any other layout a caller names: the team's
            ours = TEAM_LAYOUTS.get(layout, TEAM_LAYOUTS["mail.mail_notification_layout"])
            msg_vals = dict(msg_vals or {}, email_layout_xmlid=ours)
        if render_values and recipients_group.get("notification_group_name") == "user":
            render_values = dict(render_values, spid_mail_header=False, spid_mail_footer=False)
        return super()._notify_by_email_render_layout(
            message, recipients_group, msg_vals=msg_vals, render_values=render_values
        )

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """A message of a ticket written by an agent or the system goes out in
        the team's voice: From "Agent (Support)" <the team's sender>, the
        agent's name kept, the address the team's (the company's without a
        team). An address given by the caller is kept: the gateway's (a
        customer's own From is never replaced) and a template's; but a
        request never gives the agent's own address (the full composer's
        default: the team's voice replaces it) nor another team's."""
        if len(self) == 1 and self.id and author_id is not False:
            author = self.env["res.partner"].browse(author_id) if author_id else self.env.user.partner_id
            user = self.env.user if author == self.env.user.partner_id else author.sudo().user_ids[:1]
            # an employee asking (no helpdesk group) writes as themselves
            if user and not user.share and not user._spid_is_requester_only():
                if email_from is not None and not self.env.su:
                    own = email_normalize(email_from) == author.sudo().email_normalized
                    email_from = None if own else email_from
                    if not own:
                        self._spid_check_sender(email_from)
                if email_from is None:
                    email_from = self._spid_email_from(author=author) or None
                    author_id = author.id
        return super()._message_compute_author(
            author_id=author_id, email_from=email_from, raise_on_email=raise_on_email
        )

    def _spid_check_sender(self, email_from):
        """Refuse a From that is another team's address (its sender or its
        alias): the customer would read that team wrote."""
        self.ensure_one()
        address = email_normalize(email_from or "")
        if not address or address == email_normalize(self._spid_email_from() or ""):
            return
        teams = self.env["spid.team"].sudo().with_context(active_test=False).search([]) - self.sudo().team_id
        others = {
            email_normalize(email) for email in teams.mapped("email_from") + teams.mapped("alias_email")
        }
        if address in others:
            raise AccessError(
                _("A message of ticket %(ref)s is sent from its own team's address.", ref=self.reference)
            )

    def _notify_get_reply_to(self, default=None):
        """Answers go to the team's alias (they thread into the ticket by
        their references); tickets of a team without one, as Odoo does."""
        res = {}
        with_alias = self.sudo().filtered(lambda ticket: ticket.team_id.alias_email)
        for ticket in with_alias:
            res[ticket.id] = self._notify_get_reply_to_formatted_email(
                ticket.team_id.alias_email, ticket.display_name, company=ticket.company_id
            )
        others = self - with_alias
        if others or not self:
            res.update(super(SpidTicket, others)._notify_get_reply_to(default=default))
        return res

    def _spid_email_from(self, author=None):
        """The From of an email about this ticket: the team's sender (the
        company's for a ticket without team); with `author` (an agent), their
        name before the sender's: "Agent Alpha (Support)" <support@...>.
        False when the company has no address either."""
        self.ensure_one()
        ticket = self.sudo()
        sender = ticket.team_id._spid_sender() if ticket.team_id else ticket.company_id.email_formatted
        if not sender or not author:
            return sender or False
        name, address = email_split_tuples(sender)[0] if email_split_tuples(sender) else ("", sender)
        return formataddr(
            (f"{author.name} ({name or ticket.team_id.name or ticket.company_id.name})", address)
        )

    def _spid_closed_quietly(self):
        """Whether this ticket is being closed without telling the customer
        (the close wizard's switch, never a context key)."""
        self.ensure_one()
        return self.id in switch_value(self.env, QUIET_CLOSE, frozenset())

    def _spid_readers_only(self, recipients):
        """Being notified is reading: a user who may not read the ticket (a
        follower from before following stopped granting access, a team
        follower a manager chose, a colleague named in a post) is not sent
        its messages. Addresses without a user were added by someone who
        may (requester, Cc of the requester or an agent)."""
        uids = {r["uid"] for r in recipients if r.get("uid")}
        if not self or not uids:
            return recipients
        users = self.env["res.users"].sudo().browse(uids)
        readers = {user.id for user in users if len(self._spid_readable_by(user)) == len(self)}
        return [r for r in recipients if not r.get("uid") or r["uid"] in readers]

    # ------------------------------------------------------------------
    # Chatter: creation, tracking and posts
    # ------------------------------------------------------------------

    def _creation_subtype(self):
        if switched(self.env, BATCH_CREATE):
            return self.env["mail.message.subtype"]
        return self.env.ref("spid_helpdesk.mt_ticket_new")

    def _creation_message(self):
        self.ensure_one()
        return _("Ticket %(ref)s opened by %(user)s.", ref=self.reference, user=self.env.user.name)

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "status_id" in init_values:
            return self.env.ref("spid_helpdesk.mt_ticket_status")
        return super()._track_subtype(init_values)

    def _track_template(self, changes):
        res = super()._track_template(changes)
        ticket = self[0]
        template = ticket._spid_entering_template() if "status_id" in changes else None
        if (
            template
            # no "rate us" for a duplicate merged into another ticket
            and not ticket.merged_into_id
            and not ticket._spid_closed_quietly()
        ):
            res["status_id"] = (
                template,
                {
                    "auto_delete_keep_log": False,
                    "subtype_id": ticket._spid_status_email_subtype_id(template),
                    "email_layout_xmlid": "mail.mail_notification_light",
                },
            )
        return res

    def _spid_entering_template(self):
        """The email this ticket sends on entering its status: its team's own
        for the status, else the status's."""
        self.ensure_one()
        if self.team_id:
            return self.team_id._spid_status_template(self.status_id)
        return self.status_id.mail_template_id

    def _spid_status_email_subtype_id(self, template):
        """The subtype of a status email: "Email to the customer" (public, so
        the customer reads it in their portal conversation too, but hidden
        and off by default, so that only the template's recipients get it,
        not every follower); an internal note for a closing status and for
        the "rate us" template, whose rating links are the requester's own:
        other readers of the ticket (a grouped client's contacts) must not
        get them. Ids from the cached xmlids: no query."""
        self.ensure_one()
        xmlids = self.env["ir.model.data"]
        rating = xmlids._xmlid_to_res_id("spid_helpdesk.mail_template_ticket_closed_rating", False)
        if self.status_id.is_closed or template.id == rating:
            return xmlids._xmlid_to_res_id("mail.mt_note")
        return xmlids._xmlid_to_res_id("spid_helpdesk.mt_customer_email")

    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        if message.message_type in ("comment", "email") and not switched(self.env, SLA_SYSTEM):
            public = not message.subtype_id.internal
            author_user = message.author_id.user_ids[:1]
            by_agent = (
                bool(author_user) and not author_user.share and not author_user._spid_is_requester_only()
            )
            self.env["spid.ticket.sla"]._spid_follow_message(self, answered=public and by_agent)
            if public and self.filtered("auto_close_warned_date"):
                self.sudo().write({"auto_close_warned_date": False})
            if public:
                self._spid_mark_unread(message.author_id)
            if public and not by_agent:
                self._spid_on_requester_reply(message)
        return res
