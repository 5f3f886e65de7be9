from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin, run_ticket_jobs


@tagged("post_install", "-at_install")
class TestMacroUi(JsonRpcMixin, HttpCase):
    """Macros in Chromium and over JSON-RPC, as the agent and as an attacker."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["spid.sla.policy"].search([]).active = False
        groups = "base.group_user,spid_helpdesk.group_spid_agent"
        cls.agent = new_test_user(cls.env, "macro_agent", groups=groups, name="Tour Macro Agent")
        cls.outsider = new_test_user(cls.env, "macro_outsider", groups=groups, name="Outsider Agent")
        client = cls.env["res.partner"].create(
            {"name": "Macro Client", "is_company": True, "spid_is_client": True}
        )
        cls.requester = cls.env["res.partner"].create(
            {"name": "Macro Requester", "parent_id": client.id, "email": "requester@macro.example.com"}
        )
        cls.team = cls.env["spid.team"].create(
            {"name": "Macro Team", "member_ids": [Command.set(cls.agent.ids)], "assignment": "none"}
        )
        cls.team_other = cls.env["spid.team"].create(
            {"name": "Other Macro Team", "member_ids": [Command.set(cls.outsider.ids)], "assignment": "none"}
        )
        template = cls.env["mail.template"].create(
            {
                "name": "Solved by phone reply",
                "model_id": cls.env["ir.model"]._get_id("spid.ticket"),
                "subject": "[{{ object.reference }}] solved",
                "body_html": '<p>Your request <t t-out="object.reference"/> is solved by'
                ' <t t-out="user.name"/>.</p>',
            }
        )
        cls.macro = cls.env["spid.ticket.macro"].create(
            {
                "name": "Solved by phone",
                "team_ids": [Command.set(cls.team.ids)],
                "owner_mode": "me",
                "workunit_minutes": 15,
                "workunit_action_type": "solution",
                "template_id": template.id,
                "status_id": cls.env.ref("spid_helpdesk.status_closed").id,
                "resolution": "solved",
                "epilogue": "<p>Solved by phone.</p>",
            }
        )
        cls.ticket = cls.env["spid.ticket"].create(
            {"name": "Cannot print", "partner_id": cls.requester.id, "team_id": cls.team.id}
        )
        run_ticket_jobs(cls.env)

    def test_tour_solved_by_phone(self):
        self.start_tour(
            f"/odoo/action-spid_helpdesk.spid_ticket_action/{self.ticket.id}",
            "spid_ticket_macro_tour",
            login="macro_agent",
        )
        ticket = self.ticket
        self.assertTrue(ticket.is_closed)
        self.assertEqual(
            (ticket.user_id, ticket.closed_by_id, ticket.resolution), (self.agent, self.agent, "solved")
        )
        self.assertEqual(ticket.workunit_ids.mapped("duration"), [0.25])
        self.assertEqual(ticket.workunit_ids.user_id, self.agent)
        reply = ticket.message_ids.filtered(lambda m: m.subtype_id == self.env.ref("mail.mt_comment"))
        self.assertEqual(reply.author_id, self.agent.partner_id)
        self.assertIn(f"Your request {ticket.reference} is solved by Tour Macro Agent", reply.body)

    def test_rpc_attacks(self):
        """Over /web/dataset/call_kw: the other team's agent runs the macro
        with a hostile context, edits it, creates their own; each refused,
        the ticket untouched."""
        self.ticket.participant_ids = self.outsider  # they see the ticket
        hostile = {
            "active_test": False,
            "default_user_id": self.agent.id,
            "default_duration": 10,
            "spid_system": True,
            "tracking_disable": True,
        }
        answer = self._rpc(
            "macro_outsider",
            "spid.ticket.macro",
            "spid_run",
            [[self.macro.id], [self.ticket.id]],
            {"context": hostile},
        )
        self.assertIn("error", answer)
        self.assertIn("AccessError", answer["error"]["data"]["name"])
        answer = self._rpc(
            "macro_outsider", "spid.ticket.macro", "write", [[self.macro.id], {"team_ids": [[6, 0, []]]}]
        )
        self.assertIn("error", answer)
        answer = self._rpc(
            "macro_agent", "spid.ticket.macro", "create", [{"name": "Mine", "set_priority": "3"}]
        )
        self.assertIn("error", answer)
        self.assertIn("AccessError", answer["error"]["data"]["name"])
        # the team's agent, with the same context: the macro runs as for anyone
        answer = self._rpc(
            "macro_agent",
            "spid.ticket.macro",
            "spid_run",
            [[self.macro.id], [self.ticket.id]],
            {"context": hostile},
        )
        self.assertEqual(answer.get("result"), {"done": self.ticket.ids, "failed": []}, answer)
        self.assertEqual(self.ticket.workunit_ids.user_id, self.agent)
        self.assertEqual(self.ticket.workunit_ids.duration, 0.25)
        self.assertTrue(self.ticket.is_closed)
