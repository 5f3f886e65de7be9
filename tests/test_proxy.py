"""The production proxy and the read-only routes, for real.

Debian's nginx runs the shipped site `deploy/nginx.conf` (through
`deploy/nginx_local.sh`, which only points its upstreams at the test
server's port and its `listen` at a free port) in front of the HttpCase
test server; nothing is mocked. Checked:

- `nginx -t` accepts the shipped files, and the generated site differs from
  the shipped one by the upstream servers and the listen line only;
- a page served through the proxy;
- with proxy_mode, Odoo sees the client's address (X-Forwarded-For: the
  client connects from 127.0.0.2, nginx from 127.0.0.1) and the host and
  scheme the client used (X-Forwarded-Host/Proto, as `web.base.url` learnt
  at an administrator's login); without proxy_mode, nginx's address; a
  scheme or address the client forges is replaced by nginx's own;
- the bus websocket: the handshake through nginx's /websocket location and
  a notification received through it (the test server serves /websocket on
  its own port in threaded mode; Odoo's WebsocketCase allows it in tests);
- the customer's ticket list and ticket page are `readonly` routes (served
  by a read replica when there is one) and work as the customer, in a
  transaction PostgreSQL itself keeps read-only (HttpCase opens a readonly
  route's cursor with SET TRANSACTION READ ONLY): no write is attempted,
  which Odoo would log as "retrying with a read/write cursor". A file of a
  public work unit gets its share token when attached, not when the page
  is looked at.
"""

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from odoo.tests import TEST_CURSOR_COOKIE_NAME, HttpCase, tagged
from odoo.tools import config

from odoo.addons.bus.tests.common import WebsocketCase
from odoo.addons.bus.websocket import WebsocketConnectionHandler
from odoo.addons.spid_helpdesk.tests.common import form_csrf_token

try:
    import websocket
except ImportError:  # WebsocketCase skips the class then
    websocket = None

