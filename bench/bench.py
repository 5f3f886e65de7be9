"""SpiD Helpdesk against OCA's helpdesk_mgmt 18.0: one run, the same Odoo,
the same PostgreSQL server, the ratios printed as a table.

Run by `make bench` (bench/bench.sh creates the two databases first):

    python bench/bench.py --conf .local/bench.conf --ours spid_bench \
        --peer spid_bench_peer --scale 1.0 [--output BENCHMARKS.md]

Both helpdesks define `/my/tickets` (with the same controller method names),
so they cannot share one database: each gets its own, with the floor addon
(spid_bench_floor, a bare ORM model) in both. Background data is cloned
set-based in SQL from records created through the ORM (bench/data.py);
every measured operation goes through the ORM as a user, or over HTTP to a
real server. Measures are named tuples (Timing, Creation, Page, Row).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime
from typing import NamedTuple

ODOO_DIR = os.environ.get("ODOO_DIR", os.path.expanduser("~/.cache/spid-helpdesk/odoo"))
sys.path.insert(0, ODOO_DIR)

import requests  # noqa: E402
from data import (  # noqa: E402  (bench/data.py, beside this script)
    BATCH,
    TEXT_SEARCH,
    breach_sla,
    grow_ours,
    grow_peer,
    prepare_invoicing,
    setup_ours,
    setup_peer,
)

import odoo  # noqa: E402
from odoo import api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

JIT_OFF = "SET LOCAL jit = off"
JIT_OFF_LABEL = "jit off"


class Timing(NamedTuple):
    """One measured operation: wall time and SQL queries."""

    seconds: float
    queries: float


class Creation(NamedTuple):
    """Ticket creation on one side: one by one, then by batches of 1,000
    (medians)."""

    singles_per_s: float
    single_queries: float
    batch_per_s: float
    batch_queries: float


class Page(NamedTuple):
    """One portal page over HTTP: times in ms, the server's query count."""

    median_ms: float
    p90_ms: float
    queries: float | None


class Row(NamedTuple):
    """One line of the table; `better` is "high" or "low"."""

    label: str
    ours: float | None
    peer: float | None
    floor: float | None
    unit: str
    better: str
    q_ours: float | None = None
    q_peer: float | None = None
    note: str = ""


class Queries(NamedTuple):
    """Query counts of one operation at one data size."""

    ours: float | None
    peer: float | None


class Sizes(NamedTuple):
    """How far the data grows: tickets, work units, the customer's tickets."""

    tickets: int
    workunits: int
    customer_tickets: int


