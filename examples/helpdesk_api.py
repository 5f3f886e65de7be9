#!/usr/bin/env python3
"""SpiD Helpdesk from another program: Odoo's JSON-RPC with an API key.

Python's standard library only (urllib + json). It logs in as the
integration user with its API key (the key replaces the password; the
account's password itself is refused over RPC), then:

1. creates a ticket, or updates the one with the same external reference
   (the ticket's id in the other system: unique per company, as for imports);
   the requester is found by email address among the contacts, the category
   by name;
2. posts a public reply (emailed to the requester) or an internal note;
3. moves the ticket through the workflow: takes it (the integration user
   becomes its owner and the ticket leaves New), then, with --status, moves
   it to a status its transitions allow (the server refuses any other move);
4. lists the tickets changed since a date;

and prints what it did as JSON. Example:

    python3 examples/helpdesk_api.py --url https://help.example.com --db prod \\
        --login helpdesk-integration --key "$SPID_API_KEY" \\
        --email alice@acme.example --title "Printer down" --priority 3 \\
        --category Hardware --external-ref MON-4711 \\
        --reply "We are on it." --status "In progress" --since 2026-12-01

Errors of the server (a refused move, an unknown requester...) are printed
with their message and the exit status is 1; nothing is left half-done by a
call the server refused (each call is one transaction).
"""

import argparse
import json
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone

TIMEOUT = 30


class OdooError(Exception):
    """An error the server answered (its message is for the user)."""


class Odoo:
    """The smallest JSON-RPC client: /jsonrpc, services common and object."""

    def __init__(self, url, db, login, key):
        self.url = url.rstrip("/") + "/jsonrpc"
        self.db = db
        self.key = key
        self._id = 0
        self.uid = self.call("common", "authenticate", db, login, key, {})
        if not self.uid:
            raise OdooError("Login refused: check the database, the login and the API key.")

    def call(self, service, method, *args):
        self._id += 1
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": self._id,
        }
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = json.load(response)
        if answer.get("error"):
            data = answer["error"].get("data") or {}
            raise OdooError(data.get("message") or answer["error"].get("message"))
        return answer["result"]

    def execute(self, model, method, *args, **kwargs):
        return self.call(
            "object", "execute_kw", self.db, self.uid, self.key, model, method, list(args), kwargs
        )


def find_one(odoo, model, domain, what):
    ids = odoo.execute(model, "search", domain, limit=2)
    if len(ids) != 1:
        raise OdooError(f"{what}: {'none' if not ids else 'more than one'} found.")
    return ids[0]


def find_requester(odoo, email):
    """The contact with this address (the requester must be known to the
    helpdesk: contacts come from the mail gateway, the portal or the staff)."""
    return find_one(
        odoo, "res.partner", [("email_normalized", "=", email.strip().lower())], f"Contact {email}"
    )


def create_or_update_ticket(odoo, args):
    values = {"name": args.title}
    if args.description:
        values["description"] = args.description
    if args.email:
        values["partner_id"] = find_requester(odoo, args.email)
    if args.category:
        values["category_id"] = find_one(
            odoo,
            "spid.ticket.category",
            [("complete_name", "=ilike", args.category)],
            f"Category {args.category}",
        )
    if args.priority is not None:
        values["priority"] = str(args.priority)
    existing = []
    if args.external_ref:
        values["external_ref"] = args.external_ref
        existing = odoo.execute("spid.ticket", "search", [("external_ref", "=", args.external_ref)], limit=1)
    if existing:
        odoo.execute("spid.ticket", "write", existing, values)
        return existing[0], "updated"
    values.setdefault("channel", "other")
    return odoo.execute("spid.ticket", "create", values), "created"


def post_message(odoo, ticket_id, body, note):
    subtype = "mail.mt_note" if note else "mail.mt_comment"
    return odoo.execute(
        "spid.ticket", "message_post", [ticket_id], body=body, message_type="comment", subtype_xmlid=subtype
    )


def move(odoo, ticket_id, status_name):
    """Take the ticket (it leaves its starting status), then move it to
    `status_name` if its transitions allow it for this user."""
    ticket = odoo.execute("spid.ticket", "read", [ticket_id], ["user_id", "status_id"])[0]
    if not ticket["user_id"] or ticket["user_id"][0] != odoo.uid:
        odoo.execute("spid.ticket", "action_take", [ticket_id])
    if not status_name:
        return
    allowed = odoo.execute("spid.ticket", "read", [ticket_id], ["allowed_status_ids"])[0][
        "allowed_status_ids"
    ]
    statuses = odoo.execute("spid.ticket.status", "read", allowed, ["name"])
    target = [status["id"] for status in statuses if status["name"].lower() == status_name.lower()]
    if not target:
        names = ", ".join(status["name"] for status in statuses)
        raise OdooError(f"Status {status_name} is not allowed now; allowed: {names}.")
    # the server checks the transition again: the write is refused if it is not allowed
    odoo.execute("spid.ticket", "write", [ticket_id], {"status_id": target[0]})


def changed_since(odoo, since):
    return odoo.execute(
        "spid.ticket",
        "search_read",
        [("write_date", ">=", since)],
        fields=["reference", "name", "external_ref", "status_id", "priority", "partner_id", "write_date"],
        order="write_date desc",
        limit=100,
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Create and update SpiD Helpdesk tickets over JSON-RPC.")
    parser.add_argument("--url", required=True, help="the Odoo server, e.g. https://help.example.com")
    parser.add_argument("--db", required=True, help="the database")
    parser.add_argument("--login", required=True, help="the integration user's login")
    parser.add_argument("--key", required=True, help="its API key (Preferences > Account Security)")
    parser.add_argument("--title", help="create or update a ticket with this title")
    parser.add_argument("--description", help="the ticket's description (text)")
    parser.add_argument("--email", help="the requester's email address (an existing contact)")
    parser.add_argument("--category", help="the category's full name, e.g. 'Hardware / Printers'")
    parser.add_argument("--priority", type=int, choices=range(4), help="0 low, 1 normal, 2 high, 3 critical")
    parser.add_argument(
        "--external-ref", help="the ticket's id in your system (updates the ticket if it exists)"
    )
    parser.add_argument("--reply", help="post this public reply, emailed to the requester")
    parser.add_argument("--note", help="post this internal note (never shown to the customer)")
    parser.add_argument("--status", help="then move the ticket to this status, e.g. 'In progress'")
    parser.add_argument(
        "--since",
        help="list the tickets changed since this UTC date/time (YYYY-MM-DD[ HH:MM:SS]); default: today",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    since = args.since or datetime.now(timezone.utc).strftime("%Y-%m-%d")
    result = {}
    try:
        odoo = Odoo(args.url, args.db, args.login, args.key)
        result["uid"] = odoo.uid
        if args.title:
            ticket_id, done = create_or_update_ticket(odoo, args)
            result["ticket"] = {"id": ticket_id, "done": done}
            if args.reply:
                result["ticket"]["reply_id"] = post_message(odoo, ticket_id, args.reply, note=False)
            if args.note:
                result["ticket"]["note_id"] = post_message(odoo, ticket_id, args.note, note=True)
            move(odoo, ticket_id, args.status)
            result["ticket"].update(
                odoo.execute("spid.ticket", "read", [ticket_id], ["reference", "status_id", "user_id"])[0]
            )
        result["changed_since"] = {"since": since, "tickets": changed_since(odoo, since)}
    except (OdooError, urllib.error.URLError) as error:
        print(json.dumps({**result, "error": str(error)}, indent=2), file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
