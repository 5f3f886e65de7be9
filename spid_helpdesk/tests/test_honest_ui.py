from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tools.discuss import Store

from .common import JsonRpcMixin, SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestHonestUi(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    """The agent's screens offer what the server allows, and the server
    still refuses the rest when asked directly (JSON-RPC)."""

    def _form_arch(self, model="spid.ticket"):
        return etree.fromstring(self.env[model].get_view(view_type="form")["arch"])

    # 1. the status bar

    def test_status_bar_offers_the_allowed_statuses_only(self):
        ticket = self._ticket(user_id=self.agent.id)
        mine = ticket.with_user(self.agent)
        self.assertEqual(
            mine.allowed_status_ids,
            self.st_new | self.st_assigned | self.st_progress | self.st_customer | self.st_closed,
        )
        other = ticket.with_user(self.agent_2)
        self.assertEqual(
            other.allowed_status_ids,
            self.st_new | self.st_assigned | self.st_progress | self.st_customer,
            "only the owner or a supervisor closes",
        )
        self.assertEqual(
            ticket.with_user(self.supervisor).allowed_status_ids,
            mine.allowed_status_ids,
            "a supervisor closes",
        )
        statusbar = self._form_arch().xpath("//header/field[@name='status_id']")[0]
        self.assertEqual(statusbar.get("domain"), "[('id', 'in', allowed_status_ids)]")

    def test_status_bar_of_a_locked_ticket_offers_nothing(self):
        ticket = self._ticket(user_id=self.agent.id)
        ticket.with_user(self.agent).write(self._close_values(self.st_closed))
        ticket.with_user(self.agent).action_lock()
        mine = ticket.with_user(self.agent)
        self.assertEqual(mine.allowed_status_ids, self.st_closed)
        self.assertFalse(mine.can_close)
        self.assertEqual(ticket.with_user(self.manager).allowed_status_ids, self.st_closed)

    def test_forbidden_statuses_are_refused_over_rpc(self):
        ticket = self._ticket(user_id=self.agent.id)
        spec = {"status_id": {}}
        for status in (self.st_closed, self.st_third):
            answer = self._rpc(
                "hd_agent2",
                "spid.ticket",
                "web_save",
                [[ticket.id], dict(self._close_values(status), status_id=status.id)],
                {"specification": spec, "context": {"tracking_disable": True}},
            )
            self.assertIn("error", answer, status.name)
        self.assertEqual(ticket.status_id, self.st_new)
        answer = self._rpc(
            "hd_agent2",
            "spid.ticket",
            "web_save",
            [[ticket.id], {"status_id": self.st_progress.id}],
            {"specification": spec},
        )
        self.assertEqual(answer["result"][0]["status_id"], self.st_progress.id)

    # 2. close, take, escalate

    def test_close_is_offered_to_who_may_close(self):
        ticket = self._ticket(user_id=self.agent.id)
        self.assertTrue(ticket.with_user(self.agent).can_close)
        self.assertTrue(ticket.with_user(self.supervisor).can_close)
        self.assertFalse(ticket.with_user(self.agent_2).can_close)
        button = self._form_arch().xpath("//button[@name='action_open_close_wizard']")[0]
        self.assertEqual(button.get("invisible"), "not id or not can_close")

    def test_take_it_only_within_the_team(self):
        ticket = self._ticket(participant_ids=[(6, 0, self.agent_other.ids)])
        outsider = ticket.with_user(self.agent_other)
        self.assertFalse(outsider.can_take, "an agent of another team reads it, but does not take it")
        with self.assertRaisesRegex(AccessError, "only its members or a supervisor"):
            outsider.action_take()
        answer = self._rpc("hd_agent_other", "spid.ticket", "action_take", [ticket.ids])
        self.assertIn("error", answer)
        self.assertFalse(ticket.user_id)
        self.assertTrue(ticket.with_user(self.agent_2).can_take)
        self.assertTrue(ticket.with_user(self.supervisor).can_take)
        loose = self._ticket(category_id=False)
        self.assertFalse(loose.team_id)
        self.assertTrue(loose.with_user(self.agent_other).can_take, "a ticket without team is anyone's")
        loose.with_user(self.agent_other).action_take()
        self.assertEqual(loose.user_id, self.agent_other)
        self.assertFalse(loose.with_user(self.agent_other).can_take, "it is already theirs")

    def test_escalation_offers_the_other_agents_of_the_team(self):
        ticket = self._ticket(user_id=self.agent.id)
        wizard = (
            self.env["spid.ticket.escalate.wizard"]
            .with_user(self.agent)
            .create({"ticket_id": ticket.id, "user_id": self.agent_2.id, "reason": "On leave"})
        )
        self.assertEqual(wizard.candidate_ids, self.agent_2, "not the owner, not outside the team")
        wizard.user_id = self.manager
        with self.assertRaisesRegex(UserError, "cannot take over ticket"):
            wizard.action_confirm()
        answer = self._rpc(
            "hd_agent",
            "spid.ticket.escalate.wizard",
            "create",
            [{"ticket_id": ticket.id, "user_id": self.agent.id, "reason": "Myself"}],
        )
        wizard_id = answer["result"][0] if isinstance(answer["result"], list) else answer["result"]
        answer = self._rpc("hd_agent", "spid.ticket.escalate.wizard", "action_confirm", [[wizard_id]])
        self.assertIn("cannot take over ticket", answer["error"]["data"]["message"])
        self.assertEqual(ticket.user_id, self.agent)

    # 3. new and locked tickets

    def test_new_and_locked_tickets_hide_what_they_cannot_do(self):
        arch = self._form_arch()
        for name in (
            "action_take",
            "action_open_close_wizard",
            "action_print_workorder",
            "action_open_escalate_wizard",
            "action_open_split_wizard",
            "action_open_merge_wizard",
        ):
            self.assertTrue(
                arch.xpath(f"//header/button[@name='{name}']")[0].get("invisible").startswith("not id")
            )
        self.assertEqual(arch.xpath("//div[@name='button_box']")[0].get("invisible"), "not id")
        # locked, or closed under a read-only policy (workflow options, #19)
        self.assertEqual(
            arch.xpath("//field[@name='notify_customer']")[0].get("readonly"),
            "is_locked or closed_edit != 'all'",
        )

    # 4. the client field

    def test_client_field_offers_companies_only(self):
        field = self._form_arch().xpath("//group[@name='requester']/field[@name='client_id']")[0]
        domain = safe_eval(field.get("domain"))
        offered = self.env["res.partner"].search(domain)
        self.assertIn(self.client, offered)
        self.assertIn(self.other_client, offered)
        self.assertNotIn(self.requester, offered, "a person is not a client")
        self.assertNotIn(self.agent.partner_id, offered, "an employee is not a client")
        self.assertNotIn(self.env.company.partner_id, offered, "nor our own company")
        self.assertIn("'default_is_company': True", field.get("context"))

    # 5. internal work as notes

    def test_internal_work_units_are_drawn_as_notes(self):
        ticket = self._ticket(user_id=self.agent.id)
        Unit = self.env["spid.workunit"].with_user(self.agent)
        Unit.create({"ticket_id": ticket.id, "visibility": "internal", "description": "<p>Root cause</p>"})
        internal = ticket.message_ids[0]
        Unit.create({"ticket_id": ticket.id, "visibility": "public", "description": "<p>Fixed it</p>"})
        public = ticket.message_ids[0]
        data = Store(internal | public).get_result()["mail.message"]
        is_note = {message["id"]: message["is_note"] for message in data}
        self.assertEqual(is_note, {internal.id: True, public.id: False})
        self.assertNotIn(self.requester, internal.notified_partner_ids, "customers never get internal work")

    # 6. small ones

    def test_a_new_ticket_has_a_name(self):
        self.assertEqual(self.env["spid.ticket"].new({}).display_name, "New ticket")
        self.assertEqual(self.env["spid.ticket"].new({"name": "Fax"}).display_name, "Fax")
        ticket = self._ticket()
        self.assertEqual(ticket.display_name, f"[{ticket.reference}] Printer is down")

    def test_time_spent_follows_the_lines_being_edited(self):
        ticket = self._ticket(user_id=self.agent.id)
        with Form(ticket.with_user(self.agent)) as form:
            with form.workunit_ids.new() as line:
                line.duration = 1.5
            self.assertEqual(form.total_hours, 1.5, "not 00:00 while the line is edited")
        self.assertEqual(ticket.total_hours, 1.5)

    def test_statistics_name_the_status_once(self):
        ticket = self._ticket(user_id=self.agent.id)
        ticket.with_user(self.agent).status_id = self.st_progress
        ticket.invalidate_recordset()
        self.assertIn("Status In progress (hours)", ticket.statistics_html)
        self.assertNotIn("In In progress", ticket.statistics_html)

    def test_helpdesk_comes_before_discuss(self):
        menus = self.env["ir.ui.menu"].with_user(self.agent).load_menus(False)
        first = menus[menus["root"]["children"][0]]
        self.assertEqual(first["xmlid"], "spid_helpdesk.menu_spid_root")
