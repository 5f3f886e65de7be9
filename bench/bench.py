"""SpiD Helpdesk against OCA's helpdesk_mgmt 18.0: one run, the same Odoo,
the same PostgreSQL server, the ratios printed as a table.

Run by `make bench` (bench/bench.sh creates the two databases first):

    python bench/bench.py --conf .local/bench.conf --ours spid_bench \
        --peer spid_bench_peer --scale 1.0 [--output BENCHMARKS.md]

Both helpdesks define `/my/tickets` (with the same controller method names),
so they cannot share one database: each gets its own, with the floor addon
(spid_bench_floor, a bare ORM model) in both. Background data is cloned
set-based in SQL from records created through the ORM; every measured
operation goes through the ORM as a user, or over HTTP to a real server.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, datetime

ODOO_DIR = os.environ.get("ODOO_DIR", os.path.expanduser("~/.cache/spid-helpdesk/odoo"))
sys.path.insert(0, ODOO_DIR)

import requests  # noqa: E402

import odoo  # noqa: E402
from odoo import api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

WORDS = [
    "printer",
    "network",
    "invoice",
    "password",
    "backup",
    "screen",
    "email",
    "license",
    "server",
    "badge",
]
WORDS += [f"{word}{n}" for word in list(WORDS) for n in range(9)]  # 100 words: each in 1% of tickets
# Tickets g with g % 100 == 10 are named after WORDS[10] and belong to team 0,
# whose agent searches: 1% of the tickets, all visible to that agent.
TEXT_SEARCH = WORDS[10]
BATCH = 1000
JIT_OFF = "SET LOCAL jit = off"
JIT_OFF_LABEL = "jit off"


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
        """(seconds, queries) of func(env) in its own transaction, as `uid`;
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
        return elapsed, queries

    def sql(self, query, params=None):
        with self.registry.cursor() as cr:
            cr.execute(query, params or ())
            rows = cr.fetchall() if cr.description else None
            cr.commit()
        return rows


def clone_rows(db, table, template_id, count, overrides, params=None, start=1):
    """INSERT `count` copies of one row of `table`, every column copied from
    the template except `overrides` {column: SQL expression of g, the series
    number}. Returns the new ids (contiguous: one statement)."""
    cols = [
        row[0]
        for row in db.sql(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = %s AND column_name != 'id'",
            [table],
        )
    ]
    exprs = [overrides.get(col, f"t.{col}") for col in cols]
    query = f"""
        INSERT INTO {table} ({", ".join(cols)})
        SELECT {", ".join(exprs)}
          FROM {table} t, generate_series(%(start)s, %(stop)s) g
         WHERE t.id = %(template)s
        RETURNING id
    """  # table and columns come from the catalog, values are parameters
    rows = db.sql(query, dict(params or {}, template=template_id, start=start, stop=start + count - 1))
    return sorted(row[0] for row in rows)


def pick(array_param, modulo_expr="g"):
    """SQL: element of an int[] parameter chosen by the series number."""
    return f"(%({array_param})s::int[])[1 + ({modulo_expr}) %% cardinality(%({array_param})s::int[])]"


def word_expr():
    return "(%(words)s::text[])[1 + g %% 100]"


# ----------------------------------------------------------------------
# Set-up: users, teams, clients, then tickets and work units in batches
# ----------------------------------------------------------------------


def make_users(env, prefix, count, group_xmlids):
    # Mail needs senders: the company and OdooBot get an address (no demo data).
    env.company.email = env.company.email or "helpdesk@example.com"
    env.ref("base.partner_root").email = env.ref("base.partner_root").email or "odoobot@example.com"
    groups = [env.ref(x).id for x in group_xmlids]
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": f"{prefix.title()} {i}",
                    "login": f"bench_{prefix}_{i}",
                    "password": f"bench_{prefix}_{i}",
                    "email": f"bench_{prefix}_{i}@example.com",
                    "groups_id": [(6, 0, groups)],
                }
                for i in range(count)
            ]
        )
    )


