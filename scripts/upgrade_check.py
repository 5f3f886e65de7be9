"""The data side of scripts/upgrade_check.sh, run against its scratch database:

    upgrade_check.py -c odoo.conf -d DB STEP [STEP...]

with the steps, run in order: seed, snapshot=FILE, verify=FILE, uninstall=MODULE.

`snapshot` writes every stored value of the models of the installed
spid_helpdesk* addons (and of the fields they add to res.partner, res.users,
res.company) to FILE; `verify` compares the database with FILE, for the
fields that still exist, and exits 1 listing what changed or disappeared."""

import argparse
import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import odoo
from odoo.tools import config

# Standard models the addons extend, whose values of our fields we compare.
EXTENDED_MODELS = ("res.partner", "res.users", "res.company")
# Fields that legitimately change when an addon is installed, upgraded or
# removed: bookkeeping, and values recomputed from the clock.
VOLATILE = {
    "create_date",
    "write_date",
    "create_uid",
    "write_uid",
    "__last_update",
    "message_main_attachment_id",
}


def spid_modules(env):
    return set(
        env["ir.module.module"]
        .search([("name", "=like", "spid_helpdesk%"), ("state", "=", "installed")])
        .mapped("name")
    )


def compared_fields(env, model_name, modules):
    """Stored fields of a model worth comparing: on our own models every
    field; on the standard models we extend, the fields of our addons."""
    model = env[model_name]
    own = model._original_module in modules
    names = []
    for name, field in model._fields.items():
        if not field.store or field.type in ("one2many", "binary") or name in VOLATILE:
            continue
        if own or getattr(field, "_module", None) in modules:
            names.append(name)
    return sorted(names)


def jsonable(value):
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, tuple):  # many2one as (id, name)
        return value[0]
    if isinstance(value, float):
        return round(value, 6)
    return value


def fingerprint(env):
    modules = spid_modules(env)
    models = sorted(
        name
        for name, model in env.registry.items()
        if model._original_module in modules and not model._transient and not model._abstract
    ) + list(EXTENDED_MODELS)
    result = {"modules": sorted(modules), "models": {}}
    for name in models:
        fields = compared_fields(env, name, modules)
        if not fields:
            continue
        records = env[name].with_context(active_test=False).search([], order="id")
        rows = records.read(fields, load=None) if records else []
        result["models"][name] = {
            "fields": fields,
            "records": {str(row["id"]): {f: jsonable(row[f]) for f in fields} for row in rows},
        }
    return result


def invoice_locked(env, path):
    """Tickets that a posted invoice locked: the invoicing addon's demo data
    invoices the core's demo history, and posting an invoice locks its
    tickets by design. Kept in a file beside the snapshots, so that the check
    after uninstalling invoicing still knows them."""
    known = Path(path).with_name("invoice_locked.json")
    ids = set(json.loads(known.read_text())) if known.exists() else set()
    Ticket = env["spid.ticket"].with_context(active_test=False)
    if "move_id" in Ticket._fields:
        ids |= set(Ticket.search([("is_locked", "=", True), ("move_id.state", "=", "posted")]).ids)
        known.write_text(json.dumps(sorted(ids)))
    return {str(ticket_id) for ticket_id in ids}


def verify(env, path):
    """What changed since the snapshot in `path`, for what still exists."""
    with open(path, encoding="utf-8") as snapshot_file:
        before = json.load(snapshot_file)
    now = fingerprint(env)
    locked_by_invoices = invoice_locked(env, path)
    problems = []
    for model, data in before["models"].items():
        current = now["models"].get(model)
        if current is None:
            if model in env.registry:  # still there, its records unreadable
                problems.append(f"{model}: no longer found")
            continue  # gone with its addon
        fields = [f for f in data["fields"] if f in current["fields"]]
        for record_id, values in data["records"].items():
            row = current["records"].get(record_id)
            if row is None:
                problems.append(f"{model}({record_id}) disappeared")
                continue
            for field in fields:
                if model == "spid.ticket" and field == "is_locked" and record_id in locked_by_invoices:
                    continue
                if values[field] != row[field]:
                    problems.append(f"{model}({record_id}).{field}: {values[field]!r} became {row[field]!r}")
    return problems


