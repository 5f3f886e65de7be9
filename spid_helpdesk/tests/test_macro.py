import json

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin, SpidHelpdeskCommon, count_queries

REPLY_BODY = (
    '<div><p>Hello <t t-out="object.partner_id.name or \'\'"/>, ticket <t t-out="object.reference"/>'
    ' is answered by <t t-out="user.name"/>.</p></div>'
)


@tagged("post_install", "-at_install")
class TestMacro(SpidHelpdeskCommon):
    """Macros as the agent who runs them: every step through the buttons'
    own methods, refused where the agent could not do it by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Macro reply",
                "model_id": cls.env["ir.model"]._get_id("spid.ticket"),
                "subject": "[{{ object.reference }}] answered",
                "body_html": REPLY_BODY,
            }
        )
        Macro = cls.env["spid.ticket.macro"]
        cls.macro_phone = Macro.create(
            {
                "name": "Solved by phone",
                "team_ids": [Command.set(cls.team.ids)],
                "owner_mode": "me",
                "workunit_minutes": 15,
                "workunit_action_type": "solution",
                "workunit_description": "Called the customer.",
                "template_id": cls.template.id,
                "reply_mode": "comment",
                "status_id": cls.st_closed.id,
                "resolution": "solved",
                "epilogue": "<p>Solved by phone.</p>",
            }
        )
        cls.macro_wait = Macro.create(
            {
                "name": "Answered, waiting for customer",
                "template_id": cls.template.id,
                "status_id": cls.st_customer.id,
            }
        )
        cls.macro_other_team = Macro.create(
            {"name": "Plumbing triage", "team_ids": [Command.set(cls.team_other.ids)], "set_priority": "3"}
        )

    def _run(self, macro, tickets, user=None):
        return macro.with_user(user or self.agent).spid_run(tickets.ids)

    def _comments(self, ticket, subtype="mail.mt_comment"):
        return ticket.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.subtype_id == self.env.ref(subtype)
        )

    # ------------------------------------------------------------------
    # Each action, as an agent
    # ------------------------------------------------------------------

    def test_solved_by_phone(self):
        """Take, log 15 min, reply to the customer, close: as the agent."""
        ticket = self._ticket(user=self.agent)
        result = self._run(self.macro_phone, ticket)
        self.assertEqual(result, {"done": ticket.ids, "failed": []})
        self.assertEqual(ticket.user_id, self.agent)
        unit = ticket.workunit_ids
        self.assertEqual(len(unit), 1)
        self.assertAlmostEqual(unit.duration, 0.25)
        self.assertEqual(
            (unit.user_id, unit.action_type, unit.billable, unit.visibility),
            (self.agent, "solution", True, "internal"),
        )
        self.assertIn("Called the customer.", unit.description)
        reply = self._comments(ticket)
        self.assertEqual(len(reply), 1)
        self.assertEqual(reply.author_id, self.agent.partner_id)
        self.assertEqual(reply.subject, f"[{ticket.reference}] answered")
        self.assertIn(
            f"Hello Rita Requester, ticket {ticket.reference} is answered by Agent Alpha", reply.body
        )
        self.assertIn(self.requester, ticket.message_partner_ids)
        self.assertEqual(ticket.status_id, self.st_closed)
        self.assertEqual(ticket.resolution, "solved")
        self.assertIn("Solved by phone.", ticket.epilogue)
        self.assertEqual(ticket.closed_by_id, self.agent)
        self.assertTrue(ticket.date_closed)

    def test_internal_note_and_status(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self.macro_wait.reply_mode = "note"
        self._run(self.macro_wait, ticket)
        self.assertFalse(self._comments(ticket))
        note = self._comments(ticket, "mail.mt_note")
        self.assertEqual(len(note), 1)
        self.assertTrue(note.is_internal or note.subtype_id.internal)
        self.assertEqual(ticket.status_id, self.st_customer)
        self.assertFalse(ticket.is_closed)

    def test_team_owner_priority(self):
        ticket = self._ticket(user=self.agent)
        macro = self.env["spid.ticket.macro"].create(
            {
                "name": "Hand over",
                "set_team_id": self.team_other.id,
                "owner_mode": "user",
                "set_user_id": self.agent_other.id,
                "set_priority": "2",
            }
        )
        self._run(macro, ticket)
        self.assertEqual(
            (ticket.team_id, ticket.user_id, ticket.priority), (self.team_other, self.agent_other, "2")
        )
        macro.write({"set_team_id": False, "owner_mode": "nobody", "set_priority": False})
        ticket.user_id = self.agent  # back in the agent's hands, on the other team
        self._run(macro, ticket)
        self.assertFalse(ticket.user_id)

    def test_custom_fields(self):
        """The type's custom fields given by the macro are written, the
        ticket's other values kept; a ticket of another type is refused."""
        kind = self.env["spid.ticket.type"].create(
            {
                "name": "Hardware",
                "properties_definition": [
                    {
                        "name": "hw_kind",
                        "string": "Hardware type",
                        "type": "selection",
                        "selection": [["printer", "Printer"], ["laptop", "Laptop"]],
                    },
                    {"name": "serial", "string": "Serial", "type": "char"},
                    {"name": "tags", "string": "Tags", "type": "tags", "tags": [["urgent", "Urgent", 1]]},
                ],
            }
        )
        macro = self.env["spid.ticket.macro"].create(
            {
                "name": "Printer, urgent",
                "type_id": kind.id,
                "properties": {"hw_kind": "printer", "tags": ["urgent"]},
            }
        )
        self.assertIn("Hardware type", macro.preview)
        ticket = self._ticket(user=self.agent, type_id=kind.id, properties={"serial": "SN-1"})
        self._run(macro, ticket)
        self.assertEqual(ticket.properties, {"hw_kind": "printer", "serial": "SN-1", "tags": ["urgent"]})
        untyped = self._ticket(user=self.agent)
        with self.assertRaisesRegex(UserError, "fills in fields of type Hardware"):
            self._run(macro, untyped)

    def test_preview_says_what_it_does(self):
        preview = self.macro_phone.preview
        for text in ("Take the ticket", "Log 00:15", "Reply to the customer", "Close the ticket"):
            self.assertIn(text, preview)
        self.assertLess(preview.index("Log 00:15"), preview.index("Reply to the customer"))

    def test_preview_speaks_the_users_language(self):
        """The work unit's action in the preview is translated (the
        selection's label in the user's language)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        selection = self.env["ir.model.fields.selection"].search(
            [
                ("field_id.model", "=", "spid.ticket.macro"),
                ("field_id.name", "=", "workunit_action_type"),
                ("value", "=", "solution"),
            ]
        )
        selection.with_context(lang="fr_FR").name = "Résolution"
        self.env.registry.clear_cache()
        steps = "".join(self.macro_phone.with_context(lang="fr_FR")._spid_steps())
        self.assertIn("Résolution", steps)

    def test_definition_checked(self):
        Macro = self.env["spid.ticket.macro"]
        with self.assertRaisesRegex(ValidationError, "does nothing"):
            Macro.create({"name": "Nothing"})
        with self.assertRaisesRegex(ValidationError, "resolution and the epilogue"):
            Macro.create({"name": "Close", "status_id": self.st_closed.id, "epilogue": False})
        with self.assertRaisesRegex(ValidationError, "choose the agent"):
            Macro.create({"name": "Give", "owner_mode": "user"})

    # ------------------------------------------------------------------
    # Several tickets: each all or nothing
    # ------------------------------------------------------------------

    def test_several_tickets_each_all_or_nothing(self):
        """The agent closes their two tickets; the colleague's ticket is
        refused (only its owner closes it) and keeps nothing of the run:
        no reply, no work unit, not closed."""
        mine = self._ticket(user=self.agent, user_id=self.agent.id) | self._ticket(
            user=self.agent, user_id=self.agent.id
        )
        theirs = self._ticket(user=self.agent_2, user_id=self.agent_2.id)
        macro = self.macro_phone
        macro.owner_mode = False
        result = self._run(macro, mine | theirs)
        self.assertEqual(sorted(result["done"]), sorted(mine.ids))
        self.assertEqual([ticket_id for ticket_id, _msg in result["failed"]], theirs.ids)
        self.assertIn("Only the owner of ticket", result["failed"][0][1])
        self.assertEqual(mine.mapped("is_closed"), [True, True])
        self.assertEqual(len(mine.workunit_ids), 2)
        self.assertFalse(theirs.is_closed)
        self.assertFalse(theirs.workunit_ids)
        self.assertFalse(self._comments(theirs))
        self.assertEqual(len(self._comments(mine[0])), 1)

    def test_duplicate_ids_run_once(self):
        """The same ids sent again and again: each ticket runs once (one
        reply, one work unit)."""
        mine = self._ticket(user=self.agent, user_id=self.agent.id) | self._ticket(
            user=self.agent, user_id=self.agent.id
        )
        macro = self.macro_phone.with_user(self.agent)
        result = macro.spid_run(mine.ids * 25)
        self.assertEqual(sorted(result["done"]), sorted(mine.ids))
        self.assertEqual(len(mine.workunit_ids), 2)
        for ticket in mine:
            self.assertEqual(len(self._comments(ticket)), 1)
        single = self._ticket(user=self.agent, user_id=self.agent.id)
        self.macro_wait.with_user(self.agent).spid_run([single.id] * 50)
        self.assertEqual(len(self._comments(single)), 1)

    def test_refused_ticket_sends_no_live_event(self):
        """A run where one ticket is refused after its reply was written
        (closing: only its owner may): the rolled-back attempts announce
        nothing, neither the all-at-once try nor the refused ticket; the
        tickets done announce their reply once."""
        mine = self._ticket(user=self.agent, user_id=self.agent.id)
        theirs = self._ticket(user=self.agent_2, user_id=self.agent_2.id)
        macro = self.macro_phone
        macro.owner_mode = False
        earlier = self._ticket(user=self.agent)
        self.env.cr.precommit.run()
        self.env["bus.bus"].sudo().search([]).unlink()
        # a change of the same transaction before the run: announced, once
        earlier.priority = "2"
        result = self._run(macro, mine | theirs)
        self.assertEqual([ticket_id for ticket_id, _msg in result["failed"]], theirs.ids)
        self.env.cr.precommit.run()
        events = {}
        for row in self.env["bus.bus"].sudo().search([], order="id"):
            message = json.loads(row.message)
            channel = json.loads(row.channel)
            events.setdefault((message["type"], tuple(channel[1:])), []).append(message["payload"])
        portal = "spid.ticket/portal_message"
        live = "spid.ticket/live_event"
        self.assertNotIn((portal, ("spid.ticket", theirs.id, "spid_portal")), events)
        self.assertFalse(
            [
                e
                for e in events.get((live, ("spid.ticket", theirs.id, "spid_live")), [])
                if e["kind"] != "presence"
            ],
            "no banner for the refused ticket",
        )
        # every message an event names exists: none of a rolled-back attempt
        named = {p["message_id"] for payloads in events.values() for p in payloads if p.get("message_id")}
        self.assertTrue(named)
        self.assertEqual(len(self.env["mail.message"].browse(named).exists()), len(named))
        self.assertEqual(len(events[(portal, ("spid.ticket", mine.id, "spid_portal"))]), 1)
        replies = [e for e in events[(live, ("spid.ticket", mine.id, "spid_live"))] if e["kind"] == "reply"]
        self.assertEqual(len(replies), 1, "the reply of the done ticket is announced once")
        self.assertIn(replies[0]["message_id"], mine.message_ids.ids)
        changed = events.get(
            ("spid.ticket/live_changed", ("res.company", self.env.company.id, "spid_live_supervisors"))
        )
        self.assertEqual(
            sorted(i for payload in changed for i in payload["ids"]), sorted((mine | earlier).ids)
        )

    def test_wizard_from_the_list(self):
        """The Actions menu's wizard: the macros of the selected tickets'
        team, then a summary of what was refused."""
        mine = self._ticket(user=self.agent, user_id=self.agent.id)
        theirs = self._ticket(user=self.agent_2, user_id=self.agent_2.id)
        Wizard = self.env["spid.ticket.macro.run.wizard"].with_user(self.agent)
        wizard = Wizard.with_context(active_model="spid.ticket", active_ids=(mine | theirs).ids).create(
            {"macro_id": self.macro_phone.id}
        )
        self.assertEqual(wizard.ticket_ids, mine | theirs)
        self.assertIn(self.macro_phone, wizard.available_macro_ids)
        self.assertIn(self.macro_wait, wizard.available_macro_ids)
        self.assertNotIn(self.macro_other_team, wizard.available_macro_ids)
        self.macro_phone.owner_mode = False
        action = wizard.action_run()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn(theirs.reference, action["params"]["message"])
        self.assertTrue(mine.is_closed)
        self.assertFalse(theirs.is_closed)
        # a ticket without team: the macros of every team only
        loose = self._ticket(user=self.agent, category_id=False)
        loose.team_id = False
        wizard = Wizard.with_context(active_model="spid.ticket", active_ids=loose.ids).create(
            {"macro_id": self.macro_wait.id}
        )
        self.assertIn(self.macro_wait, wizard.available_macro_ids)
        self.assertNotIn(self.macro_phone, wizard.available_macro_ids)
        # from the form: one ticket, its error as is
        form_action = theirs.with_user(self.agent).action_open_macro_wizard()
        wizard = Wizard.with_context(**form_action["context"]).create({"macro_id": self.macro_phone.id})
        self.assertEqual(wizard.ticket_ids, theirs)
        with self.assertRaisesRegex(AccessError, "Only the owner of ticket"):
            wizard.action_run()

    # ------------------------------------------------------------------
    # Refusals: never more than the agent could do by hand
    # ------------------------------------------------------------------

    def test_transition_reserved_to_supervisors(self):
        transition = self.env.ref("spid_helpdesk.transition_new_pending_customer")
        transition.group_ids = self.env.ref("spid_helpdesk.group_spid_supervisor")
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        before = len(ticket.message_ids)
        with self.assertRaisesRegex(AccessError, "Only .* may move a ticket from New to Pending customer"):
            self._run(self.macro_wait, ticket)
        self.assertEqual(len(ticket.message_ids), before)
        self.assertEqual(ticket.status_id, self.st_new)
        # the supervisor may
        self._run(self.macro_wait, ticket, user=self.supervisor)
        self.assertEqual(ticket.status_id, self.st_customer)

    def test_status_outside_the_workflow(self):
        """From Closed only the history step is allowed: a macro moving a
        closed ticket to Pending customer is refused as the status bar is."""
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.with_user(self.agent).write(self._close_values(self.st_closed))
        with self.assertRaisesRegex(UserError, "cannot go from Closed to Pending customer"):
            self._run(self.macro_wait, ticket)

    def test_locked_ticket(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.with_user(self.agent).write(self._close_values(self.st_closed))
        ticket.with_user(self.agent).action_lock()
        with self.assertRaisesRegex(UserError, "is locked"):
            self._run(self.macro_wait, ticket)
        self.assertFalse(self._comments(ticket))

    def test_take_only_tickets_of_own_team(self):
        """Owner "me" is the Take it button: not on another team's ticket."""
        ticket = self._ticket(user=self.agent, category_id=self.category_other.id)
        ticket.participant_ids = self.agent  # visible to the agent, not of their team
        macro = self.macro_phone
        macro.team_ids = False
        with self.assertRaisesRegex(AccessError, "only its members or a supervisor may take it"):
            self._run(macro, ticket)
        self.assertFalse(ticket.workunit_ids)

    def test_macro_of_another_team(self):
        """A macro of another team: not offered, not readable, not run; a
        macro for one team does not run on another team's ticket."""
        ticket = self._ticket(user=self.agent)
        Macro = self.env["spid.ticket.macro"].with_user(self.agent)
        self.assertNotIn(self.macro_other_team, Macro.search([]))
        with self.assertRaises(AccessError):
            self._run(self.macro_other_team, ticket)
        self.assertEqual(ticket.priority, "1")
        # the other team's agent, on a ticket of the first team they can see
        ticket.participant_ids = self.agent_other
        with self.assertRaisesRegex(AccessError, "is for the tickets of Elsewhere"):
            self._run(self.macro_other_team, ticket, user=self.agent_other)
        self.assertEqual(ticket.priority, "1")

    def test_macro_of_another_company(self):
        other = self.env["res.company"].create({"name": "Other company"})
        macro = self.env["spid.ticket.macro"].create(
            {"name": "Elsewhere's", "company_id": other.id, "set_priority": "3"}
        )
        ticket = self._ticket(user=self.agent)
        with self.assertRaises(AccessError):
            self._run(macro, ticket)
        # a user of both companies still runs it on its own company's tickets only
        self.supervisor.company_ids |= other
        with self.assertRaisesRegex(AccessError, "belongs to company Other company"):
            macro.with_user(self.supervisor).with_context(
                allowed_company_ids=[self.env.company.id, other.id]
            ).spid_run(ticket.ids)

    def test_archived_macro(self):
        ticket = self._ticket(user=self.agent)
        self.macro_wait.active = False
        with self.assertRaisesRegex(UserError, "is archived"):
            self.macro_wait.with_user(self.agent).with_context(active_test=False).spid_run(ticket.ids)

    def test_employee_runs_nothing(self):
        employee = new_test_user(self.env, "hd_employee_macro", groups="base.group_user")
        ticket = self._ticket(partner_id=employee.partner_id.id)
        with self.assertRaises(AccessError):
            self._run(self.macro_wait, ticket, user=employee)

    # ------------------------------------------------------------------
    # Attacks
    # ------------------------------------------------------------------

    def test_agent_cannot_edit_macros(self):
        macro = self.macro_wait.with_user(self.agent)
        with self.assertRaises(AccessError):
            macro.write({"status_id": self.st_closed.id})
        with self.assertRaises(AccessError):
            self.env["spid.ticket.macro"].with_user(self.agent).create({"name": "Mine", "set_priority": "3"})
        with self.assertRaises(AccessError):
            macro.unlink()
        # the manager manages them
        self.macro_wait.with_user(self.manager).write({"name": "Answered"})
        self.assertEqual(self.macro_wait.name, "Answered")

    def test_hostile_context(self):
        """A caller's context changes nothing: not the work unit's author,
        visibility or hours (default_*), not the tracking, not the lock."""
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        macro = self.macro_phone.with_user(self.agent).with_context(
            default_user_id=self.agent_2.id,
            default_visibility="public",
            default_duration=8,
            default_billable=False,
            default_shared_user_ids=[self.agent_other.id],
            default_message_type="notification",
            default_subtype_id=self.env.ref("mail.mt_note").id,
            tracking_disable=True,
            mail_notrack=True,
            spid_system=True,
            spid_quiet_close=True,
        )
        macro.spid_run(ticket.ids)
        unit = ticket.workunit_ids
        self.assertEqual(
            (unit.user_id, unit.visibility, unit.duration, unit.billable, unit.shared_user_ids),
            (self.agent, "internal", 0.25, True, self.env["res.users"]),
        )
        self.assertEqual(len(self._comments(ticket)), 1)
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = ticket.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("status_id", tracked)
        # the lock switch is an object only our code makes: a string is nothing
        locked = self._ticket(user=self.agent, user_id=self.agent.id)
        locked.with_user(self.agent).write(self._close_values(self.st_closed))
        locked.with_user(self.agent).action_lock()
        with self.assertRaisesRegex(UserError, "is locked"):
            self.macro_wait.with_user(self.agent).with_context(spid_system="spid_system").spid_run(locked.ids)

    def test_bad_ticket_ids(self):
        macro = self.macro_wait.with_user(self.agent)
        for bad in ("1", [True], None, [{"id": 1}]):
            with self.assertRaisesRegex(UserError, "list of ticket ids"):
                macro.spid_run(bad)
        with self.assertRaisesRegex(UserError, "Choose the tickets"):
            macro.spid_run([99999999])

    def test_ticket_the_agent_cannot_see(self):
        hidden = self._ticket(category_id=self.category_other.id)
        macro = self.env["spid.ticket.macro"].create({"name": "Low", "set_priority": "0"})
        with self.assertRaises(AccessError):
            self._run(macro, hidden)
        self.assertEqual(hidden.priority, "1")

    def test_template_rendered_as_the_user(self):
        """A reply reading what the agent may not read (the cost of the
        work, supervisors only) is refused, nothing posted; the
        supervisor's run posts it."""
        self.template.body_html = '<p>Cost: <t t-out="object.workunit_ids[:1].cost"/></p>'
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id, "duration": 1})
        self.env.invalidate_all()  # a request starts with nothing read
        with self.assertRaisesRegex(UserError, "cannot be written as you"):
            self._run(self.macro_wait, ticket)
        self.assertFalse(self._comments(ticket))
        self.assertEqual(ticket.status_id, self.st_new)
        self.env.invalidate_all()
        self._run(self.macro_wait, ticket, user=self.supervisor)
        self.assertIn("Cost: 0.0", self._comments(ticket).body)

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------

    def test_query_budget(self):
        """Running "Answered, waiting for customer" (reply + status) on 1
        and on 10 tickets, precommit (tracking, notifications) included: the
        status moves in one write; the reply is rendered in one batch and
        posted per ticket (message_post is per record)."""
        macro = self.macro_wait.with_user(self.agent)

        def measure(count):
            tickets = self.env["spid.ticket"].browse(
                [
                    self._ticket(user=self.agent, user_id=self.agent.id, run_jobs=False).id
                    for _i in range(count)
                ]
            )
            self._run_jobs()
            return count_queries(self, macro.spid_run, tickets.ids, precommit=True)

        # the first runs fill the registry's caches
        counts = {count: [measure(count) for _i in range(3)][-1] for count in (1, 10)}
        self.assertEqual(counts, {1: MACRO_BUDGET_1, 10: MACRO_BUDGET_10}, "macro on 1 and on 10 tickets")