def make_clients(env, count, extra=None):
    companies = env["res.partner"].create(
        [dict({"name": f"Client {i:04d}", "is_company": True, "email": f"c{i}@example.com"}, **(extra or {}))
         for i in range(count)]
    )  # fmt: skip
    contacts = env["res.partner"].create(
        [{"name": f"Contact {i:04d}", "parent_id": c.id, "email": f"contact{i}@example.com"}
         for i, c in enumerate(companies)]
    )  # fmt: skip
    return companies, contacts


def make_portal_user(env, contact):
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": contact.name,
                "login": "bench_customer",
                "password": "bench_customer",
                "partner_id": contact.id,
                "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
            }
        )
    )


def setup_ours(db, scale):
    with db.env() as env:
        env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
        agents = make_users(env, "agent", 10, ["base.group_user", "spid_helpdesk.group_spid_agent"])
        supervisor = make_users(
            env, "supervisor", 1, ["base.group_user", "spid_helpdesk.group_spid_supervisor"]
        )
        teams = env["spid.team"].create(
            [
                {"name": f"Team {i}", "member_ids": [(6, 0, [a.id])], "leader_id": a.id}
                for i, a in enumerate(agents)
            ]
        )
        clients, contacts = make_clients(env, clients_for(scale), {"spid_is_client": True})
        customer = make_portal_user(env, contacts[0])
        statuses = env["spid.ticket.status"].search([])
        open_statuses = statuses.filtered(lambda s: not s.is_closed)
        closed = statuses.filtered("is_closed")
        env["spid.sla.policy"].create({"name": "Bench response", "response_hours": 4, "resolution_hours": 40})
        # "New" emails an acknowledgement to the requester (helpdesk_mgmt's
        # "New" does not): the same status without it, for a like-for-like line.
        quiet = env["spid.ticket.status"].create({"name": "New (no acknowledgement)", "sequence": 1000})
        template = (
            env["spid.ticket"]
            .with_user(agents[0])
            .create(
                {
                    "name": "Template ticket",
                    "description": "<p>The printer on the second floor jams.</p>",
                    "client_id": clients[0].id,
                    "partner_id": contacts[0].id,
                    "team_id": teams[0].id,
                    "user_id": agents[0].id,
                }
            )
        )
        workunit = (
            env["spid.workunit"]
            .with_user(agents[0])
            .create({"ticket_id": template.id, "duration": 0.5, "description": "<p>Cleaned the rollers.</p>"})
        )
        db.ids.update(
            agents=agents.ids, supervisor=supervisor.id, teams=teams.ids, clients=clients.ids,
            contacts=contacts.ids, customer=customer.id, customer_client=clients[0].id,
            customer_contact=contacts[0].id, open_statuses=open_statuses.ids, closed_statuses=closed.ids,
            template=template.id, workunit=workunit.id, quiet_status=quiet.id,
            sla_lines=template.sla_line_ids.ids,
            company=env.company.id,
        )  # fmt: skip
        db.ids["ticket_ids"] = [template.id]
        db.ids["workunit_ids"] = [workunit.id]


def setup_peer(db, scale):
    with db.env() as env:
        env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
        agents = make_users(env, "agent", 10, ["base.group_user", "helpdesk_mgmt.group_helpdesk_user_team"])
        teams = env["helpdesk.ticket.team"].create(
            [{"name": f"Team {i}", "user_ids": [(6, 0, [a.id])]} for i, a in enumerate(agents)]
        )
        clients, contacts = make_clients(env, clients_for(scale))
        customer = make_portal_user(env, contacts[0])
        stages = env["helpdesk.ticket.stage"].search([])
        template = (
            env["helpdesk.ticket"]
            .with_user(agents[0])
            .create(
                {
                    "name": "Template ticket",
                    "description": "<p>The printer on the second floor jams.</p>",
                    "partner_id": contacts[0].id,
                    "team_id": teams[0].id,
                    "user_id": agents[0].id,
                }
            )
        )
        db.ids.update(
            agents=agents.ids, teams=teams.ids, clients=clients.ids, contacts=contacts.ids,
            customer=customer.id, customer_contact=contacts[0].id, customer_client=clients[0].id,
            open_statuses=stages.filtered(lambda s: not s.closed).ids,
            closed_statuses=stages.filtered("closed").ids, template=template.id,
        )  # fmt: skip
        db.ids["ticket_ids"] = [template.id]


