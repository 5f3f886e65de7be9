"""Red team, the day's new surfaces: the ticket form's allowed statuses,
close and take flags; take and escalate over RPC by outsiders; the status
emails' subtype and the portal conversation that shows them; the
customer's answers on their page; the stranger's ticket without client;
work units drawn as notes; the demo generator and the report helper.
Each attack is refused, leaks nothing and changes nothing."""

import json

from attack_common import AGENT, RefusalAsserts, raw_email
from redteam_common import RedTeamOneCommon, RedTeamTwoCommon

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token


class Undo(Exception):
    """Raised to roll a savepoint back after a write that passed."""


NEW_FIELDS = ("allowed_status_ids", "can_close", "can_take")
BILLING = "base.group_user,spid_helpdesk_invoicing.group_spid_billing"


@tagged("post_install", "-at_install")
class TestRedTeamFirstHour(RefusalAsserts, RedTeamOneCommon):
    """The form's flags, take, escalate, the portal conversation."""

    # -- allowed_status_ids, can_close, can_take -------------------------------

    def test_portal_user_cannot_read_search_or_sort_on_the_new_flags(self):
        self._login(self.portal_a)
        ticket = self.ticket_a.id
        for method, args, kwargs in (
            ("read", [[ticket], list(NEW_FIELDS)], {}),
            ("web_read", [[ticket]], {"specification": {name: {} for name in NEW_FIELDS}}),
            ("search_read", [[["id", "=", ticket]], list(NEW_FIELDS)], {}),
            ("search", [[["can_take", "=", True]]], {}),
            ("search", [[["allowed_status_ids.name", "!=", False]]], {}),
            ("search", [[]], {"order": "can_close desc"}),
            ("read_group", [[], ["can_take"], ["can_take"]], {}),
        ):
            result, error = self._call_kw("spid.ticket", method, args, kwargs)
            self.assertTrue(error, f"{method} answered {result!r}")
        result, _error = self._call_kw("spid.ticket", "fields_get", [])
        self.assertFalse(set(NEW_FIELDS) & set(result or {}))

    def test_flags_of_an_unreadable_ticket(self):
        """An agent of company A, a billing user and an internal user read
        nothing of a ticket they may not read, through the new fields."""
        billing = new_test_user(self.env, "rt_fh_billing", groups=BILLING)
        other = (
            self.env["spid.ticket"]
            .sudo()
            .with_company(self.company_b)
            .create({"name": "RT-FH-B-SECRET", "company_id": self.company_b.id})
            .with_env(self.env)
        )
        for user in (self.agent, billing, self.user):
            self.assertFalse(other.with_user(user).has_access("read"), user.login)
            self._login(user)
            for method, args, kwargs in (
                ("read", [other.ids, list(NEW_FIELDS)], {}),
                ("web_read", [other.ids], {"specification": {n: {} for n in NEW_FIELDS}}),
            ):
                result, error = self._call_kw("spid.ticket", method, args, kwargs)
                self.assertTrue(error, f"{user.login} {method} answered {result!r}")
                self.assertNotIn("RT-FH-B-SECRET", json.dumps(error))

    def _offers_what_the_write_allows(self, user, ticket):
        """For each status: offered by allowed_status_ids (and can_close)
        exactly when the user's write to it passes the workflow."""
        statuses = self.env["spid.ticket.status"].search([])
        own = ticket.with_user(user)
        own.invalidate_recordset()
        offered = own.allowed_status_ids - ticket.status_id
        self.assertEqual(own.can_close, any(offered.mapped("is_closed")) and not ticket.is_closed)
        for status in statuses - ticket.status_id:
            values = {"status_id": status.id}
            if status.is_closed:
                values.update(resolution="solved", epilogue="<p>RT done</p>")
            try:
                with self.env.cr.savepoint():
                    own.write(values)
                    own.flush_recordset()
                    raise Undo()
            except Undo:
                passed = True
            except (AccessError, UserError) as error:
                # a required field left empty: the workflow allowed the move
                passed = isinstance(error, ValidationError) and "Fill in" in str(error)
            self.env.invalidate_all()
            self.assertEqual(
                status in offered, passed, f"{user.login}: {ticket.status_id.name} -> {status.name}"
            )

    def test_allowed_statuses_are_what_the_server_accepts(self):
        self._offers_what_the_write_allows(self.agent, self.ticket_a)
        self._offers_what_the_write_allows(self.supervisor, self.ticket_a)
        unowned = self.env["spid.ticket"].create(
            {"name": "RT-FH-UNOWNED", "partner_id": self.requester_a.id, "team_id": self.team_a.id}
        )
        self._offers_what_the_write_allows(self.agent, unowned)
        self._lock(unowned)
        self.assertFalse(unowned.with_user(self.supervisor).allowed_status_ids - unowned.status_id)
        self.assertFalse(unowned.with_user(self.supervisor).can_close)
        # the hostile context (su, spid_system, uid) offers no more over RPC
        for user in (self.agent, self.supervisor):
            self._login(user)
            for ticket in (unowned, self.ticket_a):
                offered = ticket.with_user(user).allowed_status_ids.ids
                result, error = self._call_kw(
                    "spid.ticket", "read", [ticket.ids, ["allowed_status_ids", "can_close"]]
                )
                self.assertFalse(error)
                self.assertEqual(sorted(result[0]["allowed_status_ids"]), sorted(offered), user.login)

    def test_can_take_is_what_action_take_does(self):
        unowned = self.env["spid.ticket"].create(
            {"name": "RT-FH-TAKE", "partner_id": self.requester_a.id, "team_id": self.team_a.id}
        )
        billing = new_test_user(self.env, "rt_fh_billing2", groups=BILLING)
        for user in (self.agent, self.agent_b, self.supervisor, billing):
            if not unowned.with_user(user).has_access("read"):
                continue
            flag = unowned.with_user(user).can_take
            try:
                with self.env.cr.savepoint():
                    unowned.with_user(user).action_take()
                    unowned.flush_recordset()
                    raise Undo()
            except Undo:
                taken = True
            except (AccessError, UserError):
                taken = False
            self.env.invalidate_all()
            self.assertEqual(flag, taken, user.login)
        self.assertTrue(unowned.with_user(self.agent).can_take)

    # -- action_take ---------------------------------------------------------------

    def test_take_by_outsiders_over_rpc(self):
        """Take another team's, another company's, a closed ticket; as a
        portal user, a billing user, an internal user: refused, unchanged,
        and the refusal names no ticket the caller may not read."""
        billing = new_test_user(self.env, "rt_fh_billing3", groups=BILLING)
        other = (
            self.env["spid.ticket"]
            .sudo()
            .with_company(self.company_b)
            .create({"name": "RT-FH-C-SECRET", "company_id": self.company_b.id})
            .with_env(self.env)
        )
        closed = self.env["spid.ticket"].create(
            {"name": "RT-FH-CLOSED", "partner_id": self.requester_b.id, "team_id": self.team_b.id}
        )
        self._lock(closed)
        tickets = self.ticket_b | other | closed
        state = {ticket: self._row(ticket, ["user_id", "status_id"]) for ticket in tickets}
        for user in (self.agent, self.portal_a, billing, self.user):
            self._login(user)
            # billing implies supervisor, who takes any open ticket they read
            for ticket in tickets - self.ticket_b if user == billing else tickets:
                _result, error = self._call_kw("spid.ticket", "action_take", [ticket.ids])
                self.assertTrue(error, f"{user.login} took {ticket.name}")
                if not ticket.with_user(user).has_access("read"):
                    text = json.dumps(error)
                    for secret in filter(None, (ticket.reference, ticket.name, ticket.team_id.name)):
                        self.assertNotIn(secret, text, f"{user.login} learns of {ticket.name}")
        for ticket in tickets:
            self.assertEqual(self._row(ticket, ["user_id", "status_id"]), state[ticket])

    # -- the escalate wizard ------------------------------------------------------

    def test_escalate_another_teams_ticket_or_to_an_outsider(self):
        state_a = self._row(self.ticket_a, ["user_id"])
        state_b = self._row(self.ticket_b, ["user_id"])
        self._login(self.agent)
        # to an agent outside the ticket's team
        wizard, error = self._call_kw(
            "spid.ticket.escalate.wizard",
            "create",
            [{"ticket_id": self.ticket_a.id, "user_id": self.agent_b.id, "reason": "RT"}],
        )
        if wizard:
            self.assertRefusedRpc("spid.ticket.escalate.wizard", "action_confirm", [[wizard]])
        # to themselves, on another team's ticket
        readable = self.ticket_b.with_user(self.agent).has_access("read")
        wizard, error = self._call_kw(
            "spid.ticket.escalate.wizard",
            "create",
            [{"ticket_id": self.ticket_b.id, "user_id": self.agent.id, "reason": "RT"}],
        )
        if wizard:
            result, error = self._call_kw(
                "spid.ticket.escalate.wizard",
                "web_read",
                [[wizard]],
                {"specification": {"candidate_ids": {"fields": {"display_name": {}}}}},
            )
            if not readable:
                self.assertNotIn(self.agent_b.name, json.dumps(result), "team B's members")
            self.assertRefusedRpc("spid.ticket.escalate.wizard", "action_confirm", [[wizard]])
        self._login(self.portal_a)
        self.assertRefusedRpc(
            "spid.ticket.escalate.wizard",
            "create",
            [{"ticket_id": self.ticket_a.id, "user_id": self.portal_a.id, "reason": "RT"}],
        )
        self.assertEqual(self._row(self.ticket_a, ["user_id"]), state_a)
        self.assertEqual(self._row(self.ticket_b, ["user_id"]), state_b)

    # -- the portal conversation ------------------------------------------------

    def _chatter(self, ticket, **params):
        result, error = self._rpc(
            "/mail/chatter_fetch", {"thread_model": "spid.ticket", "thread_id": ticket.id, **params}
        )
        return json.dumps(result), error

    def test_portal_conversation_shows_no_internal_message(self):
        """Own ticket, with or without its token, anonymous with the token:
        comments and status emails, never a note, a work unit or the
        closing email's rating link; another ticket with one's own token,
        a wrong token: refused."""
        ticket = self.ticket_a
        ticket.access_token or ticket._portal_ensure_token()
        self._agent_answers(ticket, "RT-FH-PUBLIC")
        closed = self.env.ref("spid_helpdesk.status_closed")
        ticket.with_user(self.agent).write(
            {"status_id": closed.id, "resolution": "solved", "epilogue": "<p>RT done</p>"}
        )
        self._sync()
        rate = self.env["mail.message"].search(
            [("model", "=", "spid.ticket"), ("res_id", "=", ticket.id), ("body", "ilike", "/rate/")]
        )
        self.assertTrue(rate, "the closing email carries rating links")
        token = ticket.sudo().access_token
        for login in (self.portal_a, None):
            if login:
                self._login(login)
            else:
                self.authenticate(None, None)
            for params in ({"token": token},) + (({},) if login else ()):
                text, error = self._chatter(ticket, limit=100, **params)
                self.assertFalse(error)
                self.assertIn("RT-FH-PUBLIC", text)
                for secret in ("RT-NOTE-A", "RT-UNIT-A", "/rate/"):
                    self.assertNotIn(secret, text, f"{login and login.login}: {secret}")
            for params in ({"token": token}, {"token": "x"}, {}):
                text, _error = self._chatter(self.ticket_b, **params)
                self.assertNotIn("RT-B-MESSAGE", text)
                self.assertNotIn("RT-UNIT-B", text)
                # the ticket's token on another model's thread
                for model, record in (
                    ("res.partner", self.requester_b),
                    ("spid.team", self.team_b),
                    ("spid.workunit", self.unit_b),
                ):
                    result, _error = self._rpc(
                        "/mail/chatter_fetch", {"thread_model": model, "thread_id": record.id, **params}
                    )
                    self.assertNotIn("RT-UNIT-B", json.dumps(result))
                    self.assertNotIn("Bob RT", json.dumps(result))

    def test_customer_cannot_post_or_follow_with_the_email_subtype(self):
        customer_email = self.env.ref("spid_helpdesk.mt_customer_email")
        ticket = self.ticket_a
        self._login(self.portal_a)
        self._rpc(
            "/mail/message/post",
            {
                "thread_model": "spid.ticket",
                "thread_id": ticket.id,
                "post_data": {
                    "body": "RT-FH-SUBTYPE",
                    "message_type": "comment",
                    "subtype_xmlid": "spid_helpdesk.mt_customer_email",
                    "partner_ids": [self.requester_b.id],
                },
            },
        )
        self._call_kw(
            "spid.ticket",
            "message_post",
            [ticket.ids],
            {"body": "RT-FH-SUBTYPE2", "subtype_id": customer_email.id, "partner_ids": [self.requester_b.id]},
        )
        self._sync()
        posted = self.env["mail.message"].search([("body", "ilike", "RT-FH-SUBTYPE")])
        self.assertTrue(all(m.subtype_id == self.env.ref("mail.mt_comment") for m in posted))
        self.assertFalse(posted.notification_ids.filtered(lambda n: n.res_partner_id == self.requester_b))
        # follow another client's ticket with the subtype
        followers_b = self._followers(self.ticket_b)
        for user in (self.portal_a, self.agent, self.user):
            self._login(user)
            self._call_kw(
                "spid.ticket",
                "message_subscribe",
                [self.ticket_b.ids],
                {"partner_ids": user.partner_id.ids, "subtype_ids": customer_email.ids},
            )
            if not self.ticket_b.with_user(user).has_access("read"):
                self.assertEqual(self._followers(self.ticket_b), followers_b, user.login)

    def test_internal_note_not_turned_into_a_customer_email(self):
        """Another team's agent, the customer, an internal user: none gives
        an internal note (or a work unit's message) the public subtype or
        clears its internal flag; the customer still does not read it."""
        customer_email = self.env.ref("spid_helpdesk.mt_customer_email")
        notes = self.env["mail.message"].search(
            [
                ("model", "=", "spid.ticket"),
                ("res_id", "=", self.ticket_a.id),
                "|",
                ("body", "ilike", "RT-NOTE-A"),
                ("subtype_id", "=", self.env.ref("spid_helpdesk.mt_workunit_internal").id),
            ]
        )
        self.assertTrue(notes)
        before = {note.id: (note.subtype_id.id, note.is_internal) for note in notes}
        for user in (self.agent_b, self.portal_a, self.user):
            if self.ticket_a.with_user(user).has_access("write"):
                continue
            self._login(user)
            for note in notes:
                self._call_kw("mail.message", "write", [note.ids, {"subtype_id": customer_email.id}])
                self._call_kw("mail.message", "write", [note.ids, {"is_internal": False}])
                self._rpc("/mail/update_is_internal", {"message_id": note.id, "is_internal": False})
        self._sync()
        self.assertEqual({note.id: (note.subtype_id.id, note.is_internal) for note in notes}, before)
        self._login(self.portal_a)
        text, _error = self._chatter(self.ticket_a, limit=100)
        for secret in ("RT-NOTE-A", "RT-UNIT-A"):
            self.assertNotIn(secret, text)


