from odoo.tests import tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestSearch(SpidHelpdeskCommon):
    def _text_search(self, user, text):
        """The search view's Text field, as the user types it; it finds what
        the four `ilike` terms it replaced found."""
        view = self.env.ref("spid_helpdesk.spid_ticket_view_search")
        self.assertIn('<field name="search_text"/>', view.arch)
        Ticket = self.env["spid.ticket"].with_user(user)
        found = Ticket.search([("search_text", "ilike", text)])
        domain = [
            "|", "|", "|",
            ("reference", "ilike", text),
            ("name", "ilike", text),
            ("description", "ilike", text),
            ("workunit_ids.description", "ilike", text),
        ]  # fmt: skip
        self.assertEqual(found, Ticket.search(domain))
        return found

    def test_full_text_over_title_description_and_workunits(self):
        by_title = self._ticket(name="Scanner xyzzy broken")
        by_text = self._ticket(description="<p>the xyzzy light blinks</p>")
        by_unit = self._ticket()
        self.env["spid.workunit"].create({"ticket_id": by_unit.id, "description": "<p>xyzzy firmware</p>"})
        self._ticket(name="unrelated")
        foreign = self._ticket(name="xyzzy too", category_id=self.category_other.id)
        found = self._text_search(self.agent, "xyzzy")
        self.assertEqual(found, by_title | by_text | by_unit, "and never another team's ticket")
        self.assertIn(foreign, self._text_search(self.supervisor, "xyzzy"))

    def test_reference_search_and_name_search(self):
        ticket = self._ticket()
        found = self.env["spid.ticket"].with_user(self.agent).name_search(ticket.reference)
        self.assertEqual([r[0] for r in found], [ticket.id])

    def test_filters(self):
        mine = self._ticket(user_id=self.agent.id)
        unassigned = self._ticket()
        overdue = self._ticket(user_id=self.agent_2.id, date_deadline="2020-01-01 10:00:00")
        closed = self._ticket(user_id=self.agent.id)
        closed.write(self._close_values(self.st_closed))
        Ticket = self.env["spid.ticket"].with_user(self.agent)
        scope = [("id", "in", (mine | unassigned | overdue | closed).ids)]
        view = self.env.ref("spid_helpdesk.spid_ticket_view_search")
        for name in (
            "filter_my",
            "filter_my_teams",
            "filter_unassigned",
            "filter_new",
            "filter_overdue",
            "filter_closed",
        ):
            self.assertIn(f'name="{name}"', view.arch)
        self.assertEqual(Ticket.search(scope + [("user_id", "=", self.agent.id)]), mine | closed)
        self.assertEqual(Ticket.search(scope + [("user_id", "=", False)]), unassigned)
        self.assertEqual(Ticket.search(scope + [("is_closed", "=", True)]), closed)
        self.assertEqual(
            Ticket.search(scope + [("is_closed", "=", False), ("date_deadline", "<", "2026-01-01")]), overdue
        )
        self.assertEqual(
            Ticket.search(scope + [("status_id.is_start", "=", True)]), mine | unassigned | overdue
        )

    def test_group_by_status_and_client(self):
        self._ticket()
        self._ticket(user_id=self.agent.id).write({"status_id": self.st_progress.id})
        groups = (
            self.env["spid.ticket"]
            .with_user(self.agent)
            .read_group([("client_id", "=", self.client.id)], ["status_id"], ["status_id"])
        )
        counts = {g["status_id"][1]: g["status_id_count"] for g in groups if g["status_id_count"]}
        self.assertEqual(counts, {"New": 1, "In progress": 1})

    def test_partner_ticket_counts(self):
        self._ticket()
        self._ticket(partner_id=self.requester_2.id).write(
            {"user_id": self.agent.id} | self._close_values(self.st_closed)
        )
        client = self.client.with_user(self.agent)
        self.assertEqual((client.spid_ticket_count, client.spid_open_ticket_count), (2, 1))
        self.assertEqual(self.requester.with_user(self.agent).spid_ticket_count, 1)
        action = client.action_spid_view_tickets()
        self.assertEqual(len(self.env["spid.ticket"].search(action["domain"])), 2)
