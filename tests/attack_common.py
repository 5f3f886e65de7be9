"""What the attack suites share: JSON-RPC calls made as the web client
makes them, as the logged-in user, with whatever context an attacker adds
(`hostile_context`), and the snapshots that show nothing changed."""

import json
from contextlib import contextmanager

from odoo.exceptions import AccessError, UserError, ValidationError


class JsonRpcAttacker:
    """Mixin for an HttpCase: every call carries `hostile_context`."""

    hostile_context = {}

    def _rpc(self, route, params):
        """A JSON-RPC call to `route`: (result, error). A server error (500)
        fails the test: a refusal is an error answer, not a crash."""
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertLess(response.status_code, 500, response.text[:300])
        body = response.json()
        return body.get("result"), body.get("error")

    def _call_kw(self, model, method, args, kwargs=None, context=None):
        """`model.method(*args, **kwargs)` over /web/dataset/call_kw."""
        kwargs = dict(kwargs or {})
        context = dict(self.hostile_context, **(context or {}))
        if context:
            kwargs["context"] = context
        return self._rpc(
            "/web/dataset/call_kw", {"model": model, "method": method, "args": args, "kwargs": kwargs}
        )

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _sync(self):
        """What the requests wrote, flushed and read again."""
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.env.flush_all()
        self.env.invalidate_all()

    def _row(self, record, names):
        """The values of `names` on `record`, as they are stored."""
        record.invalidate_recordset()
        record = record.sudo()
        return {name: record._fields[name].convert_to_write(record[name], record) for name in names}


# What a refused write raises.
REFUSED = (AccessError, UserError, ValidationError)


class RefusalAsserts:
    """Mixin for a test case (with JsonRpcAttacker for the RPC one): an
    attack is refused and leaves nothing behind."""

    @contextmanager
    def assertRefused(self, regex=None):
        """Refused by an access, user or validation error (matching `regex`),
        and rolled back, as the RPC caller's transaction would be."""
        try:
            with self.env.cr.savepoint():
                yield
        except REFUSED as error:
            self.env.invalidate_all()
            if regex:
                self.assertRegex(str(error), regex)
            return
        self.fail("not refused")

    def assertRefusedRpc(self, model, method, args, kwargs=None, context=None):
        result, error = self._call_kw(model, method, args, kwargs, context)
        self.assertTrue(error, f"{model}.{method}{args} answered {result!r}")
        self.env.invalidate_all()
        return error

    def assertCannotSee(self, user, record):
        as_user = record.with_user(user)
        self.assertFalse(as_user.has_access("read"), f"{user.login} reads {record}")
        self.assertFalse(as_user.search([("id", "=", record.id)]), f"{user.login} finds {record}")
        with self.assertRaises(AccessError):
            as_user.read(["display_name"])


# The groups of each role, as new_test_user takes them.
AGENT = "base.group_user,spid_helpdesk.group_spid_agent"
SUPERVISOR = "base.group_user,spid_helpdesk.group_spid_supervisor"
MANAGER = "base.group_user,spid_helpdesk.group_spid_manager"

# What an attacker adds to every call: the keys our code once read, and
# Odoo's own that relax checks elsewhere (RPC callers set any).
HOSTILE_CONTEXT = {
    "import_file": True,
    "spid_system": True,
    "spid_unlocking": True,
    "spid_sla_system": True,
    "spid_batch_create": True,
    "spid_importing": True,
    "mail_create_nosubscribe": True,
    "tracking_disable": True,
    "active_test": False,
    "sudo": True,
    "su": True,
    "uid": 1,
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def raw_email(sender, subject, msgid, to, body="Hello", cc="", extra=""):
    """A plain-text RFC 822 email as a mail server hands it to the gateway;
    `extra` is more header lines, each ending with a line break."""
    return (
        f"From: {sender}\nTo: {to}\n"
        + (f"Cc: {cc}\n" if cc else "")
        + f"Subject: {subject}\nMessage-ID: <{msgid}@attacker.example>\n{extra}"
        + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n\n'
        + f"{body}\n"
    )