@tagged("post_install", "-at_install")
class TestRedTeam2FirstHour(RefusalAsserts, RedTeamTwoCommon):
    """Answers on the portal page, the stranger's ticket, other companies,
    private helpers."""

    def test_escalation_candidates_of_another_company(self):
        """An agent of the main company and B names no user of company C
        through the wizard of C's ticket."""
        c_agent = new_test_user(
            self.env,
            "rt2_fh_agent_c",
            groups=AGENT,
            name="RT2 FH Carla of C",
            company_id=self.company_c.id,
            company_ids=[Command.set(self.company_c.ids)],
        )
        self.env["spid.team"].sudo().create(
            {"name": "RT2 FH team C", "member_ids": c_agent.ids, "company_id": self.company_c.id}
        )
        state = self._row(self.ticket_c, ["user_id"])
        self._login(self.agent_mc)
        wizard, _error = self._call_kw(
            "spid.ticket.escalate.wizard",
            "create",
            [{"ticket_id": self.ticket_c.id, "user_id": self.agent_mc.id, "reason": "RT2"}],
        )
        result, _error = self._call_kw(
            "spid.ticket.escalate.wizard",
            "onchange",
            [{}, [], {"ticket_id": {}, "candidate_ids": {"fields": {"display_name": {}}}}],
            context={"default_ticket_id": self.ticket_c.id},
        )
        self.assertNotIn(str(c_agent.id), json.dumps((result or {}).get("value", {}).get("candidate_ids")))
        self.assertNotIn("Carla", json.dumps(result))
        if wizard:
            result, _error = self._call_kw(
                "spid.ticket.escalate.wizard",
                "read",
                [[wizard], ["candidate_ids"]],
            )
            self.assertNotIn(c_agent.id, (result or [{}])[0].get("candidate_ids") or [])
            self.assertRefusedRpc("spid.ticket.escalate.wizard", "action_confirm", [[wizard]])
        self.assertEqual(self._row(self.ticket_c, ["user_id"]), state)

    # -- the customer's answers -------------------------------------------------

    def test_answers_escaped_and_only_the_requesters(self):
        kind = self.env["spid.ticket.type"].create(
            {
                "name": "RT2 FH type",
                "properties_definition": [
                    {"name": "rt2_label", "type": "char", "string": "<script>alert('label')</script>"},
                    {
                        "name": "rt2_choice",
                        "type": "selection",
                        "string": "Choice",
                        "selection": [["a", "<img src=x onerror=alert('choice')>"]],
                    },
                ],
            }
        )
        self.ticket_a.sudo().write(
            {
                "type_id": kind.id,
                "properties": {
                    "rt2_label": "<b onmouseover=alert('value')>RT2-ANSWER-A</b>",
                    "rt2_choice": "a",
                },
            }
        )
        self._sync()
        self.assertTrue(self.ticket_a._spid_portal_answers())
        self._login(self.portal_a)
        page = self.url_open(f"/my/tickets/{self.ticket_a.id}").text
        self.assertIn("RT2-ANSWER-A", page)
        for raw in ("<script>alert('label')", "<img src=x", "<b onmouseover"):
            self.assertNotIn(raw, page, "an answer or label is not escaped")
        for user in (self.portal_b, self.portal_a2):
            self._login(user)
            for url in (f"/my/tickets/{self.ticket_a.id}", "/my/tickets", f"/my/tickets/{self.ticket_b.id}"):
                self.assertNotIn("RT2-ANSWER-A", self.url_open(url).text, f"{user.login} {url}")
        result, error = self._call_kw("spid.ticket", "_spid_portal_answers", [self.ticket_a.ids])
        self.assertTrue(error)
        self.assertNotIn("RT2-ANSWER-A", json.dumps(result))

    # -- the stranger's ticket -----------------------------------------------

    def test_stranger_gets_no_client_by_email(self):
        """An unknown sender at the client's domain, naming the client: the
        ticket has no client, and the client's contacts do not see it."""
        self.client_a.sudo().spid_team_visibility = "grouped"
        raw = raw_email(
            '"RT2 Alpha" <eve@alpha.example>',
            "RT2-FH-STRANGER",
            "rt2-fh-stranger",
            f"rt2-a@{self.alias_domain.name}",
            body=f"Client: {self.client_a.name}",
        )
        ticket = self._receive(raw)
        self.assertTrue(ticket)
        self.assertFalse(ticket.client_id)
        self.assertNotEqual(ticket.partner_id.commercial_partner_id, self.client_a)
        self._login(self.portal_a2)
        self.assertNotIn("RT2-FH-STRANGER", self.url_open("/my/tickets").text)
        result, _error = self._call_kw("spid.ticket", "search_read", [[], ["name"]])
        self.assertNotIn("RT2-FH-STRANGER", json.dumps(result))

    def test_stranger_on_the_public_form_gets_no_client(self):
        """A visitor naming client A, with a new address at its domain or
        with its contact's address: A's other contacts (grouped) do not see
        the ticket, and the new address gets no client."""
        self.client_a.sudo().spid_team_visibility = "grouped"
        self.authenticate(None, None)
        for email, title in (
            ("eve@alpha.example", "RT2-FH-FORM-NEW"),
            (self.requester_a.email, "RT2-FH-FORM-SPOOF"),
        ):
            csrf = form_csrf_token(self.url_open("/helpdesk/submit").text)
            self.url_open(
                "/helpdesk/submit",
                data={
                    "name": "Eve",
                    "email": email,
                    "title": title,
                    "client_name": self.client_a.name,
                    "csrf_token": csrf,
                },
            )
        self._sync()
        new = self.env["spid.ticket"].search([("name", "=", "RT2-FH-FORM-NEW")])
        spoof = self.env["spid.ticket"].search([("name", "=", "RT2-FH-FORM-SPOOF")])
        self.assertTrue(new and spoof)
        self.assertFalse(new.client_id)
        self.assertFalse(new.partner_id.parent_id)
        self.assertFalse(spoof.portal_confirmed)
        for user in (self.portal_a, self.portal_a2):
            self._login(user)
            text = self.url_open("/my/tickets").text
            result, _error = self._call_kw("spid.ticket", "search_read", [[], ["name"]])
            text += json.dumps(result)
            for title in ("RT2-FH-FORM-NEW", "RT2-FH-FORM-SPOOF"):
                self.assertNotIn(title, text, user.login)

    # -- private helpers ---------------------------------------------------------

    def test_demo_and_report_helpers_not_callable_over_rpc(self):
        calls = [
            ("ir.actions.report", "_spid_prints_letterhead"),
            ("spid.ticket", "_spid_demo_invoice_history"),
        ]
        for name in dir(type(self.env["spid.ticket"])):
            if "demo" in name and callable(getattr(type(self.env["spid.ticket"]), name, None)):
                calls.append(("spid.ticket", name))
        tickets = self.env["spid.ticket"].search_count([])
        moves = self.env["account.move"].search_count([])
        mails = len(self._all_mail_ids())
        for user in (self.agent, self.portal_a):
            self._login(user)
            for model, method in calls:
                result, error = self._call_kw(model, method, [])
                self.assertTrue(error, f"{user.login} called {model}.{method}: {result!r}")
        self._sync()
        self.assertEqual(self.env["spid.ticket"].search_count([]), tickets)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(len(self._all_mail_ids()), mails)
