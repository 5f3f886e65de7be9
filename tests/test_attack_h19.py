"""Attacks on what issue #19 added, from outside: a portal customer, an
employee without helpdesk group, an agent of another team, over JSON-RPC
(with a hostile context) and HTTP. Interventions (reading, signing,
writing), types handled by some teams only, owner-only status changes,
closed read-only tickets, historical dates, costs. A passing test is a
refusal; a test marked expectedFailure with a "HOLE:" comment is a hole."""

import base64
import json
from datetime import datetime, timedelta

from attack_common import HOSTILE_CONTEXT, JsonRpcAttacker, RefusalAsserts

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.spid_helpdesk_portal.tests.common import AGENT_GROUPS, SpidPortalCommon

# A 1x1 PNG, as the signature widget posts it.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGNkYGD4z8DAwMDEAAUADigBA0dwHFEAAAAASUVORK5CYII="
)
ODOO_CONTEXT = dict(
    HOSTILE_CONTEXT,
    install_mode=True,
    mail_notrack=True,
    spid_type_optional=True,
    spid_unlocking=True,
)


@tagged("post_install", "-at_install")
class TestAttackH19(JsonRpcAttacker, RefusalAsserts, SpidPortalCommon):
    login_prefix = "atk19_"
    email_domain = "atk19.example"
    hostile_context = ODOO_CONTEXT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.anna = cls._customer("atk19_anna", cls.client_a)
        cls.bob = cls._customer("atk19_bob", cls.client_b)
        cls.employee = new_test_user(
            env, "atk19_emp", groups="base.group_user", name="Emma Employee", email="emma@atk19.example"
        )
        cls.employee_2 = new_test_user(
            env, "atk19_emp2", groups="base.group_user", name="Ezra Employee", email="ezra@atk19.example"
        )
        cls.agent_2 = new_test_user(env, "atk19_agent2", groups=AGENT_GROUPS, name="Second Agent")
        cls.outsider = new_test_user(env, "atk19_outsider", groups=AGENT_GROUPS, name="Outsider Agent")
        cls.team = env["spid.team"].create(
            {
                "name": "Field",
                "member_ids": [(6, 0, (cls.agent | cls.agent_2 | cls.outsider).ids)],
                "assignment": "none",
            }
        )
        cls.special = env["spid.team"].create(
            {"name": "Special", "member_ids": [(6, 0, cls.agent.ids)], "assignment": "none"}
        )
        cls.secret_type = env["spid.ticket.type"].create(
            {
                "name": "Secret type",
                "team_ids": [(6, 0, cls.special.ids)],
                "workorder_template": "<p>SECRET-INSTR</p>",
            }
        )
        cls.ticket = cls._portal_ticket(
            cls.anna, "Anna's boiler", team_id=cls.team.id, user_id=cls.agent.id, site_id=cls.site_a.id
        )
        cls.secret = env["spid.ticket"].create(
            {
                "name": "CLASSIFIED-TITLE",
                "partner_id": cls.bob.partner_id.id,
                "team_id": cls.team.id,
                "user_id": cls.agent.id,
                "type_id": cls.secret_type.id,
            }
        )
        Intervention = env["spid.intervention"]
        when = fields.Datetime.now() + timedelta(days=1)
        cls.planned = Intervention.create(
            {
                "ticket_id": cls.ticket.id,
                "user_ids": [(6, 0, cls.agent.ids)],
                "date_planned": when,
                "instructions": "<p>SECRET-INSTR</p>",
            }
        )
        cls.done = Intervention.create(
            {
                "ticket_id": cls.ticket.id,
                "user_ids": [(6, 0, cls.agent.ids)],
                "date_planned": when,
                "instructions": "<p>SECRET-INSTR</p>",
                "report": "<p>Boiler fixed</p>",
                "duration_done": 2,
            }
        )
        cls.done.action_done()
        cls.secret_visit = Intervention.create(
            {"ticket_id": cls.secret.id, "user_ids": [(6, 0, cls.agent.ids)], "date_planned": when}
        )
        cls.note = cls.ticket.message_post(body="INTERNAL-NOTE", subtype_xmlid="mail.mt_note")

    # -- helpers -------------------------------------------------------------

    def _sign(self, intervention, name="Anna", signature=PNG, token=None):
        params = {"name": name, "signature": signature}
        if token:
            params["access_token"] = token
        response = self.url_open(
            f"/my/interventions/{intervention.id}/sign",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertLess(response.status_code, 500, response.text[:300])
        body = response.json()
        return body.get("result") or {}

    def _state(self, intervention):
        intervention.invalidate_recordset()
        return intervention.sudo().state

    # -- interventions: reading ------------------------------------------------

    def test_customer_reads_no_other_customers_intervention(self):
        self._login(self.bob)
        self.assertEqual(self.url_open(f"/my/interventions/{self.done.id}").status_code, 404)
        self.assertRefusedRpc("spid.intervention", "read", [self.done.ids, ["name"]])
        result, _error = self._call_kw("spid.intervention", "search_read", [[]], {"fields": ["name"]})
        self.assertNotIn(self.done.id, [row["id"] for row in result or []])
        # a forged token, an empty token
        for token in ("x" * 36, ""):
            page = self.url_open(f"/my/interventions/{self.done.id}?access_token={token}")
            self.assertEqual(page.status_code, 404)
        # the report of someone else's
        response = self.url_open(f"/report/html/spid_helpdesk.report_intervention/{self.done.id}")
        self.assertNotIn("Boiler fixed", response.text)

    def test_customer_reads_no_hidden_field_of_their_intervention(self):
        self._login(self.anna)
        for names in (["instructions"], ["signature"], ["event_id"], ["workunit_ids"], ["material_ids"]):
            self.assertRefusedRpc("spid.intervention", "read", [self.done.ids, names])
        result, error = self._call_kw(
            "spid.intervention", "search_read", [[("instructions", "ilike", "SECRET")]], {"fields": ["id"]}
        )
        self.assertTrue(error, result)
        result, _error = self._call_kw("spid.intervention", "read", [self.done.ids])
        self.assertNotIn("SECRET-INSTR", json.dumps(result))
        page = self.url_open(f"/my/interventions/{self.done.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("SECRET-INSTR", page.text)
        response = self.url_open(f"/report/html/spid_helpdesk.report_intervention/{self.done.id}")
        self.assertNotIn("SECRET-INSTR", response.text)

    # -- interventions: signing ------------------------------------------------

    def test_signing_only_a_done_one_once_by_who_reads_it(self):
        # a stranger, then another customer, then a forged token
        result = self._sign(self.done)
        self.assertIn("error", result)
        self._login(self.bob)
        self.assertIn("error", self._sign(self.done))
        self.assertIn("error", self._sign(self.done, token="0" * 36))
        self.assertEqual(self._state(self.done), "done")
        # the requester: not a planned one, not a cancelled one, not a bad image
        self._login(self.anna)
        self.assertIn("error", self._sign(self.planned))
        self.assertEqual(self._state(self.planned), "planned")
        self.assertIn("error", self._sign(self.done, signature=base64.b64encode(b"GIF89a").decode()))
        self.assertIn("error", self._sign(self.done, name="   "))
        self.assertEqual(self._state(self.done), "done")
        # once
        self.assertNotIn("error", self._sign(self.done, name="Anna"))
        self.assertEqual(self._state(self.done), "signed")
        self.assertIn("error", self._sign(self.done, name="Mallory"))
        self.assertEqual(self.done.sudo().signed_by, "Anna")
        cancelled = self.env["spid.intervention"].create(
            {
                "ticket_id": self.ticket.id,
                "user_ids": [(6, 0, self.agent.ids)],
                "date_planned": fields.Datetime.now(),
                "report": "<p>x</p>",
                "duration_done": 1,
            }
        )
        cancelled.action_done()
        cancelled.action_cancel()
        self.assertIn("error", self._sign(cancelled))
        self.assertEqual(self._state(cancelled), "cancelled")

    def test_customer_writes_nothing_on_an_intervention(self):
        self._login(self.anna)
        for vals in (
            {"state": "signed"},
            {"signed_by": "Anna"},
            {"signature": PNG},
            {"report": "<p>changed</p>"},
            {"workunit_ids": [(5, 0, 0)]},
            {"event_id": False},
        ):
            self.assertRefusedRpc("spid.intervention", "write", [self.done.ids, vals])
        for method in ("action_done", "action_cancel", "action_reset", "_spid_sign"):
            self.assertRefusedRpc("spid.intervention", method, [self.done.ids])
        self.assertRefusedRpc(
            "spid.intervention.material", "create", [{"intervention_id": self.done.id, "name": "x"}]
        )
        self.assertEqual(self._state(self.done), "done")

    def test_agent_cannot_forge_state_signature_or_edit_a_signed_one(self):
        self._login(self.agent)
        for vals in (
            {"state": "signed"},
            {"signed_by": "Forger"},
            {"signature": PNG},
            {"signed_on": "2020-01-01 00:00:00"},
            {"event_id": False},
            {"workunit_ids": [(5, 0, 0)]},
        ):
            self.assertRefusedRpc("spid.intervention", "write", [self.done.ids, vals])
        self.assertRefusedRpc("spid.intervention", "_spid_sign", [self.done.ids, "Me", PNG])
        self.assertEqual(self._state(self.done), "done")
        self.done.with_user(self.anna)._spid_sign("Anna", PNG)
        for vals in ({"report": "<p>rewritten</p>"}, {"duration_done": 9}, {"date_planned": "2020-01-01"}):
            self.assertRefusedRpc("spid.intervention", "write", [self.done.ids, vals])
        for method in ("action_cancel", "action_reset", "action_done"):
            self.assertRefusedRpc("spid.intervention", method, [self.done.ids])
        self.assertRefusedRpc("spid.intervention", "unlink", [self.done.ids])
        self.assertRefusedRpc(
            "spid.intervention.material", "create", [{"intervention_id": self.done.id, "name": "Extra"}]
        )
        self.assertEqual(self._state(self.done), "signed")
        self.assertIn("Boiler fixed", self.done.sudo().report)

    # -- types handled by some teams only --------------------------------------

    def test_agent_of_another_team_sees_no_reserved_type(self):
        self._login(self.outsider)
        ticket = self.secret
        self.assertRefusedRpc("spid.ticket", "read", [ticket.ids, ["name"]])
        result, _e = self._call_kw("spid.ticket", "search_read", [[]], {"fields": ["name"]})
        self.assertNotIn("CLASSIFIED-TITLE", json.dumps(result))
        result, _e = self._call_kw("spid.ticket", "name_search", [], {"name": "CLASSIFIED"})
        self.assertFalse(result)
        result, _e = self._call_kw("spid.ticket", "read_group", [[], ["name"], ["name"]], {"lazy": False})
        self.assertNotIn("CLASSIFIED-TITLE", json.dumps(result))
        result, _e = self._call_kw(
            "spid.intervention", "search_read", [[]], {"fields": ["name", "ticket_id"]}
        )
        self.assertNotIn(self.secret_visit.id, [row["id"] for row in result or []])
        self.assertRefusedRpc("spid.intervention", "read", [self.secret_visit.ids, ["name"]])
        result, _e = self._call_kw("spid.workunit", "search_read", [[("ticket_id", "=", ticket.id)]])
        self.assertFalse(result)
        self.assertRefusedRpc("spid.ticket", "write", [ticket.ids, {"name": "x"}])
        self.assertRefusedRpc(
            "spid.intervention",
            "create",
            [{"ticket_id": ticket.id, "user_ids": [(6, 0, self.outsider.ids)], "date_planned": "2030-01-01"}],
        )
        self.assertRefusedRpc(
            "spid.ticket",
            "create",
            [{"name": "Mine", "type_id": self.secret_type.id, "team_id": self.team.id}],
        )
        # moving a visible ticket into the reserved type
        self.assertRefusedRpc("spid.ticket", "write", [self.ticket.ids, {"type_id": self.secret_type.id}])
        response = self.url_open(
            "/mail/thread/messages",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {"thread_model": "spid.ticket", "thread_id": ticket.id},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertNotIn("CLASSIFIED-TITLE", response.text)
        # the PDF report of its intervention
        response = self.url_open(f"/report/html/spid_helpdesk.report_intervention/{self.secret_visit.id}")
        self.assertNotIn("CLASSIFIED-TITLE", response.text)

    # Was a hole (mended): the event was named after the ticket's title and
    # public, so Odoo's calendar showed it to every internal user. It is now
    # private to its technicians and named by the ticket's reference.
    def test_calendar_event_hides_a_reserved_ticket(self):
        for user in (self.outsider, self.employee):
            self._login(user)
            result, _e = self._call_kw(
                "calendar.event",
                "search_read",
                [[("res_model", "=", "spid.intervention")]],
                {"fields": ["name", "location", "res_id"]},
            )
            self.assertNotIn("CLASSIFIED-TITLE", json.dumps(result))

    # -- owner-only status and closed read-only tickets ------------------------

    def test_only_the_owner_changes_the_status(self):
        self.team.owner_only_status = True
        status = self.env.ref("spid_helpdesk.status_in_progress")
        before = self.ticket.status_id
        self._login(self.agent_2)
        self.assertRefusedRpc("spid.ticket", "write", [self.ticket.ids, {"status_id": status.id}])
        self.assertRefusedRpc(
            "spid.ticket", "write", [self.ticket.ids, {"status_id": status.id, "user_id": self.agent.id}]
        )
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.status_id, before)
        # a customer neither (they read the ticket)
        self._login(self.anna)
        self.assertRefusedRpc("spid.ticket", "write", [self.ticket.ids, {"status_id": status.id}])

    def _closed_ticket(self):
        self.env.company.spid_closed_tickets = "readonly"
        ticket = self._portal_ticket(self.anna, "Closed one", team_id=self.team.id, user_id=self.agent.id)
        ticket.write(
            {
                "status_id": self.env.ref("spid_helpdesk.status_closed").id,
                "resolution": "solved",
                "epilogue": "<p>Fixed.</p>",
            }
        )
        self.assertTrue(ticket.is_closed)
        return ticket

    def test_a_closed_ticket_is_read_only(self):
        ticket = self._closed_ticket()
        self._login(self.agent)
        for vals in (
            {"name": "Renamed"},
            {"description": "<p>x</p>"},
            {"urgency": "3"},
            {"resolution": "cancelled"},
            {"user_id": self.agent_2.id},
            {"is_read": False},
        ):
            self.assertRefusedRpc("spid.ticket", "write", [ticket.ids, vals])
        # the portal's edit route, as the requester
        self._login(self.anna)
        token_url = f"/my/tickets/{ticket.id}"
        response = self.post(
            f"/my/tickets/{ticket.id}/edit",
            {"name": "Portal rename", "urgency": "1", "description": "x"},
            token_url=token_url,
        )
        self.assertLess(response.status_code, 500)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.name, "Closed one")
        # without CSRF token
        self.url_open(
            f"/my/tickets/{self.ticket.id}/edit",
            data={"name": "No CSRF", "urgency": "1", "description": "x"},
            allow_redirects=False,
        )
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.name, "Anna's boiler")
        # another customer's open ticket
        self._login(self.bob)
        self.post(
            f"/my/tickets/{self.ticket.id}/edit",
            {"name": "Bob was here", "urgency": "1", "description": "x"},
            token_url="/my/tickets/new",
        )
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.name, "Anna's boiler")

    # Was a hole (mended): read-only closed tickets guarded spid.ticket.write
    # only, and still took new work units (hours, billable time).
    def test_a_closed_read_only_ticket_gets_no_work_unit(self):
        ticket = self._closed_ticket()
        self._login(self.agent)
        self.assertRefusedRpc(
            "spid.workunit", "create", [{"ticket_id": ticket.id, "duration": 1, "description": "<p>late</p>"}]
        )

    # -- historical dates ------------------------------------------------------

    def test_dates_of_the_past_are_a_managers_import(self):
        self._login(self.agent)
        for name in ("date_opened", "date_closed"):
            self.assertRefusedRpc(
                "spid.ticket",
                "create",
                [{"name": "Backdated", "team_id": self.team.id, name: "2001-01-01 00:00:00"}],
            )
            self.assertRefusedRpc("spid.ticket", "write", [self.ticket.ids, {name: "2001-01-01 00:00:00"}])
        result, _e = self._call_kw(
            "spid.ticket",
            "create",
            [{"name": "Created", "team_id": self.team.id, "create_date": "2001-01-01"}],
        )
        if result:
            ticket = self.env["spid.ticket"].browse(result)
            self.assertGreater(ticket.create_date, datetime(2020, 1, 1))
            self.assertGreater(ticket.date_opened, datetime(2020, 1, 1))

    # Was a hole (mended): a `default_date_closed` context key is not in the
    # create's values, and the ORM applied it after the check.
    def test_no_closing_date_by_context_default(self):
        self._login(self.agent)
        result, _e = self._call_kw(
            "spid.ticket",
            "create",
            [{"name": "Default-dated", "team_id": self.team.id}],
            context={"default_date_closed": "2001-01-01 00:00:00", "default_date_opened": "2001-01-01"},
        )
        if result:
            ticket = self.env["spid.ticket"].browse(result)
            self.assertFalse(ticket.date_closed)
            self.assertGreater(ticket.date_opened, datetime(2020, 1, 1))

    # -- costs -----------------------------------------------------------------

    def test_costs_are_the_managers(self):
        self.env["spid.workunit"].create(
            {"ticket_id": self.ticket.id, "user_id": self.agent.id, "duration": 1, "description": "<p>w</p>"}
        )
        for user in (self.agent, self.employee):
            self._login(user)
            self.assertRefusedRpc("res.users", "read", [user.ids, ["spid_hourly_cost"]])
            self.assertRefusedRpc("res.users", "write", [user.ids, {"spid_hourly_cost": 999}])
            self.assertRefusedRpc(
                "spid.workunit", "search_read", [[("ticket_id", "=", self.ticket.id)]], {"fields": ["cost"]}
            )
            self.assertRefusedRpc("spid.workunit", "read_group", [[], ["cost:sum"], []])
            self.assertRefusedRpc("spid.workunit", "search", [[("cost", ">", 0)]])
        self.assertFalse(self.agent.sudo().spid_hourly_cost)

    # -- employees as requesters -----------------------------------------------

    def test_employee_reads_their_request_only_and_no_agent_field(self):
        mine = self.env["spid.ticket"].with_user(self.employee).create({"name": "My laptop"})
        theirs = self.env["spid.ticket"].with_user(self.employee_2).create({"name": "EZRA-PRIVATE"})
        mine.sudo().message_post(body="EMP-NOTE", subtype_xmlid="mail.mt_note")
        self._login(self.employee)
        for names in (["priority"], ["team_id"], ["workunit_ids"], ["intervention_ids"], ["is_read"]):
            self.assertRefusedRpc("spid.ticket", "read", [mine.ids, names])
        self.assertRefusedRpc("spid.ticket", "read", [theirs.ids, ["name"]])
        result, _e = self._call_kw("spid.ticket", "search_read", [[]], {"fields": ["name"]})
        self.assertNotIn("EZRA-PRIVATE", json.dumps(result))
        self.assertNotIn("Anna's boiler", json.dumps(result))
        self.assertRefusedRpc("spid.ticket", "search", [[("team_id", "!=", False)]])
        self.assertRefusedRpc("spid.ticket", "read_group", [[], ["name"], ["team_id"]])
        self.assertRefusedRpc("spid.ticket", "write", [mine.ids, {"status_id": self.ticket.status_id.id}])
        self.assertRefusedRpc("spid.ticket", "create", [{"name": "x", "partner_id": self.anna.partner_id.id}])
        self.assertRefusedRpc("spid.ticket", "create", [{"name": "x", "date_opened": "2001-01-01"}])
        self.assertRefusedRpc("spid.intervention", "search_read", [[]], {"fields": ["name"]})
        self.assertRefusedRpc("spid.workunit", "search_read", [[]], {"fields": ["description"]})
        notes = self.env["mail.message"].sudo().search([("body", "ilike", "EMP-NOTE")])
        self.assertRefusedRpc("mail.message", "read", [notes.ids, ["body"]])
        result, _e = self._call_kw(
            "mail.message", "search_read", [[("res_id", "=", mine.id)]], {"fields": ["body"]}
        )
        self.assertNotIn("EMP-NOTE", json.dumps(result))
        self.assertRefusedRpc(
            "spid.ticket",
            "create",
            [{"name": "Reserved", "type_id": self.secret_type.id, "team_id": self.team.id}],
        )

    def test_portal_customer_cannot_submit_a_restricted_type(self):
        kind = self.env["spid.ticket.type"].create(
            {"name": "Beta only", "portal_selectable": True, "client_ids": [(6, 0, self.client_b.ids)]}
        )
        self._login(self.anna)
        self.assertRefusedRpc("spid.ticket", "create", [{"name": "RPC", "type_id": kind.id}])
        response = self.post("/my/tickets/new", {"name": "Sneaky-h19", "type_id": str(kind.id)})
        self.assertLess(response.status_code, 500)
        self.assertFalse(self.env["spid.ticket"].sudo().search([("name", "=", "Sneaky-h19")]))
        response = self.post("/my/tickets/new", {"name": "Secret-h19", "type_id": str(self.secret_type.id)})
        self.assertFalse(self.env["spid.ticket"].sudo().search([("name", "=", "Secret-h19")]))

    # -- context defaults (the reviewer's findings) ------------------------------

    def test_no_signed_intervention_by_context_default(self):
        """The ORM fills what the values lack from `default_<field>` keys:
        for a system field they count as written."""
        self._login(self.agent)
        before = self.env["spid.intervention"].search_count([])
        self.assertRefusedRpc(
            "spid.intervention",
            "create",
            [{"ticket_id": self.ticket.id, "date_planned": "2030-01-01 08:00:00"}],
            context={
                "default_state": "signed",
                "default_signed_by": "Anna",
                "default_signed_on": "2026-01-01",
            },
        )
        self.assertEqual(self.env["spid.intervention"].search_count([]), before)

    def test_an_employee_request_takes_no_context_default(self):
        self._login(self.employee)
        result, _e = self._call_kw(
            "spid.ticket",
            "create",
            [{"name": "Emma's request"}],
            context={
                "default_priority": "3",
                "default_team_id": self.special.id,
                "default_user_id": self.agent.id,
                "default_type_id": self.secret_type.id,
                "default_is_locked": True,
            },
        )
        if result:
            ticket = self.env["spid.ticket"].browse(result).sudo()
            self.assertEqual(ticket.priority, "1")  # the default, not the context's "3"
            self.assertNotEqual(ticket.team_id, self.special)
            self.assertFalse(ticket.user_id)
            self.assertFalse(ticket.type_id)
            self.assertFalse(ticket.is_locked)

    def test_nobody_takes_someone_elses_ticket_to_move_it(self):
        """Owner-only status: taking the ticket in the same write does not
        make its status yours to change."""
        self.team.owner_only_status = True
        status = self.env.ref("spid_helpdesk.status_in_progress")
        before = self.ticket.status_id
        self._login(self.agent_2)
        self.assertRefusedRpc(
            "spid.ticket", "write", [self.ticket.ids, {"status_id": status.id, "user_id": self.agent_2.id}]
        )
        self.ticket.invalidate_recordset()
        self.assertEqual((self.ticket.status_id, self.ticket.user_id), (before, self.agent))

    def test_an_agents_own_request_to_another_team_keeps_its_notes(self):
        """An agent asks another team for help (the employees' rule shows
        them their own request): the handling team's notes stay its own,
        by search and by id; the public answers are theirs to read."""
        request_ = self.env["spid.ticket"].create(
            {
                "name": "Outsider's laptop",
                "partner_id": self.outsider.partner_id.id,
                "team_id": self.special.id,
                "type_id": self.secret_type.id,
            }
        )
        note = request_.message_post(body="SPECIAL-NOTE", subtype_xmlid="mail.mt_note")
        answer = request_.message_post(body="PUBLIC-ANSWER", subtype_xmlid="mail.mt_comment")
        self._login(self.outsider)
        result, _e = self._call_kw(
            "mail.message",
            "search_read",
            [[("model", "=", "spid.ticket"), ("res_id", "=", request_.id)]],
            {"fields": ["body"], "context": {"active_test": False}},
        )
        bodies = json.dumps(result)
        self.assertIn("PUBLIC-ANSWER", bodies)
        self.assertNotIn("SPECIAL-NOTE", bodies)
        self.assertRefusedRpc("mail.message", "read", [note.ids, ["body"]])
        result, error = self._call_kw("mail.message", "read", [answer.ids, ["body"]])
        self.assertFalse(error)
        # the agent's own team keeps every note of the tickets it handles
        result, _e = self._call_kw("mail.message", "read", [self.note.ids, ["body"]])
        self.assertIn("INTERNAL-NOTE", json.dumps(result))
