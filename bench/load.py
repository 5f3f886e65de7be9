"""A bounded loopback load on the demo database served with several workers:
customers browsing the portal (and now and then opening a ticket and
replying), agents working through JSON-RPC as the web client does (list,
form, change, log time). Prints errors, median and p95 latency per kind
of request; fails when any request failed.

    python bench/load.py --url http://127.0.0.1:8069 --db spid_demo \
        --customers 20 --agents 10 --duration 60
"""

import argparse
import itertools
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import defaultdict

import requests

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings = defaultdict(list)
        self.errors = defaultdict(list)

    def call(self, kind, func):
        start = time.perf_counter()
        try:
            result = func()
        except Exception as exc:
            with self.lock:
                self.errors[kind].append(repr(exc)[:300])
            return None
        with self.lock:
            self.timings[kind].append((time.perf_counter() - start) * 1000)
        return result


def check(response, kind="page"):
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.method} {response.url}: HTTP {response.status_code}")
    if kind == "json":
        body = response.json()
        if "error" in body:
            raise RuntimeError(f"{response.url}: {body['error'].get('data', {}).get('name')}: "
                               f"{body['error'].get('data', {}).get('message')}")  # fmt: skip
        return body["result"]
    return response


class Client:
    def __init__(self, url, db, login, password):
        self.url, self.db = url, db
        self.session = requests.Session()
        # A prefork worker may close an idle kept-alive connection, which
        # requests does not retry for a POST: one connection per request.
        self.session.headers["Connection"] = "close"
        page = self.session.get(f"{url}/web/login?db={db}", timeout=60).text
        response = self.session.post(
            f"{url}/web/login",
            data={"login": login, "password": password, "csrf_token": CSRF.search(page).group(1)},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code != 303:
            raise RuntimeError(f"{login} could not log in")
        self.ids = itertools.count(1)

    def get(self, path):
        return check(self.session.get(self.url + path, timeout=60))

    def post_form(self, path, form_path, data):
        token = CSRF.search(self.get(form_path).text).group(1)
        return check(self.session.post(self.url + path, data=dict(data, csrf_token=token), timeout=60))

    def call_kw(self, model, method, args, kwargs=None):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self.ids),
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        response = self.session.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}", json=payload, timeout=60
        )
        return check(response, "json")


def admin_rpc(url, db, password, model, method, *args, **kwargs):
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"service": "object", "method": "execute_kw",
                   "args": [db, 2, password, model, method, list(args), kwargs]},
    }  # fmt: skip
    return check(requests.post(f"{url}/jsonrpc", json=payload, timeout=120), "json")


def prepare_users(args):
    """Portal users (contacts of the demo customer's client) and agents
    (members of every team) for the load, created once as admin."""

    def rpc(model, method, *rpc_args, **rpc_kwargs):
        return admin_rpc(args.url, args.db, args.admin_password, model, method, *rpc_args, **rpc_kwargs)

    customer = rpc("res.users", "search_read", [("login", "=", "customer")], fields=["partner_id"])[0]
    client_id = rpc("res.partner", "read", [customer["partner_id"][0]], ["commercial_partner_id"])[0][
        "commercial_partner_id"
    ][0]

    def xmlid(name):
        module, name = name.split(".")
        return rpc(
            "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"]
        )[0]["res_id"]

    portal = xmlid("base.group_portal")
    agent_group = xmlid("spid_helpdesk.group_spid_agent")
    user_group = xmlid("base.group_user")
    teams = rpc("spid.team", "search", [])
    existing = {
        u["login"] for u in rpc("res.users", "search_read", [("login", "like", "load_")], fields=["login"])
    }
    for i in range(args.customers):
        login = f"load_customer_{i}"
        if login not in existing:
            partner = rpc("res.partner", "create", {"name": f"Load customer {i}", "parent_id": client_id})
            rpc("res.users", "create", {"login": login, "password": login, "partner_id": partner,
                                        "groups_id": [(6, 0, [portal])]})  # fmt: skip
    for i in range(args.agents):
        login = f"load_agent_{i}"
        if login not in existing:
            user = rpc("res.users", "create", {"name": f"Load agent {i}", "login": login, "password": login,
                                               "email": f"{login}@example.com",
                                               "groups_id": [(6, 0, [user_group, agent_group])]})  # fmt: skip
            rpc("spid.team", "write", teams, {"member_ids": [(4, user)]})


