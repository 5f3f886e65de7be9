from collections import defaultdict
from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import UserError


class SpidTicketLimits(models.Model):
    """Creation limits: open tickets and tickets of the year, per requester, by team and by client."""

    _inherit = "spid.ticket"

    # ------------------------------------------------------------------
    # Creation limits
    # ------------------------------------------------------------------

    def _spid_check_creation_limits(self, vals_list):
        """Open tickets and tickets of the last 365 days per requester, by
        team and by client: `block` refuses the batch, `warn` marks the
        ticket. Two grouped queries, whatever the batch size."""
        requester_ids = {v["partner_id"] for v in vals_list if v.get("partner_id")}
        if not requester_ids:
            return
        requesters = self.env["res.partner"].sudo().browse(requester_ids)
        teams = self.env["spid.team"].sudo().browse({v["team_id"] for v in vals_list if v.get("team_id")})
        clients = requesters.commercial_partner_id
        if not any(teams.mapped("open_ticket_limit") + teams.mapped("yearly_ticket_limit")) and not any(
            clients.mapped("spid_open_ticket_limit") + clients.mapped("spid_yearly_ticket_limit")
        ):
            return
        counts = self._spid_count_requester_tickets(requester_ids)
        for vals in vals_list:
            if not vals.get("partner_id"):
                continue
            requester = requesters.browse(vals["partner_id"])
            team = teams.browse(vals.get("team_id"))
            message, blocking = self._spid_limit_reached(counts, requester, team)
            if message and blocking:
                raise UserError(_("%s No ticket was created.", message))
            if message:
                vals["limit_warning"] = message
            # the batch's own tickets count for the next ones
            for kind in ("open", "year"):
                counts[(kind, requester.id, team.id or 0)] += 1
                counts[(kind, requester.id, None)] += 1

    def _spid_count_requester_tickets(self, requester_ids):
        """{(kind, requester id, team id or 0 — None for any team): count}
        of the requesters' open tickets (kind `open`) and tickets of the
        last 365 days (`year`)."""
        Ticket = self.sudo().with_context(active_test=False)
        since = fields.Datetime.now() - timedelta(days=365)
        counts = defaultdict(int)
        for kind, domain in (("open", [("is_closed", "=", False)]), ("year", [("date_opened", ">=", since)])):
            for partner, team, count in Ticket._read_group(
                [("partner_id", "in", list(requester_ids)), *domain], ["partner_id", "team_id"], ["__count"]
            ):
                counts[(kind, partner.id, team.id or 0)] += count
                counts[(kind, partner.id, None)] += count
        return counts

    def _spid_limit_reached(self, counts, requester, team):
        """(message, blocking) for a limit of the team or client that a new
        ticket of `requester` goes past: the first that blocks, else the
        last that warns, else (None, False)."""
        client = requester.commercial_partner_id
        checks = [
            ("open", team.id, team.open_ticket_limit, team.limit_mode, team.name),
            ("year", team.id, team.yearly_ticket_limit, team.limit_mode, team.name),
            ("open", None, client.spid_open_ticket_limit, client.spid_limit_mode, client.name),
            ("year", None, client.spid_yearly_ticket_limit, client.spid_limit_mode, client.name),
        ]
        found = (None, False)
        for kind, team_key, limit, mode, owner in checks:
            count = counts[(kind, requester.id, team_key)]
            if not limit or count < limit:
                continue
            if kind == "open":
                message = _(
                    "%(requester)s already has %(count)s open tickets for %(owner)s (limit %(limit)s).",
                    requester=requester.name,
                    count=count,
                    owner=owner,
                    limit=limit,
                )
            else:
                message = _(
                    "%(requester)s opened %(count)s tickets for %(owner)s in the last 365 days"
                    " (limit %(limit)s).",
                    requester=requester.name,
                    count=count,
                    owner=owner,
                    limit=limit,
                )
            if mode == "block":
                return message, True
            found = (message, False)
        return found
