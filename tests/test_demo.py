"""Acceptance: what `make run` promises — the three addons installed with
their demo data, and the demo logins working over HTTP. These tests read the
demo data on purpose; every other test builds its own."""

from collections import Counter
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token

ADDONS = ("spid_helpdesk", "spid_helpdesk_invoicing", "spid_helpdesk_portal")


@tagged("post_install", "-at_install")
class TestDemo(HttpCase):
    def test_addons_installed(self):
        modules = self.env["ir.module.module"].search([("name", "in", ADDONS)])
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        self.assertEqual(len(modules), 3)
        for module in modules:
            self.assertTrue(module.latest_version.startswith("18.0."), module.name)

    def test_bridges_installed(self):
        """The bridges come with Odoo's maintenance, project and Live Chat, and
        the demo type chains its hardware type and brand."""
        bridges = self.env["ir.module.module"].search(
            [("name", "in", ("spid_helpdesk_maintenance", "spid_helpdesk_project", "spid_helpdesk_livechat"))]
        )
        self.assertEqual(len(bridges), 3)
        self.assertEqual(set(bridges.mapped("state")), {"installed"})
        self.assertTrue(all(bridges.mapped("auto_install")))
        hardware = self.env.ref("spid_helpdesk.type_hardware_demo")
        self.assertEqual(len(hardware.field_rule_ids), 3)
        # Live Chat: Alice's conversation became a ticket of the support desk
        chat = self.env["discuss.channel"].search([("spid_ticket_id", "!=", False)])
        self.assertEqual(len(chat), 1)
        self.assertEqual(chat.spid_ticket_id.livechat_channel_id, chat)
        self.assertEqual(chat.spid_ticket_id.channel, "chat")
        self.assertEqual(
            chat.spid_ticket_id.partner_id, self.env.ref("spid_helpdesk.partner_acme_alice_demo")
        )
        self.assertEqual(chat.spid_ticket_id.team_id, self.env.ref("spid_helpdesk.team_support_demo"))

    def _login(self, login, password):
        return self.url_open(
            "/web/login",
            data={"login": login, "password": password, "csrf_token": self._csrf()},
            allow_redirects=False,
        )

    def _csrf(self):
        """The login form's CSRF token, for this test's session."""
        return form_csrf_token(self.url_open("/web/login").text)

    def test_demo_agent_logs_in_to_the_backend(self):
        response = self._login("agent", "agent")
        self.assertEqual(response.status_code, 303)
        self.assertIn("/odoo", response.headers["Location"])
        agent = self.env["res.users"].search([("login", "=", "agent")])
        self.assertTrue(agent.has_group("spid_helpdesk.group_spid_agent"))
        self.assertFalse(agent.has_group("spid_helpdesk.group_spid_supervisor"))

    def test_demo_customer_logs_in_to_the_portal(self):
        response = self._login("customer", "customer")
        self.assertEqual(response.status_code, 303)
        self.assertIn("/my", response.headers["Location"])
        customer = self.env["res.users"].search([("login", "=", "customer")])
        self.assertTrue(customer.share, "the demo customer is a portal user")

    def test_wrong_password_is_refused(self):
        response = self._login("agent", "not-the-password")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Wrong login/password", response.text)

    def test_demo_workload(self):
        tickets = self.env["spid.ticket"].search([("reference", "!=", False)])
        self.assertGreaterEqual(len(tickets), 5)
        self.assertTrue(tickets.filtered("is_closed"))
        self.assertTrue(tickets.workunit_ids)

    def test_demo_finance_invoices_the_closed_tickets(self):
        self.assertEqual(self._login("finance", "finance").status_code, 303)
        finance = self.env["res.users"].search([("login", "=", "finance")])
        self.assertTrue(finance.has_group("spid_helpdesk_invoicing.group_spid_billing"))
        screen = self.env.ref("spid_helpdesk.ticket_screen_demo")
        self.assertEqual(screen.invoice_state, "to_invoice")
        self.assertEqual(
            screen.tariff_id, self.env.ref("spid_helpdesk_invoicing.tariff_general_hardware_demo")
        )
        wizard = self.env["spid.ticket.invoice.wizard"].with_user(finance).create({})
        self.assertTrue(wizard.journal_id, "the demo company has a chart of accounts and a sales journal")
        action = wizard.action_create_invoices()
        moves = self.env["account.move"].browse(action["domain"][0][2])
        self.assertIn(screen, moves.spid_ticket_ids)
        line = screen.move_id.invoice_line_ids.filtered(lambda line: line.spid_ticket_id == screen)
        self.assertEqual(line.price_subtotal, 90.0)


