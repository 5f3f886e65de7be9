"""Live updates of tickets through Odoo's bus (websocket).

What is sent, to whom:

- ``spid.ticket/live_changed`` ``{"ids": [...]}``: tickets created, changed
  or deleted in one transaction, so that the agents' lists and kanbans
  reload. ONE notification per audience channel, all inserted in one
  INSERT ... SELECT (which also reads the audience) by a precommit hook that
  runs after the others: only ids, no title. The bus's own post-commit hook
  sends the NOTIFY that wakes the websockets (the gevent process under
  --workers).
  The audiences are the record rules' terms that can be named by a channel
  whose subscription the server checks (ir_websocket.py):
  ``(spid.team, "spid_live")`` the team's members (not for a type handled by
  some teams or groups only, unless the ticket's team handles it),
  ``(res.company, "spid_live_agents")`` every agent of the company (tickets
  without team), ``(res.company, "spid_live_supervisors")`` the company's
  supervisors, ``(res.users, "spid_live")`` the owner, the editor and the
  participants. An agent who reads a ticket by another term (none today)
  would see it at their next reload, never a ticket they cannot read.
- ``spid.ticket/live_event`` on ``(spid.ticket, "spid_live")``: the form
  of that ticket (agents who may read it): who changed it or posted on it,
  who is viewing it (presence, a heartbeat the form repeats).
- ``spid.ticket/portal_message`` on ``(spid.ticket, "spid_portal")``: a new
  public message, for the customer's ticket page (its readers and the
  token holder; never an internal note).
"""

import json
from contextlib import contextmanager

from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, OrderedSet

from odoo.addons.bus.models.bus import channel_with_db, json_dump

# Written by the system when someone merely opens a ticket: not news.
LIVE_QUIET_FIELDS = frozenset({"is_read"})
# How long a viewer stays shown without a new heartbeat (the form beats
# every PRESENCE_BEAT_MS, see static/src/live/live_form.js).
PRESENCE_TTL = 60


