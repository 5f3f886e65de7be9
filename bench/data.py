"""Data for the benchmark: users, teams and clients through the ORM, then
tickets and work units cloned set-based in SQL from a template record, up
to the sizes bench.py measures at; and the closed tickets its invoicing
measure bills. Each side (SpiD Helpdesk, OCA's helpdesk_mgmt) has its own.

Every function takes a `bench.Db` (its `env()`, `sql()` and the `ids` of
what was created so far)."""

from typing import NamedTuple

import psycopg2

import odoo.sql_db

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


def clone_rows(db, table, template_id, count, overrides, params=None, start=1):
    """INSERT `count` copies of one row of `table`, every column copied from
    the template except `overrides` {column: SQL expression of g, the series
    number}. Returns the new ids as a range (one statement: contiguous ids,
    checked), without shipping millions of ids to Python."""
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
        WITH new AS (
            INSERT INTO {table} ({", ".join(cols)})
            SELECT {", ".join(exprs)}
              FROM {table} t, generate_series(%(start)s, %(stop)s) g
             WHERE t.id = %(template)s
            RETURNING id
        )
        SELECT min(id), max(id), count(*) FROM new
    """  # table and columns come from the catalog, values are parameters
    params = dict(params or {}, template=template_id, start=start, stop=start + count - 1)
    low, high, inserted = db.sql(query, params)[0]
    assert inserted == count and high - low + 1 == count, f"{table}: ids not contiguous"
    return range(low, high + 1)


def vacuum_analyze(db, *tables):
    """VACUUM ANALYZE after a growth: autovacuum would come late, and the
    planner would cost the measured queries on stale statistics and a
    visibility map without the new pages (no index-only scans). VACUUM
    cannot run in a transaction: a connection of its own in autocommit."""
    _name, info = odoo.sql_db.connection_info_for(db.name)
    cnx = psycopg2.connect(**info)
    try:
        cnx.autocommit = True
        with cnx.cursor() as cr:
            for table in tables:
                cr.execute(f"VACUUM ANALYZE {table}")  # a table name of this module, not input
    finally:
        cnx.close()


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
        if "spid.ticket.job" in env:  # clocks are planned by the creation's job
            env.flush_all()
            env["spid.ticket.job"]._cron_run()
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
        db.ids.update(tickets=1, clones=range(0), workunits=1, contact_emails=contacts.mapped("email"))


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
        db.ids.update(tickets=1, clones=range(0), contact_emails=contacts.mapped("email"))


def clients_for(scale):
    return max(20, int(1000 * scale))


def grow_ours(db, tickets_target, workunits_target, customer_tickets):
    """Clone tickets (10,000 per statement) then work units (100,000 per
    statement) up to the targets, numbering on from the previous growth (g
    is the clone's number: a growth to 1,000,000 after 100,000 adds 900,000);
    the first `customer_tickets` belong to the portal customer; one ticket in
    four is closed. Work units of a growth spread over all tickets cloned so
    far and copy their related columns (client, team, company) as they are
    inserted; then the tickets' stored totals are recomputed in SQL and both
    tables vacuumed."""
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
    grow_tickets(db, "spid_ticket", tickets_target, overrides, params)
    first, last = ids["clones"][0], ids["clones"][-1]
    ticket = "%(first)s + g %% %(span)s"
    while ids["workunits"] < workunits_target:
        start = ids["workunits"]
        count = min(100_000, workunits_target - start)
        clone_rows(
            db, "spid_workunit", ids["workunit"], count,
            {
                "ticket_id": ticket,
                # the related columns, read from the ticket as they are written
                # (an UPDATE afterwards would write every work unit twice)
                **{column: f"(SELECT x.{column} FROM spid_ticket x WHERE x.id = {ticket})"
                   for column in ("client_id", "team_id", "company_id")},
                "user_id": pick("agents"),
                "date": "now() at time zone 'UTC' - (g %% 1000 || ' hours')::interval",
                "duration": "0.25 * (1 + g %% 8)",
                "billable": "g %% 3 != 0",
                "visibility": "CASE WHEN g %% 2 = 0 THEN 'public' ELSE 'internal' END",
                "action_type": "(ARRAY['question','answer','information','solution'])[1 + g %% 4]",
            },
            {"first": first, "span": last - first + 1, "agents": ids["agents"]}, start,
        )  # fmt: skip
        ids["workunits"] += count
    db.sql(
        """
        UPDATE spid_ticket t SET total_hours = s.hours, workunit_count = s.nbr
          FROM (SELECT ticket_id, sum(duration) AS hours, count(*) AS nbr
                  FROM spid_workunit GROUP BY ticket_id) s
         WHERE s.ticket_id = t.id AND (t.workunit_count, t.total_hours) IS DISTINCT FROM (s.nbr, s.hours)
        """
    )
    vacuum_analyze(db, "spid_ticket", "spid_workunit")


def grow_tickets(db, table, target, overrides, params):
    """Clone the template ticket up to `target` tickets (counting it), 10,000
    per statement; the clones' ids go to db.ids["clones"] (ranges)."""
    ids = db.ids
    while ids["tickets"] < target:
        start = ids["tickets"]
        count = min(BATCH * 10, target - start)
        new = clone_rows(db, table, ids["template"], count, overrides, params, start)
        ids["clones"] = range(ids["clones"].start if ids["clones"] else new.start, new.stop)
        ids["tickets"] += count


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
    grow_tickets(db, "helpdesk_ticket", tickets_target, overrides, params)
    db.sql(
        """
        UPDATE helpdesk_ticket t SET unattended = s.unattended
          FROM helpdesk_ticket_stage s WHERE s.id = t.stage_id AND t.unattended IS DISTINCT FROM s.unattended;
        """
    )
    vacuum_analyze(db, "helpdesk_ticket")


class InvoicingSetup(NamedTuple):
    """What the invoicing measure bills: one client's closed tickets."""

    client: int
    journal: int
    tickets: list


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
        return InvoicingSetup(client, journal.id, tickets.ids)
