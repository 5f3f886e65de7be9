"""What the attack suites share: JSON-RPC calls made as the web client
makes them, as the logged-in user, with whatever context an attacker adds
(`hostile_context`), and the snapshots that show nothing changed."""

import json


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