class SpidTicketLive(models.Model):
    _inherit = "spid.ticket"

    # ------------------------------------------------------------------
    # CRUD: queue the changed tickets, send once per transaction
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._spid_live_queue()
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if vals.keys() - LIVE_QUIET_FIELDS:
            self._spid_live_queue()
        return res

    def unlink(self):
        # the audience is read now: after the deletion nothing is left to read
        channels = self._spid_live_channels()
        self._spid_live_queue(deleted=True)
        res = super().unlink()
        queue = self.env.cr.precommit.data.get("spid.live")
        if queue is not None:
            for target, ids in channels.items():
                queue["deleted"].setdefault(target, OrderedSet()).update(ids)
        return res

    def _spid_live_data(self):
        data = self.env.cr.precommit.data
        queue = data.get("spid.live")
        if queue is None:
            queue = data["spid.live"] = {"changed": {}, "deleted": {}, "events": []}
            self.env.cr.precommit.add(self._spid_live_send)
        return queue

    @api.model
    @contextmanager
    def _spid_live_savepoint(self):
        """A savepoint whose rollback also drops the live notifications
        queued inside it: what a rolled-back attempt changed or posted (a
        macro's all-at-once try, a refused ticket) is never announced, on
        the agents' lists, the form's banner or the customer's portal page.
        Odoo's flushing savepoint runs the precommit hooks when entering
        (what was queued before is sent, and kept) and clears the hooks
        queued inside on a rollback; the queue goes with them here, so that
        a queue is never left without its hook (see test_macro)."""
        try:
            with self.env.cr.savepoint(flush=True):
                yield
        except Exception:
            self.env.cr.precommit.data.pop("spid.live", None)
            raise

    def _spid_live_queue(self, deleted=False):
        """Remember these tickets (and who changed them) until the end of
        the transaction: no query here, one hook per transaction."""
        if not self:
            return
        queue = self._spid_live_data()
        for ticket_id in self.ids:
            if deleted:
                queue["changed"].pop(ticket_id, None)
            else:
                queue["changed"].setdefault(ticket_id, self.env.uid)

    def _spid_live_event(self, target, notification_type, payload):
        """Send `payload` to `target` with the transaction's other
        notifications (the same insert)."""
        self._spid_live_data()["events"].append((target, {"type": notification_type, "payload": payload}))

    def _spid_live_send(self):
        """Precommit: ONE query for the whole transaction. It reads the
        audience of the changed tickets (the terms of the agents' record
        rule that a channel can name, see the module's docstring) and
        inserts, in bus.bus, one notification of their ids per audience
        channel, one "changed by" event per ticket on its form's channel,
        and the message events of the transaction; the bus's own NOTIFY
        after the commit then wakes the websockets of those channels."""
        precommit = self.env.cr.precommit
        queue = precommit.data.get("spid.live")
        if not queue:
            return
        # the other hooks of the commit (tracking, followers) may still write
        # the tickets: go last, to send once
        if precommit._funcs and queue.setdefault("deferred", 0) < 10:
            queue["deferred"] += 1
            precommit.add(self._spid_live_send)
            return
        precommit.data.pop("spid.live")
        Bus = self.env["bus.bus"].sudo()
        # deleted tickets: their audience was read before the deletion; sent
        # with the events, in the one insert
        events = [
            (target, {"type": "spid.ticket/live_changed", "payload": {"ids": list(ids)}})
            for target, ids in queue["deleted"].items()
        ] + queue["events"]
        if not queue["changed"] and not events:
            return
        self._spid_live_flush()
        db = self.env.cr.dbname

        def channel(model, res_id, sub):
            # the channel exactly as bus.bus writes it (json_dump of channel_with_db)
            return SQL(
                "'[' || to_json(%s::text)::text || ',' || to_json(%s::text)::text || ',' || (%s)::text"
                " || ',' || to_json(%s::text)::text || ']'",
                db,
                model,
                res_id,
                sub,
            )

        rows = self.env.execute_query(
            SQL(
                """
            WITH %(audience)s, notification AS (
                SELECT %(audience_channel)s AS channel,
                       json_build_object(
                           'type', 'spid.ticket/live_changed',
                           'payload', json_build_object('ids', array_agg(DISTINCT id ORDER BY id))
                       )::text
                       AS message
                  FROM audience
                 GROUP BY model, res_id, sub
                UNION ALL
                SELECT %(form_channel)s,
                       json_build_object('type', 'spid.ticket/live_event',
                                         'payload', json_build_object(
                                             'ticket_id', changed.id, 'kind', 'write',
                                             'user_id', changed.by_uid, 'user_name', partner.name))::text
                  FROM changed
                  LEFT JOIN res_users author ON author.id = changed.by_uid
                  LEFT JOIN res_partner partner ON partner.id = author.partner_id
                UNION ALL
                SELECT event.channel, event.message
                  FROM unnest(%(event_channels)s::text[], %(event_messages)s::text[])
                       AS event(channel, message)
            )
            INSERT INTO bus_bus (channel, message, create_uid, write_uid, create_date, write_date)
            SELECT channel, message, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM notification
            RETURNING channel
            """,
                audience=self._spid_live_audience_sql(
                    list(queue["changed"]), {str(tid): uid for tid, uid in queue["changed"].items()}
                ),
                audience_channel=channel(SQL("model"), SQL("res_id"), SQL("sub")),
                form_channel=channel("spid.ticket", SQL("changed.id"), "spid_live"),
                event_channels=[json_dump(channel_with_db(db, target)) for target, _message in events],
                event_messages=[json_dump(message) for _target, message in events],
                uid=self.env.uid,
            )
        )
        # the bus's own hook sends the NOTIFY after the commit
        Bus._ensure_hooks()
        self.env.cr.postcommit.data["bus.bus.channels"].update(tuple(json.loads(row[0])) for row in rows)

    def _spid_live_flush(self):
        """Write what the audience's SQL reads."""
        self.env["spid.ticket"].flush_model(
            ["company_id", "team_id", "user_id", "editor_id", "type_id", "participant_ids"]
        )
        self.env["spid.ticket.type"].flush_model(["team_ids", "group_ids"])

    @api.model
    def _spid_live_audience_sql(self, ids, uids):
        """The audience of tickets `ids`, the one statement of the rule (see
        the module's docstring), for creations and writes (the insert of
        _spid_live_send) as for deletions (_spid_live_channels): the CTEs
        ``changed`` (the tickets, ``by_uid`` from `uids` {ticket id (str): user
        id}) and ``audience`` (ticket id, channel model, res_id, sub)."""
        return SQL(
            """
            changed AS (
                SELECT t.id, t.company_id, t.team_id, t.user_id, t.editor_id,
                       (t.type_id IS NULL OR (
                            NOT EXISTS (SELECT 1 FROM spid_ticket_type_team_rel r WHERE r.type_id = t.type_id)
                        AND NOT EXISTS (SELECT 1 FROM spid_ticket_type_handler_group_rel g
                                         WHERE g.type_id = t.type_id))) AS open_type,
                       EXISTS (SELECT 1 FROM spid_ticket_type_team_rel r
                                WHERE r.type_id = t.type_id AND r.team_id = t.team_id) AS team_handles,
                       (%(uids)s::jsonb ->> t.id::text)::int AS by_uid
                  FROM spid_ticket t
                 WHERE t.id = ANY(%(ids)s)
            ), audience AS (
                SELECT id, 'res.company' AS model, company_id AS res_id, 'spid_live_supervisors' AS sub
                  FROM changed WHERE company_id IS NOT NULL
                UNION ALL
                SELECT id, 'res.company', company_id, 'spid_live_agents'
                  FROM changed WHERE team_id IS NULL AND open_type AND company_id IS NOT NULL
                UNION ALL
                SELECT id, 'spid.team', team_id, 'spid_live'
                  FROM changed WHERE team_id IS NOT NULL AND (open_type OR team_handles)
                UNION ALL
                SELECT id, 'res.users', user_id, 'spid_live' FROM changed WHERE user_id IS NOT NULL
                UNION ALL
                SELECT id, 'res.users', editor_id, 'spid_live' FROM changed WHERE editor_id IS NOT NULL
                UNION ALL
                SELECT p.ticket_id, 'res.users', p.user_id, 'spid_live'
                  FROM spid_ticket_participant_rel p JOIN changed ON changed.id = p.ticket_id
            )""",
            ids=ids,
            uids=json.dumps(uids),
        )

    def _spid_live_channels(self):
        """{(record, sub): ticket ids} of the agents who may read these
        tickets, read before a deletion: one query, the same SQL as the
        insert of _spid_live_send."""
        if not self:
            return {}
        self._spid_live_flush()
        rows = self.env.execute_query(
            SQL(
                "WITH %s SELECT model, res_id, sub, array_agg(DISTINCT id ORDER BY id) FROM audience"
                " GROUP BY model, res_id, sub",
                self._spid_live_audience_sql(self.ids, {}),
            )
        )
        return {(self.env[model].browse(res_id), sub): ids for model, res_id, sub, ids in rows}

    # ------------------------------------------------------------------
    # Messages: the form's banner, the collision check, the portal page
    # ------------------------------------------------------------------

    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        if len(self) == 1 and message.message_type in ("comment", "email"):
            public = not message.is_internal and not message.subtype_id.internal
            author = message.author_id
            self._spid_live_event(
                (self, "spid_live"),
                "spid.ticket/live_event",
                {
                    "ticket_id": self.id,
                    # a public message of someone without an internal user: the customer wrote
                    "kind": ("reply" if author.user_ids.filtered(lambda u: not u.share) else "customer")
                    if public
                    else "note",
                    "message_id": message.id,
                    "user_id": author.user_ids[:1].id,
                    "user_name": author.name or message.email_from or "",
                },
            )
            if public:
                self._spid_live_event(
                    (self, "spid_portal"),
                    "spid.ticket/portal_message",
                    {"ticket_id": self.id, "message_id": message.id},
                )
        return res

    def _spid_live_check_agent(self):
        """Only an agent who may read the ticket sees who is on it."""
        self.ensure_one()
        if not self.env.user.has_group("spid_helpdesk.group_spid_agent"):
            raise AccessError(_("Only helpdesk agents see who is working on a ticket."))
        self.check_access("read")

    def spid_live_presence(self, state="here"):
        """The form of the caller shows this ticket (`state` "here", repeated
        as a heartbeat) or stops showing it ("left"): the other agents who
        have it open are told. The caller must be an agent who reads it."""
        self._spid_live_check_agent()
        if state not in ("here", "hello", "left"):
            raise AccessError(_("Unknown presence state."))
        user = self.env.user
        self.env["bus.bus"].sudo()._sendone(
            (self, "spid_live"),
            "spid.ticket/live_event",
            {
                "ticket_id": self.id,
                "kind": "presence",
                "state": state,
                "user_id": user.id,
                "user_name": user.name,
                "partner_id": user.partner_id.id,
                "ttl": PRESENCE_TTL,
            },
        )
        return True

    def spid_live_last_reply(self, last_seen_id=0):
        """The newest public message posted on this ticket by someone else
        than the caller after message `last_seen_id` (the last the caller's
        chatter showed), or False: the form asks before a public reply."""
        self._spid_live_check_agent()
        if not isinstance(last_seen_id, int) or isinstance(last_seen_id, bool):
            raise AccessError(_("The last message seen must be a message id."))
        message = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("id", ">", last_seen_id),
                    ("message_type", "in", ("comment", "email")),
                    ("is_internal", "=", False),
                    ("subtype_id.internal", "=", False),
                    ("author_id", "!=", self.env.user.partner_id.id),
                ],
                order="id desc",
                limit=1,
            )
        )
        if not message:
            return False
        return {
            "id": message.id,
            "author": message.author_id.name or message.email_from or "",
            "date": message.date,
            # False: the customer (or another outside party) wrote, no agent answered
            "agent": bool(message.author_id.user_ids.filtered(lambda u: not u.share)),
        }