@tagged("post_install", "-at_install")
class TestDemoHistory(HttpCase):
    """The demo's year of history (spid_helpdesk/models/spid_demo.py and its
    invoices in spid_helpdesk_invoicing): every report has figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        xml_ids = cls.env["ir.model.data"].search([("model", "=", "spid.ticket")]).mapped("res_id")
        cls.history = cls.env["spid.ticket"].search([("id", "not in", xml_ids)])
        cls.supervisor = cls.env.ref("spid_helpdesk.user_supervisor_demo")
        today = fields.Date.today()
        # the twelve full months before the current one
        cls.months = [today.replace(day=1) - relativedelta(months=n) for n in range(12, 0, -1)]

    def _bounds(self, month):
        return datetime.combine(month, time.min), datetime.combine(month + relativedelta(months=1), time.min)

    def test_twelve_months_of_tickets_and_work(self):
        Ticket = self.env["spid.ticket"].with_user(self.supervisor)
        for month in self.months:
            start, end = self._bounds(month)
            opened = Ticket.search_count([("create_date", ">=", start), ("create_date", "<", end)])
            closed = Ticket.search_count([("date_closed", ">=", start), ("date_closed", "<", end)])
            hours = self.env["spid.workunit"].search_count([("date", ">=", start), ("date", "<", end)])
            self.assertGreaterEqual(opened, 15, month)
            self.assertGreaterEqual(closed, 15, month)
            self.assertTrue(hours, month)
        statuses = set(self.history.status_id.mapped("name"))
        # Unconfirmed and History have their own demo tickets (spid_helpdesk_demo.xml)
        own = self.env.ref("spid_helpdesk.status_unconfirmed") | self.env.ref("spid_helpdesk.status_history")
        self.assertEqual(statuses, set((self.env["spid.ticket.status"].search([]) - own).mapped("name")))
        units = self.history.workunit_ids
        self.assertEqual(set(units.mapped("billable")), {True, False})
        self.assertEqual(set(units.mapped("visibility")), {"public", "internal"})

    def test_history_sent_no_email(self):
        """Historic tickets were created as a batch and their work logged as
        an import: no email queued, no notification for them."""
        messages = self.env["mail.message"].search(
            [("model", "=", "spid.ticket"), ("res_id", "in", self.history.ids)]
        )
        self.assertTrue(messages)
        self.assertFalse(self.env["mail.mail"].search_count([("mail_message_id", "in", messages.ids)]))
        self.assertFalse(
            self.env["mail.notification"].search_count([("mail_message_id", "in", messages.ids)])
        )
        # dated as the history, not as the install
        self.assertLess(min(messages.mapped("date")), fields.Datetime.now() - relativedelta(months=11))

    def test_service_levels_met_and_failed_every_month(self):
        Sla = self.env["spid.ticket.sla"].with_user(self.supervisor)
        for month in self.months:
            start, end = self._bounds(month)
            groups = dict(
                Sla._read_group([("date", ">=", start), ("date", "<", end)], ["status"], ["__count"])
            )
            self.assertTrue(groups.get("met"), month)
            self.assertTrue(groups.get("failed"), month)
        # no historic clock is left for the SLA cron to breach (and email about)
        self.assertFalse(Sla.sudo().search_count(Sla._spid_breached_domain()))

    def test_objectives_and_ratings(self):
        Objective = self.env["spid.agent.objective"].with_user(self.supervisor)
        agents = self.env.ref("spid_helpdesk.user_agent_demo") | self.env.ref(
            "spid_helpdesk.user_technician_demo"
        )
        for month in self.months:
            objectives = Objective.search([("month", "=", month), ("user_id", "in", agents.ids)])
            self.assertEqual(len(objectives), 2, month)
            self.assertTrue(all(objectives.mapped("target_hours")), month)
            self.assertTrue(any(objectives.mapped("actual_hours")), month)
            self.assertTrue(any(objectives.mapped("actual_tickets")), month)
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "spid.ticket"), ("consumed", "=", True)]
        )
        self.assertGreater(len(ratings), 100)
        self.assertEqual(set(ratings.mapped("rating")), {1.0, 3.0, 5.0})
        self.assertTrue(self.history.with_user(self.supervisor).filtered("rating_last_value"))

    def test_invoices_posted_and_tickets_to_invoice(self):
        history = self.history
        invoiced = history.filtered(lambda t: t.invoice_state == "invoiced")
        self.assertGreater(len(invoiced), 200)
        self.assertEqual(set(invoiced.move_id.mapped("state")), {"posted"})
        self.assertTrue(all(invoiced.mapped("is_locked")))
        self.assertGreaterEqual(len(set(invoiced.move_id.mapped("invoice_date"))), 10)
        self.assertTrue(history.filtered(lambda t: t.invoice_state == "to_invoice"))
        turnover = self.env["spid.agent.objective"].search([("actual_turnover", ">", 0)])
        self.assertTrue(turnover, "the objectives show the invoiced turnover")

    def test_every_report_has_data(self):
        """Each action of the helpdesk's Reporting menu shows figures to a supervisor."""
        menus = self.env.ref("spid_helpdesk.menu_spid_reporting").child_id
        actions = [
            menu.action for menu in menus if menu.action and menu.action._name == "ir.actions.act_window"
        ]
        self.assertGreaterEqual(len(actions), 6)
        for action in actions:
            Model = self.env[action.res_model].with_user(self.supervisor)
            if Model._transient:
                continue
            domain = safe_eval(action.domain or "[]", action._get_eval_context())
            groups = Model._read_group(domain, [], ["__count"])
            self.assertTrue(groups and groups[0][0], action.name)
        wizard = self.env["spid.statistics.wizard"].with_user(self.supervisor).create({})
        rows, total = wizard._spid_rows()
        self.assertTrue(rows)
        self.assertGreater(total["opened"], 0)
        self.assertGreater(total["hours"], 0)

    def test_sla_menu_and_action_agree(self):
        menu = self.env.ref("spid_helpdesk.menu_spid_report_sla")
        self.assertEqual(menu.action.name, menu.name)

    def test_demo_build_is_deterministic(self):
        """The same seed and dates relative to today: the same figures on every build."""
        by_status = dict(
            Counter(self.history.mapped(lambda t: t.status_id.get_external_id()[t.status_id.id]))
        )
        self.assertEqual(by_status, EXPECTED_STATUSES)
        self.assertEqual(len(self.history.workunit_ids), EXPECTED_WORKUNITS)
        lines = self.env["spid.ticket.sla"].search([("ticket_id", "in", self.history.ids)])
        self.assertEqual(dict(Counter(lines.mapped("status"))), EXPECTED_CLOCKS)

    def test_french_demo_users(self):
        """The customer and the technician speak French (French is installed
        in the demo and the test database), the others English."""
        if not self.env["res.lang"]._lang_get("fr_FR"):
            self.skipTest("French is not installed")
        for login, lang in (
            ("customer", "fr_FR"),
            ("technician", "fr_FR"),
            ("agent", "en_US"),
            ("supervisor", "en_US"),
            ("admin", "en_US"),
        ):
            user = self.env["res.users"].search([("login", "=", login)])
            self.assertEqual(user.lang, lang, login)


# The history's figures (seed 15, 480 tickets); a change of the generator
# changes them, and the expected values with it.
EXPECTED_STATUSES = {
    "spid_helpdesk.status_new": 8,
    "spid_helpdesk.status_assigned": 6,
    "spid_helpdesk.status_in_progress": 9,
    "spid_helpdesk.status_pending_third_party": 7,
    "spid_helpdesk.status_pending_customer": 5,
    "spid_helpdesk.status_pending_close": 2,
    "spid_helpdesk.status_closed": 439,
    "spid_helpdesk.status_reopened": 4,
}
EXPECTED_WORKUNITS = 913
EXPECTED_CLOCKS = {"met": 831, "failed": 152, "ongoing": 63}
