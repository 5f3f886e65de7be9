from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize, html2plaintext
from odoo.tools.misc import format_datetime

from odoo.addons.spid_helpdesk.internal import TYPE_OPTIONAL, with_switch

TICKET_COMMAND = "/ticket"
AGENT_GROUP = "spid_helpdesk.group_spid_agent"


class DiscussChannel(models.Model):
    """A Live Chat conversation that an operator turns into a ticket: the
    /ticket command and the chat window's button both call
    execute_command_ticket."""

    _inherit = "discuss.channel"

    spid_ticket_id = fields.Many2one(
        "spid.ticket",
        string="Helpdesk ticket",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups=AGENT_GROUP,
        help="The ticket an operator created from this conversation.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any("spid_ticket_id" in vals for vals in vals_list):
            raise AccessError(
                _("A conversation gets its ticket only when an operator creates it from the chat.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "spid_ticket_id" in vals:
            raise AccessError(
                _("A conversation gets its ticket only when an operator creates it from the chat.")
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # The command and the button
    # ------------------------------------------------------------------

    def execute_command_ticket(self, **kwargs):
        """``/ticket [title] [email]``: the conversation becomes a ticket
        (or, when it already is one, the operator is shown that ticket). An
        address in the arguments is the visitor's, given by the operator.
        Returns the ticket's id (the chat window's button opens it)."""
        self.ensure_one()
        title, email = self._spid_parse_ticket_command(kwargs.get("body") or "")
        ticket, created = self._spid_ticket_from_chat(title=title, email=email)
        link = ticket._get_html_link(title=ticket.display_name)
        if created:
            msg = _("Ticket %(ticket)s created from this conversation.", ticket=link)
        else:
            msg = _("This conversation is already the ticket %(ticket)s.", ticket=link)
        self.env.user._bus_send_transient_message(self, msg)
        return ticket.id

    @api.model
    def _spid_parse_ticket_command(self, body):
        """(title, email) of a ``/ticket`` command's text: the words after
        the command, an email address among them taken out of the title."""
        text = body.strip()  # the composer's plain text, as typed
        if text.startswith(TICKET_COMMAND):
            text = text[len(TICKET_COMMAND) :]
        words, email = [], False
        for word in text.split():
            address = "@" in word and email_normalize(word.strip("<>(),;"))
            if address and not email:
                email = address
            else:
                words.append(word)
        return " ".join(words), email

    def _spid_check_ticket_author(self):
        """Only a helpdesk agent who is a member of this Live Chat
        conversation turns it into a ticket: not the visitor, not an agent
        outside the conversation, whatever context they send."""
        self.ensure_one()
        if not self.env.user.has_group(AGENT_GROUP):
            raise AccessError(_("Only helpdesk agents create tickets from a conversation."))
        if self.channel_type != "livechat":
            raise UserError(_("Only a Live Chat conversation becomes a ticket."))
        if not self.is_member:
            raise AccessError(_("Only an operator taking part in the conversation creates its ticket."))

    def _spid_ticket_from_chat(self, title="", email=False):
        """The ticket of this conversation, created now as the current
        operator when it has none. Returns (ticket, created)."""
        self._spid_check_ticket_author()
        # two operators clicking at once get one ticket: the channel's row is
        # locked until the end of the transaction, then its ticket re-read
        self.flush_recordset(["spid_ticket_id"])
        self.env.cr.execute(
            "SELECT spid_ticket_id FROM discuss_channel WHERE id = %s FOR NO KEY UPDATE", [self.id]
        )
        existing = self.env.cr.fetchone()[0]
        Ticket = self.env["spid.ticket"]
        if existing:
            return Ticket.browse(existing), False
        channel = self.sudo()  # sudo: the operator is a member (checked), reading its messages and visitors
        partner, confirmed = self._spid_chat_requester(email)
        values = {
            "name": title or _("Chat with %(visitor)s", visitor=channel._spid_visitor_name(partner)),
            "channel": "chat",
            "user_id": self.env.uid,
        }
        team = channel.livechat_channel_id.spid_team_id or self._spid_operator_team()
        if team:
            values["team_id"] = team.id
            if team.company_id:
                values["company_id"] = team.company_id.id
        if partner:
            values.update(Ticket._spid_requester_values(partner, confirmed))
        # created as the operator (their access rights hold); the type comes later, as for an email
        ticket = with_switch(Ticket, TYPE_OPTIONAL).create(values).with_env(self.env)
        if partner and not confirmed:
            ticket._spid_suggest_client(partner)
        ticket._message_log(
            body=channel._spid_transcript(),
            author_id=self.env.user.partner_id.id,
            message_type="comment",
        )
        # sudo: both links are written by this method only (system fields)
        ticket.sudo().livechat_channel_id = self
        channel.spid_ticket_id = ticket
        return ticket, True

    def _spid_chat_requester(self, email):
        """(partner, confirmed) of the visitor: the contact of the address
        the operator typed, matched or created as for an email; else a
        logged-in visitor (portal user) is their own contact; an anonymous
        visitor gets none."""
        Partner = self.env["res.partner"]
        if email:
            return Partner._spid_find_or_create_by_email(email)
        visitors = self.sudo().channel_member_ids.partner_id.filtered(
            lambda p: p.partner_share and not p.is_public and p != self.env.user.partner_id
        )
        if visitors:
            return visitors[0], visitors[0]._spid_is_vetted()
        return Partner, False

    def _spid_operator_team(self):
        """The operator's default team: the first of the teams they are a member of."""
        return self.env["spid.team"].search([("member_ids", "in", self.env.uid)], limit=1)

    def _spid_visitor_name(self, partner):
        self.ensure_one()
        if partner:
            return partner.name
        guest = self.channel_member_ids.guest_id[:1]
        return self.anonymous_name or guest.name or _("Visitor")

    def _spid_transcript(self):
        """The conversation as an HTML note: each message the visitor could
        read (no internal note), with its author and time in the operator's
        timezone, its text escaped."""
        self.ensure_one()
        messages = self.message_ids.filtered(
            lambda m: m.message_type in ("comment", "email")
            and not m.is_internal
            and not m.subtype_id.internal
            and (html2plaintext(m.body or "").strip() or m.attachment_ids)
        ).sorted("id")
        lines = Markup()
        tz = self.env.user.tz or "UTC"
        for message in messages:
            author = (
                message.author_id.user_livechat_username
                or message.author_id.name
                or self.anonymous_name
                or message.author_guest_id.name
                or _("Visitor")
            )
            text = Markup("<br/>").join(html2plaintext(message.body or "").strip().splitlines())
            files = ", ".join(message.attachment_ids.mapped("name"))
            if files:
                text += Markup(" <i>(%s)</i>") % _("files: %(files)s", files=files)
            lines += Markup("<li><b>%s</b> %s: %s</li>") % (
                format_datetime(self.env, message.date, tz=tz, dt_format="short"),
                author,
                text,
            )
        if not lines:
            lines = Markup("<li>%s</li>") % _("(no message)")
        return Markup("<p>%s</p><ul>%s</ul>") % (
            _("Live Chat conversation “%(name)s”:", name=self.name),
            lines,
        )

    # ------------------------------------------------------------------
    # Demo only (a <function> in demo/, never a request)
    # ------------------------------------------------------------------

    @api.model
    @api.private
    def _spid_demo_chat_ticket(self):
        """A Live Chat conversation of the demo customer with the demo agent,
        turned into a ticket by the agent as they would from the chat. Once:
        an upgrade loads the demo data again."""
        if self.env.ref("spid_helpdesk_livechat.ticket_chat_demo", raise_if_not_found=False):
            return
        agent = self.env.ref("spid_helpdesk.user_agent_demo")
        customer = self.env.ref("spid_helpdesk.user_customer_demo")
        livechat = self.env.ref("im_livechat.im_livechat_channel_data")
        livechat.user_ids |= agent
        channel = self.create(
            {
                "name": f"{customer.name} {agent.name}",
                "channel_type": "livechat",
                "livechat_channel_id": livechat.id,
                "livechat_operator_id": agent.partner_id.id,
                "channel_member_ids": [
                    Command.create({"partner_id": agent.partner_id.id}),
                    Command.create({"partner_id": customer.partner_id.id}),
                ],
            }
        )
        lines = [
            (customer, "Hello, the label printer at the warehouse prints blank labels since this morning."),
            (agent, "Hello Alice, which model is it, and did you change the roll?"),
            (customer, "A Zebra GK420d. Yes, a new roll: same problem."),
            (agent, "Thank you, I open a ticket and a technician will call you."),
        ]
        for user, body in lines:
            channel.with_user(user).message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        ticket, _created = channel.with_user(agent)._spid_ticket_from_chat(
            title="Warehouse label printer prints blank labels"
        )
        self.env["ir.model.data"].create(
            [
                {
                    "module": "spid_helpdesk_livechat",
                    "name": name,
                    "model": record._name,
                    "res_id": record.id,
                    "noupdate": True,
                }
                for name, record in (("ticket_chat_demo", ticket), ("discuss_channel_chat_demo", channel))
            ]
        )