def clients_for(scale):
    return max(20, int(1000 * scale))


def grow_ours(db, tickets_target, workunits_target, customer_tickets):
    """Clone tickets (1,000 per statement) then work units (100,000 per
    statement) up to the targets; the first `customer_tickets` belong to the
    portal customer; one ticket in four is closed."""
    ids = db.ids
    params = {
        "agents": ids["agents"], "teams": ids["teams"], "clients": ids["clients"],
        "contacts": ids["contacts"], "open": ids["open_statuses"], "closed": ids["closed_statuses"],
        "words": WORDS, "cust_client": ids["customer_client"], "cust_contact": ids["customer_contact"],
        "n_cust": customer_tickets,
    }  # fmt: skip
    client = f"CASE WHEN g <= %(n_cust)s THEN %(cust_client)s ELSE {pick('clients')} END"
    contact = f"CASE WHEN g <= %(n_cust)s THEN %(cust_contact)s ELSE {pick('contacts')} END"
    status = f"CASE WHEN g %% 4 = 0 THEN {pick('closed', 'g / 4')} ELSE {pick('open')} END"
    overrides = {
        "reference": "'B' || lpad(g::text, 7, '0')",
        "name": f"'Ticket ' || g || ' ' || {word_expr()}",
        "description": f"'<p>Something about the ' || {word_expr()} || ' of ticket ' || g || '</p>'",
        "client_id": client,
        "partner_id": contact,
        "team_id": pick("teams"),
        "user_id": pick("agents"),
        "editor_id": pick("agents"),
        "create_uid": pick("agents"),
        "status_id": status,
        "is_closed": "g %% 4 = 0",
        "date_closed": "CASE WHEN g %% 4 = 0 THEN now() at time zone 'UTC' - (g || ' minutes')::interval END",
        "create_date": "now() at time zone 'UTC' - (g || ' minutes')::interval",
        "date_status": "now() at time zone 'UTC' - (g || ' minutes')::interval",
        "sla_status": "'none'",
    }
    while len(ids["ticket_ids"]) < tickets_target:
        start = len(ids["ticket_ids"])
        count = min(BATCH * 10, tickets_target - start)
        ids["ticket_ids"] += clone_rows(db, "spid_ticket", ids["template"], count, overrides, params, start)
    tickets = ids["ticket_ids"]
    first, last = tickets[1], tickets[-1]
    while len(ids["workunit_ids"]) < workunits_target:
        start = len(ids["workunit_ids"])
        count = min(100_000, workunits_target - start)
        new = clone_rows(
            db, "spid_workunit", ids["workunit"], count,
            {
                "ticket_id": "%(first)s + g %% %(span)s",
                "user_id": pick("agents"),
                "date": "now() at time zone 'UTC' - (g %% 1000 || ' hours')::interval",
                "duration": "0.25 * (1 + g %% 8)",
                "billable": "g %% 3 != 0",
                "visibility": "CASE WHEN g %% 2 = 0 THEN 'public' ELSE 'internal' END",
                "action_type": "(ARRAY['question','answer','information','solution'])[1 + g %% 4]",
            },
            {"first": first, "span": last - first + 1, "agents": ids["agents"]}, start,
        )  # fmt: skip
        ids["workunit_ids"] += new
    db.sql(
        """
        UPDATE spid_workunit w SET client_id = t.client_id, team_id = t.team_id, company_id = t.company_id
          FROM spid_ticket t WHERE t.id = w.ticket_id AND w.client_id IS DISTINCT FROM t.client_id;
        UPDATE spid_ticket t SET total_hours = s.hours, workunit_count = s.nbr
          FROM (SELECT ticket_id, sum(duration) AS hours, count(*) AS nbr
                  FROM spid_workunit GROUP BY ticket_id) s
         WHERE s.ticket_id = t.id AND t.workunit_count IS DISTINCT FROM s.nbr;
        ANALYZE spid_ticket; ANALYZE spid_workunit;
        """
    )