REPO = Path(__file__).resolve().parent.parent
NGINX_LOCAL = REPO / "deploy" / "nginx_local.sh"
CLIENT_ADDRESS = "127.0.0.2"  # the loopback network: any 127.x address is this machine


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FromAddress(HTTPAdapter):
    """Connections made from a given local address (the client's)."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@tagged("post_install", "-at_install")
class TestProxy(WebsocketCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
            raise AssertionError("nginx is not installed (.ci/run installs it: apt-get install nginx-light)")
        cls.prefix = tempfile.mkdtemp(prefix="spid-nginx-")
        cls.addClassCleanup(shutil.rmtree, cls.prefix, ignore_errors=True)
        cls.proxy_port = free_port()
        port = str(cls.http_port())
        cls.nginx_args = [cls.prefix, str(cls.proxy_port), port, port]
        subprocess.run(
            ["bash", NGINX_LOCAL, "start", *cls.nginx_args], check=True, capture_output=True, timeout=30
        )
        cls.addClassCleanup(subprocess.run, ["bash", NGINX_LOCAL, "stop", cls.prefix], timeout=30)
        cls.proxy = f"http://127.0.0.1:{cls.proxy_port}"
        cls.admin_password = "admin"
        cls.env.ref("base.user_admin").password = cls.admin_password

    def setUp(self):
        super().setUp()
        saved = config["proxy_mode"]
        self.addCleanup(config.__setitem__, "proxy_mode", saved)

    def client(self):
        """A browser on this machine at CLIENT_ADDRESS, going through nginx;
        its requests reach the test's transaction (Odoo's test cookie)."""
        session = requests.Session()
        session.mount("http://", FromAddress(CLIENT_ADDRESS))
        session.cookies.set(TEST_CURSOR_COOKIE_NAME, self.http_request_key)
        # a visitor's session on the test database (Odoo picks no database
        # by itself when the cluster holds several)
        session.cookies.set("session_id", self.authenticate(None, None).sid, domain="127.0.0.1", path="/")
        return session

    def login_through_proxy(self, session, login, password, headers=None):
        page = session.get(f"{self.proxy}/web/login", timeout=20)
        self.assertEqual(page.status_code, 200, "the login page through nginx")
        response = session.post(
            f"{self.proxy}/web/login",
            data={"login": login, "password": password, "csrf_token": form_csrf_token(page.text)},
            headers=headers or {},
            allow_redirects=False,
            timeout=20,
        )
        self.assertEqual(response.status_code, 303, f"{login} logs in through nginx")
        self.assertNotIn("/web/login", response.headers["Location"], f"{login} logs in through nginx")
        return response

    def test_shipped_configuration(self):
        """`nginx -t` accepts the shipped site; the bench and this test run it
        with only the upstream servers and the listen line changed."""
        subprocess.run(
            ["bash", NGINX_LOCAL, "test", *self.nginx_args], check=True, capture_output=True, timeout=30
        )
        shipped = (REPO / "deploy" / "nginx.conf").read_text().splitlines()
        generated = (Path(self.prefix) / "site.conf").read_text().splitlines()

        def kept(lines):
            return [line for line in lines if not re.match(r"\s*(server \S+:\d+ |listen )", line)]

        self.assertEqual(kept(generated), kept(shipped))
        self.assertIn(f"    listen 127.0.0.1:{self.proxy_port};", generated)
        for needed in ("proxy_mode", "workers", "limit_memory_hard", "limit_time_real", "db_maxconn",
                       "max_cron_threads", "db_replica_host", "db_replica_port", "data_dir",
                       "list_db = False", "dbfilter"):  # fmt: skip
            self.assertIn(needed, (REPO / "deploy" / "odoo.conf.example").read_text())

    def test_page_and_client_address(self):
        """The login page comes through nginx (gzip on); with proxy_mode Odoo
        sees the client's address, without it nginx's."""
        session = self.client()
        page = session.get(f"{self.proxy}/web/login", headers={"Accept-Encoding": "gzip"}, timeout=20)
        self.assertEqual(page.status_code, 200)
        self.assertIn("csrf_token", page.text)
        self.assertEqual(page.headers.get("Content-Encoding"), "gzip", "nginx compresses the page")
        self.assertEqual(page.headers.get("X-Content-Type-Options"), "nosniff", "Odoo's header, once")

        config["proxy_mode"] = True
        # a forged address stays at the left of X-Forwarded-For; Odoo trusts
        # the one hop nginx appends: the client's real address
        self.assertEqual(self.address_seen(headers={"X-Forwarded-For": "198.51.100.66"}), CLIENT_ADDRESS)
        config["proxy_mode"] = False
        self.assertEqual(self.address_seen(), "127.0.0.1", "without proxy_mode: nginx's address")

    def address_seen(self, headers=None):
        """The address Odoo records for a session (res.device.log, Odoo's
        own trace of where a user's session is used) after a login through
        nginx and one page."""
        session = self.client()
        self.login_through_proxy(session, "admin", self.admin_password, headers=headers)
        self.assertEqual(session.get(f"{self.proxy}/web", headers=headers or {}, timeout=20).status_code, 200)
        sid = session.cookies.get("session_id")
        logs = self.env["res.device.log"].sudo().search([("session_identifier", "=", sid[:42])])
        self.assertEqual(len(set(logs.mapped("ip_address"))), 1, "one address per session")
        return logs[0].ip_address

    def test_forwarded_host_and_scheme(self):
        """Odoo learns its public URL (web.base.url) from the request of an
        administrator's login: through nginx with proxy_mode, the host the
        client asked for and nginx's scheme, whatever scheme the client
        forged; straight to Odoo, a forged header would be believed, which
        is why Odoo listens only where the proxy reaches it."""
        ICP = self.env["ir.config_parameter"].sudo()
        config["proxy_mode"] = True
        self.login_through_proxy(
            self.client(), "admin", self.admin_password,
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "forged.example"},
        )  # fmt: skip
        self.assertEqual(ICP.get_param("web.base.url"), self.proxy)

        direct = requests.Session()
        direct.cookies.set(TEST_CURSOR_COOKIE_NAME, self.http_request_key)
        direct.cookies.set("session_id", self.authenticate(None, None).sid)
        page = direct.get(f"{self.base_url()}/web/login", timeout=20)
        direct.post(
            f"{self.base_url()}/web/login",
            data={
                "login": "admin",
                "password": self.admin_password,
                "csrf_token": form_csrf_token(page.text),
            },
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "helpdesk.example.com"},
            allow_redirects=False,
            timeout=20,
        )
        self.assertEqual(ICP.get_param("web.base.url"), "https://helpdesk.example.com")

    def test_websocket_through_nginx(self):
        """The bus: handshake through nginx's /websocket location, then a
        notification sent to a channel reaches the subscribed socket."""
        session = self.authenticate("admin", self.admin_password)
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.proxy_port}/websocket?version={WebsocketConnectionHandler._VERSION}",
            cookie=f"session_id={session.sid};{TEST_CURSOR_COOKIE_NAME}={self.http_request_key}",
            origin=self.proxy,
            timeout=10,
        )
        self._websockets.add(ws)
        self.assertEqual(ws.getstatus(), 101, "Switching Protocols, through nginx")
        self.assertEqual(ws.getheaders().get("upgrade", "").lower(), "websocket")
        channel = "spid_proxy_test"
        self.subscribe(ws, [channel], self.env["bus.bus"]._bus_last_id())
        self.env["bus.bus"]._sendone(channel, "spid/proxy", {"through": "nginx"})
        self.trigger_notification_dispatching([channel])
        notifications = json.loads(ws.recv())
        self.assertEqual(
            [(n["message"]["type"], n["message"]["payload"]) for n in notifications],
            [("spid/proxy", {"through": "nginx"})],
        )


@tagged("post_install", "-at_install")
class TestReadonlyRoutes(HttpCase):
    """The customer's list and page are readonly routes and write nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["spid.sla.policy"].search([]).active = False
        client = env["res.partner"].create(
            {"name": "Proxy Client", "is_company": True, "spid_is_client": True}
        )
        partner = env["res.partner"].create(
            {"name": "Rita Proxy", "parent_id": client.id, "email": "rita@proxy.example"}
        )
        cls.customer = env["res.users"].create(
            {
                "name": "Rita Proxy",
                "login": "proxy_rita",
                "password": "proxy_rita",
                "partner_id": partner.id,
                "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
            }
        )
        cls.agent = env["res.users"].create(
            {
                "name": "Proxy agent",
                "login": "proxy_agent",
                "password": "proxy_agent",
                "groups_id": [
                    (6, 0, [env.ref("base.group_user").id, env.ref("spid_helpdesk.group_spid_agent").id])
                ],
            }
        )
        cls.ticket = env["spid.ticket"].create(
            {"name": "Readonly printer", "partner_id": partner.id, "user_id": cls.agent.id}
        )

    def route(self, path, method="GET"):
        """The routing of the endpoint that serves `path`, from Odoo's map."""
        thread = threading.current_thread()
        thread.dbname = self.env.cr.dbname  # as a request's thread has it
        try:
            rule, _args = (
                self.env["ir.http"].routing_map().bind("").match(path, method=method, return_rule=True)
            )
        finally:
            del thread.dbname
        return rule.endpoint.routing

    def assertReadsOnly(self, path, expect):
        """GET `path` as the customer: 200, shows `expect`, and no write was
        tried in its read-only transaction."""
        with self.assertNoLogs("odoo.http", "WARNING"):
            response = self.url_open(path, allow_redirects=False)
        self.assertEqual(response.status_code, 200, path)
        self.assertIn(expect, response.text)

    def test_routes_are_readonly(self):
        for path in ("/my/tickets", "/my/tickets/page/2", f"/my/tickets/{self.ticket.id}"):
            self.assertIs(self.route(path)["readonly"], True, path)
        # what writes stays on the primary
        for path in (f"/my/tickets/{self.ticket.id}/reply", "/my/tickets/new"):
            self.assertFalse(self.route(path, "POST")["readonly"], path)
        self.assertTrue(self.registry.test_readonly_enabled, "HttpCase opens readonly routes read-only")

    def test_customer_pages_write_nothing(self):
        # a public work unit with a file: its share token is made now, so
        # that the page only reads it
        unit = (
            self.env["spid.workunit"]
            .with_user(self.agent)
            .create(
                {
                    "ticket_id": self.ticket.id,
                    "visibility": "public",
                    "description": "<p>Replaced the drum</p>",
                    "duration": 0.5,
                    "attachment_ids": [
                        (0, 0, {"name": "report.txt", "datas": base64.b64encode(b"drum replaced")})
                    ],
                }
            )
        )
        self.assertTrue(unit.attachment_ids.access_token, "the file is shared when attached")
        self.authenticate("proxy_rita", "proxy_rita")
        self.assertReadsOnly("/my/tickets?filterby=all", "Readonly printer")
        self.assertReadsOnly(f"/my/tickets/{self.ticket.id}", "report.txt")
        # the page with an access token (the emailed link), as a visitor
        self.authenticate(None, None)
        self.assertReadsOnly(
            f"/my/tickets/{self.ticket.id}?access_token={self.ticket.sudo()._portal_ensure_token()}",
            "Readonly printer",
        )

    def test_a_write_is_refused_then_retried(self):
        """The proof that the transaction is read-only: a file shared before
        tokens were made at attach time (token cleared here) makes the page
        write it, which PostgreSQL refuses; Odoo retries on the primary and
        the page still works."""
        unit = self.env["spid.workunit"].create(
            {
                "ticket_id": self.ticket.id,
                "visibility": "public",
                "user_id": self.agent.id,
                "duration": 0.5,
                "attachment_ids": [(0, 0, {"name": "old.txt", "datas": base64.b64encode(b"old")})],
            }
        )
        self.env.cr.execute(
            "UPDATE ir_attachment SET access_token = NULL WHERE id = %s", [unit.attachment_ids.id]
        )
        unit.attachment_ids.invalidate_recordset(["access_token"])
        self.authenticate("proxy_rita", "proxy_rita")
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self.url_open(f"/my/tickets/{self.ticket.id}", allow_redirects=False)
        self.assertIn("retrying with a read/write cursor", "\n".join(logs.output))
        self.assertEqual(response.status_code, 200)
        self.assertIn("old.txt", response.text)
