"""Live updates (#20) on the customer's ticket page: a new public answer
shows without reload (Chromium, two sessions: the customer's browser and
an agent's own HTTP session driven by a thread), and over real websockets
only the ticket's readers (its requester, a grouped colleague, the token
holder) hear of it; a note never, a forged token nothing.

Odoo's test cursor drops post-commit hooks: the bus's NOTIFY is replaced
by waking the subscribed websockets, as Odoo's bus tests do; the
websockets then poll bus.bus as in production."""

import threading
import time

import requests

from odoo.tests import new_test_user, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.spid_helpdesk.tests.test_live_websocket import UserSession, spid_messages

from .common import AGENT_GROUPS, SpidPortalCommon

WAIT = 60


@tagged("post_install", "-at_install")
class TestPortalLive(SpidPortalCommon, WebsocketCase):
    login_prefix = "plive_"
    email_domain = "plive.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.helper = new_test_user(
            cls.env, "plive_helper", password="plive_helper", groups=AGENT_GROUPS, name="Hugo Helper"
        )
        cls.alice = cls._customer("plive_alice", cls.client_a, name="Alice Alpha")
        cls.andy = cls._customer("plive_andy", cls.client_a, name="Andy Alpha")  # grouped colleague
        cls.bob = cls._customer("plive_bob", cls.client_b, name="Bob Beta")
        for user in (cls.alice, cls.andy, cls.bob):
            user.password = user.login
        cls.ticket = cls._portal_ticket(cls.alice, "Printer smears toner")
        cls.ticket._portal_ensure_token()
        cls.env.cr.flush()  # the creation's notifications go before anyone listens

    def _wake(self, targets):
        for target in targets:
            key = hashable(channel_with_db(self.env.cr.dbname, target))
            for websocket in list(dispatch._channels_to_ws.get(key, ())):
                websocket.trigger_notification_dispatching()

    def _agent_writes(self, helper):
        ticket = self.ticket
        helper.call(
            "spid.ticket",
            "message_post",
            [ticket.ids],
            body="Internal: the fuser was out of warranty",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        helper.call(
            "spid.ticket",
            "message_post",
            [ticket.ids],
            body="We replaced the fuser, please try again",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self._wake([(ticket, "spid_portal"), (ticket, "spid_live")])

    def _helper_thread(self, errors):
        try:
            deadline = time.time() + WAIT
            key = hashable(channel_with_db(self.env.cr.dbname, (self.ticket, "spid_portal")))
            while not dispatch._channels_to_ws.get(key):
                if time.time() > deadline:
                    raise AssertionError("the customer's page never listened")
                time.sleep(0.2)
            self._agent_writes(UserSession(self, "plive_helper"))
        except Exception as error:  # reported by the test
            errors.append(error)

    def _anonymous_websocket(self):
        """A visitor's own session (not logged in) and its websocket."""
        http = requests.Session()
        http.cookies[TEST_CURSOR_COOKIE_NAME] = self.http_request_key
        http.get(
            f"{self.base_url()}/my/tickets/{self.ticket.id}?access_token={self.ticket.access_token}",
            timeout=30,
        )
        return self.websocket_connect(cookie=f"session_id={http.cookies['session_id']}")

    def test_requester_sees_the_answer_without_reload(self):
        errors = []
        helper = threading.Thread(target=self._helper_thread, args=(errors,), daemon=True)
        helper.start()
        self.addCleanup(helper.join, WAIT)
        self.start_tour(
            f"/my/tickets/{self.ticket.id}", "spid_portal_live_tour", login="plive_alice", timeout=120
        )
        helper.join(WAIT)
        self.assertFalse(errors, errors)
        self.assertEqual(len(self.ticket.message_ids.filtered(lambda m: "fuser" in (m.body or ""))), 2)

    def test_only_the_ticket_readers_hear_of_it(self):
        ticket = self.ticket
        token = ticket.access_token
        channel = f"spid_portal_ticket:{ticket.id}"
        last = self.env["bus.bus"]._bus_last_id()
        holder = self._anonymous_websocket()  # no login: the emailed link's token
        self.subscribe(holder, [f"{channel}:{token}"], last)
        forger = self._anonymous_websocket()
        self.subscribe(
            forger,
            [f"{channel}:{token[:-2]}xx", f"{channel}:", channel, f"spid_live_ticket:{ticket.id}"],
            last,
        )
        sockets = {}
        for login in ("plive_alice", "plive_andy", "plive_bob"):
            session = UserSession(self, login)
            sockets[login] = self.websocket_connect(cookie=f"session_id={session.sid}")
            self.subscribe(sockets[login], [channel, f"spid_live_ticket:{ticket.id}"], last)

        self._agent_writes(UserSession(self, "plive_helper"))

        for who, websocket in (
            ("token holder", holder),
            ("requester", sockets["plive_alice"]),
            ("grouped colleague", sockets["plive_andy"]),
        ):
            got = spid_messages(websocket)
            self.assertEqual(
                [m["type"] for m in got], ["spid.ticket/portal_message"], f"{who}: the answer only"
            )
            self.assertNotIn("warranty", str(got))
        self.assertEqual(spid_messages(forger, 0.5), [], "a forged token or none: nothing")
        self.assertEqual(spid_messages(sockets["plive_bob"], 0.5), [], "another client's customer: nothing")
