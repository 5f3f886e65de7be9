"""Attacks on what only the system may write, over JSON-RPC as the web
client sends it, with any context an attacker would add.

- the field write matrix: every field of the ticket that the helpdesk sets
  itself (closing data, lock, billing state, invoice link, totals, merge
  link, editor...) is refused to every role, and its value stays;
- the context matrix: every context key our code reads (and the ones it
  used to read) changes no access decision;
- the lock and billing scenarios of the issue: unlocking an invoiced
  ticket, billing a ticket twice, moving it to another client;
- the workflow at creation, merging across clients, internal notes read
  by id, following a ticket one cannot read."""

import json
import pathlib
import re

from attack_common import JsonRpcAttacker

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk_invoicing.tests.common import SpidInvoicingCommon

# The ticket's fields that only the helpdesk writes, named one by one: a new
# readonly field fails test_every_readonly_field_is_listed until it is
# listed here (and so decided).
SYSTEM_ONLY = {
    # identity and bookkeeping
    "id", "display_name", "create_uid", "create_date", "write_uid", "write_date",
    "reference", "editor_id", "email_from", "email_from_key",
    # workflow
    "is_closed", "is_new", "date_status", "closed_by_id", "is_locked", "merged_into_id",
    "auto_close_warned_date", "limit_warning",
    # issue 19: the owner's read mark, what a closed ticket still lets edit
    # (date_closed and date_opened are importable by a manager at creation:
    # not readonly, refused on write by their own check, test_import_dates)
    "is_read", "closed_edit",
    # what the current user may do now, for the form
    "allowed_status_ids", "can_close", "can_take",
    # search only: the agent's rule and the text search
    "visible_to_agent_id", "search_text",
    # service levels, totals, statistics
    "sla_status", "sla_deadline", "sla_compliance", "sla_at_risk", "total_hours", "workunit_count",
    "statistics_html", "duration_tracking", "calendar_event_ids", "calendar_event_count",
    "intervention_count",
    # the figures of the ticket analysis
    "reopen_count", "sla_done_count", "sla_met_count", "sla_response_done", "sla_response_hours",
    "sla_resolution_done", "sla_resolution_hours", "sla_responses_done_count", "sla_responses_met_count",
    "sla_timeline_html",
    # values of other records shown on the ticket
    "partner_phone", "partner_email", "type_required", "type_locked",
    # invoicing
    "invoice_state", "move_id", "billable_hours", "tariff_id", "invoice_quantity", "amount_to_invoice",
    "spid_invoice_locked", "company_currency_id",
    # issue 19: the interventions line of the tariffs and the hours on site billed
    "intervention_tariff_id", "spid_onsite_hours",
    # issue 21 (surcharges): the billed hours per rate and their summary
    "spid_rate_hours", "spid_rate_summary",
    # issue 21 (hour banks): the bank a closed ticket drew on, its draw, the hours and the overage
    "spid_contract_id", "spid_contract_line_ids", "spid_contract_hours", "spid_overage_hours",
    "spid_contract_balance",
    # portal
    "portal_status", "access_url", "access_warning", "submit_ip",
    # who is written to (computed from the followers), the Live Chat conversation it came from
    "public_recipient_ids", "livechat_channel_id",
}  # fmt: skip
# Fields of Odoo's mixins (chatter, activities, ratings): guarded by their modules.
MIXIN_PREFIXES = ("message_", "activity_", "rating_", "website_message", "has_message", "my_activity")
REFUSAL = "set by the helpdesk itself"
ROOT = pathlib.Path(__file__).resolve().parent.parent
# Keys our code reads or used to read, besides those found in the source.
KNOWN_KEYS = {
    "spid_unlocking", "spid_sla_system", "spid_type_optional", "spid_batch_create", "spid_requester_id",
    "spid_auto_submitted", "spid_system", "spid_importing", "import_file", "_import_limit",
    "tracking_disable", "mail_notrack", "mail_create_nosubscribe", "mail_auto_subscribe_no_notify",
    "default_status_id", "default_is_locked", "default_editor_id", "default_move_id", "active_test",
    "install_mode", "module", "mail_post_autofollow",
}  # fmt: skip


def context_keys_in_source():
    """Every context key read by the Python code of our addons."""
    keys = set()
    pattern = re.compile(
        r"""context\.get\(\s*["'](\w+)["']|context\[\s*["'](\w+)["']\s*\]|["'](\w+)["']\s+(?:not\s+)?in\s+"""
        r"""(?:self\.)?(?:env\.)?_?context"""
    )
    for path in ROOT.glob("spid_helpdesk*/**/*.py"):
        if "/tests/" in str(path):
            continue
        for match in pattern.finditer(path.read_text()):
            keys.add(next(group for group in match.groups() if group))
    return keys