def breach_sla(db, count):
    """Give `count` open tickets without a clock a response clock already
    past its deadline, for the SLA cron to find."""
    rows = db.sql(
        """
        SELECT t.id FROM spid_ticket t
         WHERE NOT t.is_closed AND t.reference LIKE 'B%%'
           AND NOT EXISTS (SELECT 1 FROM spid_ticket_sla l WHERE l.ticket_id = t.id)
         ORDER BY t.id LIMIT %s
        """,
        [count],
    )
    targets = [row[0] for row in rows]
    template_line = db.ids["sla_lines"][0]
    clone_rows(
        db, "spid_ticket_sla", template_line, len(targets),
        {
            "ticket_id": "(%(targets)s::int[])[g]",
            "status": "'ongoing'",
            "deadline": "now() at time zone 'UTC' - interval '1 hour'",
            "running_since": "now() at time zone 'UTC' - interval '5 hours'",
            "reached_date": "NULL",
        },
        {"targets": targets},
    )  # fmt: skip
    db.sql(
        """
        UPDATE spid_ticket_sla l SET team_id = t.team_id, client_id = t.client_id, user_id = t.user_id
          FROM spid_ticket t WHERE t.id = l.ticket_id AND l.ticket_id = ANY(%s)
        """,
        [targets],
    )
    return len(targets)


def grow_peer(db, tickets_target, customer_tickets):
    ids = db.ids
    params = {
        "agents": ids["agents"], "teams": ids["teams"], "contacts": ids["contacts"],
        "clients": ids["clients"], "open": ids["open_statuses"], "closed": ids["closed_statuses"],
        "words": WORDS, "cust_contact": ids["customer_contact"], "cust_client": ids["customer_client"],
        "n_cust": customer_tickets,
    }  # fmt: skip
    overrides = {
        "number": "'B' || lpad(g::text, 7, '0')",
        "name": f"'Ticket ' || g || ' ' || {word_expr()}",
        "description": f"'<p>Something about the ' || {word_expr()} || ' of ticket ' || g || '</p>'",
        "partner_id": f"CASE WHEN g <= %(n_cust)s THEN %(cust_contact)s ELSE {pick('contacts')} END",
        "commercial_partner_id": f"CASE WHEN g <= %(n_cust)s THEN %(cust_client)s ELSE {pick('clients')} END",
        "team_id": pick("teams"),
        "user_id": pick("agents"),
        "stage_id": f"CASE WHEN g %% 4 = 0 THEN {pick('closed', 'g / 4')} ELSE {pick('open')} END",
        "create_date": "now() at time zone 'UTC' - (g || ' minutes')::interval",
    }
    while len(ids["ticket_ids"]) < tickets_target:
        start = len(ids["ticket_ids"])
        count = min(BATCH * 10, tickets_target - start)
        ids["ticket_ids"] += clone_rows(
            db, "helpdesk_ticket", ids["template"], count, overrides, params, start
        )
    db.sql(
        """
        UPDATE helpdesk_ticket t SET unattended = s.unattended
          FROM helpdesk_ticket_stage s WHERE s.id = t.stage_id AND t.unattended IS DISTINCT FROM s.unattended;
        ANALYZE helpdesk_ticket;
        """
    )


# ----------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------


