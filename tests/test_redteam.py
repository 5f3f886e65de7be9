"""Red-team attacks beyond the four attack suites: other models than the
ticket (work units, links, objectives, tariffs, configuration), wizards
driven over JSON-RPC with forged ids and defaults, copy, owners that are
not agents, tracking values shown to customers, portal routes with other
clients' ids, missing CSRF and GET requests, reports and analyses.

Every attack is made as an outsider would make it: over HTTP
(/web/dataset/call_kw with any context, the portal's forms, the chatter's
routes) as an agent of another team, a customer of another client, an
internal user without helpdesk group or an anonymous visitor, or with raw
RFC 822 emails handed to the gateway. Each test asserts that the attack is
refused and that nothing changed."""

import json

from attack_common import JsonRpcAttacker

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token

AGENT = "base.group_user,spid_helpdesk.group_spid_agent"
SUPERVISOR = "base.group_user,spid_helpdesk.group_spid_supervisor"
MANAGER = "base.group_user,spid_helpdesk.group_spid_manager"
HOSTILE_CONTEXT = {
    "import_file": True,
    "spid_system": True,
    "spid_unlocking": True,
    "spid_sla_system": True,
    "spid_batch_create": True,
    "spid_importing": True,
    "mail_create_nosubscribe": True,
    "tracking_disable": True,
    "active_test": False,
    "sudo": True,
    "su": True,
    "uid": 1,
}
ALIAS_DOMAIN = "redteam.example.com"


def raw_email(sender, subject, msgid, to, body="Hello", cc="", extra=""):
    return (
        f"From: {sender}\nTo: {to}\n"
        + (f"Cc: {cc}\n" if cc else "")
        + f"Subject: {subject}\nMessage-ID: <{msgid}@redteam.example>\n{extra}"
        + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n\n'
        + f"{body}\n"
    )


