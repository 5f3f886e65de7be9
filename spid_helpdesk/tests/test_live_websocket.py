"""Live updates (#20) over real websockets: each user's browser connection,
opened with their session, subscribes with the channel names our web
client sends (and with forged ones); a change made over JSON-RPC by an
agent reaches the agents who may read the ticket and nobody else.

The test server runs Odoo's real websocket and bus (its poll of bus.bus);
Odoo's test cursor drops post-commit hooks, so the NOTIFY the bus sends
after a commit is replaced by Odoo's own test helper
(trigger_notification_dispatching), as Odoo's bus tests do. The websocket
itself is allowed in test mode by WebsocketCase (Odoo's own switch)."""

import json

import requests

from odoo.tests import new_test_user, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

from odoo.addons.bus.tests.common import WebsocketCase

try:
    import websocket as ws_lib
except ImportError:  # WebsocketCase skips the class then
    ws_lib = None

AGENT = "base.group_user,spid_helpdesk.group_spid_agent"


def spid_messages(websocket, timeout=1.5):
    """Every notification of ours the connection gets within `timeout`."""
    websocket.settimeout(timeout)
    found = []
    while True:
        try:
            opcode, frame = websocket.recv_data()
        except ws_lib.WebSocketTimeoutException:
            return found
        if opcode != ws_lib.ABNF.OPCODE_TEXT:
            raise AssertionError(f"the connection got a control frame {opcode}: {frame!r}")
        for notification in json.loads(frame):
            message = notification["message"]
            if message["type"].startswith("spid."):
                found.append(message)