class Results:
    def __init__(self):
        self.rows = []  # (section, label, ours, peer, floor, unit, better, q_ours, q_peer, note)
        self.queries = {}  # label -> {size: (ours, peer)}

    def add(self, label, ours, peer, unit, better, q_ours=None, q_peer=None, floor=None, note=""):
        self.rows.append((label, ours, peer, floor, unit, better, q_ours, q_peer, note))

    def add_queries(self, size, label, ours, peer):
        self.queries.setdefault(label, {})[size] = (ours, peer)


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
    """{kind: (tickets/s one by one, queries per ticket, tickets/s by 1,000,
    queries per batch)} for sides {kind: db}. The kinds take turns at every
    step, so that a change in the machine's load hits them alike."""
    times = {kind: ([], [], [], []) for kind in sides}
    for i in range(singles):
        for kind, db in sides.items():
            vals = ticket_vals(kind, db, i)
            model = MODELS[kind]
            elapsed, count = db.timed(db.ids["agents"][0], lambda env, v=vals, m=model: env[m].create(v))
            times[kind][0].append(elapsed)
            times[kind][1].append(count)
    for b in range(batches):
        for kind, db in sides.items():
            vals_list = [ticket_vals(kind, db, b * BATCH + i) for i in range(BATCH)]
            model = MODELS[kind]
            elapsed, count = db.timed(db.ids["agents"][0], lambda env, v=vals_list, m=model: env[m].create(v))
            times[kind][2].append(elapsed)
            times[kind][3].append(count)
    return {
        kind: (
            1 / statistics.median(single[2:] or single),
            statistics.median(single_q[2:] or single_q),
            BATCH / statistics.median(batch),
            statistics.median(batch_q),
        )
        for kind, (single, single_q, batch, batch_q) in times.items()
    }


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
    """{label: [(seconds, queries) per side]} of ops {label: [(db, uid, func)
    per side]}, the sides taking turns; the median of `repeat` runs."""
    results = {}
    for label, sides in ops.items():
        runs = [[] for _side in sides]
        for _run in range(repeat):
            for index, (db, uid, func, *setup) in enumerate(sides):
                runs[index].append(db.timed(uid, func, commit=False, setup=setup and setup[0]))
        results[label] = [
            (statistics.median(r[0] for r in side), statistics.median(r[1] for r in side)) for side in runs
        ]
    return results


def read_ops(db, kind):
    """{label: (db, uid, func)}: the agent's read operations on one side."""
    uid = db.ids["agents"][0]
    model = MODELS[kind]
    status = "status_id" if kind == "ours" else "stage_id"
    with db.env(commit=False) as env:
        spec = list_spec(env(user=uid), model)
    text = [("name", "ilike", TEXT_SEARCH)]
    return {
        "List view, first page (80)": (db, uid, lambda env: env[model].web_search_read([], spec, limit=80)),
        f"Search by text (`{TEXT_SEARCH}`)": (
            db, uid, lambda env: env[model].web_search_read(text, spec, limit=80),
        ),
        "Group by status (list)": (db, uid, lambda env: env[model].web_read_group([], [status], [status])),
    }  # fmt: skip


def stats_ops(ours, peer):
    """{label: [ours, peer or None]} of the supervisor's pivots."""
    sup = ours.ids["supervisor"]
    report = "spid.workunit.report"
    return {
        "Pivot: hours by agent × month (work units)": [
            (ours, sup, lambda env: env[report].read_group(
                [], ["hours:sum", "billable_hours:sum"], ["user_id", "date:month"], lazy=False)),
        ],
        "Pivot: hours by client (work units)": [
            (ours, sup, lambda env: env[report].read_group([], ["hours:sum"], ["client_id"], lazy=False)),
        ],
        "Pivot: tickets by team × status (tickets)": [
            (ours, sup, lambda env: env["spid.ticket.report"].read_group(
                [], ["nbr:sum", "backlog:sum"], ["team_id", "status_id"], lazy=False)),
            (peer, peer.ids["agents"][0], lambda env: env["helpdesk.ticket"].read_group(
                [], ["__count"], ["team_id", "stage_id"], lazy=False)),
        ],
    }  # fmt: skip


def measure_sla_cron(db):
    with db.registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        start_count = cr.sql_log_count
        start = time.perf_counter()
        env["spid.ticket.sla"]._cron_check_breaches()
        cr.commit()
        return time.perf_counter() - start, cr.sql_log_count - start_count


