from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTicketUi(HttpCase):
    """The main screen in Chromium, as an agent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env, "tour_agent", groups="base.group_user,spid_helpdesk.group_spid_agent", name="Tour Agent"
        )
        client = cls.env["res.partner"].create(
            {"name": "Tour Client", "is_company": True, "spid_is_client": True}
        )
        cls.requester = cls.env["res.partner"].create(
            {"name": "Tour Requester", "parent_id": client.id, "email": "requester@tour.example.com"}
        )
        cls.team = cls.env["spid.team"].create(
            {"name": "Tour Team", "member_ids": [(6, 0, cls.agent.ids)], "assignment": "none"}
        )
        cls.env["spid.ticket.category"].create({"name": "Tour Category", "team_id": cls.team.id})

    def test_operator_creates_and_takes_a_ticket(self):
        self.env["spid.ticket"].create({"name": "Already mine", "user_id": self.agent.id})
        self.start_tour("/odoo", "spid_ticket_phone_tour", login="tour_agent")
        ticket = self.env["spid.ticket"].search([("name", "=", "Tour printer is jammed")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.partner_id, self.requester)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.user_id, self.agent)
        self.assertEqual(ticket.editor_id, self.agent)
        self.assertEqual(ticket.status_id, self.env.ref("spid_helpdesk.status_assigned"))
        self.assertEqual(self.env["spid.ticket"].with_user(self.agent).spid_my_open_ticket_count(), 2)


class AgentJourney:
    """A colleague's ticket of the agent's team, with the colleague's
    internal work on it: the agent may move it along, not close it until
    they take it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,spid_helpdesk.group_spid_agent"
        cls.agent = new_test_user(cls.env, "journey_agent", groups=groups, name="Journey Agent")
        cls.colleague = new_test_user(cls.env, "journey_colleague", groups=groups, name="Journey Colleague")
        client = cls.env["res.partner"].create({"name": "Journey Client", "is_company": True})
        requester = cls.env["res.partner"].create(
            {"name": "Journey Requester", "parent_id": client.id, "email": "requester@journey.example.com"}
        )
        team = cls.env["spid.team"].create(
            {
                "name": "Journey Team",
                "member_ids": [(6, 0, (cls.agent | cls.colleague).ids)],
                "assignment": "none",
            }
        )
        cls.ticket = (
            cls.env["spid.ticket"]
            .with_user(cls.colleague)
            .create({"name": "Journey ticket", "partner_id": requester.id, "team_id": team.id})
        )
        cls.ticket.with_user(cls.colleague).action_take()
        cls.env["spid.workunit"].with_user(cls.colleague).create(
            {"ticket_id": cls.ticket.id, "visibility": "internal", "description": "<p>Root cause found</p>"}
        )

    def _journey(self, tour):
        self.assertEqual(self.ticket.status_id, self.env.ref("spid_helpdesk.status_assigned"))
        self.start_tour(
            f"/odoo/action-spid_helpdesk.spid_ticket_action/{self.ticket.id}", tour, login="journey_agent"
        )
        self.assertEqual(self.ticket.user_id, self.agent)


@tagged("post_install", "-at_install")
class TestAgentJourneyDesktop(AgentJourney, HttpCase):
    browser_size = "1366x768"

    def test_agent_journey(self):
        self._journey("spid_agent_desktop_tour")


@tagged("post_install", "-at_install")
class TestAgentJourneyPhone(AgentJourney, HttpCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_agent_journey(self):
        self._journey("spid_agent_phone_tour")