def check_shows(response, text):
    if text not in response.text:
        raise RuntimeError(f"stale page: {response.url} does not show {text!r} just written")
    return response


def customer_loop(client, recorder, stop, number):
    rng = random.Random(number)
    own = []  # the tickets this customer opened: the ones they may answer on
    for turn in itertools.count():
        if stop.is_set():
            return
        page = recorder.call("customer: GET /my/tickets", lambda: client.get("/my/tickets?filterby=all"))
        ids = re.findall(r'href="/my/tickets/(\d+)', page.text) if page is not None else []
        if ids:
            ticket = rng.choice(ids)
            recorder.call("customer: GET /my/tickets/<id>", lambda t=ticket: client.get(f"/my/tickets/{t}"))
        if turn % 10 == 0:
            created = recorder.call(
                "customer: POST /my/tickets/new",
                lambda turn=turn: check_shows(
                    client.post_form(
                        "/my/tickets/new",
                        "/my/tickets/new",
                        {
                            "name": f"Load test request {number}-{turn}",
                            "description": "Nothing works since noon.",
                        },
                    ),
                    f"Load test request {number}-{turn}",
                ),
            )
            # the redirect lands on the new ticket's page (readonly: the
            # replica's when there is one), which must already know it
            match = created is not None and re.search(r"/my/tickets/(\d+)", created.url)
            if match:
                own.append(match.group(1))
        if turn % 10 == 2 and own:
            ticket = rng.choice(own)
            recorder.call(
                "customer: POST reply",
                lambda t=ticket: client.post_form(
                    f"/my/tickets/{t}/reply", f"/my/tickets/{t}", {"message": "Any news?"}
                ),
            )
        if turn % 10 == 1 and own:
            # read-your-writes: the page the customer lands on after changing
            # their request (a readonly route, served by the replica when
            # there is one) must already show the change
            ticket = rng.choice(own)
            recorder.call(
                "customer: POST edit, then the page shows it",
                lambda t=ticket, turn=turn: edit_and_reload(client, t, f"Load request {number}-{turn} edit"),
            )


def edit_and_reload(client, ticket, title):
    client.post_form(
        f"/my/tickets/{ticket}/edit",
        f"/my/tickets/{ticket}",
        {"name": title, "urgency": "1", "description": "Nothing works since noon."},
    )
    page = client.get(f"/my/tickets/{ticket}")
    if title not in page.text:
        raise RuntimeError(f"stale page: /my/tickets/{ticket} does not show the title just written")
    return page


LIST_SPEC = {
    "reference": {}, "name": {}, "client_id": {"fields": {"display_name": {}}},
    "partner_id": {"fields": {"display_name": {}}}, "team_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}}, "status_id": {"fields": {"display_name": {}}},
    "priority": {}, "total_hours": {}, "sla_status": {}, "is_locked": {}, "move_id": {},
}  # fmt: skip
FORM_SPEC = dict(LIST_SPEC, description={}, workunit_ids={"fields": {"duration": {}, "description": {}}})


