from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestAccess(SpidHelpdeskCommon):
    def test_agent_sees_own_team_not_other_team(self):
        mine = self._ticket()
        foreign = self._ticket(category_id=self.category_other.id)
        Ticket = self.env["spid.ticket"].with_user(self.agent)
        visible = Ticket.search([("id", "in", (mine | foreign).ids)])
        self.assertEqual(visible, mine)
        with self.assertRaises(AccessError):
            foreign.with_user(self.agent).read(["name"])
        with self.assertRaises(AccessError):
            foreign.with_user(self.agent).write({"name": "hijack"})
        with self.assertRaises(AccessError):
            self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": foreign.id, "duration": 1})

    def test_agent_sees_assigned_and_participating_not_followed(self):
        assigned = self._ticket(category_id=self.category_other.id, user_id=self.agent.id)
        participating = self._ticket(
            category_id=self.category_other.id, participant_ids=[(6, 0, self.agent.ids)]
        )
        # following grants nothing: access comes from the record rules only
        followed = self._ticket(category_id=self.category_other.id)
        followed.message_subscribe(partner_ids=self.agent.partner_id.ids)
        hidden = self._ticket(category_id=self.category_other.id)
        all_ = assigned | participating | followed | hidden
        visible = self.env["spid.ticket"].with_user(self.agent).search([("id", "in", all_.ids)])
        self.assertEqual(visible, assigned | participating)
        with self.assertRaises(AccessError):
            followed.with_user(self.agent).read(["name"])

    def test_supervisor_sees_everything(self):
        tickets = self._ticket() | self._ticket(category_id=self.category_other.id)
        visible = self.env["spid.ticket"].with_user(self.supervisor).search([("id", "in", tickets.ids)])
        self.assertEqual(visible, tickets)

    def test_agent_cannot_delete_supervisor_can(self):
        ticket = self._ticket(user=self.agent)
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).unlink()
        ticket.with_user(self.supervisor).unlink()
        self.assertFalse(ticket.exists())

    def test_workunits_follow_ticket_visibility(self):
        foreign = self._ticket(category_id=self.category_other.id)
        unit = (
            self.env["spid.workunit"]
            .with_user(self.agent_other)
            .create({"ticket_id": foreign.id, "duration": 1, "user_id": self.agent_other.id})
        )
        self.assertFalse(self.env["spid.workunit"].with_user(self.agent).search([("id", "=", unit.id)]))
        self.assertTrue(self.env["spid.workunit"].with_user(self.supervisor).search([("id", "=", unit.id)]))

    def test_agent_edits_only_own_workunits(self):
        ticket = self._ticket()
        own = self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id, "duration": 1})
        other = (
            self.env["spid.workunit"].with_user(self.agent_2).create({"ticket_id": ticket.id, "duration": 2})
        )
        own.with_user(self.agent).write({"duration": 1.5})
        with self.assertRaises(AccessError):
            other.with_user(self.agent).write({"duration": 0.1})
        other.with_user(self.supervisor).write({"duration": 2.5})
        self.assertEqual(ticket.total_hours, 4.0)

    def test_multi_company_isolation(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        self.supervisor.company_ids |= company_b
        ticket_b = self._ticket(company_id=company_b.id, category_id=False)
        main = self.env.company
        Ticket = (
            self.env["spid.ticket"].with_user(self.supervisor).with_context(allowed_company_ids=[main.id])
        )
        self.assertFalse(Ticket.search([("id", "=", ticket_b.id)]), "B is not an active company")
        self.assertTrue(
            Ticket.with_context(allowed_company_ids=[company_b.id]).search([("id", "=", ticket_b.id)])
        )
        self.assertFalse(
            self.env["spid.ticket"].with_user(self.agent).search([("id", "=", ticket_b.id)]),
            "an agent without company B never sees it",
        )

    def test_configuration_only_for_managers(self):
        with self.assertRaises(AccessError):
            self.env["spid.ticket.status"].with_user(self.supervisor).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.env["spid.team"].with_user(self.agent).create({"name": "Rogue"})
        self.env["spid.ticket.status"].with_user(self.manager).create({"name": "Manager's"})

    def test_portal_user_has_no_backend_access(self):
        # a customer who did not ask for it (the portal addon lets the
        # requester read their own ticket, nothing more)
        stranger = self.env["res.users"].create(
            {
                "name": "Stranger",
                "login": "hd_stranger",
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        ticket = self._ticket()
        with self.assertRaises(AccessError):
            ticket.with_user(stranger).read(["name"])
        with self.assertRaises(AccessError):
            self.env["spid.workunit"].with_user(self.portal_user).search([])