def prepare_invoicing(db, count):
    """`count` closed tickets of one client with billable work, through the
    ORM, a tariff and a sales journal; None when the invoicing wizard is not
    in this build."""
    with db.env() as env:
        if "spid.ticket.invoice.wizard" not in env or "spid.tariff" not in env:
            return None
        journal = env["account.journal"].search([("type", "=", "sale")], limit=1)
        if not journal:  # a database without demo data has no chart yet
            env["account.chart.template"].try_loading("generic_coa", company=env.company, install_demo=False)
            journal = env["account.journal"].search([("type", "=", "sale")], limit=1)
        product = env["product.product"].create({"name": "Bench support hour", "type": "service"})
        # a client of its own: the cloned background tickets stay out of it
        client = env["res.partner"].create(
            {"name": "Invoiced client", "is_company": True, "spid_is_client": True}
        )
        contact = env["res.partner"].create({"name": "Invoiced contact", "parent_id": client.id}).id
        client = client.id
        env["spid.tariff"].create(
            {"product_id": product.id, "unit": "hour", "price": 80.0, "client_id": client}
        )
        Ticket = env["spid.ticket"].with_context(tracking_disable=True, mail_create_nolog=True)
        tickets = Ticket.create(
            [{"name": f"Billable {i}", "client_id": client, "partner_id": contact} for i in range(count)]
        )
        env["spid.workunit"].create(
            [{"ticket_id": t.id, "duration": 1.5, "billable": True, "visibility": "public"} for t in tickets]
        )
        tickets.write(
            {"status_id": db.ids["closed_statuses"][0], "resolution": "solved", "epilogue": "<p>Done</p>"}
        )
        return {"client": client, "journal": journal.id, "tickets": tickets.ids}


