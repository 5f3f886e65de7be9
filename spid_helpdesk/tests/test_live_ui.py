"""Live updates (#20) in Chromium with two sessions: the tour is Julie's
browser; Marc is another real HTTP session (logged in through
/web/session/authenticate with `requests`) driven by a Python thread that
waits until Julie's page has subscribed, then acts over JSON-RPC. Marc's
changes reach Julie's page through the bus and its websocket only.

Odoo's test cursor drops post-commit hooks, so the bus's NOTIFY after each
of Marc's requests is replaced by waking the subscribed websockets, as
Odoo's own bus tests do; they then poll bus.bus like in production. The
websocket is allowed in test mode by Odoo's WebsocketCase."""

import threading
import time

from odoo.tests import tagged

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.tests.common import WebsocketCase

from .test_live_websocket import LiveCast, UserSession

WAIT = 60  # seconds Marc waits for Julie's page at most


@tagged("post_install", "-at_install")
class TestLiveUi(LiveCast, WebsocketCase):
    def _subscribed(self, target):
        key = hashable(channel_with_db(self.env.cr.dbname, target))
        return bool(dispatch._channels_to_ws.get(key))

    def _wait_for(self, condition, what):
        deadline = time.time() + WAIT
        while time.time() < deadline:
            if condition():
                return
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")

    def _wake(self, targets):
        """What the bus's NOTIFY does after a commit: the websockets
        subscribed to these channels poll bus.bus."""
        for target in targets:
            for websocket in list(
                dispatch._channels_to_ws.get(hashable(channel_with_db(self.env.cr.dbname, target)), ())
            ):
                websocket.trigger_notification_dispatching()

    def _marc(self, errors):
        try:
            ticket = self.ticket
            self._wait_for(lambda: self._subscribed((self.team, "spid_live")), "Julie's list to listen")
            marc = UserSession(self, "live_b")
            new_id = marc.call(
                "spid.ticket",
                "create",
                [
                    {
                        "name": "Coffee machine leaks",
                        "partner_id": self.requester.id,
                        "category_id": self.category.id,
                    }
                ],
            )
            self.created.append(new_id)
            self._wake([(self.team, "spid_live")])
            self._wait_for(lambda: self._subscribed((ticket, "spid_live")), "Julie's form to listen")
            marc.call("spid.ticket", "spid_live_presence", [ticket.ids, "hello"])
            self._wake([(ticket, "spid_live")])
            time.sleep(1)
            marc.call(
                "spid.ticket",
                "message_post",
                [ticket.ids],
                body="Marc here: please restart the printer",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            self._wake([(ticket, "spid_live")])

            def julie_answered():
                return marc.call(
                    "mail.message",
                    "search_count",
                    [
                        [
                            ("model", "=", "spid.ticket"),
                            ("res_id", "=", ticket.id),
                            ("body", "ilike", "printer is fixed"),
                        ]
                    ],
                )

            self._wait_for(julie_answered, "Julie's answer")
            marc.call("spid.ticket", "spid_live_presence", [ticket.ids, "left"])
            self._wake([(ticket, "spid_live")])
        except Exception as error:  # reported by the test
            errors.append(error)

    def test_two_agents_live(self):
        self.created = []
        errors = []
        marc = threading.Thread(target=self._marc, args=(errors,), daemon=True)
        marc.start()
        self.addCleanup(marc.join, WAIT)
        action = self.env.ref("spid_helpdesk.spid_ticket_action")
        self.start_tour(
            f"/odoo/action-{action.id}?view_type=list", "spid_live_tour", login="live_a", timeout=180
        )
        marc.join(WAIT)
        self.assertFalse(errors, errors)
        self.assertFalse(marc.is_alive(), "Marc's session finished")
        self.assertEqual(len(self.created), 1)
        messages = self.ticket.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(messages.author_id, self.agent_a.partner_id | self.agent_b.partner_id)
        julie = messages.filtered(lambda m: m.author_id == self.agent_a.partner_id)
        self.assertEqual(len(julie), 1, "sent once, after reading Marc's answer")
