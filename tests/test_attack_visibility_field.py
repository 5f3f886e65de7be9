"""Attacks on `visible_to_agent_id`, the search-only field that holds the
agent's record rule: over JSON-RPC, with any context, searching it in
someone else's name (a supervisor's, another team's agent's) or in a form
that would negate it only narrows what one's own rules show, or is
refused with a clear error."""

from attack_common import AGENT, HOSTILE_CONTEXT, SUPERVISOR, JsonRpcAttacker, RefusalAsserts

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAttackVisibilityField(RefusalAsserts, JsonRpcAttacker, HttpCase):
    hostile_context = dict(HOSTILE_CONTEXT, active_test=False)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["spid.sla.policy"].search([]).active = False
        cls.agent = new_test_user(env, "vis_agent", groups=AGENT)
        cls.agent_b = new_test_user(env, "vis_agent_b", groups=AGENT)
        cls.supervisor = new_test_user(env, "vis_supervisor", groups=SUPERVISOR)
        requester = env["res.partner"].create({"name": "Vis requester"})
        Team = env["spid.team"]
        team_a = Team.create({"name": "Vis A", "member_ids": cls.agent.ids, "assignment": "none"})
        team_b = Team.create({"name": "Vis B", "member_ids": cls.agent_b.ids, "assignment": "none"})
        Ticket = env["spid.ticket"]
        cls.ticket_a = Ticket.create({"name": "VIS-A", "partner_id": requester.id, "team_id": team_a.id})
        cls.ticket_b = Ticket.create(
            {"name": "VIS-B-SECRET", "partner_id": requester.id, "team_id": team_b.id}
        )
        cls.units = env["spid.workunit"].create(
            [
                {"ticket_id": ticket.id, "duration": 1.0, "description": ticket.name}
                for ticket in cls.ticket_a | cls.ticket_b
            ]
        )

    def _search(self, model, domain):
        result, error = self._call_kw(model, "search_read", [domain], {"fields": ["display_name"]})
        self.assertFalse(error, error)
        return {row["id"] for row in result}

    def test_searching_in_someone_elses_name_only_narrows(self):
        self._login(self.agent)
        ticket_domain = [("id", "in", (self.ticket_a | self.ticket_b).ids)]
        for uid in (self.supervisor.id, self.agent_b.id, 1, self.agent.id):
            found = self._search("spid.ticket", ticket_domain + [("visible_to_agent_id", "=", uid)])
            self.assertNotIn(self.ticket_b.id, found, f"as user {uid}")
            units = self._search(
                "spid.workunit",
                [("ticket_id", "in", ticket_domain[0][2]), ("ticket_id.visible_to_agent_id", "=", uid)],
            )
            self.assertNotIn(self.units[1].id, units, f"as user {uid}")
        self.assertEqual(
            self._search("spid.ticket", ticket_domain + [("visible_to_agent_id", "=", self.agent.id)]),
            {self.ticket_a.id},
        )
        # read_group and a count go through the same rules
        result, error = self._call_kw(
            "spid.ticket", "search_count", [ticket_domain + [("visible_to_agent_id", "=", self.agent_b.id)]]
        )
        self.assertFalse(error, error)
        self.assertEqual(result, 0)

    def test_negated_or_odd_searches_are_refused(self):
        self._login(self.agent)
        for domain in (
            ["!", ("visible_to_agent_id", "=", self.agent.id)],
            [("visible_to_agent_id", "!=", self.agent.id)],
            [("visible_to_agent_id", "not in", [self.agent_b.id])],
            [("visible_to_agent_id", "=", False)],
            [("visible_to_agent_id", "=", True)],
            [("visible_to_agent_id", "ilike", "vis")],
            [("visible_to_agent_id", "in", [self.agent.id, self.agent_b.id])],
        ):
            error = self.assertRefusedRpc("spid.ticket", "search_read", [domain], {"fields": ["name"]})
            self.assertIn("Visible to agent", str(error), domain)

    def test_reading_the_field_tells_nothing_about_others(self):
        self._login(self.agent)
        result, error = self._call_kw("spid.ticket", "read", [self.ticket_a.ids, ["visible_to_agent_id"]])
        self.assertFalse(error, error)
        self.assertEqual(result[0]["visible_to_agent_id"][0], self.agent.id)
        self.assertRefusedRpc("spid.ticket", "read", [self.ticket_b.ids, ["visible_to_agent_id"]])
