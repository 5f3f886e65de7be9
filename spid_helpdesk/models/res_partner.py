from odoo import _, api, fields, models

from .spid_team import LIMIT_MODES


class ResPartner(models.Model):
    _inherit = "res.partner"

    spid_is_client = fields.Boolean(
        string="Helpdesk client",
        help="A client whose contacts may open tickets.",
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