@tagged("post_install", "-at_install")
class TestAttackFields(JsonRpcAttacker, SpidInvoicingCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.supervisor = cls._spid_user("atk_supervisor", "spid_helpdesk.group_spid_supervisor", company)
        cls.manager = cls._spid_user("atk_manager", "spid_helpdesk.group_spid_manager", company)
        cls.stranger = cls._spid_user("atk_stranger", "spid_helpdesk.group_spid_agent", company)
        cls.roles = {
            "agent": cls.agent,
            "supervisor": cls.supervisor,
            "manager": cls.manager,
            "billing": cls.billing,
        }
        Partner = cls.env["res.partner"]
        cls.contact_a = Partner.create(
            {"name": "Ann Alpha", "parent_id": cls.client_a.id, "email": "ann@alpha.example.com"}
        )
        cls.contact_b = Partner.create(
            {"name": "Bob Beta", "parent_id": cls.client_b.id, "email": "bob@beta.example.com"}
        )
        cls.portal_a = new_test_user(
            cls.env,
            "atk_portal",
            groups="base.group_portal",
            partner_id=cls.contact_a.id,
            company_id=company.id,
        )
        Ticket = cls.env["spid.ticket"].with_company(company)
        cls.open_ticket = Ticket.create(
            {
                "name": "ATK open",
                "partner_id": cls.contact_a.id,
                "team_id": cls.team.id,
                "user_id": cls.agent.id,
                "company_id": company.id,
            }
        )
        # one ticket on a posted invoice (locked), one on a draft invoice
        cls.locked_ticket = cls._tickets(cls.client_a, 1.0, partner_id=cls.contact_a.id, user_id=cls.agent.id)
        cls.posted = cls._invoice()
        cls.posted.action_post()
        cls.draft_ticket = cls._tickets(cls.client_b, 2.0, partner_id=cls.contact_b.id, user_id=cls.agent.id)
        cls.draft = cls._invoice()
        cls.st_new = cls.env.ref("spid_helpdesk.status_new")
        cls.env.flush_all()

    def setUp(self):
        super().setUp()
        self.assertTrue(self.locked_ticket.is_locked)
        self.assertEqual(self.locked_ticket.move_id, self.posted)
        self.assertEqual(self.draft_ticket.move_id, self.draft)

    # -- helpers -----------------------------------------------------------

    def _call(self, model, method, args, kwargs=None, context=None):
        """A JSON-RPC call as the logged-in user: (result, error); a context,
        when given, runs in the test company."""
        if context is not None:
            context = dict(context, allowed_company_ids=[self.company.id])
        return self._call_kw(model, method, args, kwargs, context=context)

    def _snapshot(self, tickets, names):
        tickets.invalidate_recordset()
        return [
            {name: tickets.sudo()._fields[name].convert_to_write(t.sudo()[name], t) for name in names}
            for t in tickets
        ]

    def _forged(self, ticket, name):
        """A value of the field's type that differs from the ticket's."""
        field = ticket._fields[name]
        current = ticket.sudo()[name]
        kind = field.type
        if kind == "boolean":
            return not current
        if kind in ("char", "text"):
            return "FORGED"
        if kind == "html":
            return "<p>FORGED</p>"
        if kind in ("integer", "float", "monetary"):
            return 4242
        if kind == "date":
            return "2001-01-01"
        if kind == "datetime":
            return "2001-01-01 00:00:00"
        if kind == "selection":
            values = [value for value, _label in field._description_selection(self.env)]
            return next(value for value in values if value != current)
        if kind == "many2one":
            other = self.env[field.comodel_name].sudo().search([("id", "!=", current.id)], limit=1)
            return other.id
        if kind in ("one2many", "many2many"):
            return [Command.clear()]
        if kind == "binary":
            return "Rk9SR0VE"
        return None

    # -- the field write matrix -------------------------------------------

    def test_every_readonly_field_is_listed(self):
        """A field the model declares readonly is a system field: listed
        here, decided, refused by the model."""
        fields_ = self.env["spid.ticket"]._fields
        readonly = {
            name
            for name, field in fields_.items()
            if field.readonly and not field.inverse and not name.startswith(MIXIN_PREFIXES)
        }
        self.assertFalse(sorted(readonly - SYSTEM_ONLY), "readonly fields of spid.ticket not in SYSTEM_ONLY")
        self.assertFalse(
            sorted((SYSTEM_ONLY & set(fields_)) - readonly),
            "SYSTEM_ONLY names fields the model lets callers write",
        )

    def test_system_fields_are_refused_over_rpc(self):
        ticket = self.open_ticket
        names = sorted(SYSTEM_ONLY & set(ticket._fields))
        for role, user in self.roles.items():
            self._login(user)
            wrong = []
            for name in names:
                value = self._forged(ticket, name)
                if value is None:
                    continue
                before = self._snapshot(ticket, [name])
                _result, error = self._call("spid.ticket", "write", [ticket.ids, {name: value}])
                if not error:
                    wrong.append(f"{role} wrote {name}")
                elif self._snapshot(ticket, [name]) != before:
                    wrong.append(f"{role} changed {name}")
                _result, error = self._call(
                    "spid.ticket", "create", [{"name": "ATK forged", "team_id": self.team.id, name: value}]
                )
                if not error:
                    wrong.append(f"{role} created a ticket with {name}")
            self.assertFalse(wrong, "\n".join(wrong))
        self.assertFalse(self.env["spid.ticket"].search([("name", "=", "ATK forged")]))

    def test_other_fields_are_not_refused(self):
        """The guard refuses system fields only: every other field of the
        ticket reaches the usual checks (rules, constraints, workflow)."""
        ticket = self.open_ticket.with_user(self.agent)
        wrong = []
        for name, field in ticket._fields.items():
            if name in SYSTEM_ONLY or name.startswith(MIXIN_PREFIXES) or not field.store:
                continue
            value = self._forged(ticket, name)
            if value is None:
                continue
            try:
                with self.env.cr.savepoint():
                    ticket.write({name: value})
            except AccessError as error:
                if REFUSAL in str(error):
                    wrong.append(name)
            except (UserError, ValidationError, ValueError, TypeError):
                pass
            ticket.invalidate_recordset()
        self.assertFalse(wrong, f"writable fields refused as system fields: {wrong}")

    def test_readonly_fields_of_every_model_are_refused(self):
        """The same guard on every other model of ours that a role may write:
        stored related and computed values (the company, team and client a
        work unit is reported under, a category's full name, a tariff's
        specificity...) are refused to the role that may write the record."""
        company = self.company
        unit = self.env["spid.workunit"].create(
            {"ticket_id": self.open_ticket.id, "user_id": self.agent.id, "duration": 1.0}
        )
        link = self.env["spid.ticket.link"].create(
            {"ticket_id": self.open_ticket.id, "res_ref": f"res.partner,{self.client_a.id}"}
        )
        category = self.env["spid.ticket.category"].create({"name": "ATK cat", "company_id": company.id})
        status = self.env["spid.ticket.status"].create({"name": "ATK status"})
        records = [
            (unit, self.agent),
            (link, self.agent),
            (self.env["spid.agent.objective"].create({"user_id": self.agent.id, "month": "2026-01-01",
                                                       "company_id": company.id}), self.manager),
            (self.team, self.manager),
            (category, self.manager),
            (self.env["spid.ticket.type"].create({"name": "ATK type"}), self.manager),
            (status, self.manager),
            (self.env["spid.ticket.transition"].create(
                {"from_status_id": status.id, "to_status_id": self.st_new.id}), self.manager),
            (self.env["spid.sla.policy"].create({"name": "ATK SLA", "company_id": company.id}), self.manager),
            (self.general, self.billing),
        ]  # fmt: skip
        checked, wrong = [], []
        for record, user in records:
            mine = record.with_user(user).with_company(company)
            for name, field in record._fields.items():
                if not field.readonly or field.inverse or name.startswith(MIXIN_PREFIXES + ("alias_",)):
                    continue
                value = self._forged(record, name)
                if value is None:
                    continue
                before = self._snapshot(record, [name])
                try:
                    with self.env.cr.savepoint():
                        mine.write({name: value})
                    wrong.append(f"{user.login} wrote {record._name}.{name}")
                except AccessError as error:
                    if REFUSAL not in str(error):
                        wrong.append(f"{record._name}.{name}: refused for another reason: {error}")
                if self._snapshot(record, [name]) != before:
                    wrong.append(f"{record._name}.{name} changed")
                checked.append(f"{record._name}.{name}")
        self.assertIn("spid.workunit.company_id", checked)
        self.assertIn("spid.ticket.category.complete_name", checked)
        self.assertFalse(wrong, "\n".join(wrong))
        # and over JSON-RPC, the work unit an agent moves to another company's report
        self._login(self.agent)
        other_company = self.env.ref("base.main_company")
        _result, error = self._call("spid.workunit", "write", [unit.ids, {"company_id": other_company.id}])
        self.assertTrue(error)
        self.assertEqual(unit.company_id, company)

    # -- the context matrix -------------------------------------------------

    def test_no_context_key_decides_a_check(self):
        keys = context_keys_in_source() | KNOWN_KEYS
        self.assertIn("_import_limit", keys)
        closed = self.env.ref("spid_helpdesk.status_closed")
        locked, draft = self.locked_ticket, self.draft_ticket
        watched = ["name", "is_locked", "move_id", "partner_id", "status_id"]
        before = self._snapshot(locked | draft, watched)
        wrong = []
        for user in (self.agent, self.manager):
            self._login(user)
            for key in sorted(keys):
                for value in (True, 1, "1"):
                    context = {key: value}
                    attempts = (
                        ("write locked", [locked.ids, {"name": "ATK unlocked"}]),
                        ("unlock", [locked.ids, {"is_locked": False}]),
                        ("clear invoice", [draft.ids, {"move_id": False}]),
                        ("move client", [draft.ids, {"partner_id": self.contact_a.id}]),
                    )
                    for label, args in attempts:
                        _result, error = self._call("spid.ticket", "write", args, context=context)
                        if not error:
                            wrong.append(f"{user.login} {label} with {context}")
                    _result, error = self._call("spid.ticket", "action_unlock", [locked.ids], context=context)
                    if not error:
                        wrong.append(f"{user.login} action_unlock with {context}")
                    _result, error = self._call(
                        "spid.ticket",
                        "create",
                        [
                            {
                                "name": "ATK closed at birth",
                                "team_id": self.team.id,
                                "status_id": closed.id,
                                "user_id": self.supervisor.id,
                            }
                        ],
                        context=context,
                    )
                    if not error:
                        wrong.append(f"{user.login} created a closed ticket for another owner with {context}")
        self.assertFalse(wrong, "\n".join(wrong[:40]))
        self.assertEqual(self._snapshot(locked | draft, watched), before)
        self.assertFalse(self.env["spid.ticket"].search([("name", "=", "ATK closed at birth")]))

    # -- the scenarios of the issue ----------------------------------------

    def test_an_invoiced_ticket_stays_locked(self):
        ticket = self.locked_ticket
        self._login(self.agent)
        for vals, context in (
            ({"is_locked": False}, {}),
            ({"name": "ATK"}, {"spid_unlocking": True}),
            ({"spid_invoice_locked": False}, {"spid_unlocking": True}),
        ):
            _result, error = self._call("spid.ticket", "write", [ticket.ids, vals], context=context)
            self.assertTrue(error, vals)
        # a manager cannot unlock what a posted invoice locked
        self._login(self.manager)
        _result, error = self._call(
            "spid.ticket", "action_unlock", [ticket.ids], context={"spid_unlocking": True}
        )
        self.assertTrue(error)
        ticket.invalidate_recordset()
        self.assertTrue(ticket.is_locked)
        self.assertEqual(ticket.move_id, self.posted)

    def test_billing_fields_cannot_be_forged(self):
        ticket = self.draft_ticket
        names = ["amount_to_invoice", "invoice_quantity", "tariff_id", "invoice_state", "is_closed",
                 "date_closed", "move_id"]  # fmt: skip
        before = self._snapshot(ticket, names)
        self._login(self.agent)
        for name in names:
            _result, error = self._call(
                "spid.ticket", "write", [ticket.ids, {name: self._forged(ticket, name)}]
            )
            self.assertTrue(error, name)
        self.assertEqual(self._snapshot(ticket, names), before)

    def test_a_ticket_is_never_billed_twice(self):
        ticket = self.draft_ticket
        self._login(self.billing)
        _result, error = self._call("spid.ticket", "write", [ticket.ids, {"move_id": False}])
        self.assertTrue(error)
        # the wizard finds nothing more to bill: the ticket is on the draft
        with self.assertRaises(UserError):
            self._invoice(client_ids=[Command.set(self.client_b.ids)])
        self.draft.action_post()
        self.assertEqual(self.draft_ticket.move_id, self.draft)
        lines = self.env["account.move.line"].search([("spid_ticket_id", "=", ticket.id)])
        self.assertEqual(lines.move_id, self.draft)

    def test_a_ticket_on_an_invoice_keeps_its_client(self):
        self._login(self.agent)
        for vals in ({"partner_id": self.contact_a.id}, {"client_id": self.client_a.id}):
            _result, error = self._call("spid.ticket", "write", [self.draft_ticket.ids, vals])
            self.assertTrue(error, vals)
        self.assertEqual(self.draft_ticket.client_id, self.client_b)
        self.assertEqual(self.draft_ticket.partner_id, self.contact_b)

    def test_closed_at_creation_follows_the_closing_rules(self):
        closed = self.env.ref("spid_helpdesk.status_closed")
        Ticket = self.env["spid.ticket"].with_user(self.agent).with_company(self.company)
        base = {"name": "ATK born closed", "team_id": self.team.id, "status_id": closed.id}
        # for another owner: only a supervisor closes it
        with self.assertRaises(AccessError):
            Ticket.create(dict(base, user_id=self.supervisor.id, resolution="solved", epilogue="<p>x</p>"))
        # nobody's: the agent is not its owner either
        with self.assertRaises(AccessError):
            Ticket.create(dict(base, resolution="solved", epilogue="<p>x</p>"))
        # the fields required to enter Closed
        with self.assertRaises(ValidationError):
            Ticket.create(dict(base, user_id=self.agent.id))
        self.assertFalse(self.env["spid.ticket"].search([("name", "=", "ATK born closed")]))
        # the owner who gives the resolution, and a supervisor for anyone
        mine = Ticket.create(dict(base, user_id=self.agent.id, resolution="solved", epilogue="<p>Done.</p>"))
        self.assertTrue(mine.is_closed)
        self.assertEqual(mine.closed_by_id, self.agent)
        theirs = (
            self.env["spid.ticket"]
            .with_user(self.supervisor)
            .with_company(self.company)
            .create(dict(base, user_id=self.agent.id, resolution="solved", epilogue="<p>Done.</p>"))
        )
        self.assertTrue(theirs.date_closed)

    def test_merge_stays_within_one_client(self):
        Ticket = self.env["spid.ticket"].with_company(self.company)
        mine = Ticket.create({"name": "ATK A", "partner_id": self.contact_a.id, "team_id": self.team.id})
        other = Ticket.create({"name": "ATK B", "partner_id": self.contact_b.id, "team_id": self.team.id})
        other.message_post(
            body="<p>ATK-PRIVATE-B</p>", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        messages = other.message_ids
        with self.assertRaises(UserError):
            (mine | other).with_user(self.supervisor)._spid_merge_into(mine.with_user(self.supervisor))
        self.assertEqual(other.message_ids, messages)
        self.assertFalse(other.is_closed)
        self.assertNotIn(self.contact_b, mine.message_partner_ids)

    def test_internal_notes_are_not_readable_by_id(self):
        ticket = self.open_ticket
        ticket.with_user(self.agent)._spid_escalate(self.agent, "ATK-INTERNAL-REASON")
        note = ticket.message_ids.filtered(lambda m: "ATK-INTERNAL-REASON" in (m.body or ""))
        self.assertTrue(note)
        self.assertTrue(note.subtype_id.internal)
        self.authenticate("atk_portal", "atk_portal")
        result, error = self._call("mail.message", "read", [note.ids, ["body"]])
        self.assertFalse(not error and "ATK-INTERNAL-REASON" in json.dumps(result))
        with self.assertRaises(AccessError):
            note.with_user(self.portal_a).read(["body"])

    def test_nobody_follows_a_ticket_they_cannot_read(self):
        ticket = self.open_ticket
        intruder = self.stranger.partner_id
        self.assertFalse(ticket.with_user(self.stranger).has_access("read"))
        # subscribed by a colleague, by RPC, or as a post's recipient
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).message_subscribe(partner_ids=intruder.ids)
        self._login(self.agent)
        _result, error = self._call(
            "spid.ticket", "message_subscribe", [ticket.ids], {"partner_ids": intruder.ids}
        )
        self.assertTrue(error)
        _result, error = self._call(
            "spid.ticket",
            "message_post",
            [ticket.ids],
            {"body": "hello", "partner_ids": intruder.ids, "message_type": "comment"},
            context={"mail_post_autofollow": True},
        )
        # by themselves
        self._login(self.stranger)
        result, _error = self._call(
            "spid.ticket", "message_subscribe", [ticket.ids], {"partner_ids": intruder.ids}
        )
        self.assertFalse(result)
        self.assertNotIn(intruder, ticket.message_partner_ids)
        self.assertFalse(ticket.with_user(self.stranger).has_access("read"))
        # the requester and a colleague who may read it do follow
        ticket.with_user(self.agent).message_subscribe(
            partner_ids=(self.supervisor.partner_id | self.contact_a).ids
        )
        self.assertLessEqual(self.supervisor.partner_id | self.contact_a, ticket.message_partner_ids)