MACRO_BUDGET_1 = 82
MACRO_BUDGET_10 = 453


@tagged("post_install", "-at_install")
class TestMacroRunDialogRpc(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    """The run dialog over JSON-RPC, as an attacker with a hostile context:
    it never shows a macro the agent may not read, nor a colleague's dialog."""

    def test_run_dialog_never_shows_another_macro(self):
        Macro = self.env["spid.ticket.macro"]
        every_team = Macro.create({"name": "Every team's", "set_priority": "2"})
        other_team = Macro.create(
            {
                "name": "Plumbing secrets",
                "team_ids": [Command.set(self.team_other.ids)],
                "set_priority": "3",
                "description": "Only for the plumbing team: the CEO's flood",
            }
        )
        other_company = Macro.create(
            {
                "name": "Elsewhere's",
                "company_id": self.env["res.company"].create({"name": "Other company"}).id,
                "set_priority": "3",
                "description": "Another company's secret",
            }
        )
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        kwargs = {"context": {"active_test": False, "uid": 1, "su": True, "spid_system": True}}
        model = "spid.ticket.macro.run.wizard"
        spec = {"macro_id": {"fields": {"display_name": {}}}, "preview": {}, "macro_description": {}}
        for macro in (other_team, other_company):
            result = self._rpc(
                "hd_agent",
                model,
                "create",
                [{"ticket_ids": [[6, 0, ticket.ids]], "macro_id": macro.id}],
                kwargs,
            )
            self.assertIn("AccessError", result["error"]["data"]["name"], macro.name)
        wizard_id = self._rpc(
            "hd_agent",
            model,
            "create",
            [{"ticket_ids": [[6, 0, ticket.ids]], "macro_id": every_team.id}],
            kwargs,
        )["result"]
        for macro in (other_team, other_company):
            result = self._rpc("hd_agent", model, "write", [[wizard_id], {"macro_id": macro.id}], kwargs)
            self.assertIn("AccessError", result["error"]["data"]["name"], macro.name)
        result = self._rpc("hd_agent", model, "web_read", [[wizard_id]], {"specification": spec, **kwargs})
        self.assertEqual(result["result"][0]["macro_id"]["id"], every_team.id)
        self.assertIn("Set the priority", result["result"][0]["preview"])
        # a colleague's dialog on the other team's macro: out of reach
        their_wizard = (
            self.env[model]
            .with_user(self.agent_other)
            .create(
                {
                    "ticket_ids": [Command.set(self._ticket(category_id=self.category_other.id).ids)],
                    "macro_id": other_team.id,
                }
            )
        )
        for method, args, extra in [
            ("web_read", [[their_wizard.id]], {"specification": spec}),
            ("read", [[their_wizard.id], ["macro_id", "preview"]], {}),
        ]:
            result = self._rpc("hd_agent", model, method, args, {**extra, **kwargs})
            self.assertIn("AccessError", result["error"]["data"]["name"], method)
            self.assertNotIn("Plumbing secrets", json.dumps(result), method)
        self.assertNotIn("CEO", json.dumps(result))
        result = self._rpc("hd_agent", model, "search_read", [[]], {"fields": ["macro_id"], **kwargs})
        self.assertEqual([row["id"] for row in result["result"]], [wizard_id])