def log(msg):
    print(f"[{datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


class Db:
    """One database: its registry, the users and records the run needs."""

    def __init__(self, name):
        self.name = name
        self.registry = Registry(name)
        self.ids = {}

    @contextmanager
    def env(self, uid=odoo.SUPERUSER_ID, commit=True):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            yield env
            if commit:
                cr.commit()
            else:
                cr.rollback()

    def timed(self, uid, func, commit=True, setup=None):
        """The Timing of func(env) in its own transaction, as `uid`;
        the commit (and its precommit hooks) is part of the time. `setup`, an
        SQL statement run first, is not."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            if setup:
                cr.execute(setup)
            start_count = cr.sql_log_count
            start = time.perf_counter()
            func(env)
            if commit:
                env.flush_all()
                cr.commit()
            else:
                env.flush_all()
            elapsed = time.perf_counter() - start
            queries = cr.sql_log_count - start_count
            if not commit:
                cr.rollback()
        return Timing(elapsed, queries)

    def sql(self, query, params=None):
        with self.registry.cursor() as cr:
            cr.execute(query, params or ())
            rows = cr.fetchall() if cr.description else None
            cr.commit()
        return rows


# ----------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------


class Op(NamedTuple):
    """One operation to time: func(env) on `db` as `uid`, after the SQL
    statement `setup` (not timed)."""

    db: Db
    uid: int
    func: Callable
    setup: str | None = None


class Results:
    def __init__(self):
        self.rows = []  # [Row]
        self.queries = {}  # label -> {size: Queries}

    def add(self, label, ours, peer, unit, better, q_ours=None, q_peer=None, floor=None, note=""):
        self.rows.append(Row(label, ours, peer, floor, unit, better, q_ours, q_peer, note))

    def add_queries(self, size, label, ours, peer):
        self.queries.setdefault(label, {})[size] = Queries(ours, peer)


def ticket_vals(kind, db, i):
    ids = db.ids
    if kind == "ours_quiet":
        return dict(ticket_vals("ours", db, i), status_id=ids["quiet_status"])
    if kind == "ours":
        return {
            "name": f"New ticket {i} about the network",
            "description": "<p>It stopped working this morning.</p>",
            "client_id": ids["clients"][i % len(ids["clients"])],
            "partner_id": ids["contacts"][i % len(ids["contacts"])],
            "team_id": ids["teams"][0],
        }
    if kind == "peer":
        return {
            "name": f"New ticket {i} about the network",
            "description": "<p>It stopped working this morning.</p>",
            "partner_id": ids["contacts"][i % len(ids["contacts"])],
            "team_id": ids["teams"][0],
        }
    return {
        "name": f"New ticket {i} about the network",
        "description": "<p>It stopped working this morning.</p>",
        "partner_id": ids["contacts"][i % len(ids["contacts"])],
        "user_id": ids["agents"][0],
    }


MODELS = {
    "ours": "spid.ticket",
    "ours_quiet": "spid.ticket",
    "peer": "helpdesk.ticket",
    "floor": "spid.bench.floor",
}


def measure_creation(sides, singles, batches):
    """{kind: Creation} for sides {kind: db}. The kinds take turns at every
    step, so that a change in the machine's load hits them alike."""
    singles_of = {kind: [] for kind in sides}  # [Timing]
    batches_of = {kind: [] for kind in sides}
    for i in range(singles):
        for kind, db in sides.items():
            vals = ticket_vals(kind, db, i)
            model = MODELS[kind]
            singles_of[kind].append(
                db.timed(db.ids["agents"][0], lambda env, v=vals, m=model: env[m].create(v))
            )
    for b in range(batches):
        for kind, db in sides.items():
            vals_list = [ticket_vals(kind, db, b * BATCH + i) for i in range(BATCH)]
            model = MODELS[kind]
            batches_of[kind].append(
                db.timed(db.ids["agents"][0], lambda env, v=vals_list, m=model: env[m].create(v))
            )
    result = {}
    for kind in sides:
        single = singles_of[kind][2:] or singles_of[kind]  # the first two warm up
        batch = batches_of[kind]
        result[kind] = Creation(
            singles_per_s=1 / statistics.median(t.seconds for t in single),
            single_queries=statistics.median(t.queries for t in single),
            batch_per_s=BATCH / statistics.median(t.seconds for t in batch),
            batch_queries=statistics.median(t.queries for t in batch),
        )
    return result


def list_spec(env, model):
    """web_search_read's specification for the fields of the model's list view."""
    arch = env[model].get_views([(False, "list")])["views"]["list"]["arch"]
    names = dict.fromkeys(re.findall(r'<field name="([a-z_0-9]+)"', arch))
    spec = {}
    for name in names:
        field = env[model]._fields.get(name)
        if field is None:
            continue
        spec[name] = {"fields": {"display_name": {}}} if field.type == "many2one" else {}
    return spec


def interleaved(ops, repeat):
    """{label: [Timing per side]} of ops {label: [Op per side]}, the sides
    taking turns; the median of `repeat` runs."""
    results = {}
    for label, sides in ops.items():
        runs = [[] for _side in sides]
        for _run in range(repeat):
            for index, op in enumerate(sides):
                runs[index].append(op.db.timed(op.uid, op.func, commit=False, setup=op.setup))
        results[label] = [
            Timing(statistics.median(t.seconds for t in side), statistics.median(t.queries for t in side))
            for side in runs
        ]
    return results


def read_ops(db, kind):
    """{label: Op}: the agent's read operations on one side."""
    uid = db.ids["agents"][0]
    model = MODELS[kind]
    status = "status_id" if kind == "ours" else "stage_id"
    with db.env(commit=False) as env:
        spec = list_spec(env(user=uid), model)
    text = [("name", "ilike", TEXT_SEARCH)]
    return {
        "List view, first page (80)": Op(db, uid, lambda env: env[model].web_search_read([], spec, limit=80)),
        f"Search by text (`{TEXT_SEARCH}`)": Op(
            db, uid, lambda env: env[model].web_search_read(text, spec, limit=80),
        ),
        "Group by status (list)": Op(db, uid, lambda env: env[model].web_read_group([], [status], [status])),
    }  # fmt: skip


def stats_ops(ours, peer):
    """{label: [Op on ours, Op on the peer (when it has one)]}: the supervisor's pivots."""
    sup = ours.ids["supervisor"]
    report = "spid.workunit.report"
    return {
        "Pivot: hours by agent × month (work units)": [
            Op(ours, sup, lambda env: env[report].read_group(
                [], ["hours:sum", "billable_hours:sum"], ["user_id", "date:month"], lazy=False)),
        ],
        "Pivot: hours by client (work units)": [
            Op(ours, sup, lambda env: env[report].read_group([], ["hours:sum"], ["client_id"], lazy=False)),
        ],
        "Pivot: tickets by team × status (tickets)": [
            Op(ours, sup, lambda env: env["spid.ticket.report"].read_group(
                [], ["nbr:sum", "backlog:sum"], ["team_id", "status_id"], lazy=False)),
            Op(peer, peer.ids["agents"][0], lambda env: env["helpdesk.ticket"].read_group(
                [], ["__count"], ["team_id", "stage_id"], lazy=False)),
        ],
    }  # fmt: skip


def measure_sla_cron(db):
    with db.registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        start_count = cr.sql_log_count
        start = time.perf_counter()
        Sla = env["spid.ticket.sla"]
        # one batch per call: ir.cron calls it again while breaches remain
        while True:
            Sla._cron_check_breaches()
            if not Sla.search_count(Sla._spid_breached_domain(), limit=1):
                break
        cr.commit()
        return Timing(time.perf_counter() - start, cr.sql_log_count - start_count)


def measure_invoicing(db, setup):
    def run(env):
        env["spid.ticket.invoice.wizard"].create(
            {
                "invoice_date": date.today(),
                "client_ids": [(6, 0, [setup.client])],
                "journal_id": setup.journal,
            }
        ).action_create_invoices()

    return db.timed(odoo.SUPERUSER_ID, run)


# ----------------------------------------------------------------------
# HTTP: a real server per database, requests as the portal customer
# ----------------------------------------------------------------------


class Server:
    def __init__(self, conf, db, port, logfile):
        self.port = port
        self.logfile = logfile
        self.url = f"http://127.0.0.1:{port}"
        venv_python = sys.executable
        cmd = [
            venv_python, os.path.join(ODOO_DIR, "odoo-bin"), "-c", conf, "-d", db, f"--db-filter=^{db}$",
            f"--http-port={port}", "--max-cron-threads=0", "--log-level=warn",
            "--log-handler=werkzeug:INFO", f"--logfile={logfile}",
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _attempt in range(240):
            try:
                requests.get(self.url + "/web/login", timeout=5)
                return
            except requests.ConnectionError:
                time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer on {self.url}; see {logfile}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)

    def session(self, login, password):
        session = requests.Session()
        page = session.get(self.url + "/web/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = session.post(
            self.url + "/web/login",
            data={"login": login, "password": password, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 303, f"login refused on {self.url}"
        return session

    def queries_of(self, path):
        """Median query count of the logged requests to path (werkzeug's
        access log line ends with: queries, query time, other time)."""
        counts = []
        with open(self.logfile, encoding="utf-8") as handle:
            for line in handle:
                match = re.search(r'"GET (\S+) HTTP/1.1" 200 - (\d+) [\d.]+ [\d.]+', line)
                if match and match.group(1) == path:
                    counts.append(int(match.group(2)))
        return statistics.median(counts) if counts else None


def http_pages(ours_server, peer_server, ours_db, peer_db, requests_count):
    """{label: [Page ours, Page of the peer]}: median and p90 (ms) of the
    customer's pages, ours and the peer's requests interleaved; plus the
    median query count of each."""
    with ours_db.env(commit=False) as env:
        ours_ticket = (
            env["spid.ticket"].search([("partner_id", "=", ours_db.ids["customer_contact"])], limit=1).id
        )
    with peer_db.env(commit=False) as env:
        peer_ticket = (
            env["helpdesk.ticket"].search([("partner_id", "=", peer_db.ids["customer_contact"])], limit=1).id
        )
    ours_session = ours_server.session("bench_customer", "bench_customer")
    peer_session = peer_server.session("bench_customer", "bench_customer")
    pages = {
        "Portal `/my/tickets` (customer with 1,000 tickets)": (
            (ours_server, ours_session, "/my/tickets"),
            (peer_server, peer_session, "/my/tickets"),
        ),
        "Portal ticket page": (
            (ours_server, ours_session, f"/my/tickets/{ours_ticket}"),
            (peer_server, peer_session, f"/my/ticket/{peer_ticket}"),
        ),
    }
    results = {}
    for label, sides in pages.items():
        timings = ([], [])
        for i in range(requests_count + 5):
            for side, (server, session, path) in enumerate(sides):
                start = time.perf_counter()
                response = session.get(server.url + path, timeout=60)
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, f"{server.url}{path}: {response.status_code}"
                if i >= 5:  # warm-up
                    timings[side].append(elapsed * 1000)
        results[label] = [
            Page(statistics.median(t), percentile(t, 90), server.queries_of(path))
            for t, (server, _session, path) in zip(timings, sides)
        ]
    return results


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# ----------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------


def run_size(args, ours, peer, sizes, stage, results, full):
    """Grow both databases to `sizes` (Sizes), then measure."""
    log(f"[{stage}] growing to {sizes.tickets} tickets / {sizes.workunits} work units")
    start = time.perf_counter()
    grow_ours(ours, sizes.tickets, sizes.workunits, sizes.customer_tickets)
    grow_peer(peer, sizes.tickets, sizes.customer_tickets)
    log(f"[{stage}] data ready in {time.perf_counter() - start:.0f} s")
    singles, batches = (args.singles, args.batches) if full else (10, 1)
    creation = measure_creation(
        {"ours": ours, "ours_quiet": ours, "peer": peer, "floor": ours}, singles, batches
    )
    ours_c, peer_c = creation["ours"], creation["peer"]
    results.add_queries(stage, "Create one ticket (agent)", ours_c.single_queries, peer_c.single_queries)
    results.add_queries(stage, "Create 1,000 tickets (agent)", ours_c.batch_queries, peer_c.batch_queries)
    ops_ours, ops_peer = read_ops(ours, "ours"), read_ops(peer, "peer")
    reads = {label: [ops_ours[label], ops_peer[label]] for label in ops_ours}
    # PostgreSQL compiles queries it deems expensive (JIT): measured both ways
    reads.update({f"{label}, {JIT_OFF_LABEL}": [op._replace(setup=JIT_OFF) for op in sides]
                  for label, sides in reads.items()})  # fmt: skip
    reads = interleaved(reads, 7)
    for label, (mine, theirs) in reads.items():
        if JIT_OFF_LABEL not in label:
            results.add_queries(stage, label, mine.queries, theirs.queries)
    stats = stats_ops(ours, peer)
    stats.update(
        {
            f"{label}, {JIT_OFF_LABEL}": [op._replace(setup=JIT_OFF) for op in sides]
            for label, sides in stats.items()
        }
    )
    stats = interleaved(stats, 3)
    for label, sides in stats.items():
        if JIT_OFF_LABEL not in label:
            results.add_queries(stage, label, sides[0].queries, sides[1].queries if len(sides) > 1 else None)
    log(f"[{stage}] SLA cron")
    sla_count = breach_sla(ours, args.sla_tickets if full else max(100, args.sla_tickets // 10))
    sla = measure_sla_cron(ours)
    batches = max(1, -(-sla_count // 1000))  # the cron's batches of 1,000
    results.add_queries(
        stage, "SLA cron, per batch of 1,000 breached clocks", round(sla.queries / batches), None
    )
    log(f"[{stage}] HTTP pages")
    log_dir = os.path.join(args.state, "bench")
    os.makedirs(log_dir, exist_ok=True)
    servers = []
    try:
        servers.append(
            Server(args.conf, ours.name, args.http_port, os.path.join(log_dir, f"ours-{stage}.log"))
        )
        servers.append(
            Server(args.conf, peer.name, args.peer_http_port, os.path.join(log_dir, f"peer-{stage}.log"))
        )
        for server in servers:
            open(server.logfile, "w").close()  # keep only the measured requests
        pages = http_pages(servers[0], servers[1], ours, peer, args.requests if full else 10)
    finally:
        for server in servers:
            server.stop()
    for label, (mine, theirs) in pages.items():
        results.add_queries(stage, label, mine.queries, theirs.queries)
    if not full:
        return
    ratio_rows(results, creation, reads, stats, pages, sla, sla_count)
    log("invoicing")
    setup = prepare_invoicing(ours, args.invoice_tickets)
    if setup is None:
        results.add(f"Invoice {args.invoice_tickets} closed tickets", None, None, "s", "low",
                    note="n/a: spid.ticket.invoice.wizard / spid.tariff not in this build")  # fmt: skip
    else:
        timing = measure_invoicing(ours, setup)
        results.add(
            f"Invoice {args.invoice_tickets} closed tickets (wizard)", timing.seconds, None, "s", "low",
            q_ours=timing.queries, note="helpdesk_mgmt does not invoice",
        )  # fmt: skip


def ratio_rows(results, creation, reads, stats, pages, sla, sla_count):
    ours, peer, floor = creation["ours"], creation["peer"], creation["floor"]
    quiet = creation["ours_quiet"]
    for label, mine in (
        ("Create one ticket as an agent", ours),
        ("Create one ticket as an agent, no acknowledgement email (as the peer)", quiet),
    ):
        results.add(
            label, mine.singles_per_s, peer.singles_per_s, "tickets/s", "high",
            mine.single_queries, peer.single_queries, floor.singles_per_s,
        )  # fmt: skip
    results.add(
        "Create 1,000 tickets in one call as an agent", ours.batch_per_s, peer.batch_per_s, "tickets/s",
        "high", ours.batch_queries, peer.batch_queries, floor.batch_per_s,
    )  # fmt: skip
    for label, (mine, theirs) in reads.items():
        results.add(
            f"Agent: {label}", mine.seconds * 1000, theirs.seconds * 1000, "ms", "low",
            mine.queries, theirs.queries,
        )  # fmt: skip
    for label, (mine, theirs) in pages.items():
        results.add(
            f"{label}, median", mine.median_ms, theirs.median_ms, "ms", "low", mine.queries, theirs.queries
        )
        results.add(f"{label}, p90", mine.p90_ms, theirs.p90_ms, "ms", "low")
    for label, sides in stats.items():
        mine, theirs = sides[0], (sides[1] if len(sides) > 1 else Timing(None, None))
        results.add(
            f"Supervisor: {label}", mine.seconds * 1000, theirs.seconds and theirs.seconds * 1000, "ms",
            "low", mine.queries, theirs.queries,
            note="" if theirs.seconds else "helpdesk_mgmt has no work units",
        )  # fmt: skip
    results.add(
        f"SLA cron over {sla_count} open tickets past their deadline", sla.seconds, None, "s", "low",
        sla.queries, note="helpdesk_mgmt has no SLA (helpdesk_mgmt_sla is another addon)",
    )  # fmt: skip


def fmt(value, unit):
    if value is None:
        return "n/a"
    if unit == "tickets/s" or value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def render(results, args, sizes_small, sizes_full, elapsed):
    lines = [
        "| Operation | Unit | SpiD | helpdesk_mgmt | Floor | SpiD vs peer | Queries SpiD / peer | Note |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in results.rows:
        ours, peer, unit = row.ours, row.peer, row.unit
        if ours is None or peer is None or not peer or not ours:
            ratio = "n/a"
        elif row.better == "high":
            ratio = f"{ours / peer:.2f}× faster" if ours >= peer else f"{peer / ours:.2f}× slower"
        else:
            ratio = f"{peer / ours:.2f}× faster" if ours <= peer else f"{ours / peer:.2f}× slower"
        has_queries = row.q_ours is not None or row.q_peer is not None
        queries = f"{fmt_q(row.q_ours)} / {fmt_q(row.q_peer)}" if has_queries else ""
        lines.append(
            f"| {row.label} | {unit} | {fmt(ours, unit)} | {fmt(peer, unit)} | {fmt(row.floor, unit)} "
            f"| {ratio} | {queries} | {row.note} |"
        )
    lines += [
        "",
        "Queries per operation at two data sizes (SpiD / helpdesk_mgmt); "
        f"small = {sizes_small.tickets:,} tickets and {sizes_small.workunits:,} work units, "
        f"full = {sizes_full.tickets:,} tickets and {sizes_full.workunits:,} work units:",
        "",
        "| Operation | small | full |",
        "|---|---:|---:|",
    ]
    for label, by_size in results.queries.items():
        counts = [by_size.get(size, Queries(None, None)) for size in ("small", "full")]
        cells = [f"{fmt_q(count.ours)} / {fmt_q(count.peer)}" for count in counts]
        lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
    lines += ["", f"Whole run: {elapsed / 60:.1f} min, scale {args.scale}."]
    return "\n".join(lines)


def fmt_q(value):
    return "n/a" if value is None else f"{value:g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--ours", default="spid_bench")
    parser.add_argument("--peer", default="spid_bench_peer")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--http-port", type=int, default=int(os.environ.get("HTTP_PORT", "8069")))
    parser.add_argument("--peer-http-port", type=int, default=int(os.environ.get("TEST_HTTP_PORT", "8169")))
    parser.add_argument("--state", default=".local")
    parser.add_argument("--singles", type=int, default=100, help="tickets created one by one")
    parser.add_argument("--batches", type=int, default=3, help="batches of 1,000 tickets")
    parser.add_argument("--requests", type=int, default=50, help="HTTP requests per page")
    parser.add_argument("--sla-tickets", type=int, default=10_000)
    parser.add_argument("--invoice-tickets", type=int, default=1_000)
    parser.add_argument("--output", help="write the table to this file as well")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.conf, "--log-level=warn"])
    started = time.perf_counter()
    scale = args.scale
    full = Sizes(int(100_000 * scale), int(1_000_000 * scale), min(1000, int(50_000 * scale)))
    small = Sizes(full.tickets // 10, full.workunits // 10, full.customer_tickets)
    if scale < 1:
        args.sla_tickets = max(100, int(args.sla_tickets * scale))
        args.invoice_tickets = max(50, int(args.invoice_tickets * scale))
    ours, peer = Db(args.ours), Db(args.peer)
    log("users, teams, clients")
    setup_ours(ours, scale)
    setup_peer(peer, scale)
    results = Results()
    run_size(args, ours, peer, small, "small", results, full=False)
    run_size(args, ours, peer, full, "full", results, full=True)
    table = render(results, args, small, full, time.perf_counter() - started)
    print(table)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(table + "\n")


if __name__ == "__main__":
    main()
