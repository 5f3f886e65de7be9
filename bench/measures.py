"""The measures added for issue #17, beside bench.py: what the web client
asks for the kanban and the form (specifications built from the views, as
the client does), the email gateway on both sides, and the follow-up job
that a creation may queue (spid.ticket.job, when this build has it)."""

import statistics
import time
from typing import NamedTuple

from lxml import etree

import odoo
from odoo import api

KANBAN_LIMIT = 40  # records per column (kanban_controller.js)
CHATTER_LIMIT = 30  # messages of the chatter's first fetch (/mail/thread/messages)
ALIAS_DOMAIN = "bench.example.com"
ALIAS = "support"
JOB_MODEL = "spid.ticket.job"
EMAIL = """From: {sender}
To: {alias}@{domain}
Subject: {subject}
Message-ID: <{msgid}@client.example.com>
Date: Tue, 01 Dec 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hello,

{body}

Regards
"""


class Gateway(NamedTuple):
    """Emails into new tickets on one side: medians per message, commit included."""

    per_s: float
    queries: float


class JobRun(NamedTuple):
    """The follow-up job's run over the tickets created since its last run."""

    tickets: int
    seconds: float
    queries: int

    def per_ticket(self):
        return self.seconds / self.tickets, self.queries / self.tickets


# ----------------------------------------------------------------------
# Specifications from the views, as the web client builds them
# ----------------------------------------------------------------------


def view_spec(env, model, view_type):
    """The specification of web_read / web_search_read for the model's
    default view of `view_type`, with the access rights of env's user (the
    view is post-processed for them)."""
    arch = env[model].get_views([(False, view_type)])["views"][view_type]["arch"]
    spec = fields_spec(env[model], etree.fromstring(arch))
    spec.setdefault("display_name", {})
    return spec


