"""The agent's pages, read side: the record rule written once as a search
on `visible_to_agent_id` shows exactly what the five terms it replaced
showed, and the list, kanban, group-by and form keep exact query budgets."""

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import SpidHelpdeskCommon, assert_query_budget


# The agent's rule as it was written before `visible_to_agent_id` (the five
# terms, compiled by the ORM with a correlated EXISTS for participants).
def old_agent_domain(uid, prefix=""):
    return [
        "|",
        "|",
        "|",
        "|",
        (f"{prefix}team_id", "=", False),
        (f"{prefix}team_id.member_ids", "in", uid),
        (f"{prefix}user_id", "=", uid),
        (f"{prefix}participant_ids", "in", uid),
        (f"{prefix}editor_id", "=", uid),
    ]


# Exact query budgets of what an agent's click costs, from empty record
# caches (see common.assert_query_budget): the list's first page, the
# kanban (groups, then each column's cards), the group-by status and the
# form of one ticket.
# List and form: +1 each (#19) for the equipment tags of the maintenance
# bridge (installed by make test): the relation table of equipment_ids.
LIST_BUDGET = 16
# Kanban +1 (#19), measured and not traced to its cause: the cards' Python
# access check is one query (the agents' rule with its type term), as
# before; the extra query is one more read of the cards' people (users or
# partners) since the merge of #19. ACCESS saw the same +1 on its database
# with the code before its change, so it may depend on the demo data.
KANBAN_BUDGET = 14
GROUP_BY_BUDGET = 4
# +1 (issue 19, FLOW): the statuses an agent who does not own the ticket
# may offer read its team's "Only the owner changes the status" (one
# spid_team row); the owner's form reads no team.
# form: +1 for the ticket's interventions (Interventions tab and smart
# button: one search of spid.intervention, its count taken from it)
FORM_BUDGET = 40


def view_spec(model, view_type):
    """What the web client asks for a view: every field of the arch, with
    the display name of relations and the sub-view's fields of x2many."""

    def spec_of(node, comodel):
        spec = {}
        for field_node in node.iter("field"):
            # fields of a sub-view belong to that x2many's spec
            parent = field_node.getparent()
            while parent is not None and parent is not node and parent.tag != "field":
                parent = parent.getparent()
            if parent is not node and parent is not None:
                continue
            name = field_node.get("name")
            field = comodel._fields[name]
            if field.type == "many2one":
                spec[name] = {"fields": {"display_name": {}}}
            elif field.type in ("one2many", "many2many"):
                sub = field_node.find("list")
                sub_model = comodel.env[field.comodel_name]
                spec[name] = {"fields": spec_of(sub, sub_model) if sub is not None else {"display_name": {}}}
            else:
                spec[name] = {}
        return spec

    views = model.get_views([(False, view_type)])
    arch = etree.fromstring(views["views"][view_type]["arch"])
    return spec_of(arch, model)


