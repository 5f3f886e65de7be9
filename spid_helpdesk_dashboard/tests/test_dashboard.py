"""The Helpdesk dashboard of Odoo's Dashboards app.

The figures check reads the shipped spreadsheet as the web client does: every
pivot, chart, link and filter it names is a model, field, measure and
grouping that a supervisor reads (fields_get, then read_group with the
supervisor's rights), and with own data the groups hold the expected
figures. Then who sees it: the supervisor (and billing, a supervisor too),
not an agent nor an employee, also over JSON-RPC with a hostile context;
and what the cells count is cut by the record rules: nothing of another
company. The tour opens it in Chromium as the supervisor."""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import file_open
from odoo.tools.translate import extract_spreadsheet_terms

from odoo.addons.spid_helpdesk.tests.common import JsonRpcMixin, SpidHelpdeskCommon
from odoo.addons.spreadsheet.utils.validate_data import (
    fields_in_spreadsheet,
    menus_xml_ids_in_spreadsheet,
    odoo_charts,
    odoo_view_links,
)

DASHBOARD_FILE = "spid_helpdesk_dashboard/data/files/helpdesk_dashboard.json"
HOSTILE_CONTEXT = {
    "active_test": False,
    "sudo": True,
    "su": True,
    "uid": 1,
    "spid_system": True,
    "bin_size": False,
}


def this_month():
    """The period filter's default value, as the spreadsheet sends it."""
    start = fields.Datetime.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