def agent_loop(client, recorder, stop, number):
    rng = random.Random(1000 + number)
    for turn in itertools.count():
        if stop.is_set():
            return
        rows = recorder.call(
            "agent: web_search_read (list)",
            lambda: client.call_kw(
                "spid.ticket", "web_search_read", [[]], {"specification": LIST_SPEC, "limit": 80}
            ),
        )
        records = (rows or {}).get("records") or []
        if not records:
            continue
        # an agent changes only tickets they may change: an invoiced ticket
        # is locked, one on a draft invoice takes no time (the form says
        # so; the server refuses); with none on the page, they only read
        editable = [r for r in records if not r.get("is_locked") and not r.get("move_id")]
        ticket = rng.choice(editable or records)["id"]
        recorder.call(
            "agent: web_read (form)",
            lambda ticket=ticket: client.call_kw(
                "spid.ticket", "web_read", [[ticket]], {"specification": FORM_SPEC}
            ),
        )
        if not editable:
            continue
        if turn % 3 == 0:
            recorder.call(
                "agent: write priority",
                lambda ticket=ticket: client.call_kw(
                    "spid.ticket", "write", [[ticket], {"priority": str(rng.randint(0, 3))}]
                ),
            )
        if turn % 3 == 1:
            recorder.call(
                "agent: log a work unit",
                lambda ticket=ticket: client.call_kw(
                    "spid.workunit",
                    "create",
                    [{"ticket_id": ticket, "duration": 0.25, "description": "Load"}],
                ),
            )
        if turn % 3 == 2:
            recorder.call(
                "agent: post an internal note",
                lambda ticket=ticket: client.call_kw(
                    "spid.ticket", "message_post", [[ticket]],
                    {"body": "Checked the logs.", "message_type": "comment", "subtype_xmlid": "mail.mt_note"},
                ),
            )  # fmt: skip


class MemorySampler(threading.Thread):
    """The resident memory (RSS, from /proc) of every child of the server
    (Odoo's HTTP and cron workers, its gevent process), sampled every
    `interval` seconds while the load runs; a recycled worker is a new pid."""

    def __init__(self, server_pid, interval=0.5):
        super().__init__(daemon=True)
        self.server_pid, self.interval = server_pid, interval
        self.samples = defaultdict(list)  # pid -> [RSS in MB]
        self.kinds = {}  # pid -> what it is
        self.halt = threading.Event()

    def children(self):
        try:
            with open(f"/proc/{self.server_pid}/task/{self.server_pid}/children", encoding="ascii") as handle:
                return [int(pid) for pid in handle.read().split()]
        except OSError:  # a kernel without CONFIG_PROC_CHILDREN: scan /proc
            pids = []
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                            ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
                    except (OSError, IndexError, ValueError):
                        continue
                    if ppid == self.server_pid:
                        pids.append(int(entry))
            return pids

    def sample(self, pid):
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
                status = handle.read()
            if pid not in self.kinds:
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    args = handle.read().decode(errors="replace").split("\0")
                title = " ".join(args)  # Odoo's process title, with setproctitle installed
                self.kinds[pid] = (
                    "gevent (long polling)" if "gevent" in args  # its own command: odoo-bin gevent ...
                    else "HTTP worker" if "WorkerHTTP" in title
                    else "cron worker" if "WorkerCron" in title
                    else "HTTP or cron worker"  # forks of the server: told apart only by setproctitle
                )  # fmt: skip
        except OSError:  # gone meanwhile
            return
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            self.samples[pid].append(int(match.group(1)) / 1024)

    def run(self):
        while not self.halt.is_set():
            for pid in self.children():
                self.sample(pid)
            self.halt.wait(self.interval)

    def table(self):
        lines = [
            "",
            "Memory of the server's processes (RSS from /proc, sampled every "
            f"{self.interval:g} s during the run):",
            "",
            "| Process | pid | Samples | Median RSS (MB) | Peak RSS (MB) |",
            "|---|---:|---:|---:|---:|",
        ]
        brief = defaultdict(list)  # kind -> [samples] of the processes seen under 2 s (respawned)
        for pid, values in sorted(
            self.samples.items(), key=lambda item: (self.kinds.get(item[0], ""), item[0])
        ):
            kind = self.kinds.get(pid, "?")
            if len(values) * self.interval < 2:
                brief[kind].append(values)
                continue
            lines.append(
                f"| {kind} | {pid} | {len(values)} | {statistics.median(values):.0f} | {max(values):.0f} |"
            )
        for kind, runs in brief.items():
            values = [value for run in runs for value in run]
            lines.append(
                f"| {kind}: {len(runs)} processes alive under 2 s (respawned) | | {len(values)} "
                f"| {statistics.median(values):.0f} | {max(values):.0f} |"
            )
        return lines