@tagged("post_install", "-at_install")
class TestAgentVisibility(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_user = new_test_user(cls.env, "hd_plain_read", groups="base.group_user")
        cls.archived_team = cls.env["spid.team"].create(
            {"name": "Gone", "member_ids": [Command.set(cls.agent_2.ids)], "assignment": "none"}
        )
        Ticket = cls.env["spid.ticket"]
        base = {"partner_id": cls.requester.id}
        cls.matrix = Ticket.create(
            [
                dict(base, name="no team"),
                dict(base, name="team", team_id=cls.team.id),
                dict(base, name="other team", team_id=cls.team_other.id),
                dict(base, name="other team, owned", team_id=cls.team_other.id, user_id=cls.agent.id),
                dict(
                    base,
                    name="other team, taking part",
                    team_id=cls.team_other.id,
                    participant_ids=[Command.set((cls.agent | cls.agent_2).ids)],
                ),
                dict(base, name="other team, entered", team_id=cls.team_other.id),
                dict(base, name="archived team", team_id=cls.archived_team.id),
                dict(base, name="archived ticket", team_id=cls.team.id),
            ]
        )
        cls.matrix[5].editor_id = cls.agent
        cls.matrix[6:7].team_id.active = False
        cls.matrix[7].active = False
        cls.users = cls.agent | cls.agent_2 | cls.agent_other | cls.supervisor | cls.manager | cls.plain_user

    def _expected(self, user, prefix="", model="spid.ticket", records=None):
        Model = self.env[model].sudo().with_context(active_test=False)
        domain = [("id", "in", records.ids)] if records else [("ticket_id", "in", self.matrix.ids)]
        return Model.search(domain + old_agent_domain(user.id, prefix))

    def test_rule_field_shows_what_the_five_terms_showed(self):
        Ticket = self.env["spid.ticket"].sudo().with_context(active_test=False)
        for user in self.users:
            expected = self._expected(user, records=self.matrix)
            self.assertTrue(expected, f"{user.login}: the matrix shows them nothing")
            found = Ticket.search([("id", "in", self.matrix.ids), ("visible_to_agent_id", "=", user.id)])
            self.assertEqual(found, expected, user.login)
            # the same, checked in Python on records (access checks)
            in_python = (
                self.matrix.with_user(user).sudo().filtered_domain([("visible_to_agent_id", "=", user.id)])
            )
            self.assertEqual(in_python, expected, f"{user.login} in Python")

    def test_rules_show_agents_the_same_tickets_and_what_hangs_on_them(self):
        self.env["spid.workunit"].create(
            [{"ticket_id": ticket.id, "duration": 1.0, "description": ticket.name} for ticket in self.matrix]
        )
        for user in self.agent | self.agent_2 | self.agent_other:
            expected = self._expected(user, records=self.matrix)
            Ticket = self.env["spid.ticket"].with_user(user).with_context(active_test=False)
            self.assertEqual(Ticket.search([("id", "in", self.matrix.ids)]).sudo(), expected, user.login)
            for ticket in self.matrix:
                self.assertEqual(ticket.with_user(user).has_access("read"), ticket in expected)
            units = self.env["spid.workunit"].with_user(user).search([("ticket_id", "in", self.matrix.ids)])
            self.assertEqual(units.sudo().ticket_id, expected, user.login)
            self.assertEqual(units.sudo(), self._expected(user, "ticket_id.", "spid.workunit"), user.login)

    def test_visibility_follows_a_change_in_the_same_transaction(self):
        ticket = self.matrix[2].with_user(self.agent)
        self.assertFalse(ticket.has_access("read"))
        self.matrix[2].participant_ids = self.agent
        self.assertTrue(ticket.has_access("read"))
        self.matrix[2].participant_ids = False
        self.team_other.member_ids |= self.agent
        self.assertTrue(ticket.has_access("read"))
        self.team_other.member_ids -= self.agent
        self.assertFalse(ticket.has_access("read"))

    def test_unsupported_searches_are_refused(self):
        Ticket = self.env["spid.ticket"].with_user(self.agent)
        for domain in (
            [("visible_to_agent_id", "!=", self.agent.id)],
            [("visible_to_agent_id", "not in", [self.agent.id])],
            ["!", ("visible_to_agent_id", "=", self.agent.id)],
            [("visible_to_agent_id", "=", False)],
            [("visible_to_agent_id", "=", "Agent Alpha")],
            [("visible_to_agent_id", "in", [self.agent.id, self.agent_2.id])],
        ):
            with self.assertRaisesRegex(UserError, "Visible to agent"):
                Ticket.search(domain)


@tagged("post_install", "-at_install")
class TestAgentPagesBudget(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["spid.ticket"].create(
            [
                {
                    "name": f"Budget {i}",
                    "partner_id": cls.requester.id,
                    "site_id": cls.site.id,
                    "category_id": cls.category.id,
                    "user_id": (cls.agent, cls.agent_2)[i % 2].id,
                    "participant_ids": [Command.set(cls.agent_2.ids)] if i % 3 else [],
                }
                for i in range(30)
            ]
        )
        cls.Ticket = cls.env["spid.ticket"].with_user(cls.agent)

    def test_list_first_page(self):
        spec = view_spec(self.Ticket, "list")
        for name in ("is_new", "sla_at_risk", "activity_exception_decoration", "client_id", "user_id"):
            self.assertIn(name, spec)
        assert_query_budget(
            self, LIST_BUDGET, "agent list", lambda: self.Ticket.web_search_read([], spec, limit=80)
        )

    def test_group_by_status(self):
        assert_query_budget(
            self,
            GROUP_BY_BUDGET,
            "agent group by status",
            lambda: self.Ticket.web_read_group([], ["status_id"], ["status_id"], lazy=True),
        )

    def test_kanban(self):
        spec = view_spec(self.Ticket, "kanban")

        def kanban():
            groups = self.Ticket.web_read_group([], ["status_id"], ["status_id"], lazy=True)["groups"]
            for group in groups:
                if group["status_id_count"]:
                    self.Ticket.web_search_read(group["__domain"], spec, limit=40)

        assert_query_budget(self, KANBAN_BUDGET, "agent kanban", kanban)

    def test_form_open(self):
        spec = view_spec(self.Ticket, "form")
        ticket = self.Ticket.search([], limit=1)
        assert_query_budget(self, FORM_BUDGET, "agent form", lambda: ticket.web_read(spec))

    def _plan(self, query, *disabled):
        """PostgreSQL's plan of `query` without sequential scans nor the
        `disabled` plan types (enable_<type> = off): a test database is too
        small for the planner to want an index, and its statistics change
        from run to run; what is checked is that the index can serve."""
        self.env.flush_all()
        for kind in ("seqscan", *disabled):
            self.env.cr.execute(SQL("SET LOCAL %s = off", SQL.identifier(f"enable_{kind}")))
            self.addCleanup(self.env.cr.execute, SQL("RESET %s", SQL.identifier(f"enable_{kind}")))
        self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
        return "\n".join(row[0] for row in self.env.cr.fetchall())

    def test_text_search_is_an_index_lookup(self):
        if not self.registry.has_trigram:
            self.skipTest("PostgreSQL's pg_trgm is not installed in this database")
        plan = self._plan(self.Ticket._search([("search_text", "ilike", "printer")]), "indexscan")
        for index in (
            "spid_ticket__reference_index",
            "spid_ticket__name_index",
            "spid_ticket__description_index",
        ):
            self.assertIn(index, plan)
        # the work units' side: in a test database the agent's work units
        # are few, and the planner may rather filter the company's index;
        # with only the trigram index left, the subquery must be able to
        # use it
        units = self.env["spid.workunit"].sudo()._search([("description", "ilike", "printer")])
        self.assertIn("spid_workunit__description_index", self._plan(units, "indexscan"))

    def test_first_page_reads_the_order_index(self):
        # without sorting, the only way to the first page is that index
        plan = self._plan(self.Ticket._search([], limit=80, order=self.Ticket._order), "sort", "bitmapscan")
        self.assertIn("spid_ticket_priority_id_index", plan)
        self.assertNotIn("Sort", plan)