@tagged("post_install", "-at_install")
class TestHelpdeskDashboard(JsonRpcMixin, SpidHelpdeskCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("spid_helpdesk_dashboard.spreadsheet_dashboard_helpdesk")
        with file_open(DASHBOARD_FILE) as json_file:
            cls.data = json.load(json_file)
        cls.billing = new_test_user(
            cls.env,
            "hd_dash_billing",
            groups="base.group_user,spid_helpdesk_invoicing.group_spid_billing",
            name="Bill Billing",
        )
        cls.employee = new_test_user(cls.env, "hd_dash_employee", groups="base.group_user", name="Emil")
        # Own figures: two open tickets of the first team, one of the other,
        # one closed; 1.5 h logged this month by the agent.
        cls.open_1 = cls._ticket(name="Dash open 1")
        cls.open_2 = cls._ticket(name="Dash open 2")
        cls.open_other = cls._ticket(name="Dash open other", category_id=cls.category_other.id)
        cls.closed = cls._ticket(name="Dash closed")
        cls.closed.write(cls._close_values(cls.st_closed))
        cls.env["spid.workunit"].create(
            {
                "ticket_id": cls.open_1.id,
                "user_id": cls.agent.id,
                "duration": 1.5,
                "date": fields.Datetime.now(),
            }
        )
        # Another company's ticket, team and work, none of which the
        # supervisor of the first company may count.
        cls.company_b = cls.env["res.company"].create({"name": "Dash company B"})
        cls.team_b = cls.env["spid.team"].create(
            {"name": "Dash team B", "company_id": cls.company_b.id, "assignment": "none"}
        )
        cls.ticket_b = (
            cls.env["spid.ticket"]
            .with_company(cls.company_b)
            .create(
                {
                    "name": "Dash B",
                    "company_id": cls.company_b.id,
                    "team_id": cls.team_b.id,
                    "partner_id": cls.other_contact.id,
                }
            )
        )
        cls.env["spid.workunit"].with_company(cls.company_b).create(
            {
                "ticket_id": cls.ticket_b.id,
                "user_id": cls.agent.id,
                "duration": 7.0,
                "date": fields.Datetime.now(),
            }
        )

    # ------------------------------------------------------------------
    # Helpers: the spreadsheet's data sources as lists of (kind, definition)
    # ------------------------------------------------------------------

    def _sources(self):
        """[(label, model, domain, measures, groupbys, period field)] of
        every pivot and Odoo chart of the spreadsheet."""
        period = next(f["id"] for f in self.data["globalFilters"] if f["type"] == "date")
        sources = []
        for pivot in self.data["pivots"].values():
            sources.append(
                (
                    f"pivot {pivot['id']} {pivot['name']}",
                    pivot["model"],
                    pivot["domain"],
                    [measure["fieldName"] for measure in pivot["measures"]],
                    [g["fieldName"] for g in pivot["rows"] + pivot["columns"]],
                    pivot["fieldMatching"].get(period, {}).get("chain"),
                )
            )
        for chart in odoo_charts(self.data):
            measure = chart["metaData"]["measure"]
            sources.append(
                (
                    f"chart {chart['id']}",
                    chart["metaData"]["resModel"],
                    chart["searchParams"]["domain"],
                    [] if measure == "__count" else [measure],
                    chart["metaData"]["groupBy"],
                    chart["fieldMatching"].get(period, {}).get("chain"),
                )
            )
        return sources

    def _pivot(self, pivot_id, user, extra_domain=(), period=True, companies=None):
        """The groups of the spreadsheet's pivot as `user` reads them, with
        the period filter's default (this month) where the pivot takes it:
        {tuple of group values: {measure: value}}."""
        pivot = self.data["pivots"][pivot_id]
        period_id = next(f["id"] for f in self.data["globalFilters"] if f["type"] == "date")
        domain = list(pivot["domain"]) + list(extra_domain)
        chain = pivot["fieldMatching"].get(period_id, {}).get("chain")
        if period and chain:
            start, end = this_month()
            domain += [(chain, ">=", start), (chain, "<", end)]
        groupby = [g["fieldName"] for g in pivot["rows"] + pivot["columns"]]
        measures = [measure["fieldName"] for measure in pivot["measures"]]
        Model = self.env[pivot["model"]].with_user(user)
        if companies:
            Model = Model.with_context(allowed_company_ids=companies.ids)
        rows = Model.read_group(domain, measures, groupby, lazy=False)
        return {
            tuple(row[g][0] if isinstance(row[g], tuple) else row[g] for g in groupby): {
                m: row[m] for m in measures
            }
            for row in rows
        }

    # ------------------------------------------------------------------
    # The spreadsheet
    # ------------------------------------------------------------------

    def test_spreadsheet_is_valid_and_complete(self):
        """The shipped JSON is the dashboard's data, with a sheet of KPIs, a
        pivot per figure the supervisor asked for and the two charts."""
        stored = json.loads(self.dashboard.spreadsheet_data)
        self.assertEqual(stored, self.data)
        self.assertEqual([s["name"] for s in self.data["sheets"]], ["Dashboard", "Data"])
        models = {pivot["model"] for pivot in self.data["pivots"].values()}
        self.assertEqual(
            models,
            {"spid.ticket.report", "spid.ticket.sla", "spid.workunit.report", "spid.turnover.report"},
        )
        self.assertEqual(len(odoo_charts(self.data)), 2)
        scorecards = [
            figure["data"]["title"]["text"]
            for figure in self.data["sheets"][0]["figures"]
            if figure["data"]["type"] == "scorecard"
        ]
        self.assertEqual(
            scorecards,
            ["Open tickets", "SLA met (%)", "Breached SLAs", "Hours logged", "Satisfaction", "Turnover"],
        )
        # every scorecard shows a cell of the Data sheet that a formula fills
        data_cells = self.data["sheets"][1]["cells"]
        for figure in self.data["sheets"][0]["figures"]:
            if figure["data"]["type"] == "scorecard":
                sheet, cell = figure["data"]["keyValue"].split("!")
                self.assertEqual(sheet, "Data")
                self.assertTrue(data_cells[cell]["content"].startswith("="), cell)
        # every PIVOT() formula names a pivot of the spreadsheet
        for sheet in self.data["sheets"]:
            for ref, cell in sheet["cells"].items():
                content = cell.get("content", "")
                if content.startswith(("=PIVOT(", "=PIVOT.VALUE(")):
                    pivot_id = content.split("(", 1)[1].split(",")[0].split(")")[0]
                    self.assertIn(pivot_id, self.data["pivots"], f"{sheet['name']}!{ref}")

    def test_figures_are_readable_by_a_supervisor(self):
        """Every model, field, measure, grouping and domain of every pivot and
        chart exists, is stored/groupable and reads as the supervisor; the
        filters' fields exist with the right type; the links' views too."""
        for label, model, domain, measures, groupbys, period_field in self._sources():
            with self.subTest(source=label):
                self.assertIn(model, self.env)
                Model = self.env[model].with_user(self.supervisor)
                self.assertTrue(Model.has_access("read"), model)
                described = Model.fields_get(attributes=["type", "groupable", "aggregator", "store"])
                for measure in measures:
                    self.assertIn(measure, described, f"{model}.{measure}")
                    self.assertTrue(
                        described[measure].get("aggregator"), f"{model}.{measure} has no aggregator"
                    )
                for groupby in groupbys:
                    name = groupby.split(":")[0]
                    self.assertIn(name, described, f"{model}.{name}")
                    self.assertTrue(described[name]["groupable"], f"{model}.{name} is not groupable")
                for leaf in domain:
                    self.assertIn(leaf[0], described, f"{model}.{leaf[0]} (domain)")
                if period_field:
                    self.assertIn(described[period_field]["type"], ("date", "datetime"))
                # the read the spreadsheet makes, as the supervisor
                Model.read_group(domain, measures or ["__count"], groupbys, lazy=False)
        for model, names in fields_in_spreadsheet(self.data).items():
            described = self.env[model].with_user(self.supervisor).fields_get()
            for name in names:
                self.assertIn(name.split(":")[0], described, f"{model}.{name}")
        for global_filter in self.data["globalFilters"]:
            if global_filter["type"] == "relation":
                self.assertTrue(
                    self.env[global_filter["modelName"]].with_user(self.supervisor).has_access("read")
                )
        for link in odoo_view_links(self.data):
            action = link["action"]
            described = self.env[action["modelName"]].with_user(self.supervisor).fields_get()
            for leaf in action["domain"]:
                self.assertIn(leaf[0], described)
        for xmlid in menus_xml_ids_in_spreadsheet(self.data):
            menu = self.env.ref(xmlid)
            self.assertTrue(menu.with_user(self.supervisor)._filter_visible_menus(), xmlid)

    def test_figures_count_own_data(self):
        """With the test's own tickets and work: the open tickets by team and
        status, the KPI of open tickets, the hours of the agent this month."""
        by_team_status = self._pivot("1", self.supervisor)
        self.assertEqual(by_team_status[(self.team.id, self.st_new.id)]["nbr"], 2)
        self.assertEqual(by_team_status[(self.team_other.id, self.st_new.id)]["nbr"], 1)
        self.assertFalse([key for key in by_team_status if key[1] == self.st_closed.id])
        open_total = self._pivot("2", self.supervisor)[()]["backlog"]
        self.assertEqual(
            open_total,
            self.env["spid.ticket"].with_user(self.supervisor).search_count([("is_closed", "=", False)]),
        )
        hours = self._pivot("4", self.supervisor, [("ticket_id", "in", self.open_1.ids)])
        self.assertEqual(hours[(self.agent.id,)]["hours"], 1.5)
        # the same pivot filtered on the team (the dashboard's team filter)
        mine = self._pivot("1", self.supervisor, [("team_id", "=", self.team.id)])
        self.assertEqual(sum(group["nbr"] for group in mine.values()), 2)

    def test_sla_compliance_by_team(self):
        """One met and one failed clock this month: 50 % met, 1 breach."""
        self._standard_sla()
        ticket = self._ticket(name="Dash SLA")
        lines = ticket.sla_line_ids
        self.assertTrue(lines.filtered(lambda line: line.kind == "response"))
        now = fields.Datetime.now()
        lines.filtered(lambda line: line.kind == "response").write({"status": "met", "reached_date": now})
        lines.filtered(lambda line: line.kind == "resolution").write(
            {"status": "failed", "reached_date": now}
        )
        sla = self._pivot("3", self.supervisor, [("ticket_id", "=", ticket.id)])
        self.assertEqual(sla[(self.team.id,)]["met_percent"], 50.0)
        self.assertEqual(sla[(self.team.id,)]["failed_count"], 1)
        self.assertEqual(sla[(self.team.id,)]["met_count"], 1)

    def test_turnover_by_client_reads(self):
        """The turnover pivot reads as the supervisor (the amounts come from
        the invoicing addon's own tests); an agent may not read it."""
        self._pivot("5", self.supervisor)
        self._pivot("5", self.billing)
        with self.assertRaises(AccessError):
            self._pivot("5", self.agent)

    def test_french_labels(self):
        """Every label of the spreadsheet (its _t() terms, titles, KPI and
        filter names) reaches the web client in French, and the dashboard's
        name is French in the Dashboards app."""
        with file_open(DASHBOARD_FILE, "rb") as json_file:
            terms = {
                term for _line, _func, term, _comments in extract_spreadsheet_terms(json_file, [], [], {})
            }
        self.assertIn("Open tickets by team and status", terms)
        self.env["res.lang"]._activate_lang("fr_FR")
        translations, _params = self.env["ir.http"].get_translations_for_webclient(
            ["spid_helpdesk_dashboard"], "fr_FR"
        )
        messages = {
            message["id"]: message["string"]
            for message in translations["spid_helpdesk_dashboard"]["messages"]
        }
        self.assertEqual(messages["Open tickets by team and status"], "Tickets ouverts par équipe et statut")
        untranslated = {term for term in terms if term.strip() not in messages and term.strip() != "h"}
        self.assertFalse(untranslated)
        self.assertEqual(self.dashboard.with_context(lang="fr_FR").name, "Assistance")

    # ------------------------------------------------------------------
    # Who sees it
    # ------------------------------------------------------------------

    def test_visible_to_supervisors_only(self):
        Dashboard = self.env["spreadsheet.dashboard"]
        for user, visible in (
            (self.supervisor, True),
            (self.manager, True),
            (self.billing, True),
            (self.agent, False),
            (self.employee, False),
        ):
            with self.subTest(user=user.login):
                found = Dashboard.with_user(user).search([("name", "=", "Helpdesk")])
                self.assertEqual(found == self.dashboard, visible)
                self.assertEqual(bool(found), visible)
        snapshot = self.dashboard.with_user(self.supervisor).get_readonly_dashboard()["snapshot"]
        self.assertEqual(set(snapshot["pivots"]), set(self.data["pivots"]))

    def test_agent_cannot_open_it_over_rpc(self):
        """An agent calling what the web client calls, with a hostile context,
        gets an access error and no spreadsheet."""
        for method, args in (
            ("get_readonly_dashboard", [[self.dashboard.id]]),
            ("read", [[self.dashboard.id], ["spreadsheet_data", "spreadsheet_binary_data"]]),
            ("web_search_read", [[("id", "=", self.dashboard.id)], {"name": {}}]),
        ):
            with self.subTest(method=method):
                answer = self._rpc(
                    "hd_agent", "spreadsheet.dashboard", method, args, {"context": HOSTILE_CONTEXT}
                )
                if method == "web_search_read":
                    self.assertEqual(answer["result"]["length"], 0, answer)
                elif method == "read":
                    self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError", answer)
                else:
                    # Odoo's method checks nothing itself: the record rule
                    # hides the spreadsheet from the read it makes, which
                    # then fails on the missing data
                    self.assertIn("error", answer, answer)
                self.assertNotIn("pivots", json.dumps(answer))
                self.assertNotIn("PIVOT", json.dumps(answer))
        # nor may an agent change who sees it
        answer = self._rpc(
            "hd_agent",
            "spreadsheet.dashboard",
            "write",
            [[self.dashboard.id], {"group_ids": [(4, self.env.ref("base.group_user").id)]}],
            {"context": HOSTILE_CONTEXT},
        )
        self.assertIn("error", answer)
        self.assertEqual(self.dashboard.group_ids, self.env.ref("spid_helpdesk.group_spid_supervisor"))

    def test_agent_reads_only_own_figures(self):
        """Under the dashboard, an agent's own reads of the same analyses
        count only their teams' tickets and never see the satisfaction."""
        by_team = self._pivot("1", self.agent)
        self.assertIn((self.team.id, self.st_new.id), by_team)
        self.assertNotIn((self.team_other.id, self.st_new.id), by_team)
        answer = self._rpc(
            "hd_agent",
            "spid.ticket.report",
            "read_group",
            [[], ["rating:avg"], ["team_id"]],
            {"lazy": False, "context": HOSTILE_CONTEXT},
        )
        self.assertIn("error", answer)

    def test_other_company_never_counted(self):
        """A supervisor of the first company counts nothing of company B: not
        its team, ticket nor hours, whatever context the call sends."""
        for pivot_id in ("1", "2", "3", "4", "6"):
            groups = self._pivot(pivot_id, self.supervisor, period=False)
            self.assertNotIn(self.team_b.id, [key[0] for key in groups if key], pivot_id)
        hours = self._pivot("4", self.supervisor, [("ticket_id", "=", self.ticket_b.id)])
        self.assertEqual(hours, {})
        context = dict(HOSTILE_CONTEXT, allowed_company_ids=[self.env.company.id, self.company_b.id])
        answer = self._rpc(
            "hd_supervisor",
            "spid.workunit.report",
            "read_group",
            [[("ticket_id", "=", self.ticket_b.id)], ["hours:sum"], ["team_id"]],
            {"lazy": False, "context": context},
        )
        self.assertNotIn(self.team_b.name, json.dumps(answer))
        self.assertFalse(answer.get("result"), answer)
        # a supervisor of both companies counts B only once B is picked
        # in the company switcher (allowed companies)
        self.supervisor.company_ids |= self.company_b
        only_a = self._pivot("1", self.supervisor, period=False, companies=self.env.company)
        self.assertNotIn((self.team_b.id, self.st_new.id), only_a)
        both = self._pivot("1", self.supervisor, period=False, companies=self.env.company | self.company_b)
        self.assertEqual(both[(self.team_b.id, self.ticket_b.status_id.id)]["nbr"], 1)

    # ------------------------------------------------------------------
    # In the browser
    # ------------------------------------------------------------------

    def test_tour_supervisor_opens_the_dashboard(self):
        """The supervisor opens Dashboards, picks Helpdesk: the KPIs load and
        the open tickets KPI is the count of open tickets the supervisor
        sees (checked in the page against the server)."""
        self.start_tour("/odoo", "spid_dashboard_tour", login="hd_supervisor", timeout=120)
