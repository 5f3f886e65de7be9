"""Real mail servers for the tests (#20): an SMTP server (aiosmtpd, in this
process) that keeps what it receives on the wire, and a throwaway IMAP
server (Debian's dovecot, scripts/dovecot.sh) holding one mailbox. Both
listen on 127.0.0.1 on a free port and are stopped by the test's cleanup,
also when it fails."""

import email
import email.policy
import imaplib
import socket
import subprocess
import tempfile
import time
from contextlib import closing, contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller

from odoo import SUPERUSER_ID, api, modules

REPO = Path(__file__).resolve().parent.parent
IMAP_USER = "helpdesk"
IMAP_PASSWORD = "helpdesk-test"


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """aiosmtpd on a free port: every envelope received is kept, in order
    (mail_from, rcpt_tos, the parsed message, its raw bytes)."""

    def __init__(self):
        self.received = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message, envelope.content))
        return "250 Message accepted for delivery"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@contextmanager
def smtp_for_real():
    """Odoo skips SMTP while a test runs (`modules.module.current_test`,
    checked by ir.mail_server and mail.mail): lifted here, since these tests
    are about what goes out on the wire."""
    current, modules.module.current_test = modules.module.current_test, None
    try:
        yield
    finally:
        modules.module.current_test = current


class ImapServer:
    """Debian's dovecot started by scripts/dovecot.sh with its own
    configuration, base_dir and Maildir under a temporary folder."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="spid-dovecot-")
        self.port = free_port()

    def _script(self, *args):
        return subprocess.run(
            ["bash", str(REPO / "scripts/dovecot.sh"), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def start(self):
        self._script("start", self.folder, str(self.port), IMAP_USER, IMAP_PASSWORD)
        return self

    def stop(self):
        self._script("stop", self.folder)
        subprocess.run(["rm", "-rf", self.folder], check=False)

    @contextmanager
    def client(self):
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            imap.login(IMAP_USER, IMAP_PASSWORD)
            imap.select("INBOX")
            yield imap
        finally:
            try:
                imap.logout()
            except (OSError, imaplib.IMAP4.error):
                pass

    def deliver(self, raw):
        """What an MTA does: the message appended to the inbox, unseen."""
        if isinstance(raw, str):
            raw = raw.encode()
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        with self.client() as imap:
            status, _data = imap.append("INBOX", None, None, raw)
            assert status == "OK", status

    def flags(self):
        """{sequence number: flags} of every message in the inbox."""
        with self.client() as imap:
            _status, data = imap.fetch("1:*", "(FLAGS)")
        flags = {}
        for line in data:
            if not line:
                continue
            number, _sep, rest = line.decode().partition(" ")
            flags[int(number)] = rest
        return flags

    def unseen(self):
        with self.client() as imap:
            _status, data = imap.search(None, "UNSEEN")
        return data[0].split()


def fetchmail_server(env, imap, model="spid.ticket"):
    """Odoo's own Incoming Mail Server on `imap`, confirmed by its Test &
    Confirm button (a real login)."""
    server = env["fetchmail.server"].create(
        {
            "name": "Helpdesk mailbox",
            "server_type": "imap",
            "server": "127.0.0.1",
            "port": imap.port,
            "is_ssl": False,
            "user": IMAP_USER,
            "password": IMAP_PASSWORD,
            "object_id": env["ir.model"]._get_id(model),
        }
    )
    server.button_confirm_login()
    assert server.state == "done"
    return server


def fetch(env, server):
    """What the cron *Mail: Fetchmail Service* does, on a cursor of its own
    (the fetch commits after each email: in a test, the test cursor's
    savepoints, as every request of an HttpCase)."""
    env.flush_all()
    with env.registry.cursor() as cr:
        api.Environment(cr, SUPERUSER_ID, {})["fetchmail.server"].browse(server.id).fetch_mail()
    env.invalidate_all()