class UserSession:
    """A user's own browser session over real HTTP (HttpCase.authenticate
    would end the previous user's session, and with it their websocket)."""

    def __init__(self, case, login):
        self.case = case
        self.http = requests.Session()
        self.http.cookies[TEST_CURSOR_COOKIE_NAME] = case.http_request_key
        answer = self.post(
            "/web/session/authenticate", {"db": case.env.cr.dbname, "login": login, "password": login}
        )
        if not answer.get("result", {}).get("uid"):
            raise AssertionError(f"{login} could not log in: {answer}")
        self.sid = self.http.cookies["session_id"]

    def post(self, path, params):
        response = self.http.post(
            self.case.base_url() + path,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        return response.json()

    def rpc(self, model, method, args, **kwargs):
        """The whole JSON answer: its "result" or its "error"."""
        return self.post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def call(self, model, method, args, **kwargs):
        answer = self.rpc(model, method, args, **kwargs)
        if "error" in answer:
            raise AssertionError(f"{method}: {answer['error']}")
        return answer["result"]


class LiveCast:
    """Two agents of one team, an agent of another team, a supervisor, a
    customer of the client (portal) and one of another client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["spid.sla.policy"].search([]).active = False
        cls.agent_a = new_test_user(env, "live_a", password="live_a", groups=AGENT, name="Julie Agent")
        cls.agent_b = new_test_user(env, "live_b", password="live_b", groups=AGENT, name="Marc Agent")
        cls.agent_x = new_test_user(env, "live_x", password="live_x", groups=AGENT, name="Xavier Elsewhere")
        cls.team = env["spid.team"].create(
            {
                "name": "Live Team",
                "member_ids": [(6, 0, (cls.agent_a | cls.agent_b).ids)],
                "assignment": "none",
            }
        )
        cls.team_x = env["spid.team"].create(
            {"name": "Live Elsewhere", "member_ids": [(6, 0, cls.agent_x.ids)], "assignment": "none"}
        )
        cls.category = env["spid.ticket.category"].create({"name": "Live Category", "team_id": cls.team.id})
        Partner = env["res.partner"]
        cls.client = Partner.create({"name": "Live Client", "is_company": True, "spid_is_client": True})
        cls.requester = Partner.create(
            {"name": "Rita Live", "parent_id": cls.client.id, "email": "rita@live.example.com"}
        )
        other = Partner.create({"name": "Other Live Co", "is_company": True, "spid_is_client": True})
        cls.stranger = Partner.create(
            {"name": "Sam Stranger", "parent_id": other.id, "email": "sam@other.example.com"}
        )
        cls.customer = new_test_user(
            env,
            "live_customer",
            password="live_customer",
            groups="base.group_portal",
            partner_id=cls.requester.id,
            email=cls.requester.email,
        )
        cls.stranger_user = new_test_user(
            env,
            "live_stranger",
            password="live_stranger",
            groups="base.group_portal",
            partner_id=cls.stranger.id,
            email=cls.stranger.email,
        )
        cls.ticket = env["spid.ticket"].create(
            {"name": "Printer on fire", "partner_id": cls.requester.id, "category_id": cls.category.id}
        )
        # its creation's notifications are sent now, before the tests listen
        env.cr.flush()

    def _rpc_as(self, login, model, method, args, kwargs=None):
        return UserSession(self, login).rpc(model, method, args, **(kwargs or {}))

    def _all_channels(self):
        company = self.env.company
        ticket = self.ticket
        return [
            (self.team, "spid_live"),
            (self.team_x, "spid_live"),
            (company, "spid_live_agents"),
            (company, "spid_live_supervisors"),
            *((user, "spid_live") for user in (self.agent_a, self.agent_b, self.agent_x)),
            (ticket, "spid_live"),
            (ticket, "spid_portal"),
        ]


@tagged("post_install", "-at_install")
class TestLiveWebsocket(LiveCast, WebsocketCase):
    def _connect(self, login, channels):
        session = UserSession(self, login)
        websocket = self.websocket_connect(cookie=f"session_id={session.sid}")
        self.subscribe(websocket, channels, self.env["bus.bus"]._bus_last_id())
        return websocket

    def test_a_change_reaches_the_team_and_no_one_else(self):
        ticket = self.ticket
        asked = ["spid_live_list", f"spid_live_ticket:{ticket.id}", f"spid_portal_ticket:{ticket.id}"]
        colleague = self._connect("live_b", asked)
        elsewhere = self._connect("live_x", asked)
        customer = self._connect("live_customer", asked)
        stranger = self._connect("live_stranger", asked)
        # Julie takes the ticket and raises its priority through the web client's RPC
        answer = self._rpc_as(
            "live_a", "spid.ticket", "write", [ticket.ids, {"priority": "3", "user_id": self.agent_a.id}]
        )
        self.assertEqual(answer.get("result"), True, answer)
        self.trigger_notification_dispatching(self._all_channels())

        got = spid_messages(colleague)
        changed = [m for m in got if m["type"] == "spid.ticket/live_changed"]
        self.assertEqual(len(changed), 1, "one notification for the list, not one per field")
        self.assertEqual(changed[0]["payload"], {"ids": ticket.ids})
        event = next(m for m in got if m["type"] == "spid.ticket/live_event")
        self.assertEqual((event["payload"]["kind"], event["payload"]["user_name"]), ("write", "Julie Agent"))

        for login, connection in (
            ("live_x", elsewhere),
            ("live_customer", customer),
            ("live_stranger", stranger),
        ):
            self.assertEqual(spid_messages(connection, 0.5), [], f"{login} learns nothing of the change")

    def test_presence_and_replies_reach_only_the_ticket_readers(self):
        ticket = self.ticket
        asked = [f"spid_live_ticket:{ticket.id}", f"spid_portal_ticket:{ticket.id}"]
        colleague = self._connect("live_b", asked)
        elsewhere = self._connect("live_x", asked)
        customer = self._connect("live_customer", asked)
        stranger = self._connect("live_stranger", asked + [f"spid_portal_ticket:{ticket.id}:forged"])

        hello = self._rpc_as("live_a", "spid.ticket", "spid_live_presence", [ticket.ids, "hello"])
        self.assertEqual(hello.get("result"), True, hello)
        # the other team's agent cannot announce himself, whatever context he sends
        refused = self._rpc_as(
            "live_x",
            "spid.ticket",
            "spid_live_presence",
            [ticket.ids, "hello"],
            {"context": {"active_test": False, "uid": self.agent_a.id, "spid_live_trusted": True}},
        )
        self.assertEqual(refused["error"]["data"]["name"], "odoo.exceptions.AccessError")
        public = self._rpc_as(
            "live_a",
            "spid.ticket",
            "message_post",
            [ticket.ids],
            {
                "body": "Reset the printer please",
                "message_type": "comment",
                "subtype_xmlid": "mail.mt_comment",
            },
        )
        self.assertIn("result", public, public)
        note = self._rpc_as(
            "live_a",
            "spid.ticket",
            "message_post",
            [ticket.ids],
            {
                "body": "Internal: vendor says toner batch is bad",
                "message_type": "comment",
                "subtype_xmlid": "mail.mt_note",
            },
        )
        self.assertIn("result", note, note)
        self.trigger_notification_dispatching(self._all_channels())

        got = spid_messages(colleague)
        # (posting also writes the ticket: its "changed" events are left aside)
        kinds = [
            (m["payload"]["kind"], m["payload"].get("state"))
            for m in got
            if m["type"] == "spid.ticket/live_event" and m["payload"]["kind"] != "write"
        ]
        self.assertEqual(kinds, [("presence", "hello"), ("reply", None), ("note", None)])
        self.assertEqual(
            [m for m in got if m["type"] == "spid.ticket/portal_message"][0]["payload"]["ticket_id"],
            ticket.id,
        )

        # the requester's page hears of the public answer only
        portal = spid_messages(customer)
        self.assertEqual([m["type"] for m in portal], ["spid.ticket/portal_message"])
        self.assertEqual(portal[0]["payload"]["message_id"], public["result"])
        self.assertNotIn("vendor", json.dumps(portal))
        self.assertEqual(spid_messages(elsewhere, 0.5), [], "another team's agent: nothing, no presence")
        self.assertEqual(spid_messages(stranger, 0.5), [], "another client's customer, forged token: nothing")