@tagged("post_install", "-at_install")
class TestRedTeam(JsonRpcAttacker, HttpCase):
    hostile_context = HOSTILE_CONTEXT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["spid.sla.policy"].search([]).active = False
        env["ir.config_parameter"].sudo().set_param("spid_helpdesk.mail_rate_limit", "0")
        cls.company_b = env["res.company"].create({"name": "RT company B"})
        cls.agent = new_test_user(env, "rt_agent", groups=AGENT, email="rt_agent@staff.example")
        cls.agent_b = new_test_user(env, "rt_agent_b", groups=AGENT, email="rt_agent_b@staff.example")
        cls.supervisor = new_test_user(env, "rt_supervisor", groups=SUPERVISOR, email="rt_sup@staff.example")
        cls.manager = new_test_user(env, "rt_manager", groups=MANAGER, email="rt_manager@staff.example")
        cls.user = new_test_user(env, "rt_user", groups="base.group_user", email="rt_user@staff.example")
        Partner = env["res.partner"]
        cls.client_a = Partner.create({"name": "RT Alpha", "is_company": True, "spid_is_client": True})
        cls.client_b = Partner.create({"name": "RT Beta", "is_company": True, "spid_is_client": True})
        cls.requester_a = Partner.create(
            {"name": "Ann RT", "parent_id": cls.client_a.id, "email": "rt_portal_a@alpha.example"}
        )
        cls.requester_b = Partner.create(
            {"name": "Bob RT", "parent_id": cls.client_b.id, "email": "rt_portal_b@beta.example"}
        )
        cls.portal_a = new_test_user(
            env,
            "rt_portal_a",
            groups="base.group_portal",
            partner_id=cls.requester_a.id,
            email=cls.requester_a.email,
        )
        cls.portal_b = new_test_user(
            env,
            "rt_portal_b",
            groups="base.group_portal",
            partner_id=cls.requester_b.id,
            email=cls.requester_b.email,
        )
        cls.alias_domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        env.company.alias_domain_id = cls.alias_domain
        Team = env["spid.team"]
        cls.team_a = Team.create(
            {
                "name": "RT team A",
                "member_ids": cls.agent.ids,
                "assignment": "none",
                "alias_name": "rt-a",
                "alias_domain_id": cls.alias_domain.id,
            }
        )
        cls.team_b = Team.create(
            {
                "name": "RT team B",
                "member_ids": cls.agent_b.ids,
                "assignment": "none",
                "alias_name": "rt-b",
                "alias_domain_id": cls.alias_domain.id,
            }
        )
        Ticket = env["spid.ticket"]
        cls.ticket_a = Ticket.create(
            {
                "name": "RT-A",
                "partner_id": cls.requester_a.id,
                "team_id": cls.team_a.id,
                "user_id": cls.agent.id,
            }
        )
        cls.ticket_b = Ticket.create(
            {
                "name": "RT-B-SECRET",
                "partner_id": cls.requester_b.id,
                "team_id": cls.team_b.id,
                "user_id": cls.agent_b.id,
            }
        )
        Unit = env["spid.workunit"]
        cls.unit_a = Unit.create(
            {
                "ticket_id": cls.ticket_a.id,
                "user_id": cls.agent.id,
                "duration": 1,
                "description": "<p>RT-UNIT-A</p>",
                "visibility": "internal",
            }
        )
        cls.unit_b = Unit.create(
            {
                "ticket_id": cls.ticket_b.id,
                "user_id": cls.agent_b.id,
                "duration": 2,
                "description": "<p>RT-UNIT-B-SECRET</p>",
                "visibility": "internal",
            }
        )
        cls.link_a = env["spid.ticket.link"].create(
            {"ticket_id": cls.ticket_a.id, "res_ref": f"res.partner,{cls.client_a.id}", "name": "RT-LINK-A"}
        )
        cls.ticket_a.message_post(body="RT-NOTE-A", subtype_xmlid="mail.mt_note")
        cls.message_b = cls.ticket_b.message_post(
            body="RT-B-MESSAGE", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        env.flush_all()

    # -- helpers -------------------------------------------------------------

    def _messages(self, ticket):
        self._sync()
        return (
            self.env["mail.message"].search([("model", "=", "spid.ticket"), ("res_id", "=", ticket.id)]).ids
        )

    def _followers(self, ticket):
        self._sync()
        return set(ticket.sudo().message_partner_ids.ids)

    def _lock(self, ticket):
        """Closed and locked, as invoicing or a supervisor leaves it."""
        self.env.flush_all()
        closed = self.env.ref("spid_helpdesk.status_closed")
        self.env.cr.execute(
            "UPDATE spid_ticket SET is_locked = TRUE, status_id = %s, is_closed = TRUE WHERE id = %s",
            [closed.id, ticket.id],
        )
        self.env.invalidate_all()

    # -- work units: what only the helpdesk writes ---------------------------

    def test_workunit_stored_fields_are_not_writable(self):
        """company_id, client_id and team_id of a work unit are copies of its
        ticket's (for reporting): an agent moving them moves their hours to
        another company, client or team in every analysis and statistic."""
        unit = self.unit_a
        forged = {
            "company_id": self.company_b.id,
            "client_id": self.client_b.id,
            "team_id": self.team_b.id,
        }
        before = self._row(unit, list(forged))
        self._login(self.agent)
        wrong = []
        for name, value in forged.items():
            result, error = self._call_kw("spid.workunit", "write", [unit.ids, {name: value}])
            if not error:
                wrong.append(f"write {name}")
            result, error = self._call_kw(
                "spid.workunit",
                "create",
                [{"ticket_id": self.ticket_a.id, "duration": 0.5, "description": "RT-FORGED", name: value}],
            )
            if not error:
                wrong.append(f"create with {name}")
        after = self._row(unit, list(forged))
        wrong += [
            f"{name} is now {after[name]} (was {before[name]})"
            for name in forged
            if after[name] != before[name]
        ]
        forged_units = self.env["spid.workunit"].search([("description", "ilike", "RT-FORGED")])
        for u in forged_units:
            if (u.company_id, u.client_id, u.team_id) != (
                u.ticket_id.company_id,
                u.ticket_id.client_id,
                u.ticket_id.team_id,
            ):
                wrong.append(
                    f"created unit {u.id} with {(u.company_id.name, u.client_id.name, u.team_id.name)}"
                )
        self.assertFalse(wrong, "\n".join(wrong))

    def test_workunit_cannot_be_moved_into_another_teams_ticket(self):
        """An agent's own unit moved onto another team's ticket (by id):
        hours and text injected where the agent has no access."""
        before = (self._row(self.ticket_b, ["total_hours"]), self._row(self.unit_a, ["ticket_id"]))
        self._login(self.agent)
        _result, error = self._call_kw(
            "spid.workunit", "write", [self.unit_a.ids, {"ticket_id": self.ticket_b.id}]
        )
        self.assertTrue(error, "an agent moved a work unit into another team's ticket")
        self.assertEqual(
            (self._row(self.ticket_b, ["total_hours"]), self._row(self.unit_a, ["ticket_id"])), before
        )

    def test_workunit_cannot_be_created_on_another_teams_ticket(self):
        count = self.env["spid.workunit"].search_count([("ticket_id", "=", self.ticket_b.id)])
        messages = self._messages(self.ticket_b)
        self._login(self.agent)
        for vals in (
            {"ticket_id": self.ticket_b.id, "duration": 3},
            {"ticket_id": self.ticket_b.id, "duration": 3, "billable": False, "visibility": "public"},
        ):
            _result, error = self._call_kw("spid.workunit", "create", [vals])
            self.assertTrue(error, f"created {vals}")
        self.assertEqual(
            self.env["spid.workunit"].search_count([("ticket_id", "=", self.ticket_b.id)]), count
        )
        self.assertEqual(self._messages(self.ticket_b), messages)

    def test_workunit_of_another_team_cannot_be_read_or_changed(self):
        self._login(self.agent)
        result, error = self._call_kw("spid.workunit", "read", [self.unit_b.ids, ["description", "duration"]])
        self.assertNotIn("RT-UNIT-B-SECRET", json.dumps(result))
        for method, args in (
            ("write", [self.unit_b.ids, {"duration": 0}]),
            ("unlink", [self.unit_b.ids]),
            ("copy", [self.unit_b.ids]),
        ):
            _result, error = self._call_kw("spid.workunit", method, args)
            self.assertTrue(error, method)
        result, _error = self._call_kw(
            "spid.workunit", "read_group", [[], ["duration:sum"], ["ticket_id"]], {"lazy": False}
        )
        self.assertNotIn("RT-B-SECRET", json.dumps(result))
        self.assertEqual(self._row(self.unit_b, ["duration"]), {"duration": 2})

    # -- links -------------------------------------------------------------

    def test_link_cannot_be_moved_into_another_teams_ticket(self):
        before = self._row(self.link_a, ["ticket_id", "company_id"])
        count = self.env["spid.ticket.link"].search_count([("ticket_id", "=", self.ticket_b.id)])
        self._login(self.agent)
        _result, error = self._call_kw(
            "spid.ticket.link", "write", [self.link_a.ids, {"ticket_id": self.ticket_b.id}]
        )
        self.assertTrue(error, "an agent moved a link into another team's ticket")
        _result, error = self._call_kw(
            "spid.ticket.link",
            "create",
            [
                {
                    "ticket_id": self.ticket_b.id,
                    "res_ref": f"res.partner,{self.client_a.id}",
                    "name": "RT-INJECTED",
                }
            ],
        )
        self.assertTrue(error, "an agent created a link on another team's ticket")
        self.assertEqual(self._row(self.link_a, ["ticket_id", "company_id"]), before)
        self.assertEqual(
            self.env["spid.ticket.link"].search_count([("ticket_id", "=", self.ticket_b.id)]), count
        )

    def test_link_company_is_not_writable(self):
        before = self._row(self.link_a, ["company_id"])
        self._login(self.agent)
        _result, error = self._call_kw(
            "spid.ticket.link", "write", [self.link_a.ids, {"company_id": self.company_b.id}]
        )
        self.assertTrue(error, "an agent moved a link to another company")
        self.assertEqual(self._row(self.link_a, ["company_id"]), before)

    def test_link_to_an_unreadable_record_leaks_nothing(self):
        self._login(self.agent)
        result, error = self._call_kw(
            "spid.ticket.link",
            "create",
            [{"ticket_id": self.ticket_a.id, "res_ref": f"spid.ticket,{self.ticket_b.id}", "name": "probe"}],
        )
        if not error:
            for method, args, kwargs in (
                ("read", [[result], ["display_name", "res_ref"]], {}),
                ("web_read", [[result]], {"specification": {"display_name": {}, "res_ref": {}}}),
                ("search_read", [[("id", "=", result)]], {"fields": ["display_name"]}),
            ):
                answer, _error = self._call_kw("spid.ticket.link", method, args, kwargs)
                self.assertNotIn("RT-B-SECRET", json.dumps(answer), method)

    # -- owners that are not agents ------------------------------------------

    def test_owner_must_be_an_agent_who_may_read(self):
        """Making someone owner subscribes them (Odoo's auto-subscription of
        tracked user fields), bypassing the follower check: a customer of
        another client, or an internal user without helpdesk group, would
        receive the ticket's assignment email and every public update."""
        ticket = self.ticket_a
        followers = self._followers(ticket)
        before = self._row(ticket, ["user_id"])
        self._login(self.agent)
        wrong = []
        for user in (self.portal_b, self.user):
            _result, error = self._call_kw("spid.ticket", "write", [ticket.ids, {"user_id": user.id}])
            if not error:
                wrong.append(f"owner set to {user.login}")
            if user.partner_id.id in self._followers(ticket):
                wrong.append(f"{user.login} follows a ticket they cannot read")
            self.env["spid.ticket"].sudo().browse(ticket.id).write({"user_id": self.agent.id})
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(self._row(ticket, ["user_id"]), before)
        self.assertEqual(self._followers(ticket), followers)

    def test_escalate_wizard_to_a_customer_of_another_client(self):
        ticket = self.ticket_a
        followers = self._followers(ticket)
        self._login(self.agent)
        wizard, error = self._call_kw(
            "spid.ticket.escalate.wizard",
            "create",
            [{"ticket_id": ticket.id, "user_id": self.portal_b.id, "reason": "go"}],
        )
        if not error:
            _result, error = self._call_kw("spid.ticket.escalate.wizard", "action_confirm", [[wizard]])
        self.assertTrue(error, "a ticket was escalated to another client's customer")
        self.assertEqual(ticket.sudo().user_id, self.agent)
        self.assertNotIn(self.requester_b.id, self._followers(ticket))
        self.assertEqual(self._followers(ticket), followers)

    def test_created_for_a_non_agent_owner(self):
        count = self.env["spid.ticket"].search_count([])
        self._login(self.agent)
        _result, error = self._call_kw(
            "spid.ticket",
            "create",
            [{"name": "RT owned by a customer", "team_id": self.team_a.id, "user_id": self.portal_b.id}],
        )
        self.assertTrue(error, "a ticket was created with a customer of another client as its owner")
        self.assertEqual(self.env["spid.ticket"].search_count([]), count)

    # -- wizards with forged ids ---------------------------------------------

    def test_merge_wizard_with_another_teams_ticket(self):
        mine = self.env["spid.ticket"].create(
            {"name": "RT-A2", "partner_id": self.requester_b.id, "team_id": self.team_a.id}
        )
        self.env.flush_all()
        before = (self._messages(self.ticket_b), self._row(self.ticket_b, ["status_id", "merged_into_id"]))
        self._login(self.agent)
        # ids given directly, then through the context's active_ids (default_get)
        wizard, error = self._call_kw(
            "spid.ticket.merge.wizard",
            "create",
            [{"ticket_ids": [Command.set([mine.id, self.ticket_b.id])], "target_id": mine.id}],
        )
        if not error:
            _result, error = self._call_kw("spid.ticket.merge.wizard", "action_merge", [[wizard]])
        self.assertTrue(error, "merged another team's ticket")
        wizard, error = self._call_kw(
            "spid.ticket.merge.wizard",
            "create",
            [{}],
            context={"active_model": "spid.ticket", "active_ids": [self.ticket_b.id, mine.id]},
        )
        if not error:
            _result, error = self._call_kw("spid.ticket.merge.wizard", "action_merge", [[wizard]])
        self.assertTrue(error, "merged another team's ticket through active_ids")
        # into another team's ticket, as target
        _result, error = self._call_kw("spid.ticket", "action_merge_into", [mine.ids, self.ticket_b.id])
        self.assertTrue(error)
        self.assertEqual(
            (self._messages(self.ticket_b), self._row(self.ticket_b, ["status_id", "merged_into_id"])), before
        )
        self.assertFalse(mine.sudo().merged_into_id)

    def test_split_wizard_with_messages_of_another_ticket(self):
        before = self._messages(self.ticket_b)
        count = self.env["spid.ticket"].search_count([])
        self._login(self.agent)
        attempts = (
            {
                "ticket_id": self.ticket_a.id,
                "name": "RT steal",
                "message_ids": [Command.set(self.message_b.ids)],
            },
            {
                "ticket_id": self.ticket_a.id,
                "name": "RT steal",
                "workunit_ids": [Command.set(self.unit_b.ids)],
            },
            {
                "ticket_id": self.ticket_b.id,
                "name": "RT steal",
                "message_ids": [Command.set(self.message_b.ids)],
            },
        )
        for vals in attempts:
            wizard, error = self._call_kw("spid.ticket.split.wizard", "create", [vals])
            if not error:
                _result, error = self._call_kw("spid.ticket.split.wizard", "action_split", [[wizard]])
            self.assertTrue(error, f"split {vals}")
        self.assertEqual(self._messages(self.ticket_b), before)
        self.assertEqual(self.unit_b.sudo().ticket_id, self.ticket_b)
        self.assertEqual(self.env["spid.ticket"].search_count([]), count)

    def test_close_and_reopen_wizards_on_others_and_locked_tickets(self):
        locked = self.env["spid.ticket"].create(
            {"name": "RT-LOCKED", "partner_id": self.requester_a.id, "team_id": self.team_a.id}
        )
        self._lock(locked)
        before = (
            self._row(locked, ["status_id", "is_locked"]),
            self._row(self.ticket_b, ["status_id", "is_locked", "user_id"]),
        )
        for user in (self.agent, self.supervisor, self.manager):
            self._login(user)
            wizard, error = self._call_kw(
                "spid.ticket.reopen.wizard", "create", [{"ticket_id": locked.id, "reason": "again"}]
            )
            if not error:
                _result, error = self._call_kw("spid.ticket.reopen.wizard", "action_confirm", [[wizard]])
            self.assertTrue(error, f"{user.login} reopened a locked ticket")
            _result, error = self._call_kw("spid.ticket", "action_reopen", [locked.ids, "again"])
            self.assertTrue(error, f"{user.login} reopened a locked ticket by RPC")
        self._login(self.agent)
        wizard, error = self._call_kw(
            "spid.ticket.close.wizard",
            "create",
            [{"ticket_id": self.ticket_b.id, "resolution": "solved", "epilogue": "<p>x</p>", "lock": True}],
        )
        if not error:
            _result, error = self._call_kw("spid.ticket.close.wizard", "action_confirm", [[wizard]])
        self.assertTrue(error, "an agent closed another team's ticket")
        for method in ("action_take", "action_lock"):
            _result, error = self._call_kw("spid.ticket", method, [self.ticket_b.ids])
            self.assertTrue(error, method)
        self.assertEqual(
            (
                self._row(locked, ["status_id", "is_locked"]),
                self._row(self.ticket_b, ["status_id", "is_locked", "user_id"]),
            ),
            before,
        )

    def test_close_wizard_lock_by_an_agent_who_is_not_owner(self):
        ticket = self.env["spid.ticket"].create(
            {
                "name": "RT close",
                "partner_id": self.requester_a.id,
                "team_id": self.team_a.id,
                "user_id": self.agent.id,
            }
        )
        other_agent = new_test_user(self.env, "rt_agent_a2", groups=AGENT)
        self.team_a.member_ids |= other_agent
        self.env.flush_all()
        self._login(other_agent)
        wizard, error = self._call_kw(
            "spid.ticket.close.wizard",
            "create",
            [{"ticket_id": ticket.id, "resolution": "solved", "epilogue": "<p>x</p>", "lock": True}],
        )
        if not error:
            _result, error = self._call_kw("spid.ticket.close.wizard", "action_confirm", [[wizard]])
        self.assertTrue(error, "an agent who is not the owner closed (and locked) the ticket")
        self.assertFalse(ticket.sudo().is_closed)
        self.assertFalse(ticket.sudo().is_locked)

    def test_rating_apply_over_rpc(self):
        """rating_apply is public: an agent or the customer may not set a
        rating without its token, nor change another ticket's rating."""
        rating = (
            self.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("spid.ticket"),
                    "res_id": self.ticket_b.id,
                    "partner_id": self.requester_b.id,
                    "rated_partner_id": self.agent_b.partner_id.id,
                    "rating": 1,
                    "feedback": "RT-RATING-B",
                    "consumed": True,
                }
            )
        )
        self.env.flush_all()
        for user in (self.agent, self.portal_a):
            self._login(user)
            for kwargs in ({"rate": 5}, {"rate": 5, "rating": rating.id}, {"rate": 5, "token": "x"}):
                _result, error = self._call_kw("spid.ticket", "rating_apply", [self.ticket_a.ids], kwargs)
                self.assertTrue(error, f"{user.login} rating_apply {kwargs}")
        rating.invalidate_recordset()
        self.assertEqual((rating.rating, rating.feedback), (1, "RT-RATING-B"))

    # -- copy ----------------------------------------------------------------

    def test_copy_forges_nothing(self):
        closed = self.env.ref("spid_helpdesk.status_closed")
        locked = self.env["spid.ticket"].create(
            {
                "name": "RT-COPY",
                "partner_id": self.requester_a.id,
                "team_id": self.team_a.id,
                "user_id": self.agent.id,
            }
        )
        self.env["spid.workunit"].create({"ticket_id": locked.id, "user_id": self.agent.id, "duration": 4})
        self._lock(locked)
        count = self.env["spid.ticket"].search_count([])
        self._login(self.agent)
        for default in (
            {"is_locked": True},
            {"reference": "FORGED-1"},
            {"editor_id": self.supervisor.id},
            {"merged_into_id": self.ticket_a.id},
            {"date_closed": "2001-01-01 00:00:00"},
            {"status_id": closed.id, "user_id": self.supervisor.id},
        ):
            _result, error = self._call_kw("spid.ticket", "copy", [locked.ids], {"default": default})
            self.assertTrue(error, f"copy with {default}")
        self.assertEqual(self.env["spid.ticket"].search_count([]), count)
        _result, error = self._call_kw("spid.ticket", "copy", [self.ticket_b.ids])
        self.assertTrue(error, "copied another team's ticket")
        self.assertEqual(self.env["spid.ticket"].search_count([]), count)
        # a plain copy of the locked one starts afresh
        result, error = self._call_kw("spid.ticket", "copy", [locked.ids])
        if not error:
            copy = self.env["spid.ticket"].browse(result)
            self.assertFalse(copy.is_locked)
            self.assertFalse(copy.is_closed)
            self.assertFalse(copy.date_closed)
            self.assertEqual(copy.total_hours, 0)
            self.assertNotEqual(copy.reference, locked.reference)
            self.assertEqual(copy.editor_id, self.agent)

    # -- creation in a status whose transitions are restricted --------------

    def test_created_in_a_status_reserved_to_supervisors(self):
        """Closed -> Reopened is for supervisors; an agent cannot write it, and
        should not create a ticket directly in it either."""
        reopened = self.env.ref("spid_helpdesk.status_reopened")
        count = self.env["spid.ticket"].search_count([])
        self._login(self.agent)
        _result, error = self._call_kw(
            "spid.ticket",
            "create",
            [
                {
                    "name": "RT born reopened",
                    "team_id": self.team_a.id,
                    "user_id": self.agent.id,
                    "status_id": reopened.id,
                }
            ],
        )
        self.assertTrue(error, "an agent created a ticket in a status only supervisors may enter")
        self.assertEqual(self.env["spid.ticket"].search_count([]), count)

    def test_default_status_context_does_not_skip_the_workflow(self):
        closed = self.env.ref("spid_helpdesk.status_closed")
        count = self.env["spid.ticket"].search_count([])
        self._login(self.agent)
        _result, error = self._call_kw(
            "spid.ticket",
            "create",
            [{"name": "RT default closed", "team_id": self.team_a.id, "user_id": self.supervisor.id}],
            context={"default_status_id": closed.id, "default_resolution": "solved"},
        )
        self.assertTrue(error)
        self.assertEqual(self.env["spid.ticket"].search_count([]), count)

    # -- other models of the helpdesk ----------------------------------------

    def test_agents_do_not_change_configuration(self):
        status = self.env.ref("spid_helpdesk.status_new")
        transition = self.env.ref("spid_helpdesk.transition_closed_reopened")
        before = (
            self._row(status, ["is_closed", "name"]),
            self._row(transition, ["group_ids"]),
            self._row(self.team_b, ["member_ids", "alias_name", "alias_defaults"]),
        )
        wrong = []
        for user in (self.agent, self.supervisor, self.user):
            self._login(user)
            for model, method, args in (
                ("spid.ticket.status", "write", [status.ids, {"is_closed": True}]),
                ("spid.ticket.transition", "write", [transition.ids, {"group_ids": [Command.clear()]}]),
                ("spid.ticket.transition", "unlink", [transition.ids]),
                ("spid.team", "write", [self.team_b.ids, {"member_ids": [Command.link(user.id)]}]),
                ("spid.team", "write", [self.team_b.ids, {"alias_name": "rt-hijack"}]),
                ("spid.team", "write", [self.team_b.ids, {"alias_defaults": "{'user_id': %d}" % user.id}]),
                ("mail.alias", "write", [self.team_b.alias_id.ids, {"alias_defaults": "{'user_id': 1}"}]),
                ("spid.tariff", "create", [{"name": "RT tariff", "price": 0.01}]),
                (
                    "ir.cron",
                    "method_direct_trigger",
                    [self.env.ref("spid_helpdesk.ir_cron_spid_auto_close").ids],
                ),
                (
                    "ir.cron",
                    "method_direct_trigger",
                    [self.env.ref("spid_helpdesk.ir_cron_spid_sla_breaches").ids],
                ),
            ):
                _result, error = self._call_kw(model, method, args)
                # Odoo's alias mixin silently drops alias values of a caller
                # without write access: checked by the state below
                if not error and not (model == "spid.team" and "alias_" in str(args[1:])):
                    wrong.append(f"{user.login} {model}.{method}{args[1:]}")
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(
            (
                self._row(status, ["is_closed", "name"]),
                self._row(transition, ["group_ids"]),
                self._row(self.team_b, ["member_ids", "alias_name", "alias_defaults"]),
            ),
            before,
        )

    def test_objectives_of_others(self):
        objective = self.env["spid.agent.objective"].create(
            {"user_id": self.agent_b.id, "month": "2026-01-01", "target_hours": 7, "target_turnover": 1000}
        )
        self.env.flush_all()
        self._login(self.agent)
        result, _error = self._call_kw(
            "spid.agent.objective",
            "search_read",
            [[]],
            {"fields": ["user_id", "target_turnover", "actual_turnover"]},
        )
        self.assertNotIn(objective.id, [row["id"] for row in result or []])
        for method, args in (
            ("write", [objective.ids, {"target_hours": 0}]),
            ("create", [{"user_id": self.agent.id, "month": "2026-02-01", "target_hours": 1}]),
            ("unlink", [objective.ids]),
        ):
            _result, error = self._call_kw("spid.agent.objective", method, args)
            self.assertTrue(error, method)
        result, _error = self._call_kw(
            "spid.agent.objective", "read_group", [[], ["target_turnover:sum"], ["user_id"]], {"lazy": False}
        )
        self.assertNotIn("1000", json.dumps(result))
        self.assertEqual(objective.target_hours, 7)

    def test_activity_and_files_on_another_teams_ticket(self):
        activities = self.env["mail.activity"].search_count([("res_model", "=", "spid.ticket")])
        files = self.env["ir.attachment"].search_count([("res_model", "=", "spid.ticket")])
        followers = self._followers(self.ticket_b)
        for user in (self.agent, self.user):
            self._login(user)
            for model, method, args, kwargs in (
                (
                    "mail.activity",
                    "create",
                    [
                        {
                            "res_model_id": self.env["ir.model"]._get_id("spid.ticket"),
                            "res_id": self.ticket_b.id,
                            "user_id": user.id,
                            "summary": "RT",
                        }
                    ],
                    {},
                ),
                (
                    "spid.ticket",
                    "activity_schedule",
                    [self.ticket_b.ids],
                    {"act_type_xmlid": "mail.mail_activity_data_todo", "user_id": user.id},
                ),
                (
                    "ir.attachment",
                    "create",
                    [
                        {
                            "name": "rt.txt",
                            "datas": "UlQ=",
                            "res_model": "spid.ticket",
                            "res_id": self.ticket_b.id,
                        }
                    ],
                    {},
                ),
                (
                    "spid.ticket",
                    "message_subscribe",
                    [self.ticket_b.ids],
                    {"partner_ids": user.partner_id.ids},
                ),
                (
                    "spid.ticket",
                    "message_unsubscribe",
                    [self.ticket_b.ids],
                    {"partner_ids": self.requester_b.ids},
                ),
                (
                    "spid.ticket",
                    "message_post",
                    [self.ticket_b.ids],
                    {"body": "RT", "message_type": "comment"},
                ),
            ):
                result, error = self._call_kw(model, method, args, kwargs)
                if method == "message_subscribe":  # Odoo answers False for an unreadable record
                    self.assertTrue(error or not result, f"{user.login} {model}.{method}")
                else:
                    self.assertTrue(error, f"{user.login} {model}.{method}")
        self.assertEqual(
            self.env["mail.activity"].search_count([("res_model", "=", "spid.ticket")]), activities
        )
        self.assertEqual(self.env["ir.attachment"].search_count([("res_model", "=", "spid.ticket")]), files)
        self.assertEqual(self._followers(self.ticket_b), followers)

    def test_an_internal_user_without_group_reads_no_ticket_data(self):
        self._login(self.user)
        for model, method, args, kwargs in (
            ("spid.ticket", "search_read", [[]], {"fields": ["name"]}),
            ("spid.workunit", "search_read", [[]], {"fields": ["description"]}),
            ("spid.ticket.report", "read_group", [[], ["total_hours:sum"], ["team_id"]], {}),
            ("spid.workunit.report", "search_read", [[]], {}),
            ("mail.message", "search_read", [[("model", "=", "spid.ticket")]], {"fields": ["body"]}),
            ("spid.team", "read", [self.team_b.ids, ["hours_month", "open_ticket_count", "ticket_ids"]], {}),
            ("res.partner", "read", [self.client_b.ids, ["spid_ticket_count"]], {}),
        ):
            result, _error = self._call_kw(model, method, args, kwargs)
            text = json.dumps(result)
            for secret in ("RT-B-SECRET", "RT-UNIT-B-SECRET", "RT-B-MESSAGE"):
                self.assertNotIn(secret, text, f"{model}.{method}")
            if model == "spid.team" and result:
                self.assertFalse(result[0].get("hours_month"), "team hours leak to a non-helpdesk user")
            if model == "res.partner" and result:
                self.assertFalse(
                    result[0].get("spid_ticket_count"), "ticket counts leak to a non-helpdesk user"
                )

    def test_analyses_of_another_team(self):
        self._login(self.agent)
        for model, measure in (
            ("spid.ticket.report", "total_hours:sum"),
            ("spid.workunit.report", "duration:sum"),
        ):
            result, error = self._call_kw(model, "read_group", [[], [measure], ["team_id"]], {"lazy": False})
            self.assertNotIn("RT team B", json.dumps(result), model)
            result, error = self._call_kw(
                model, "read_group", [[("team_id", "=", self.team_b.id)], [measure], []], {"lazy": False}
            )
            self.assertFalse(any((row.get(measure.split(":")[0]) or 0) for row in result or []), model)
        result, _error = self._call_kw(
            "spid.team",
            "read",
            [self.team_b.ids, ["hours_month", "open_ticket_count", "at_risk_ticket_count"]],
        )
        if result:
            self.assertFalse(result[0]["hours_month"], "another team's hours of the month")

    def test_statistics_report_of_another_team(self):
        self.env.cr.execute(
            "UPDATE spid_workunit SET date = now() - interval '1 day' WHERE id IN %s",
            [tuple((self.unit_a | self.unit_b).ids)],
        )
        self.env.invalidate_all()
        self._login(self.agent)
        for group_by in ("client", "agent"):
            wizard, error = self._call_kw(
                "spid.statistics.wizard",
                "create",
                [{"date_from": "2000-01-01", "date_to": "2100-01-01", "group_by": group_by}],
            )
            self.assertFalse(error)
            page = self.url_open(f"/report/html/spid_helpdesk.report_spid_statistics/{wizard}")
            self.assertNotIn(self.client_b.name, page.text)
            self.assertNotIn("rt_agent_b", page.text)
        # someone else's wizard
        self._login(self.supervisor)
        wizard, _error = self._call_kw(
            "spid.statistics.wizard", "create", [{"date_from": "2000-01-01", "date_to": "2100-01-01"}]
        )
        self._login(self.agent)
        page = self.url_open(f"/report/html/spid_helpdesk.report_spid_statistics/{wizard}")
        self.assertNotIn(self.client_b.name, page.text)

    def test_work_order_of_another_team_and_of_a_customer(self):
        for login in ("rt_agent", "rt_portal_a"):
            self.authenticate(login, login)
            page = self.url_open(f"/report/html/spid_helpdesk.report_spid_workorder/{self.ticket_b.id}")
            self.assertNotIn("RT-B-SECRET", page.text, login)
        # a customer's own work order never shows internal work
        self.authenticate("rt_portal_a", "rt_portal_a")
        page = self.url_open(f"/report/html/spid_helpdesk.report_spid_workorder/{self.ticket_a.id}")
        self.assertNotIn("RT-UNIT-A", page.text)

    # -- customers -----------------------------------------------------------

    def test_customer_sees_no_tracking_of_internal_fields(self):
        """A status change posts a public message (customers follow the
        status subtype); tracking values of fields outside the portal
        allowlist (priority, deadline, team, parent) ride along with it."""
        ticket = self.ticket_a
        in_progress = self.env.ref("spid_helpdesk.status_in_progress")
        ticket.with_user(self.agent).write(
            {
                "status_id": in_progress.id,
                "priority": "3",
                "date_deadline": "2031-07-14 10:00:00",
                "parent_id": self.ticket_b.id,
            }
        )
        self._sync()
        self._login(self.portal_a)
        texts = []
        for route, params in (
            ("/mail/thread/messages", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
            ("/mail/chatter_fetch", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
            ("/portal/chatter_init", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
        ):
            result, _error = self._rpc(route, params)
            texts.append(json.dumps(result))
        text = "\n".join(texts)
        for secret in (
            "Critical",
            "2031-07-14",
            "RT-B-SECRET",
            '"Priority"',
            '"Deadline"',
            '"Parent ticket"',
        ):
            self.assertNotIn(secret, text, f"the customer reads tracking of {secret}")

    def test_customer_emails_carry_no_internal_tracking(self):
        ticket = self.ticket_a
        in_progress = self.env.ref("spid_helpdesk.status_in_progress")
        self._sync()
        before = self.env["mail.mail"].search([]).ids
        ticket.with_user(self.agent).write(
            {"status_id": in_progress.id, "priority": "3", "date_deadline": "2031-07-14 10:00:00"}
        )
        self._sync()
        mails = self.env["mail.mail"].search(
            [
                ("id", "not in", before),
                "|",
                ("recipient_ids", "in", self.requester_a.ids),
                ("email_to", "ilike", self.requester_a.email),
            ]
        )
        for mail in mails:
            self.assertNotIn(
                "Critical", mail.body_html or "", "the customer is emailed the technician's priority"
            )
            self.assertNotIn("2031", mail.body_html or "", "the customer is emailed the internal deadline")

    def test_customer_reads_no_followers_of_the_ticket(self):
        third = self.env["res.partner"].create({"name": "RT Third", "email": "rt-third@third.example"})
        self.ticket_a.message_subscribe(partner_ids=third.ids)
        self._sync()
        self._login(self.portal_a)
        result, _error = self._rpc(
            "/mail/thread/data",
            {
                "thread_model": "spid.ticket",
                "thread_id": self.ticket_a.id,
                "request_list": ["followers", "suggestedRecipients", "attachments", "activities"],
            },
        )
        text = json.dumps(result)
        self.assertNotIn("rt-third@third.example", text)
        self.assertNotIn("rt_agent@staff.example", text)
        result, _error = self._call_kw("mail.followers", "search_read", [[("res_model", "=", "spid.ticket")]])
        self.assertNotIn("rt-third", json.dumps(result))
        result, _error = self._call_kw("spid.ticket", "message_get_followers", [self.ticket_a.ids])
        self.assertNotIn("rt-third@third.example", json.dumps(result))

    def test_customer_relational_paths_and_exports(self):
        """Readable many2ones lead to other models: the owner's user, the
        category's team, the status's templates, other tickets of the
        partner. Nothing internal comes back."""
        self.ticket_a.sudo().write({"parent_id": self.ticket_b.id})
        self._sync()
        self._login(self.portal_a)
        probes = (
            (
                "export_data",
                [self.ticket_a.ids, ["user_id/login", "category_id/team_id/name", "partner_id/email"]],
                {},
            ),
            ("export_data", [self.ticket_a.ids, ["parent_id/name"]], {}),
            (
                "web_read",
                [self.ticket_a.ids],
                {"specification": {"user_id": {"fields": {"login": {}, "email": {}}}}},
            ),
            (
                "web_read",
                [self.ticket_a.ids],
                {"specification": {"status_id": {"fields": {"mail_template_id": {}}}}},
            ),
            (
                "web_read",
                [self.ticket_a.ids],
                {
                    "specification": {
                        "partner_id": {
                            "fields": {
                                "spid_ticket_count": {},
                                "commercial_partner_id": {
                                    "fields": {"spid_open_ticket_limit": {}, "spid_tariff_ids": {}}
                                },
                            }
                        }
                    }
                },
            ),
            ("search_count", [[("user_id.partner_id.email", "=", "rt_agent@staff.example")]], {}),
            ("search_count", [[("user_id.login", "=", "rt_agent")]], {}),
            ("search_count", [[("client_id.child_ids.email", "=", "rt_portal_b@beta.example")]], {}),
            ("search_count", [[("status_id.mail_template_id.body_html", "ilike", "a")]], {}),
            ("search_count", [[("category_id.team_id.member_ids.login", "=", "rt_agent")]], {}),
        )
        wrong = []
        for method, args, kwargs in probes:
            result, error = self._call_kw("spid.ticket", method, args, kwargs)
            text = json.dumps(result)
            for secret in ("rt_agent@staff.example", "RT-B-SECRET", "rt_agent", "RT team"):
                if secret in text:
                    wrong.append(f"{method}{args[1:]} {kwargs} shows {secret}: {text[:200]}")
            if method == "search_count" and not error and result:
                wrong.append(f"{args} answered about internal data: {result}")
        self.assertFalse(wrong, "\n".join(wrong))

    def test_customer_reads_no_internal_mail_data(self):
        """RT-NOTE-A is posted as `message_post(subtype_xmlid="mail.mt_note")`
        with Odoo's default message_type (notification): what an agent's
        message_post over RPC, or base_automation's "log a note"
        (message_post_with_source), produce. The customer must not read it,
        by search or by id."""
        self._sync()
        note = self.env["mail.message"].search(
            [("model", "=", "spid.ticket"), ("res_id", "=", self.ticket_a.id), ("body", "ilike", "RT-NOTE-A")]
        )
        self.assertTrue(note)
        self._login(self.portal_a)
        wrong = []
        for model, method, args, kwargs in (
            (
                "mail.message",
                "search_read",
                [[("res_id", "=", self.ticket_a.id), ("model", "=", "spid.ticket")]],
                {"fields": ["body", "tracking_value_ids", "subtype_id"]},
            ),
            ("mail.message", "search_count", [[("body", "ilike", "RT-NOTE-A")]], {}),
            ("mail.message", "read", [note.ids, ["body"]], {}),
            ("mail.tracking.value", "search_read", [[]], {}),
            ("mail.activity", "search_read", [[("res_model", "=", "spid.ticket")]], {}),
            ("rating.rating", "search_read", [[("res_model", "=", "spid.ticket")]], {"fields": ["feedback"]}),
            ("spid.workunit", "search_read", [[]], {"fields": ["description"]}),
            ("spid.ticket.sla", "search_read", [[]], {}),
            ("spid.ticket.link", "search_read", [[]], {}),
            ("ir.attachment", "search_read", [[("res_model", "=", "spid.ticket")]], {"fields": ["name"]}),
        ):
            result, error = self._call_kw(model, method, args, kwargs)
            text = json.dumps(result)
            for secret in ("RT-NOTE-A", "RT-UNIT-A", "RT-LINK-A"):
                if secret in text:
                    wrong.append(f"{model}.{method} shows {secret}: {text[:200]}")
            if method == "search_count" and not error and result:
                wrong.append(f"{model}.{method} counts internal notes: {result}")
        self.assertFalse(wrong, "\n".join(wrong))

    def test_customer_gateway_and_admin_methods(self):
        self._login(self.portal_a)
        state = (
            self._messages(self.ticket_a),
            self._row(self.ticket_a, ["status_id", "user_id", "priority"]),
        )
        for method, args, kwargs in (
            ("write", [self.ticket_a.ids, {"priority": "3"}], {}),
            ("action_take", [self.ticket_a.ids], {}),
            ("action_lock", [self.ticket_a.ids], {}),
            ("action_split", [self.ticket_a.ids, "x"], {}),
            ("action_merge_into", [self.ticket_a.ids, self.ticket_a.id], {}),
            ("action_escalate", [self.ticket_a.ids, self.portal_a.id, "x"], {}),
            ("message_subscribe", [self.ticket_a.ids], {"partner_ids": self.requester_b.ids}),
            ("message_unsubscribe", [self.ticket_a.ids], {"partner_ids": self.agent.partner_id.ids}),
            ("copy", [self.ticket_a.ids], {}),
            ("activity_schedule", [self.ticket_a.ids], {"act_type_xmlid": "mail.mail_activity_data_todo"}),
            ("_message_log", [self.ticket_a.ids], {"body": "x"}),
            ("message_post", [self.ticket_b.ids], {"body": "into bob's"}),
        ):
            _result, error = self._call_kw("spid.ticket", method, args, kwargs)
            self.assertTrue(error, f"a customer called {method}")
        self.assertEqual(
            (self._messages(self.ticket_a), self._row(self.ticket_a, ["status_id", "user_id", "priority"])),
            state,
        )
        self.assertNotIn(self.requester_b.id, self._followers(self.ticket_a))

    # -- portal routes -------------------------------------------------------

    def test_portal_routes_with_another_clients_ticket(self):
        closed = self.env.ref("spid_helpdesk.status_closed")
        other = self.env["spid.ticket"].create(
            {
                "name": "RT-B-CLOSED",
                "partner_id": self.requester_b.id,
                "team_id": self.team_b.id,
                "user_id": self.agent_b.id,
            }
        )
        other.write({"status_id": closed.id, "resolution": "solved", "epilogue": "<p>done</p>"})
        self._sync()
        state = (
            self._messages(self.ticket_b),
            self._row(self.ticket_b, ["status_id"]),
            self._messages(other),
            self._row(other, ["status_id"]),
        )
        self._login(self.portal_a)
        csrf = form_csrf_token(self.url_open("/my/tickets/new").text)
        for url, data in (
            (f"/my/tickets/{self.ticket_b.id}/reply", {"message": "RT-INTRUDER"}),
            (f"/my/tickets/{self.ticket_b.id}/close", {}),
            (f"/my/tickets/{other.id}/reopen", {"reason": "RT-INTRUDER"}),
        ):
            response = self.url_open(url, data=dict(data, csrf_token=csrf), allow_redirects=False)
            self.assertIn(response.status_code, (303, 302, 404, 403, 400), url)
        page = self.url_open(f"/my/tickets/{self.ticket_b.id}")
        self.assertNotIn("RT-B-SECRET", page.text)
        page = self.url_open(f"/my/tickets/{self.ticket_b.id}?access_token=x")
        self.assertNotIn("RT-B-SECRET", page.text)
        self.assertEqual(
            state,
            (
                self._messages(self.ticket_b),
                self._row(self.ticket_b, ["status_id"]),
                self._messages(other),
                self._row(other, ["status_id"]),
            ),
        )

    def test_portal_posts_need_csrf_and_post(self):
        ticket = self.ticket_a
        state = (
            self._messages(ticket),
            self._row(ticket, ["status_id"]),
            self.env["spid.ticket"].search_count([]),
        )
        self._login(self.portal_a)
        for url, data in (
            (f"/my/tickets/{ticket.id}/reply", {"message": "RT-NO-CSRF"}),
            (f"/my/tickets/{ticket.id}/close", {}),
            ("/my/tickets/new", {"name": "RT-NO-CSRF"}),
        ):
            response = self.url_open(url, data=data, allow_redirects=False)
            self.assertGreaterEqual(response.status_code, 400, f"{url} accepted a POST without CSRF token")
            response = self.url_open(f"{url}?message=RT-GET&name=RT-GET", allow_redirects=False)
            self.assertNotEqual(response.status_code, 303, f"{url} acted on a GET")
        self.logout()
        response = self.url_open(
            "/helpdesk/submit",
            data={"name": "Eve", "email": "eve@evil.example", "title": "RT-NO-CSRF"},
            allow_redirects=False,
        )
        self.assertGreaterEqual(response.status_code, 400)
        response = self.url_open("/helpdesk/submit?name=Eve&email=eve@evil.example&title=RT-GET")
        self.assertEqual(
            state,
            (
                self._messages(ticket),
                self._row(ticket, ["status_id"]),
                self.env["spid.ticket"].search_count([]),
            ),
        )

    def test_anonymous_visitor(self):
        for model, method, args in (
            ("spid.ticket", "search_read", [[]]),
            ("spid.ticket.category", "search_read", [[]]),
            ("spid.team", "search_read", [[]]),
            ("spid.ticket", "message_post", [self.ticket_a.ids]),
        ):
            result, _error = self._call_kw(model, method, args)
            self.assertNotIn("RT-A", json.dumps(result))
            self.assertNotIn("RT team", json.dumps(result))
        for url in (
            f"/my/tickets/{self.ticket_a.id}",
            f"/web/content/spid.ticket/{self.ticket_a.id}/signed_workorder",
            f"/report/html/spid_helpdesk.report_spid_workorder/{self.ticket_a.id}",
            f"/helpdesk/confirm/{self.ticket_a.id}/0",
        ):
            page = self.url_open(url)
            self.assertNotIn("Ann RT", page.text, url)

    # -- emails ----------------------------------------------------------------

    def _receive(self, raw):
        thread_id = self.env["mail.thread"].message_process(None, raw.encode())
        self._sync()
        return self.env["spid.ticket"].browse(thread_id) if thread_id else self.env["spid.ticket"]

    def _email_attempts(self, senders, prefix):
        ticket = self.ticket_a
        state = (self._messages(ticket), self._followers(ticket))
        wrong = []
        for n, sender in enumerate(senders):
            self._receive(
                raw_email(
                    sender,
                    f"Re: [{ticket.reference}] x",
                    f"{prefix}-{n}",
                    self.team_a.alias_email,
                    cc="spy@evil.example",
                )
            )
            now = (self._messages(ticket), self._followers(ticket))
            if now != state:
                spy = self.env["res.partner"].search([("email_normalized", "=", "spy@evil.example")])
                wrong.append(
                    f"{sender!r} went into {ticket.reference}"
                    + (
                        " and made spy@evil.example a follower"
                        if spy & ticket.sudo().message_partner_ids
                        else ""
                    )
                )
                state = now
        return wrong

    def test_email_display_name_spoof(self):
        """The requester's address as the display name of the attacker's own,
        real mailbox (SPF and DKIM pass for evil.example: no mail server
        stops it): no authority on the requester's ticket, and the Cc does
        not follow it."""
        wrong = self._email_attempts(
            (
                f"{self.requester_a.email.upper()} <mallory@evil.example>",
                f"{self.requester_a.email} <mallory@evil.example>",
                f"Ann {self.requester_a.email} <mallory@evil.example>",
            ),
            "display-spoof",
        )
        self.assertFalse(wrong, "\n".join(wrong))

    def test_email_with_two_from_addresses(self):
        """From: the requester and the attacker (RFC 5322 allows several
        authors): the attacker gets no authority on the requester's ticket."""
        wrong = self._email_attempts(
            (
                f"Mallory <mallory@evil.example>, Ann <{self.requester_a.email}>",
                f"Ann <{self.requester_a.email}>, Mallory <mallory@evil.example>",
            ),
            "two-from",
        )
        self.assertFalse(wrong, "\n".join(wrong))

    def test_email_unicode_lookalikes(self):
        wrong = self._email_attempts(
            (
                f"Ann <{self.requester_a.email}\u200b>",
                "Ann <rt_portal_a@alpha.example\u0301>",
                "Ann <rt_portal_a@\u0430lpha.example>",
                "Ann <rt_portal_a@alpha.example.>",
                "Ann <rt_portal_a@ALPHA.example>",  # same address, other case: may join
            )[:4],
            "unicode",
        )
        self.assertFalse(wrong, "\n".join(wrong))

    def test_email_from_an_agent_to_another_teams_alias(self):
        """An agent (or someone spoofing them) writes to the other team's
        alias quoting one of that team's tickets: no access, no follower."""
        ticket = self.ticket_b
        state = (self._messages(ticket), self._followers(ticket))
        self._receive(
            raw_email(
                f"Agent <{self.agent.email}>",
                f"Re: [{ticket.reference}] let me in",
                "agent-b-1",
                self.team_b.alias_email,
                cc="spy@evil.example",
            )
        )
        self.assertEqual((self._messages(ticket), self._followers(ticket)), state)
        self.assertFalse(ticket.with_user(self.agent).has_access("read"))

    def test_email_reply_to_a_message_with_a_forged_to(self):
        """In-Reply-To of another client's message sent to an address that
        is neither alias nor catchall: no company is known, the authority
        check must still hold (a contact of the client in another company
        gains nothing)."""
        ticket = self.ticket_b
        state = (self._messages(ticket), self._followers(ticket))
        headers = f"In-Reply-To: {self.message_b.message_id}\nReferences: {self.message_b.message_id}\n"
        for n, (sender, to) in enumerate(
            (
                ("Mallory <mallory@evil.example>", "nobody@elsewhere.example"),
                (f"Ann <{self.requester_a.email}>", "nobody@elsewhere.example"),
                (f"Agent <{self.agent.email}>", "nobody@elsewhere.example"),
            )
        ):
            self._receive(
                raw_email(sender, "Re: x", f"forged-to-{n}", to, extra=headers, cc="spy@evil.example")
            )
        self.assertEqual((self._messages(ticket), self._followers(ticket)), state)

    def test_email_to_one_alias_with_the_other_in_cc(self):
        """The requester of A writes to team A's alias with team B's alias
        and an agent of B in copy: team B's ticket is untouched, and no
        helpdesk address follows."""
        state = (self._messages(self.ticket_b), self._followers(self.ticket_b))
        new = self._receive(
            raw_email(
                f"Ann <{self.requester_a.email}>",
                f"Re: [{self.ticket_b.reference}] and [{self.ticket_a.reference}]",
                "cc-alias-1",
                self.team_a.alias_email,
                cc=f"{self.team_b.alias_email}, {self.agent_b.email}, {self.portal_b.email}",
            )
        )
        self.assertEqual((self._messages(self.ticket_b), self._followers(self.ticket_b)), state)
        if new:
            followers = new.sudo().message_partner_ids
            self.assertNotIn(self.agent_b.partner_id, followers - new.sudo().team_id.member_ids.partner_id)
            self.assertNotIn(self.requester_b, followers)
            self.assertFalse(followers.filtered(lambda p: (p.email or "").endswith(ALIAS_DOMAIN)))

    def test_compose_message_on_another_teams_ticket(self):
        """mail.compose.message created over RPC for another team's ticket."""
        state = self._messages(self.ticket_b)
        self._login(self.agent)
        wizard, error = self._call_kw(
            "mail.compose.message",
            "create",
            [
                {
                    "model": "spid.ticket",
                    "res_ids": str([self.ticket_b.id]),
                    "body": "RT-COMPOSED",
                    "composition_mode": "comment",
                    "message_type": "comment",
                }
            ],
        )
        if not error:
            _result, error = self._call_kw("mail.compose.message", "action_send_mail", [[wizard]])
        self.assertTrue(error, "posted into another team's ticket through the composer")
        self.assertEqual(self._messages(self.ticket_b), state)

    def test_compose_message_mass_mode_template_render(self):
        """The composer in mass mode renders a template on another team's ticket."""
        self._sync()
        before = self.env["mail.mail"].search([]).ids
        self._login(self.agent)
        wizard, error = self._call_kw(
            "mail.compose.message",
            "create",
            [
                {
                    "model": "spid.ticket",
                    "res_ids": str([self.ticket_b.id]),
                    "body": "{{ object.name }}",
                    "subject": "{{ object.name }}",
                    "composition_mode": "mass_mail",
                }
            ],
        )
        if not error:
            result, error = self._call_kw("mail.compose.message", "read", [[wizard], ["body", "subject"]])
            self.assertNotIn("RT-B-SECRET", json.dumps(result))
            result, error = self._call_kw("mail.compose.message", "action_send_mail", [[wizard]])
        self._sync()
        self.assertFalse(
            self.env["mail.mail"].search([("subject", "ilike", "RT-B-SECRET"), ("id", "not in", before)])
        )

    def test_name_search_and_display_of_other_teams(self):
        self._login(self.agent)
        for model, method, args, kwargs in (
            ("spid.ticket", "name_search", ["RT-B"], {}),
            (
                "spid.ticket",
                "web_search_read",
                [[("name", "ilike", "RT-B")]],
                {"specification": {"name": {}}},
            ),
            ("spid.ticket", "read", [self.ticket_a.ids, ["parent_id", "related_ticket_ids"]], {}),
            ("spid.workunit", "name_search", [""], {}),
            ("spid.ticket.sla", "search_read", [[]], {}),
            ("res.partner", "read", [self.client_b.ids, ["spid_ticket_count", "spid_open_ticket_count"]], {}),
        ):
            result, _error = self._call_kw(model, method, args, kwargs)
            self.assertNotIn("RT-B-SECRET", json.dumps(result), f"{model}.{method}")
        # a ticket that points at another team's (parent, related): its name stays hidden
        self.ticket_a.sudo().write({"related_ticket_ids": [Command.link(self.ticket_b.id)]})
        self._sync()
        result, _error = self._call_kw(
            "spid.ticket",
            "web_read",
            [self.ticket_a.ids],
            {"specification": {"related_ticket_ids": {"fields": {"display_name": {}, "name": {}}}}},
        )
        self.assertNotIn("RT-B-SECRET", json.dumps(result))
