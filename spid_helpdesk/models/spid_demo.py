"""Demo only: a year of helpdesk history, so that the reports, the service
levels and the objectives have something to show. Called by the demo data
(a <function> in demo/spid_helpdesk_demo.xml), never by a request (private
methods).

Deterministic: one seeded random.Random, dates relative to today (the
status of a ticket depends on its age in days, never on the calendar).
Set-based: one create() per model, the history's dates written afterwards
with one UPDATE per table. Historic tickets are created as a batch
(BATCH_CREATE: no creation notification, followers added per group) and
their work units as an import (IMPORTING: logged in the chatter, dated as
the work, nobody notified)."""

import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..internal import IMPORTING, with_switch

SEED = 15
TICKET_COUNT = 480
HISTORY_DAYS = 395  # the current month and the twelve full months before it

TITLES = {
    "category_printer_demo": [
        "Printer jams on the first job",
        "Toner warning although the cartridge is new",
        "Printer offline for the whole floor",
        "Scanned documents are not sent by email",
    ],
    "category_hardware_demo": [
        "Laptop does not start",
        "Screen flickers",
        "Docking station not recognised",
        "Keyboard keys stuck",
        "New workstation to install",
        "Server fan is noisy",
    ],
    "category_software_demo": [
        "Accounting software crashes at start",
        "Licence renewal",
        "Outlook does not sync the calendar",
        "Install the new version of the ERP client",
        "Password reset",
        "Shared folder access for a new employee",
        "Nightly backup failed",
    ],
    "category_network_demo": [
        "VPN drops",
        "Wi-Fi slow in the meeting room",
        "No internet on the second floor",
        "Firewall rule for the new supplier",
        "Phone system loses calls",
    ],
}
TEAM_AGENTS = {
    "team_support_demo": ["user_agent_demo", "user_supervisor_demo", "user_agent_demo"],
    "team_field_demo": ["user_technician_demo"],
}
RESOLUTIONS = ["solved"] * 16 + ["rejected", "duplicate", "cancelled", "missing_data"]
ACTIONS = ["question", "answer", "instruction", "information", "event", "solution"]
FEEDBACK = {
    5: ["Quick and clear, thank you.", "Perfect, solved on the first call.", ""],
    3: ["Solved, but it took a while.", ""],
    1: ["Three days without an answer.", "The problem came back the next day."],
}


