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
real server (bench/portal.py); the kanban, form, email gateway and creation
follow-up job are in bench/measures.py. Measures are named tuples (Timing,
Creation, Row...). The data grows in three steps (a hundredth, a tenth, all)
and the query counts are taken at each; the ratios come from the last.
"""

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime
from typing import NamedTuple

ODOO_DIR = os.environ.get("ODOO_DIR", os.path.expanduser("~/.cache/spid-helpdesk/odoo"))
sys.path.insert(0, ODOO_DIR)

import measures  # noqa: E402  (bench/measures.py, beside this script)
import portal  # noqa: E402  (bench/portal.py, beside this script)
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
    ours_off: float | None = None  # the same with PostgreSQL's JIT off (tuned)
    peer_off: float | None = None


class Queries(NamedTuple):
    """Query counts of one operation at one data size."""

    ours: float | None
    peer: float | None


class Sizes(NamedTuple):
    """How far the data grows: tickets, work units, the customer's tickets."""

    stage: str
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

    def add(self, label, ours, peer, unit, better, q_ours=None, q_peer=None, floor=None, note="", off=None):
        """`off`: (ours, peer) of the same operation with JIT off."""
        ours_off, peer_off = off or (None, None)
        self.rows.append(
            Row(label, ours, peer, floor, unit, better, q_ours, q_peer, note, ours_off, peer_off)
        )

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


