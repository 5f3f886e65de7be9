"""Switches that only our own code can turn on.

A context key is the caller's choice: `/web/dataset/call_kw` accepts any
`context`, so a key such as ``{"spid_unlocking": true}`` can be sent by
anyone. Internal paths that must skip or relax a check (the invoicing that
locks a ticket, the SLA engine's own writes, the mail gateway's findings)
therefore put in the context one of the objects below. JSON carries
strings, numbers, lists and dicts, never an instance of ``Switch``, and the
value is compared by identity: a request cannot produce it.

    from odoo.addons.spid_helpdesk.internal import SYSTEM, switched, with_switch

    tickets = with_switch(tickets, SYSTEM)        # our own write
    if switched(self.env, SYSTEM): ...            # only true for that object

A switch with a payload (the contact found by the gateway) is given with
``with_switch(records, REQUESTER, partner.id)`` and read with
``switch_value(env, REQUESTER)``.
"""

from odoo.exceptions import AccessError

_MISSING = object()


class Switch:
    """One internal switch: the context key it lives under and, set by our
    code only, an optional payload."""

    __slots__ = ("key", "payload")

    def __init__(self, key, payload=_MISSING):
        self.key = key
        self.payload = payload

    def __repr__(self):
        return f"<internal switch {self.key}>"

    def on(self, payload):
        """This switch carrying `payload` (a new object, as private as this one)."""
        return Switch(self.key, payload)


# Fields only the system writes (closing data, lock, billing state, totals).
SYSTEM = Switch("spid_system")
# The SLA engine's and the crons' own updates: they restart no inactivity clock.
SLA_SYSTEM = Switch("spid_sla_system")
# A batch of tickets being created: followers added per group, no per-ticket log.
BATCH_CREATE = Switch("spid_batch_create")
# A ticket opened by the mail gateway or the public form: the type comes later.
TYPE_OPTIONAL = Switch("spid_type_optional")
# The creation message of a ticket, sent by its job: to the partners who
# followed the ticket when it was created (payload: a frozenset of ids).
CREATION_RECIPIENTS = Switch("spid_creation_recipients")
# Rows of an import (Odoo's load()): historical work logged without notifications.
IMPORTING = Switch("spid_importing")
# The sender's contact found by the gateway's checks (payload: partner id).
REQUESTER = Switch("spid_requester")
# An automatic email (auto-reply, bounce): it moves no ticket.
AUTO_SUBMITTED = Switch("spid_auto_submitted")
# Closed without telling the customer (the close wizard's "Notify the
# customer" unchecked): no closing email, no rating request, no public
# update emailed to customers (payload: a frozenset of ticket ids).
QUIET_CLOSE = Switch("spid_quiet_close")

# The copy list written by the mail gateway: who follows from it is decided
# by the email's sender (_spid_follow_cc), not by the write.
COPIES_BY_EMAIL = Switch("spid_copies_by_email")


def with_switch(records, switch, payload=_MISSING):
    """`records` with `switch` on (optionally carrying `payload`)."""
    value = switch if payload is _MISSING else switch.on(payload)
    return records.with_context(**{switch.key: value})


def without_switch(records, switch):
    """`records` with `switch` off again (for work done after an internal step)."""
    return records.with_context(**{switch.key: False})


def _value(env, switch):
    value = env.context.get(switch.key)
    # identity and type, never equality: a string or dict from JSON is not ours
    if value is switch or (
        type(value) is Switch and value.key == switch.key and value.payload is not _MISSING
    ):
        return value
    return None


def switched(env, switch):
    """True when our own code turned `switch` on in this environment."""
    return _value(env, switch) is not None


def switch_value(env, switch, default=None):
    """The payload our own code gave `switch`, else `default`."""
    value = _value(env, switch)
    if value is None or value.payload is _MISSING:
        return default
    return value.payload


def system_fields(model, exempt=(), exempt_prefixes=()):
    """The fields of `model` that no caller writes, only our own code: those
    the model declares readonly (computed, related, set by the helpdesk,
    magic columns), whatever a view or a request says."""
    return {
        name
        for name, field in model._fields.items()
        if field.readonly
        and not field.inverse
        and name not in exempt
        and not name.startswith(exempt_prefixes)
    }


def check_system_fields(records, vals_list, exempt=(), exempt_prefixes=()):
    """Refuse values of system fields from any caller but our own code: the
    superuser (our own sudo()) or the SYSTEM switch, which no request can
    carry. Odoo's import names the record it updates by its own id."""
    env = records.env
    if env.su or switched(env, SYSTEM):
        return
    system = system_fields(records, exempt, exempt_prefixes)
    forbidden = {name for vals in vals_list for name in vals if name in system}
    # the ORM fills what `vals` lacks from the caller's `default_<field>`
    # context keys, after this check: those count as written too
    forbidden.update(key[8:] for key in env.context if key.startswith("default_") and key[8:] in system)
    if "id" in forbidden and all(not vals.get("id") or [vals["id"]] == records.ids for vals in vals_list):
        forbidden.discard("id")
    if forbidden:
        raise AccessError(
            env._(
                "These fields are set by the helpdesk itself and cannot be written: %(fields)s.",
                fields=", ".join(
                    records._fields[name].get_description(env)["string"] for name in sorted(forbidden)
                ),
            )
        )
