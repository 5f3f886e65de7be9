from odoo import _, api, fields, models
from odoo.tools import email_normalize, parse_contact_from_email

from .spid_team import LIMIT_MODES

# Addresses at these domains are people, not clients: a new contact writing
# from one of them is never attached to a client by its domain.
PUBLIC_MAIL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.fr hotmail.com hotmail.fr outlook.com outlook.fr
    live.com live.fr msn.com icloud.com me.com aol.com gmx.com gmx.fr gmx.de web.de free.fr orange.fr
    wanadoo.fr laposte.net sfr.fr neuf.fr bbox.fr protonmail.com proton.me yandex.com yandex.ru mail.ru
    zoho.com tutanota.com""".split()
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    spid_is_client = fields.Boolean(
        string="Helpdesk client",
        help="A client whose contacts may open tickets.",
    )
    # our own companies are no clients: the ticket's Client field leaves
    # them out (account's ref_company_ids is the same link, not installed here)
    spid_own_company_ids = fields.One2many(
        "res.company", "partner_id", string="Own companies", groups="base.group_user"
    )
    spid_team_visibility = fields.Selection(
        [("grouped", "Grouped"), ("independent", "Independent")],
        string="Ticket visibility",
        default="independent",
        help="Grouped: the client's contacts see each other's tickets on the portal.\n"
        "Independent: each contact sees only their own tickets.",
    )
    spid_portal_show_time = fields.Boolean(
        string="Show time on the portal",
        help="The client's contacts see the hours of the public work done on their tickets.",
    )
    spid_open_ticket_limit = fields.Integer(
        string="Open tickets per requester",
        help="Open tickets each contact of this client may have at once; 0 = no limit.",
    )
    spid_yearly_ticket_limit = fields.Integer(
        string="Tickets per requester and year",
        help="Tickets each contact may open over the last 365 days; 0 = no limit.",
    )
    spid_limit_mode = fields.Selection(
        LIMIT_MODES,
        string="When a limit is reached",
        default="block",
        help="Block: the ticket is refused with a clear message. Warn: it is created and flagged.",
    )
    spid_site_ids = fields.One2many(
        "res.partner",
        "parent_id",
        string="Sites",
        domain=[("type", "in", ("delivery", "other"))],
        help="Intervention addresses of the client.",
    )
    spid_ticket_count = fields.Integer(string="Tickets", compute="_compute_spid_ticket_counts")
    spid_open_ticket_count = fields.Integer(string="Open tickets", compute="_compute_spid_ticket_counts")

    def _compute_spid_ticket_counts(self):
        """Tickets where the partner is the client, the requester or the site,
        counted with two grouped queries for the whole set."""
        self.spid_ticket_count = self.spid_open_ticket_count = 0
        Ticket = self.env["spid.ticket"]
        if not self.ids or not Ticket.has_access("read"):
            return
        counts = {}
        for client, requester, closed, count in Ticket._read_group(
            ["|", ("client_id", "in", self.ids), ("partner_id", "in", self.ids)],
            ["client_id", "partner_id", "is_closed"],
            ["__count"],
        ):
            for partner_id in {client.id, requester.id}:
                total, open_ = counts.get(partner_id, (0, 0))
                counts[partner_id] = (total + count, open_ + (0 if closed else count))
        for partner in self:
            partner.spid_ticket_count, partner.spid_open_ticket_count = counts.get(partner.id, (0, 0))

    def _spid_ticket_domain(self):
        self.ensure_one()
        return ["|", ("client_id", "=", self.id), ("partner_id", "=", self.id)]

    def action_spid_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("spid_helpdesk.spid_ticket_action")
        action.update(
            domain=self._spid_ticket_domain(),
            context={
                "default_client_id": self.commercial_partner_id.id,
                "default_partner_id": self.id if self.parent_id else False,
                "search_default_filter_open": 1,
            },
            display_name=_("Tickets of %s", self.display_name),
        )
        return action

    @api.model
    def _spid_site_domain(self, client):
        return [
            "|",
            ("id", "=", client.id),
            "&",
            ("parent_id", "=", client.id),
            ("type", "in", ("delivery", "other")),
        ]

    # ------------------------------------------------------------------
    # Who writes from an address (the email channel and the public form)
    # ------------------------------------------------------------------

    @api.model
    def _spid_find_by_email(self, email):
        """The contact of a normalized address, a company's contact first."""
        if not email:
            return self.browse()
        return self.sudo().search([("email_normalized", "=", email)], order="parent_id desc, id", limit=1)

    def _spid_is_vetted(self):
        """Whether this partner was vetted by someone: a contact of a company,
        a company or client itself, or a user. A contact that an earlier
        email or form created on its own is not."""
        partner = self.sudo()
        return bool(partner.parent_id or partner.is_company or partner.spid_is_client or partner.user_ids)

    @api.model
    def _spid_find_or_create_by_email(self, email_from):
        """Find the contact of an address (case-insensitive), else create it,
        standalone: an address at a client's domain proves nothing (anyone
        can write from a lookalike or spoofed address), so a new contact is
        never attached to a client automatically. Returns (partner,
        confirmed): confirmed only for a vetted contact (_spid_is_vetted)."""
        name, email = parse_contact_from_email(email_from or "")
        email = email_normalize(email or "")
        if not email:
            return self.sudo().browse(), False
        partner = self._spid_find_by_email(email)
        if partner:
            return partner, partner._spid_is_vetted()
        return self._spid_create_contacts({email: name}), False

    @api.model
    def _spid_create_contacts(self, names):
        """New standalone contacts for the normalized addresses of `names`
        ({email: display name or empty}), named after the address when
        nameless."""
        return self.sudo().create(
            [{"name": name or email, "email": email, "type": "contact"} for email, name in names.items()]
        )

    @api.model
    def _spid_client_of_domain(self, email):
        """The one client whose contacts write from the domain of `email`
        (not a public mail provider), else nothing: a suggestion for the
        agent who classifies the requester, never an attachment."""
        Partner = self.sudo()
        domain = (email_normalize(email or "") or "").rpartition("@")[2]
        if not domain or domain in PUBLIC_MAIL_DOMAINS:
            return Partner.browse()
        clients = Partner.search(
            [
                ("email_normalized", "=like", f"%@{domain}"),
                ("is_company", "=", False),
                ("parent_id", "!=", False),
            ],
            limit=50,
        ).commercial_partner_id.filtered("is_company")
        return clients if len(clients) == 1 else Partner.browse()