def seed(env):
    """Data of every kind the core holds, beside the demo data: clients,
    contacts and sites, tickets open and closed with work units, links, a
    type with custom fields, messages."""
    Partner = env["res.partner"]
    client = Partner.create({"name": "Upgrade Check SA", "is_company": True, "spid_is_client": True,
                             "spid_team_visibility": "grouped", "email": "desk@upgrade.example"})  # fmt: skip
    contacts = Partner.create(
        [{"name": f"Contact {i}", "parent_id": client.id, "email": f"c{i}@upgrade.example"} for i in range(3)]
    )
    site = Partner.create({"name": "Upgrade plant", "parent_id": client.id, "type": "other"})
    agent = env.ref("base.user_admin")
    team = env["spid.team"].create({"name": "Upgrade team", "member_ids": agent.ids, "assignment": "none"})
    category = env["spid.ticket.category"].create({"name": "Upgrade category", "team_id": team.id})
    kind = env["spid.ticket.type"].create(
        {
            "name": "Upgrade type",
            "properties_definition": [{"name": "serial", "string": "Serial", "type": "char"}],
        }
    )
    tickets = env["spid.ticket"].create(
        [
            {
                "name": f"Upgrade ticket {i}",
                "description": f"<p>Ticket {i} <b>kept</b></p>",
                "partner_id": contacts[i % 3].id,
                "site_id": site.id,
                "category_id": category.id,
                "type_id": kind.id,
                "properties": {"serial": f"SN-{i}"},
                "urgency": str(i % 4),
                "priority": str((i + 1) % 4),
                "user_id": agent.id,
                "date_deadline": datetime.now().replace(microsecond=0) + timedelta(days=i),
            }
            for i in range(12)
        ]
    )
    env["spid.workunit"].create(
        [
            {
                "ticket_id": ticket.id,
                "user_id": agent.id,
                "duration": 0.25 * (n + 1),
                "description": f"<p>Work {n} on {ticket.name}</p>",
                "visibility": "public" if n % 2 else "internal",
                "billable": bool(n % 3),
            }
            for ticket in tickets
            for n in range(3)
        ]
    )
    env["spid.ticket.link"].create({"ticket_id": tickets[0].id, "res_ref": f"res.partner,{client.id}"})
    closed = env.ref("spid_helpdesk.status_closed")
    for ticket in tickets[:4]:
        ticket.write({"status_id": closed.id, "resolution": "solved", "epilogue": "<p>Done</p>"})
        ticket.message_post(body="Closed for the upgrade check", message_type="comment")
    env.flush_all()
    print(f"seeded {len(tickets)} tickets, {len(tickets) * 3} work units")


def run(db, step, arg):
    """One step, in its own transaction, on a fresh registry."""
    with odoo.modules.registry.Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if step == "seed":
            seed(env)
        elif step == "snapshot":
            data = fingerprint(env)
            with open(arg, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=0, sort_keys=True, default=str)
            total = sum(len(m["records"]) for m in data["models"].values())
            print(
                f"snapshot of {total} records in {len(data['models'])} models ({', '.join(data['modules'])})"
            )
        elif step == "verify":
            problems = verify(env, arg)
            if problems:
                print(f"DATA CHANGED ({len(problems)}):", *problems[:200], sep="\n  ", file=sys.stderr)
                sys.exit(1)
            print(f"unchanged since {arg}")
        elif step == "uninstall":
            module = env["ir.module.module"].search([("name", "=", arg)])
            if module.state == "installed":
                module.button_immediate_uninstall()
            module.invalidate_recordset()
            if module.state != "uninstalled":
                print(f"{arg} is still {module.state}", file=sys.stderr)
                sys.exit(1)
            print(f"uninstalled {arg}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", dest="config", required=True)
    parser.add_argument("-d", dest="db", required=True)
    parser.add_argument(
        "steps", nargs="+", help="seed, snapshot=FILE, verify=FILE, uninstall=MODULE, in order"
    )
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    for spec in args.steps:
        step, _sep, arg = spec.partition("=")
        if step not in ("seed", "snapshot", "verify", "uninstall"):
            parser.error(f"unknown step {step}")
        run(args.db, step, arg)


if __name__ == "__main__":
    main()