def websocket_handshake(client):
    """Open Odoo's bus websocket (/websocket) with the client's session, as
    the web client does, subscribe, and answer how the server took it: under
    --workers it is served by the gevent process, behind the proxy through
    its /websocket location. Raises when the handshake or the subscription
    fails."""
    import json

    import websocket  # websocket-client, in Odoo's requirements: only this check needs it

    url = re.sub(r"^http", "ws", client.url) + "/websocket"
    cookie = "; ".join(f"{name}={value}" for name, value in client.session.cookies.items())
    connection = websocket.create_connection(url, cookie=cookie, origin=client.url, timeout=20)
    try:
        status = connection.getstatus()
        if status != 101:
            raise RuntimeError(f"websocket handshake: HTTP {status}")
        connection.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))
        connection.settimeout(2)
        try:  # nothing to say back; a refused subscription closes the socket
            frame = connection.recv_data(control_frame=True)
            if frame[0] == websocket.ABNF.OPCODE_CLOSE:
                raise RuntimeError(f"websocket closed by the server: {frame[1][:2]!r} {frame[1][2:]!r}")
        except websocket.WebSocketTimeoutException:
            pass
        return status
    finally:
        connection.close()


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--admin-password", default="admin")
    parser.add_argument("--server-pid", type=int, help="the Odoo server: sample its workers' memory")
    parser.add_argument("--output")
    parser.add_argument("--title", help="a heading for the report")
    parser.add_argument("--websocket", action="store_true", help="also check the bus websocket handshake")
    args = parser.parse_args()
    prepare_users(args)
    recorder = Recorder()
    clients = [("customer", i, Client(args.url, args.db, f"load_customer_{i}", f"load_customer_{i}"))
               for i in range(args.customers)]  # fmt: skip
    clients += [
        ("agent", i, Client(args.url, args.db, f"load_agent_{i}", f"load_agent_{i}"))
        for i in range(args.agents)
    ]
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=customer_loop if kind == "customer" else agent_loop, args=(client, recorder, stop, i)
        )
        for kind, i, client in clients
    ]
    sampler = MemorySampler(args.server_pid) if args.server_pid else None
    start = time.perf_counter()
    if sampler:
        sampler.start()
    for thread in threads:
        thread.start()
    time.sleep(args.duration)
    stop.set()
    for thread in threads:
        thread.join(120)
    elapsed = time.perf_counter() - start
    if sampler:
        sampler.halt.set()
        sampler.join(10)
    lines = [f"### {args.title}", ""] if args.title else []
    lines += [
        f"{args.customers} customers and {args.agents} agents for {args.duration:.0f} s "
        f"(all done after {elapsed:.0f} s):",
        "",
        "| Request | Count | Errors | Median (ms) | p95 (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    total = errors = 0
    for kind in sorted(set(recorder.timings) | set(recorder.errors)):
        times = recorder.timings.get(kind, [])
        failed = len(recorder.errors.get(kind, []))
        total += len(times) + failed
        errors += failed
        median = f"{statistics.median(times):.0f}" if times else "n/a"
        p95 = f"{percentile(times, 95):.0f}" if times else "n/a"
        lines.append(f"| {kind} | {len(times) + failed} | {failed} | {median} | {p95} |")
    everything = [t for times in recorder.timings.values() for t in times]
    median, p95 = statistics.median(everything), percentile(everything, 95)
    lines.append(f"| **all** | {total} | {errors} | {median:.0f} | {p95:.0f} |")
    lines += ["", f"Throughput: {total / elapsed:.1f} requests/s."]
    if sampler:
        lines += sampler.table()
    if args.websocket:
        agent = clients[-1][2]
        try:
            status = websocket_handshake(agent)
            lines += ["", f"Websocket (/websocket, the bus) as an agent: HTTP {status} Switching Protocols,"
                      " subscription accepted."]  # fmt: skip
        except Exception as exc:  # reported as an error of the run
            recorder.errors["websocket handshake"].append(repr(exc)[:300])
            errors += 1
            lines += ["", f"Websocket (/websocket, the bus): FAILED, {exc!r}"[:300]]
    report = "\n".join(lines)
    print(report)
    for kind, messages in recorder.errors.items():
        for message in sorted(set(messages))[:5]:
            print(f"error ({kind}): {message}", file=sys.stderr)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(report + "\n")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