def fields_spec(records, root):
    """{field: spec} of the <field> nodes of `root` that are not inside
    another field (an x2many's own subview gives that field's spec)."""
    spec = {}
    for node in root.iter("field"):
        if any(parent.tag == "field" for parent in node.iterancestors()):
            continue
        field = records._fields.get(node.get("name"))
        if field is None:
            continue
        if field.type == "many2one":
            spec[field.name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            subview = next((child for child in node if child.tag in ("list", "kanban")), None)
            if subview is None:  # tags, activities: their names
                spec[field.name] = {"fields": {"display_name": {}}}
            else:
                comodel = records.env[field.comodel_name]
                spec[field.name] = {"fields": fields_spec(comodel, subview), "limit": KANBAN_LIMIT}
        else:
            spec[field.name] = {}
    return spec


def progress_bar(env, model):
    """The kanban's <progressbar> as read_progress_bar takes it, or None."""
    arch = etree.fromstring(env[model].get_views([(False, "kanban")])["views"]["kanban"]["arch"])
    node = arch.find(".//progressbar")
    if node is None:
        return None
    bar = {"field": node.get("field"), "colors": node.get("colors")}
    if node.get("sum_field"):
        bar["sum_field"] = node.get("sum_field")
    return bar


def kanban_func(env, model, group_field):
    """func(env) opening the kanban grouped by `group_field` as the web
    client does: the columns (web_read_group with the empty statuses the
    group_expand adds), the progress bars, then the first records of every
    column not folded (one web_search_read each)."""
    spec = view_spec(env, model, "kanban")
    bar = progress_bar(env, model)

    def run(env):
        Model = env[model].with_context(read_group_expand=True)
        groups = Model.web_read_group([], [], [group_field], lazy=True)["groups"]
        if bar:
            Model.read_progress_bar([], group_field, bar)
        for group in groups:
            if group.get("__fold") or not group.get(f"{group_field}_count", group.get("__count")):
                continue
            value = group[group_field][0] if group[group_field] else False
            env[model].with_context(**{f"default_{group_field}": value}).web_search_read(
                group["__domain"], spec, limit=KANBAN_LIMIT
            )

    return run


def form_funcs(env, model, record_id):
    """(func opening the form, func fetching the chatter's first messages)
    of one record, as the web client does on opening it (bench.py opens the
    template ticket on both sides: the same fields filled, the same history)."""
    spec = view_spec(env, model, "form")
    from odoo.addons.mail.tools.discuss import Store  # the addons' path is set by then

    def form(env):
        env[model].browse(record_id).web_read(spec)

    def chatter(env):
        domain = [
            ("res_id", "=", record_id),
            ("model", "=", model),
            ("message_type", "!=", "user_notification"),
        ]
        messages = env["mail.message"]._message_fetch(domain, limit=CHATTER_LIMIT)["messages"]
        messages.set_message_done()
        Store(messages, for_current_user=True).get_result()

    return form, chatter


def setup_history(env, model, record_id, agent_id, count=12):
    """The ticket the form measure opens gets the same history on both
    sides: `count` notes of its agent (no email: notes notify no one), for
    the chatter to fetch."""
    ticket = env[model].browse(record_id).with_user(agent_id)
    for i in range(count):
        ticket.message_post(
            body=f"Checked the logs ({i}).", message_type="comment", subtype_xmlid="mail.mt_note"
        )


# ----------------------------------------------------------------------
# The email gateway
# ----------------------------------------------------------------------


def setup_alias(env, team):
    """Emails to support@bench.example.com open tickets of `team` (either
    side's team model inherits mail.alias.mixin)."""
    domain = env["mail.alias.domain"].search([("name", "=", ALIAS_DOMAIN)]) or env[
        "mail.alias.domain"
    ].create({"name": ALIAS_DOMAIN})
    env.company.alias_domain_id = domain
    team.write({"alias_name": ALIAS, "alias_domain_id": domain.id})


def measure_gateway(sides, count, stage):
    """{kind: Gateway} for sides {kind: (db, model)}: `count` emails from
    distinct senders (the client contacts, in turn) to the team's alias,
    each through message_process as the mail fetcher calls it (superuser),
    commit included; the sides take turns at every email. Each must open a
    new ticket."""
    timings = {kind: [] for kind in sides}
    for i in range(count):
        for kind, (db, model) in sides.items():
            contacts = db.ids["contact_emails"]
            raw = EMAIL.format(
                sender=f"Contact <{contacts[i % len(contacts)]}>", alias=ALIAS, domain=ALIAS_DOMAIN,
                subject=f"Printer {i} shows E42", msgid=f"bench-{stage}-{kind}-{i}",
                body=f"The printer on floor {i % 7} shows E42 since this morning.",
            )  # fmt: skip
            created = []

            def run(env, raw=raw, created=created):
                created.append(env["mail.thread"].message_process(None, raw.encode()))

            timings[kind].append(db.timed(odoo.SUPERUSER_ID, run))
            with db.env(commit=False) as env:
                ticket = env[model].browse(created[0]).exists()
                assert ticket and ticket.name.startswith(
                    f"Printer {i} "
                ), f"{kind}: email {i} opened no ticket"
    result = {}
    for kind, runs in timings.items():
        runs = runs[2:] if len(runs) > 4 else runs  # the first two warm up
        result[kind] = Gateway(
            1 / statistics.median(t.seconds for t in runs), statistics.median(t.queries for t in runs)
        )
    return result


# ----------------------------------------------------------------------
# The follow-up job of a creation (acknowledgement, notices, SLA)
# ----------------------------------------------------------------------


def has_job(db):
    return JOB_MODEL in db.registry


def last_ticket_id(db, table="spid_ticket"):
    return db.sql(f"SELECT coalesce(max(id), 0) FROM {table}")[0][0]  # a table name of this module


def run_job(db, since_ticket_id):
    """Job of the ticket creations after `since_ticket_id`: its cron method
    as ir.cron calls it (superuser), again while jobs remain (a batch per
    call), commit included; None without the model or without new tickets."""
    if not has_job(db):
        return None
    tickets = db.sql("SELECT count(*) FROM spid_ticket WHERE id > %s", [since_ticket_id])[0][0]
    if not tickets:
        return None
    with db.registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        start_count, start = cr.sql_log_count, time.perf_counter()
        while env[JOB_MODEL]._cron_run():  # the jobs it ran, deleted once done
            env.flush_all()
        cr.commit()
        return JobRun(tickets, time.perf_counter() - start, cr.sql_log_count - start_count)