class SpidTicketDemo(models.Model):
    _inherit = "spid.ticket"

    @api.model
    def _spid_demo_history(self):
        """Create the demo's year of tickets, work, clocks, ratings and objectives."""
        rng = random.Random(SEED)
        now = fields.Datetime.now().replace(microsecond=0)
        specs = self._spid_demo_ticket_specs(rng, now)
        vals_list = [spec["vals"] for spec in specs]
        # one batch: BATCH_CREATE, no creation notification nor acknowledgement
        tickets = self.create(vals_list)
        for spec, ticket in zip(specs, tickets):
            spec["ticket"] = ticket
        self._spid_demo_workunits(rng, specs, now)
        self._spid_demo_backdate(specs)
        self._spid_demo_clocks(rng, specs, now)
        self._spid_demo_ratings(rng, specs)
        self._spid_demo_objectives(rng, now)
        self.env.flush_all()

    @api.model
    def _spid_demo_ticket_specs(self, rng, now):
        """[{vals, create_date, date_closed, date_status}] of the history,
        oldest first (their references follow the dates)."""
        ref = self.env.ref
        clients = [
            (ref("spid_helpdesk.partner_client_acme_demo"), 4),
            (ref("spid_helpdesk.partner_client_bellevue_demo"), 3),
            (ref("spid_helpdesk.partner_client_garnier_demo"), 2),
            (ref("spid_helpdesk.partner_client_lumen_demo"), 2),
        ]
        client_weights = [weight for _client, weight in clients]
        contacts = {
            client.id: client.child_ids.filtered(lambda p: p.type == "contact").sorted("id")
            for client, _weight in clients
        }
        sites = {
            client.id: client.child_ids.filtered(lambda p: p.type == "other").sorted("id")
            for client, _weight in clients
        }
        categories = [ref(f"spid_helpdesk.{xmlid}") for xmlid in TITLES]
        category_weights = [2, 2, 4, 3]
        types = [
            ref("spid_helpdesk.type_incident_demo"),
            ref("spid_helpdesk.type_request_demo"),
        ]
        statuses = {
            name: ref(f"spid_helpdesk.status_{name}")
            for name in (
                "new",
                "assigned",
                "in_progress",
                "pending_third_party",
                "pending_customer",
                "pending_close",
                "closed",
                "reopened",
            )
        }
        specs = []
        for _index in range(TICKET_COUNT):
            # a steady flow over the year, and the current backlog
            days = rng.randrange(30) if rng.random() < 0.12 else rng.randrange(HISTORY_DAYS)
            age = timedelta(days=days, hours=rng.randrange(1, 10))
            create_date = now - age
            client = rng.choices([c for c, _w in clients], client_weights)[0]
            category = rng.choices(categories, category_weights)[0]
            xmlid = category.get_external_id()[category.id].split(".")[1]
            team = category._spid_team()
            team_xmlid = (
                "team_field_demo" if team == ref("spid_helpdesk.team_field_demo") else "team_support_demo"
            )
            status_name = self._spid_demo_status(rng, age.days)
            owner = ref(f"spid_helpdesk.{rng.choice(TEAM_AGENTS[team_xmlid])}")
            if status_name == "new" and rng.random() < 0.7:
                owner = self.env["res.users"]
            status = statuses[status_name]
            vals = {
                "name": rng.choice(TITLES[xmlid]),
                "client_id": client.id,
                "partner_id": rng.choice(contacts[client.id]).id,
                "category_id": category.id,
                "type_id": rng.choice(types).id,
                "channel": rng.choices(["phone", "email", "portal", "web", "chat"], [4, 4, 3, 1, 1])[0],
                "priority": rng.choices(["0", "1", "2", "3"], [2, 11, 5, 2])[0],
                "urgency": rng.choice(["1", "1", "2"]),
                "status_id": status.id,
                "user_id": owner.id or False,
            }
            if sites[client.id] and rng.random() < 0.3:
                vals["site_id"] = sites[client.id][0].id
            date_closed = None
            if status.is_closed:
                hours = rng.choice([1, 2, 3, 5, 8, 20, 30, 50, 75, 120, 200])
                date_closed = min(create_date + timedelta(hours=hours, minutes=rng.randrange(60)), now)
                vals["resolution"] = rng.choice(RESOLUTIONS)
                vals["epilogue"] = Markup("<p>%s</p>") % (
                    "Solved and checked with the requester."
                    if vals["resolution"] == "solved"
                    else "Closed without intervention."
                )
            specs.append(
                {
                    "vals": vals,
                    "create_date": create_date,
                    "date_closed": date_closed,
                    "date_status": date_closed
                    or min(create_date + timedelta(hours=rng.randrange(1, 48)), now),
                }
            )
        specs.sort(key=lambda spec: spec["create_date"])
        return specs

    @api.model
    def _spid_demo_status(self, rng, age_days):
        """A status plausible for a ticket `age_days` old."""
        if age_days > 30:
            weights = {"closed": 97, "pending_third_party": 1, "pending_customer": 1, "reopened": 1}
        elif age_days > 7:
            weights = {
                "closed": 70,
                "in_progress": 8,
                "pending_customer": 6,
                "pending_third_party": 5,
                "pending_close": 5,
                "reopened": 3,
                "assigned": 3,
            }
        else:
            weights = {
                "new": 25,
                "assigned": 20,
                "in_progress": 25,
                "pending_customer": 10,
                "pending_close": 5,
                "closed": 15,
            }
        return rng.choices(list(weights), list(weights.values()))[0]

    @api.model
    def _spid_demo_workunits(self, rng, specs, now):
        """Work on the tickets: billable or not, public or internal, done
        between the opening and the closing; logged as an import."""
        vals_list = []
        for spec in specs:
            ticket = spec["ticket"]
            if not ticket.user_id:
                continue
            count = rng.randint(1, 3) if ticket.is_closed else rng.randint(0, 2)
            end = spec["date_closed"] or now
            span = max((end - spec["create_date"]).total_seconds(), 60)
            for _index in range(count):
                public = rng.random() < 0.6
                vals_list.append(
                    {
                        "ticket_id": ticket.id,
                        "user_id": ticket.user_id.id,
                        "date": spec["create_date"] + timedelta(seconds=rng.uniform(0.1, 1.0) * span),
                        "duration": rng.choice([0.25, 0.5, 0.5, 0.75, 1.0, 1.0, 1.5, 2.0, 3.0]),
                        "action_type": rng.choice(ACTIONS),
                        "visibility": "public" if public else "internal",
                        "billable": rng.random() < (0.9 if public else 0.6),
                        "description": Markup("<p>%s</p>")
                        % ("Called the requester." if public else "Checked the logs."),
                    }
                )
        units = with_switch(self.env["spid.workunit"], IMPORTING).create(vals_list)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE spid_workunit SET create_date = date, write_date = date WHERE id = ANY(%s)", units.ids
            )
        )

    @api.model
    def _spid_demo_backdate(self, specs):
        """Opening, status and closing dates of the history, and of the
        messages of its tickets (creation logs, work units)."""
        self.env.flush_all()
        rows = [
            (spec["ticket"].id, spec["create_date"], spec["date_status"], spec["date_closed"])
            for spec in specs
        ]
        values = SQL(", ").join(
            SQL("(%s, %s::timestamp, %s::timestamp, %s::timestamp)", *row) for row in rows
        )
        self.env.cr.execute(
            SQL(
                """UPDATE spid_ticket t
                      SET create_date = v.create_date, write_date = COALESCE(v.date_closed, v.date_status),
                          date_opened = v.create_date, date_reported = v.create_date,
                          date_status = v.date_status, date_closed = v.date_closed,
                          closed_by_id = CASE WHEN v.date_closed IS NULL THEN NULL ELSE t.user_id END
                     FROM (VALUES %s) AS v(id, create_date, date_status, date_closed)
                    WHERE t.id = v.id""",
                values,
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE mail_message m
                      SET date = t.create_date
                     FROM spid_ticket t
                    WHERE m.model = 'spid.ticket' AND m.res_id = t.id AND t.id = ANY(%s)
                      AND m.message_type != 'comment'""",
                [row[0] for row in rows],
            )
        )
        self.env.invalidate_all()

    @api.model
    def _spid_demo_clocks(self, rng, specs, now):
        """Service-level clocks as they ended: met or failed, reached when
        the ticket was answered or closed; the clocks of open tickets run
        from their opening (or last update) and get their deadlines again."""
        Line = self.env["spid.ticket.sla"].sudo()
        lines = Line.search([("ticket_id", "in", [spec["ticket"].id for spec in specs])], order="id")
        by_ticket = {spec["ticket"].id: spec for spec in specs}
        rows, running = [], []
        for line in lines:
            spec = by_ticket[line.ticket_id.id]
            ticket, opened = spec["ticket"], spec["create_date"]
            finished = ticket.is_closed or (line.kind == "response" and not ticket.status_id.is_start)
            fail_rate = {"response": 0.15, "resolution": 0.2, "inactivity": 0.1}[line.kind]
            failed = rng.random() < fail_rate
            target = line.target_hours
            spent = target * (rng.uniform(1.1, 2.5) if failed else rng.uniform(0.1, 0.95))
            if finished:
                if line.kind == "response":
                    reached = min(opened + timedelta(hours=spent), spec["date_closed"] or now, now)
                else:
                    reached = spec["date_closed"]
                rows.append(
                    (line.id, opened, spent, None, reached, "failed" if failed else "met", int(failed), None)
                )
            else:
                start = spec["date_status"] if line.kind == "inactivity" else opened
                if failed:
                    # breached already: failed as the SLA cron leaves it, its
                    # deadline in the past, so that the cron does not act on
                    # (nor email about) the history
                    deadline = min(start + timedelta(hours=target * 1.5), now - timedelta(minutes=1))
                    rows.append((line.id, opened, spent, start, None, "failed", 1, deadline))
                    continue
                # still within its target: the clock has consumed part of it
                # and runs again from now (a paused one stays paused)
                since = now if line.running_since else None
                rows.append((line.id, opened, spent * 0.8, since, None, "ongoing", 0, None))
                running.append(line.id)
        if rows:
            values = SQL(", ").join(
                SQL(
                    "(%s, %s::timestamp, %s::float, %s::timestamp, %s::timestamp, %s, %s, %s::timestamp)",
                    *row,
                )
                for row in rows
            )
            self.env.cr.execute(
                SQL(
                    """UPDATE spid_ticket_sla l
                          SET create_date = v.create_date, write_date = v.create_date,
                              spent_hours = v.spent, running_since = v.running_since,
                              reached_date = v.reached, status = v.status, breach_count = v.breaches,
                              deadline = v.deadline, risk_date = NULL
                         FROM (VALUES %s)
                              AS v(id, create_date, spent, running_since, reached, status, breaches, deadline)
                        WHERE l.id = v.id""",
                    values,
                )
            )
        self.env.invalidate_all()
        # the clocks still running get their deadlines from their new start
        Line.browse(running)._spid_plan()
        for name in ("date", "met_count", "failed_count", "met_percent"):
            self.env.add_to_compute(Line._fields[name], lines)
        tickets = self.browse(list(by_ticket))
        for name in ("sla_status", "sla_deadline", "sla_compliance"):
            self.env.add_to_compute(self._fields[name], tickets)
        self.env.flush_all()

    @api.model
    def _spid_demo_ratings(self, rng, specs):
        """The requesters' ratings of about half of the solved tickets."""
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list, dates = [], []
        for spec in specs:
            ticket = spec["ticket"]
            if not ticket.is_closed or ticket.resolution != "solved" or rng.random() < 0.45:
                continue
            value = rng.choices([5, 3, 1], [14, 4, 1])[0]
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": ticket.id,
                    "partner_id": ticket.partner_id.id,
                    "rated_partner_id": ticket.user_id.partner_id.id,
                    "rating": value,
                    "feedback": rng.choice(FEEDBACK[value]) or False,
                    "consumed": True,
                }
            )
            dates.append(spec["date_closed"] + timedelta(hours=rng.randrange(1, 48)))
        ratings = self.env["rating.rating"].sudo().create(vals_list)
        # given consumed at once (not answered through the rating page), the
        # ratings reach the tickets' stored last rating once their document
        # model (a stored related field, which that compute reads in SQL) is
        # written
        ratings.flush_recordset()
        self.env.add_to_compute(self._fields["rating_last_value"], self.browse(ratings.mapped("res_id")))
        self.env.flush_all()
        values = SQL(", ").join(
            SQL("(%s, %s::timestamp)", rating.id, date) for rating, date in zip(ratings, dates)
        )
        self.env.cr.execute(
            SQL(
                """UPDATE rating_rating r SET create_date = v.date, write_date = v.date
                     FROM (VALUES %s) AS v(id, date) WHERE r.id = v.id""",
                values,
            )
        )
        self.env.invalidate_all()

    @api.model
    def _spid_demo_objectives(self, rng, now):
        """Each agent's monthly objectives, from a year ago to this month."""
        ref = self.env.ref
        agents = {
            ref("spid_helpdesk.user_agent_demo"): (30.0, 20, 2500.0),
            ref("spid_helpdesk.user_technician_demo"): (25.0, 12, 2000.0),
            ref("spid_helpdesk.user_supervisor_demo"): (12.0, 8, 1000.0),
        }
        this_month = now.date().replace(day=1)
        self.env["spid.agent.objective"].create(
            [
                {
                    "user_id": user.id,
                    "month": this_month - relativedelta(months=months),
                    "target_hours": hours + rng.choice([-4, 0, 0, 4]),
                    "target_tickets": tickets + rng.choice([-2, 0, 0, 2]),
                    "target_turnover": turnover,
                }
                for months in range(12, -1, -1)
                for user, (hours, tickets, turnover) in agents.items()
            ]
        )

    @api.model
    def _spid_demo_french_users(self):
        """SpiD's customers are French: the demo customer and the technician
        speak French when French is installed; nothing otherwise."""
        if not self.env["res.lang"]._lang_get("fr_FR"):
            return
        users = self.env.ref("spid_helpdesk.user_customer_demo") | self.env.ref(
            "spid_helpdesk.user_technician_demo"
        )
        users.write({"lang": "fr_FR"})
