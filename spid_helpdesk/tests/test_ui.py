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
