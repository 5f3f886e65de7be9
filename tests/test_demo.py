"""Acceptance: what `make run` promises — the three addons installed with
their demo data, and the demo logins working over HTTP. These tests read the
demo data on purpose; every other test builds its own."""

from odoo.tests import HttpCase, tagged

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
        """The bridges come with Odoo's maintenance and project, and the demo
        type chains its hardware type and brand."""
        bridges = self.env["ir.module.module"].search(
            [("name", "in", ("spid_helpdesk_maintenance", "spid_helpdesk_project"))]
        )
        self.assertEqual(set(bridges.mapped("state")), {"installed"})
        self.assertTrue(all(bridges.mapped("auto_install")))
        hardware = self.env.ref("spid_helpdesk.type_hardware_demo")
        self.assertEqual(len(hardware.field_rule_ids), 3)

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
        self.assertEqual(screen.move_id.amount_untaxed, 90.0)