def measure_creation(sides, singles, batches, after_singles=None):
    """{kind: Creation} for sides {kind: db}. The kinds take turns at every
    step, so that a change in the machine's load hits them alike.
    `after_singles()` runs between the single creations and the batches."""
    singles_of = {kind: [] for kind in sides}  # [Timing]
    batches_of = {kind: [] for kind in sides}
    for i in range(singles):
        for kind, db in sides.items():
            vals = ticket_vals(kind, db, i)
            model = MODELS[kind]
            singles_of[kind].append(
                db.timed(db.ids["agents"][0], lambda env, v=vals, m=model: env[m].create(v))
            )
    if after_singles:
        after_singles()
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
        agent_env = env(user=uid)
        spec = list_spec(agent_env, model)
        kanban = measures.kanban_func(agent_env, model, status)
        form, chatter = measures.form_funcs(agent_env, model, db.ids["template"])
    text = [("name", "ilike", TEXT_SEARCH)]
    return {
        "List view, first page (80)": Op(db, uid, lambda env: env[model].web_search_read([], spec, limit=80)),
        f"Search by text (`{TEXT_SEARCH}`)": Op(
            db, uid, lambda env: env[model].web_search_read(text, spec, limit=80),
        ),
        "Group by status (list)": Op(db, uid, lambda env: env[model].web_read_group([], [status], [status])),
        "Kanban by status (columns, then 40 cards per open column)": Op(db, uid, kanban),
        "Form: open a ticket (web_read of the form view)": Op(db, uid, form),
        f"Form: the chatter's first {measures.CHATTER_LIMIT} messages": Op(db, uid, chatter),
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
# The run
# ----------------------------------------------------------------------


def with_jit_off(ops):
    """ops {label: [Op]} plus the same under `label, jit off`: PostgreSQL
    compiles the queries it costs above its thresholds (JIT, on as shipped);
    a tuned server turns it off."""
    return dict(ops, **{f"{label}, {JIT_OFF_LABEL}": [op._replace(setup=JIT_OFF) for op in sides]
                        for label, sides in ops.items()})  # fmt: skip


def run_size(args, ours, peer, sizes, results, full):
    """Grow both databases to `sizes` (Sizes), then measure: reads first
    (on exactly the grown data), then the writes, which add tickets."""
    stage = sizes.stage
    log(f"[{stage}] growing to {sizes.tickets} tickets / {sizes.workunits} work units")
    start = time.perf_counter()
    grow_ours(ours, sizes.tickets, sizes.workunits, sizes.customer_tickets)
    grow_peer(peer, sizes.tickets, sizes.customer_tickets)
    log(f"[{stage}] data ready in {time.perf_counter() - start:.0f} s")
    ops_ours, ops_peer = read_ops(ours, "ours"), read_ops(peer, "peer")
    reads = interleaved(with_jit_off({label: [ops_ours[label], ops_peer[label]] for label in ops_ours}), 7)
    for label, (mine, theirs) in reads.items():
        if JIT_OFF_LABEL not in label:
            results.add_queries(stage, label, mine.queries, theirs.queries)
    stats = interleaved(with_jit_off(stats_ops(ours, peer)), 3)
    for label, sides in stats.items():
        if JIT_OFF_LABEL not in label:
            results.add_queries(stage, label, sides[0].queries, sides[1].queries if len(sides) > 1 else None)
    log(f"[{stage}] HTTP pages")
    pages = portal.measure_pages(args, ours, peer, stage, args.requests if full else 10)
    for label, (mine, theirs) in pages.items():
        results.add_queries(stage, label, mine.queries, theirs.queries)
    log(f"[{stage}] SLA cron")
    sla_count = breach_sla(ours, args.sla_tickets if full else max(100, args.sla_tickets // 10))
    sla = measure_sla_cron(ours)
    batches = max(1, -(-sla_count // 1000))  # the cron's batches of 1,000
    results.add_queries(
        stage, "SLA cron, per batch of 1,000 breached clocks", round(sla.queries / batches), None
    )
    log(f"[{stage}] creation")
    jobs = {}  # what the follow-up job costs per ticket, after each way of creating
    mark = measures.last_ticket_id(ours)

    def job_after(key):
        nonlocal mark
        jobs[key] = measures.run_job(ours, mark)
        mark = measures.last_ticket_id(ours)

    singles, batches = (args.singles, args.batches) if full else (10, 1)
    creation = measure_creation(
        {"ours": ours, "ours_quiet": ours, "peer": peer, "floor": ours}, singles, batches,
        after_singles=lambda: job_after("singles"),
    )  # fmt: skip
    job_after("batches")
    ours_c, peer_c = creation["ours"], creation["peer"]
    results.add_queries(stage, "Create one ticket (agent)", ours_c.single_queries, peer_c.single_queries)
    results.add_queries(stage, "Create 1,000 tickets (agent)", ours_c.batch_queries, peer_c.batch_queries)
    log(f"[{stage}] email gateway")
    gateway = measures.measure_gateway(
        {"ours": (ours, "spid.ticket"), "peer": (peer, "helpdesk.ticket")}, args.emails if full else 10, stage
    )
    job_after("gateway")
    results.add_queries(stage, "Email gateway, one email into a new ticket", gateway["ours"].queries,
                        gateway["peer"].queries)  # fmt: skip
    for key, job in jobs.items():
        if job:
            results.add_queries(stage, f"Follow-up job per ticket ({JOB_SOURCES[key]})",
                                round(job.per_ticket()[1], 1), None)  # fmt: skip
    if not full:
        return
    ratio_rows(results, creation, reads, stats, pages, sla, sla_count, gateway, jobs)
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


JOB_SOURCES = {
    "singles": "tickets created one by one",
    "batches": "tickets created 1,000 per call",
    "gateway": "tickets opened by email",
}


def ratio_rows(results, creation, reads, stats, pages, sla, sla_count, gateway, jobs):
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
    results.add(
        "Email gateway: an email into a new ticket (message_process, commit)", gateway["ours"].per_s,
        gateway["peer"].per_s, "emails/s", "high", gateway["ours"].queries, gateway["peer"].queries,
    )  # fmt: skip
    if not any(jobs.values()):
        results.add("Follow-up job (ack, SLA, notices), per ticket", None, None, "ms", "low",
                    note=f"n/a: no {measures.JOB_MODEL} in this build (done in the creation)")  # fmt: skip
    for key, job in jobs.items():
        if job:
            seconds, queries = job.per_ticket()
            results.add(
                f"Follow-up job (ack, SLA, notices), per ticket: {JOB_SOURCES[key]}", seconds * 1000, None,
                "ms", "low", round(queries, 1), note=f"{job.tickets} tickets; helpdesk_mgmt has no such job",
            )  # fmt: skip
    for label, mine, theirs, off in jit_pairs(reads):
        results.add(
            f"Agent: {label}", mine.seconds * 1000, theirs.seconds * 1000, "ms", "low",
            mine.queries, theirs.queries, off=(off[0].seconds * 1000, off[1].seconds * 1000),
        )  # fmt: skip
    for label, (mine, theirs) in pages.items():
        results.add(
            f"{label}, median", mine.median_ms, theirs.median_ms, "ms", "low", mine.queries, theirs.queries
        )
        results.add(f"{label}, p90", mine.p90_ms, theirs.p90_ms, "ms", "low")
    for label, mine, theirs, off in jit_pairs(stats):
        results.add(
            f"Supervisor: {label}", mine.seconds * 1000, theirs.seconds and theirs.seconds * 1000, "ms",
            "low", mine.queries, theirs.queries,
            note="" if theirs.seconds else "helpdesk_mgmt has no work units",
            off=(off[0].seconds * 1000, off[1].seconds and off[1].seconds * 1000),
        )  # fmt: skip
    results.add(
        f"SLA cron over {sla_count} open tickets past their deadline", sla.seconds, None, "s", "low",
        sla.queries, note="helpdesk_mgmt has no SLA (helpdesk_mgmt_sla is another addon)",
    )  # fmt: skip


def jit_pairs(timings):
    """(label, ours, peer, (ours, peer) with JIT off) of interleaved()'s
    {label: [Timing per side]}; a missing peer is Timing(None, None)."""
    none = Timing(None, None)
    for label, sides in timings.items():
        if JIT_OFF_LABEL in label:
            continue
        off = timings[f"{label}, {JIT_OFF_LABEL}"]
        yield label, sides[0], (sides[1:] or [none])[0], (off[0], (off[1:] or [none])[0])


def fmt(value, unit):
    if value is None:
        return "n/a"
    if unit == "tickets/s" or value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def ratio(ours, peer, better):
    if ours is None or peer is None or not peer or not ours:
        return "n/a"
    if better == "high":
        return f"{ours / peer:.2f}× faster" if ours >= peer else f"{peer / ours:.2f}× slower"
    return f"{peer / ours:.2f}× faster" if ours <= peer else f"{ours / peer:.2f}× slower"


def render(results, args, sizes, elapsed, jit):
    lines = [
        "| Operation | Unit | SpiD | helpdesk_mgmt | SpiD vs peer | SpiD, jit off | helpdesk_mgmt, jit off "
        "| SpiD vs peer, jit off | Floor | Queries SpiD / peer | Note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in results.rows:
        unit = row.unit
        off_cells = " | | "
        if row.ours_off is not None:
            off_ratio = ratio(row.ours_off, row.peer_off, row.better)
            off_cells = f"{fmt(row.ours_off, unit)} | {fmt(row.peer_off, unit)} | {off_ratio}"
        has_queries = row.q_ours is not None or row.q_peer is not None
        queries = f"{fmt_q(row.q_ours)} / {fmt_q(row.q_peer)}" if has_queries else ""
        floor = fmt(row.floor, unit) if row.floor is not None else ""
        lines.append(
            f"| {row.label} | {unit} | {fmt(row.ours, unit)} | {fmt(row.peer, unit)} "
            f"| {ratio(row.ours, row.peer, row.better)} | {off_cells} | {floor} | {queries} | {row.note} |"
        )
    sizes_text = ", ".join(f"{s.stage} = {s.tickets:,} tickets and {s.workunits:,} work units" for s in sizes)
    lines += [
        "",
        f"Queries per operation at three data sizes (SpiD / helpdesk_mgmt); {sizes_text}:",
        "",
        "| Operation | " + " | ".join(s.stage for s in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for label, by_size in results.queries.items():
        counts = [by_size.get(s.stage, Queries(None, None)) for s in sizes]
        cells = [f"{fmt_q(count.ours)} / {fmt_q(count.peer)}" for count in counts]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"JIT as the ORM's cursors saw it (main columns): {jit}; the jit-off columns add "
        f"`{JIT_OFF}` to the transaction.",
        "",
        f"Whole run: {elapsed / 60:.1f} min, scale {args.scale}.",
    ]
    return "\n".join(lines)


def jit_setting(db):
    """`jit` and its thresholds as a cursor of the database sees them."""
    rows = db.sql(
        "SELECT name, setting FROM pg_settings WHERE name IN ('jit', 'jit_above_cost') ORDER BY name"
    )
    available = db.sql("SELECT pg_jit_available()")[0][0]
    return (
        ", ".join(f"{name}={value}" for name, value in rows) + f", available={'yes' if available else 'no'}"
    )


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
    parser.add_argument("--emails", type=int, default=100, help="emails into the gateway, per side")
    parser.add_argument("--sla-tickets", type=int, default=10_000)
    parser.add_argument("--invoice-tickets", type=int, default=1_000)
    parser.add_argument("--output", help="write the table to this file as well")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.conf, "--log-level=warn"])
    started = time.perf_counter()
    scale = args.scale
    full = Sizes("full", int(100_000 * scale), int(1_000_000 * scale), min(1000, int(50_000 * scale)))
    sizes = [
        full._replace(stage=f"full/{div}", tickets=full.tickets // div, workunits=full.workunits // div)
        for div in (100, 10)
    ] + [full]
    if scale < 1:
        args.sla_tickets = max(100, int(args.sla_tickets * scale))
        args.invoice_tickets = max(50, int(args.invoice_tickets * scale))
    ours, peer = Db(args.ours), Db(args.peer)
    jit = f"ours {jit_setting(ours)}; peer {jit_setting(peer)}"
    log(f"JIT: {jit}")
    log("users, teams, clients")
    setup_ours(ours, scale)
    setup_peer(peer, scale)
    for db, team_model, model in (
        (ours, "spid.team", "spid.ticket"),
        (peer, "helpdesk.ticket.team", "helpdesk.ticket"),
    ):
        with db.env() as env:
            measures.setup_alias(env, env[team_model].browse(db.ids["teams"][0]))
            measures.setup_history(env, model, db.ids["template"], db.ids["agents"][0])
    results = Results()
    for sizes_now in sizes:
        run_size(args, ours, peer, sizes_now, results, full=sizes_now is full)
    table = render(results, args, sizes, time.perf_counter() - started, jit)
    print(table)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(table + "\n")


if __name__ == "__main__":
    main()
