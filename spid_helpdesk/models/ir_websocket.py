"""Who may listen to the live channels of tickets (spid_ticket_live.py).

A client asks with plain strings; each is checked here, as the connected
user, and replaced by the record channel the server sends to. A string
that fails its check subscribes to nothing of ours (the bus keeps the
string itself, on which nothing is ever sent), so an attacker learns
nothing, not even whether the ticket exists.

- ``spid_live_list``: the lists and kanbans of an agent: their teams', the
  company's ticket-without-team, their own, and (supervisors) the company's.
- ``spid_live_ticket:<id>``: an agent's open form of a ticket they read.
- ``spid_portal_ticket:<id>[:<token>]``: the customer's ticket page, for
  whoever reads the ticket through the record rules or holds its token.

The check is made when the client subscribes (at each connection and page
load): someone who loses access meanwhile keeps receiving the ids and the
names of those who act on the ticket until their next subscription, never
a ticket's content.
"""

import re

from odoo import models
from odoo.tools import consteq

TICKET_CHANNEL = re.compile(r"^spid_(live|portal)_ticket:(\d{1,18})(?::([\w-]{1,128}))?$")
# A page listens to one ticket (a few tabs: a few); the rest of a longer list
# is ignored, so that one message of an anonymous client cannot make the
# websocket process run thousands of checks.
MAX_TICKET_CHANNELS = 20


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        channels = list(channels)
        user = self.env.user
        if user and self.env.uid:
            channels.extend(self._spid_live_channels([c for c in channels if isinstance(c, str)]))
        return super()._build_bus_channel_list(channels)

    def _spid_live_channels(self, asked):
        user = self.env.user
        result = []
        is_agent = not user.share and user.has_group("spid_helpdesk.group_spid_agent")
        if "spid_live_list" in asked and is_agent:
            companies = user.company_ids
            # sudo: the teams the user is a member of, whatever team rules say
            teams = self.env["spid.team"].sudo().search([("member_ids", "in", user.ids)])
            result += [
                (team, "spid_live") for team in teams if team.company_id in companies or not team.company_id
            ]
            result += [(company, "spid_live_agents") for company in companies]
            if user.has_group("spid_helpdesk.group_spid_supervisor"):
                result += [(company, "spid_live_supervisors") for company in companies]
            result.append((user, "spid_live"))
        wanted = {}
        for match in filter(None, map(TICKET_CHANNEL.match, asked)):
            wanted.setdefault(int(match[2]), []).append((match[1], match[3]))
            if sum(map(len, wanted.values())) >= MAX_TICKET_CHANNELS:
                break
        if not wanted:
            return result
        Ticket = self.env["spid.ticket"]
        # the caller's record rules decide (one query for every ticket asked)
        readable = set()
        if not user._is_public() and self.env["ir.model.access"].check("spid.ticket", "read", False):
            readable = set(Ticket.with_context(active_test=False).search([("id", "in", list(wanted))]).ids)
        tokens = self._spid_access_tokens(
            [
                ticket_id
                for ticket_id, asks in wanted.items()
                if ticket_id not in readable and any(t for _k, t in asks)
            ]
        )
        for ticket_id, asks in wanted.items():
            ticket = Ticket.browse(ticket_id)
            for kind, token in asks:
                if kind == "live" and is_agent and ticket_id in readable:
                    result.append((ticket, "spid_live"))
                elif kind == "portal" and (
                    ticket_id in readable
                    or bool(token and tokens.get(ticket_id) and consteq(tokens[ticket_id], token))
                ):
                    result.append((ticket, "spid_portal"))
        return result

    def _spid_access_tokens(self, ticket_ids):
        """The access tokens of the tickets (portal addon: the ticket's page
        opened through its emailed link), read in one query."""
        Ticket = self.env["spid.ticket"]
        if not ticket_ids or "access_token" not in Ticket._fields:
            return {}
        # sudo: the tokens are compared, never returned
        rows = (
            Ticket.sudo()
            .with_context(active_test=False)
            .search_read([("id", "in", ticket_ids)], ["access_token"])
        )
        return {row["id"]: row["access_token"] for row in rows if row["access_token"]}