def measure_invoicing(db, setup):
    def run(env):
        env["spid.ticket.invoice.wizard"].create(
            {
                "invoice_date": date.today(),
                "client_ids": [(6, 0, [setup["client"]])],
                "journal_id": setup["journal"],
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
    """Median and p90 (ms) of the customer's pages, ours and the peer's
    requests interleaved; plus the median query count of each."""
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
            (statistics.median(t), percentile(t, 90), server.queries_of(path))
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
    """Grow both databases to `sizes`, then measure."""
    tickets, workunits, customer = sizes
    log(f"[{stage}] growing to {tickets} tickets / {workunits} work units")
    start = time.perf_counter()
    grow_ours(ours, tickets, workunits, customer)
    grow_peer(peer, tickets, customer)
    log(f"[{stage}] data ready in {time.perf_counter() - start:.0f} s")
    singles, batches = (args.singles, args.batches) if full else (10, 1)
    creation = measure_creation(
        {"ours": ours, "ours_quiet": ours, "peer": peer, "floor": ours}, singles, batches
    )
    results.add_queries(stage, "Create one ticket (agent)", creation["ours"][1], creation["peer"][1])
    results.add_queries(stage, "Create 1,000 tickets (agent)", creation["ours"][3], creation["peer"][3])
    ops_ours, ops_peer = read_ops(ours, "ours"), read_ops(peer, "peer")
    reads = {label: [ops_ours[label], ops_peer[label]] for label in ops_ours}
    # PostgreSQL compiles queries it deems expensive (JIT): measured both ways
    reads.update({f"{label}, {JIT_OFF_LABEL}": [(*ops_ours[label], JIT_OFF), (*ops_peer[label], JIT_OFF)]
                  for label in ops_ours})  # fmt: skip
    reads = interleaved(reads, 7)
    for label, (mine, theirs) in reads.items():
        if JIT_OFF_LABEL not in label:
            results.add_queries(stage, label, mine[1], theirs[1])
    stats = stats_ops(ours, peer)
    stats.update(
        {f"{label}, {JIT_OFF_LABEL}": [(*side, JIT_OFF) for side in sides] for label, sides in stats.items()}
    )
    stats = interleaved(stats, 3)
    for label, sides in stats.items():
        if JIT_OFF_LABEL not in label:
            results.add_queries(stage, label, sides[0][1], sides[1][1] if len(sides) > 1 else None)
    log(f"[{stage}] SLA cron")
    sla_count = breach_sla(ours, args.sla_tickets if full else max(100, args.sla_tickets // 10))
    sla = measure_sla_cron(ours)
    batches = max(1, -(-sla_count // 1000))  # the cron's batches of 1,000
    results.add_queries(stage, "SLA cron, per batch of 1,000 breached clocks", round(sla[1] / batches), None)
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
    for label, ((_om, _op, oq), (_pm, _pp, pq)) in pages.items():
        results.add_queries(stage, label, oq, pq)
    if not full:
        return
    ratio_rows(results, creation, reads, stats, pages, sla, sla_count)
    log("invoicing")
    setup = prepare_invoicing(ours, args.invoice_tickets)
    if setup is None:
        results.add(f"Invoice {args.invoice_tickets} closed tickets", None, None, "s", "low",
                    note="n/a: spid.ticket.invoice.wizard / spid.tariff not in this build")  # fmt: skip
    else:
        elapsed, queries = measure_invoicing(ours, setup)
        results.add(f"Invoice {args.invoice_tickets} closed tickets (wizard)", elapsed, None, "s", "low",
                    q_ours=queries, note="helpdesk_mgmt does not invoice")  # fmt: skip


def ratio_rows(results, creation, reads, stats, pages, sla, sla_count):
    ours, peer, floor = creation["ours"], creation["peer"], creation["floor"]
    results.add(
        "Create one ticket as an agent", ours[0], peer[0], "tickets/s", "high", ours[1], peer[1], floor[0]
    )
    quiet = creation["ours_quiet"]
    results.add("Create one ticket as an agent, no acknowledgement email (as the peer)", quiet[0], peer[0],
                "tickets/s", "high", quiet[1], peer[1], floor[0])  # fmt: skip
    results.add("Create 1,000 tickets in one call as an agent", ours[2], peer[2], "tickets/s", "high",
                ours[3], peer[3], floor[2])  # fmt: skip
    for label, ((om, oq), (pm, pq)) in reads.items():
        results.add(f"Agent: {label}", om * 1000, pm * 1000, "ms", "low", oq, pq)
    for label, ((om, op, oq), (pm, pp, pq)) in pages.items():
        results.add(f"{label}, median", om, pm, "ms", "low", oq, pq)
        results.add(f"{label}, p90", op, pp, "ms", "low")
    for label, sides in stats.items():
        (om, oq), (pm, pq) = sides[0], (sides[1] if len(sides) > 1 else (None, None))
        results.add(f"Supervisor: {label}", om * 1000, pm and pm * 1000, "ms", "low", oq, pq,
                    note="" if pm else "helpdesk_mgmt has no work units")  # fmt: skip
    results.add(f"SLA cron over {sla_count} open tickets past their deadline", sla[0], None, "s", "low",
                sla[1], note="helpdesk_mgmt has no SLA (helpdesk_mgmt_sla is another addon)")  # fmt: skip


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
    for label, ours, peer, floor, unit, better, q_ours, q_peer, note in results.rows:
        if ours is None or peer is None or not peer or not ours:
            ratio = "n/a"
        elif better == "high":
            ratio = f"{ours / peer:.2f}× faster" if ours >= peer else f"{peer / ours:.2f}× slower"
        else:
            ratio = f"{peer / ours:.2f}× faster" if ours <= peer else f"{ours / peer:.2f}× slower"
        queries = f"{fmt_q(q_ours)} / {fmt_q(q_peer)}" if (q_ours is not None or q_peer is not None) else ""
        lines.append(
            f"| {label} | {unit} | {fmt(ours, unit)} | {fmt(peer, unit)} | {fmt(floor, unit)} | {ratio} "
            f"| {queries} | {note} |"
        )
    lines += [
        "",
        "Queries per operation at two data sizes (SpiD / helpdesk_mgmt); "
        f"small = {sizes_small[0]:,} tickets and {sizes_small[1]:,} work units, "
        f"full = {sizes_full[0]:,} tickets and {sizes_full[1]:,} work units:",
        "",
        "| Operation | small | full |",
        "|---|---:|---:|",
    ]
    for label, by_size in results.queries.items():
        cells = [f"{fmt_q(by_size.get(s, (None, None))[0])} / {fmt_q(by_size.get(s, (None, None))[1])}"
                 for s in ("small", "full")]  # fmt: skip
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
    full = (int(100_000 * scale), int(1_000_000 * scale), min(1000, int(50_000 * scale)))
    small = (full[0] // 10, full[1] // 10, full[2])
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
