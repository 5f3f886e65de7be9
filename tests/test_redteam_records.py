"""Red team, the records of a ticket: an agent of another team (over
/web/dataset/call_kw, with any context) against work units and links,
owners who are not agents, the wizards (merge, split, close, reopen,
rating) driven with forged ids, copy, and creation in a status whose
transitions are restricted. Each attack is refused and changes nothing."""

import json

from attack_common import AGENT
from redteam_common import RedTeamOneCommon

from odoo import Command
from odoo.tests import new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRedTeamRecords(RedTeamOneCommon):
    """Work units, links, owners, wizards, copy and statuses."""

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
        _result, error = self._call_kw("spid.ticket", "_spid_merge_into", [mine.ids, self.ticket_b.id])
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
            _result, error = self._call_kw("spid.ticket", "_spid_reopen", [locked.ids, "again"])
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
