"""Service statements (#21): the statistics' own figures per client and
period, frozen once sent, generated once by the monthly cron and emailed
through Odoo's real SMTP client to the project's mail catcher, the PDF
rendered by wkhtmltopdf, in French for a French recipient."""

from datetime import date, datetime

import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch
from odoo.addons.spid_helpdesk.tests.common import MailCatcherMixin, assert_queries_flat, count_queries

from ..models.spid_statement import FIGURES, period_bounds
from .common import SpidInvoicingCommon

OCTOBER = (date(2025, 10, 1), date(2025, 10, 31))


class SpidStatementCommon(SpidInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor = cls._spid_user(
            "hd_st_supervisor", "spid_helpdesk.group_spid_supervisor", cls.company
        )
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Office hours", "company_id": cls.company.id}
        )
        cls.policy = cls.env["spid.sla.policy"].create(
            {"name": "Gold", "company_id": cls.company.id, "calendar_id": cls.calendar.id, "active": False}
        )
        cls.ticket_model = cls.env["ir.model"]._get("spid.ticket")
        # own data only: the demo's clients stop receiving statements here
        cls.env["res.partner"].search([("spid_statement_enabled", "=", True)]).spid_statement_enabled = False

    @classmethod
    def _october_ticket(
        cls, client, opened, closed=None, units=(), company=None, rating=None, sla=(), team=None
    ):
        """A ticket of `client` opened (closed) on those October days, its
        work units [(day, hours, billable)], its SLA clocks [(kind, status,
        day)] and a rating, as the system would have recorded them."""
        company = company or cls.company
        ticket = (
            cls.env["spid.ticket"]
            .with_company(company)
            .create(
                {
                    "name": f"Issue {client.name}",
                    "client_id": client.id,
                    "team_id": (team or cls.team).id,
                    "company_id": company.id,
                }
            )
        )
        cls.env["spid.workunit"].create(
            [
                {
                    "ticket_id": ticket.id,
                    "user_id": cls.agent.id,
                    "duration": hours,
                    "billable": billable,
                    "date": datetime(2025, 10, day, 10),
                }
                for day, hours, billable in units
            ]
        )
        if closed:
            ticket.write({"status_id": cls.st_closed.id, "resolution": "solved", "epilogue": "<p>Done.</p>"})
        ticket.sudo().write(
            {
                "date_opened": datetime(2025, 10, opened, 9),
                "date_closed": closed and datetime(2025, 10, closed, 17),
            }
        )
        cls.env["spid.ticket.sla"].sudo().create(
            [
                {
                    "ticket_id": ticket.id,
                    "policy_id": cls.policy.id,
                    "kind": kind,
                    "number": 1,
                    "target_hours": 4,
                    "status": status,
                    "reached_date": datetime(2025, 10, day, 12),
                }
                for kind, status, day in sla
            ]
        )
        if rating:
            # as Odoo does it: the request with the closing email, the answer later
            request = (
                cls.env["rating.rating"]
                .sudo()
                .create({"res_model_id": cls.ticket_model.id, "res_id": ticket.id})
            )
            request.write({"rating": rating, "consumed": True})
        return ticket


@tagged("post_install", "-at_install")
class TestStatementFigures(SpidStatementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a, b = cls.client_a, cls.client_b
        cls._october_ticket(
            a,
            2,
            5,
            units=[(2, 1.5, True), (3, 0.5, False)],
            rating=5,
            sla=[("response", "met", 2), ("resolution", "met", 5)],
        )
        cls._october_ticket(
            a,
            10,
            20,
            units=[(12, 2.0, True)],
            rating=3,
            sla=[("response", "failed", 11), ("resolution", "met", 20)],
        )
        cls._october_ticket(a, 28, None, units=[(29, 1.0, True)], sla=[("response", "met", 28)])
        # closed in November: open at the end of October, outside its figures
        cls._october_ticket(a, 30, None)
        # September's ticket closed in October: closed, not opened, in October
        september = cls._october_ticket(a, 1, 3)
        september.sudo().date_opened = datetime(2025, 9, 20, 9)
        # another client's, same period: never in A's statement
        cls._october_ticket(b, 4, 6, units=[(4, 7.0, True)], rating=1, sla=[("response", "failed", 4)])

    def test_figures_are_the_statistics_own(self):
        statement = (
            self.env["spid.statement"].with_user(self.supervisor)._spid_generate(self.client_a, *OCTOBER)
        )
        self.assertEqual(len(statement), 1)
        wizard = (
            self.env["spid.statistics.wizard"]
            .with_user(self.supervisor)
            .create({"date_from": OCTOBER[0], "date_to": OCTOBER[1], "group_by": "client"})
        )
        rows, _total = wizard._spid_rows()
        (row,) = (row for row in rows if row["name"] == self.client_a.display_name)
        self.assertEqual(statement.tickets_opened, row["opened"])
        self.assertEqual(statement.tickets_closed, row["closed"])
        self.assertAlmostEqual(statement.hours_worked, row["hours"])
        # and the figures themselves, from the fixtures
        self.assertEqual(
            (statement.tickets_opened, statement.tickets_closed, statement.tickets_open), (4, 3, 2)
        )
        self.assertAlmostEqual(statement.hours_worked, 5.0)
        self.assertAlmostEqual(statement.hours_billable, 4.5)
        # SLA: the SLA analysis' "Met (%)" over the clocks that ended in the period
        sla = {
            kind: percent
            for kind, percent in self.env["spid.ticket.sla"]
            .with_user(self.supervisor)
            ._read_group(
                [
                    ("client_id", "=", self.client_a.id),
                    ("date", ">=", datetime(2025, 10, 1)),
                    ("date", "<=", datetime(2025, 10, 31, 23, 59, 59)),
                    ("status", "!=", "ongoing"),
                ],
                ["kind"],
                ["met_percent:avg"],
            )
        }
        self.assertAlmostEqual(statement.sla_response_percent, sla["response"])
        self.assertAlmostEqual(statement.sla_response_percent, 200 / 3)
        self.assertEqual(statement.sla_response_count, 3)
        self.assertAlmostEqual(statement.sla_resolution_percent, sla["resolution"])
        self.assertEqual(statement.sla_resolution_count, 2)
        # satisfaction: the ticket analysis' "Satisfaction (/5)" of the tickets closed in the period
        [(rating,)] = (
            self.env["spid.ticket.report"]
            .with_user(self.supervisor)
            ._read_group(
                [
                    ("client_id", "=", self.client_a.id),
                    ("date_closed", ">=", datetime(2025, 10, 1)),
                    ("date_closed", "<=", datetime(2025, 10, 31, 23, 59, 59)),
                    ("rating", ">", 0),
                ],
                [],
                ["rating:avg"],
            )
        )
        self.assertAlmostEqual(statement.satisfaction_avg, rating)
        self.assertAlmostEqual(statement.satisfaction_avg, 4.0)
        self.assertEqual(statement.satisfaction_count, 2)
        self.assertFalse(statement.bank_values)  # no hour bank here (the hook returns none)

    def test_one_statement_per_client_and_period(self):
        Statement = self.env["spid.statement"].with_user(self.supervisor)
        first = Statement._spid_generate(self.client_a | self.client_b, *OCTOBER)
        self.assertEqual(first.client_id, self.client_a | self.client_b)
        self.assertFalse(Statement._spid_generate(self.client_a, *OCTOBER))
        # and the database says so too, even to the helpdesk's own code
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            with_switch(Statement, SYSTEM).create(
                {"client_id": self.client_a.id, "date_from": OCTOBER[0], "date_to": OCTOBER[1]}
            )

    def test_bad_input(self):
        Statement = self.env["spid.statement"].with_user(self.supervisor)
        with self.assertRaises(UserError):
            Statement._spid_generate(self.client_a, OCTOBER[1], OCTOBER[0])
        contact = self.env["res.partner"].create({"name": "Someone", "parent_id": self.client_a.id})
        with self.assertRaises(ValidationError):
            with_switch(Statement, SYSTEM).create(
                {"client_id": contact.id, "date_from": OCTOBER[0], "date_to": OCTOBER[1]}
            )
        wizard = self.env["spid.statement.wizard"].with_user(self.supervisor).create({})
        with self.assertRaisesRegex(UserError, "No client receives statements"):
            wizard.action_generate()
        self.assertFalse(Statement.search([]))

    def test_sent_statement_is_frozen(self):
        statement = self.env["spid.statement"]._spid_generate(self.client_a, *OCTOBER)
        statement.recipient_id = self.env["res.partner"].create(
            {"name": "Accounts", "parent_id": self.client_a.id, "type": "invoice", "email": "ap@alpha.test"}
        )
        statement.with_user(self.supervisor).action_send()
        self.assertEqual(statement.state, "sent")
        for values in (
            {"hours_worked": 99.0},
            {"date_to": date(2025, 11, 30)},
            {"client_id": self.client_b.id},
        ):
            with self.assertRaises(UserError):
                statement.with_user(self.billing).write(values)
        with self.assertRaises(UserError):
            statement.with_user(self.billing).unlink()
        with self.assertRaisesRegex(UserError, "already sent"):
            statement.with_user(self.supervisor).action_send()
        # new work in October does not change it
        self._october_ticket(self.client_a, 15, 16, units=[(15, 3.0, True)])
        self.assertAlmostEqual(statement.hours_worked, 5.0)

    def test_figures_state_and_name_are_the_systems(self):
        """A supervisor or billing user forges nothing: no state back to
        draft to rewrite a sent one, no figure of a draft, no statement
        created with made-up figures, whatever context they send."""
        Statement = self.env["spid.statement"]
        sent, draft = Statement._spid_generate(self.client_a | self.client_b, *OCTOBER)
        sent.recipient_id.email = "alpha@alpha.test"
        sent.action_send()
        before = {s: s.read(list(FIGURES) + ["name", "state", "date_sent"])[0] for s in sent | draft}
        # a context such as RPC callers send: a string where our switch lives, defaults
        hostile = {"spid_system": True, "default_state": "sent", "default_hours_worked": 99.0}
        for user in (self.supervisor, self.billing):
            for context in ({}, hostile):
                mine = Statement.with_user(user).with_context(**context)
                for statement in sent | draft:
                    for values in (
                        {"state": "draft"},
                        {"state": "sent"},
                        {"date_sent": "2025-11-01 00:00:00"},
                        {"hours_worked": 99.0},
                        {"bank_values": [{"name": "Forged", "hours_bought": 1000.0}]},
                        {"sla_resolution_percent": 100.0},
                        {"name": "Forged"},
                        {"date_to": "2025-11-30"},
                        {"client_id": self.client_b.id},
                    ):
                        # a sent one is frozen (UserError), a draft's are system fields
                        refused = UserError if statement == sent else AccessError
                        with self.assertRaises(refused), self.env.cr.savepoint():
                            statement.with_env(mine.env).write(values)
                for values in (
                    {"client_id": self.client_a.id, "date_from": "2025-08-01", "date_to": "2025-08-31"},
                    {
                        "client_id": self.client_a.id,
                        "date_from": "2025-08-01",
                        "date_to": "2025-08-31",
                        "state": "sent",
                        "hours_worked": 42.0,
                    },
                ):
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        mine.create(values)
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    draft.with_env(mine.env).copy({"date_from": "2025-08-01", "date_to": "2025-08-31"})
        self.env.invalidate_all()
        for statement, values in before.items():
            self.assertEqual(statement.read(list(values))[0], values)
        self.assertEqual(
            Statement.search_count([("client_id", "in", (self.client_a | self.client_b).ids)]), 2
        )
        # what the user may do: the recipient of a draft, and send it
        accounts = self.env["res.partner"].create(
            {"name": "Accounts B", "parent_id": self.client_b.id, "email": "ap@beta.test"}
        )
        draft.with_user(self.billing).recipient_id = accounts
        draft.with_user(self.supervisor).action_send()
        self.assertEqual((draft.state, draft.recipient_id), ("sent", accounts))
        self.assertAlmostEqual(draft.hours_worked, before[draft]["hours_worked"])

    def test_agents_and_other_companies_see_none(self):
        statement = self.env["spid.statement"]._spid_generate(self.client_a, *OCTOBER)
        with self.assertRaises(AccessError):
            statement.with_user(self.agent).read(["hours_worked"])
        with self.assertRaises(AccessError):
            self.env["spid.statement.wizard"].with_user(self.agent).create({})
        other = self._spid_user(
            "hd_st_other",
            "spid_helpdesk.group_spid_supervisor",
            self.setup_other_company(name="Other desk")["company"],
        )
        self.assertFalse(self.env["spid.statement"].with_user(other).search([("id", "=", statement.id)]))
        # a hostile context changes nothing: Odoo refuses a company the user is not in
        with self.assertRaises(AccessError):
            self.env["spid.statement"].with_user(other).with_context(
                allowed_company_ids=[self.company.id], active_test=False
            ).search([("id", "=", statement.id)])

    def test_wizard_generates_and_sends(self):
        self.client_a.write({"spid_statement_enabled": True})
        self.env["res.partner"].create(
            {"name": "Accounts", "parent_id": self.client_a.id, "type": "invoice", "email": "ap@alpha.test"}
        )
        wizard = (
            self.env["spid.statement.wizard"]
            .with_user(self.supervisor)
            .create({"date_from": OCTOBER[0], "date_to": OCTOBER[1], "send": True})
        )
        action = wizard.action_generate()
        statement = self.env["spid.statement"].search(action["domain"])
        self.assertEqual(statement.client_id, self.client_a)
        self.assertEqual(statement.state, "sent")
        self.assertEqual(statement.recipient_id.email, "ap@alpha.test")
        # again: the same statement, not a second one
        action = wizard.action_generate()
        self.assertEqual(self.env["spid.statement"].search(action["domain"]), statement)

    def test_pdf_renders_in_french_for_a_french_client(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.client_a.lang = "fr_FR"
        statement = self.env["spid.statement"]._spid_generate(self.client_a, *OCTOBER)
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        pdf, kind = Report._render_qweb_pdf(
            "spid_helpdesk_invoicing.action_report_spid_statement", statement.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        html = Report._render_qweb_html(
            "spid_helpdesk_invoicing.action_report_spid_statement", statement.ids
        )[0]
        html = html.decode()
        self.assertIn('id="spid_statement_bank"', html)
        self.assertIn("01/10/2025", html)  # French dates: day first
        self.client_a.lang = "en_US"
        html = Report._render_qweb_html(
            "spid_helpdesk_invoicing.action_report_spid_statement", statement.ids
        )[0]
        self.assertIn("10/01/2025", html.decode())

    def test_sent_pdf_is_stored_once(self):
        statement = self.env["spid.statement"]._spid_generate(self.client_a, *OCTOBER)
        statement.recipient_id.email = "alpha@alpha.test"
        statement.action_send()
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        first = Report._render_qweb_pdf(
            "spid_helpdesk_invoicing.action_report_spid_statement", statement.ids
        )[0]
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "spid.statement"),
                ("res_id", "=", statement.id),
                ("name", "=", statement.name + ".pdf"),
            ]
        )
        self.assertEqual(len(attachment), 1)
        again = Report._render_qweb_pdf(
            "spid_helpdesk_invoicing.action_report_spid_statement", statement.ids
        )[0]
        self.assertEqual(first, again)

    def test_figures_in_a_fixed_number_of_queries(self):
        """All clients' figures in the same grouped queries, whatever their number."""
        Partner, Statement = self.env["res.partner"], self.env["spid.statement"]
        clients = Partner.browse()

        def make_data(size):
            nonlocal clients
            new = Partner.create(
                [
                    {"name": f"Client {len(clients) + index}", "is_company": True, "spid_is_client": True}
                    for index in range(size - len(clients))
                ]
            )
            for client in new:
                self._october_ticket(
                    client, 3, 4, units=[(3, 1.0, True)], rating=4, sla=[("response", "met", 3)]
                )
            clients |= new
            return clients

        def generate(data):
            Statement.search([("date_from", "=", OCTOBER[0])]).unlink()
            Statement._spid_generate(data, *OCTOBER)

        # the registry's caches warm (rules, templates) before counting
        for _run in range(2):
            generate(make_data(1))
        counts = assert_queries_flat(self, make_data, generate, sizes=(1, 5, 20))
        statements = Statement.search([("date_from", "=", OCTOBER[0])])
        self.assertEqual(len(statements), 20)
        self.assertEqual(set(statements.mapped("hours_worked")), {1.0})
        # the figures of the 20 clients alone: six grouped queries, and one
        # for their hour banks (the bank hook's search; no bank here)
        figures = []
        self.assertEqual(
            count_queries(
                self, lambda: figures.append(Statement._spid_figures(clients, self.company, *OCTOBER))
            ),
            7,
        )
        self.assertEqual({values["tickets_opened"] for values in figures[0].values()}, {1})
        # the budget of a whole generation, the test's deletion of the previous
        # run included: 25 queries for 1, 5 or 20 clients (24 before the hour
        # banks' hook added its search)
        self.assertEqual(set(counts.values()), {25}, counts)


@tagged("post_install", "-at_install")
class TestStatementCron(MailCatcherMixin, SpidStatementCommon):
    """The monthly cron, through Odoo's real SMTP client to the mail catcher
    (Odoo skips SMTP while a test runs: _send_for_real lifts that guard)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_mail_catcher("mailcatcher-statements")
        cls.env["ir.config_parameter"].sudo().set_param("mail.mail.force.send.limit", 0)
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.client_a.write({"spid_statement_enabled": True, "lang": "fr_FR"})
        cls.accounts = cls.env["res.partner"].create(
            {
                "name": "Comptabilité Alpha",
                "parent_id": cls.client_a.id,
                "type": "invoice",
                "email": "compta@alpha.test",
                "lang": "fr_FR",
            }
        )
        # quarterly, with no email anywhere: generated, left in draft
        cls.client_b.write({"spid_statement_enabled": True, "spid_statement_period": "quarterly"})
        cls.client_c = cls.env["res.partner"].create(
            {"name": "Gamma", "is_company": True, "spid_is_client": True}
        )
        cls._october_ticket(cls.client_a, 2, 5, units=[(2, 1.5, True)])

    def test_cron_generates_once_and_emails_the_invoicing_contact(self):
        # a real PDF (wkhtmltopdf), not the HTML Odoo renders in tests
        Statement = self.env["spid.statement"].with_context(force_report_rendering=True)
        Statement._cron_send_statements(today=date(2025, 11, 1))
        statements = Statement.search(
            [("client_id", "in", (self.client_a | self.client_b | self.client_c).ids)]
        )
        self.assertEqual(statements.client_id, self.client_a | self.client_b)
        alpha = statements.filtered(lambda s: s.client_id == self.client_a)
        beta = statements - alpha
        self.assertEqual((alpha.date_from, alpha.date_to), OCTOBER)
        self.assertEqual((beta.date_from, beta.date_to), (date(2025, 7, 1), date(2025, 9, 30)))
        self.assertEqual(alpha.state, "sent")
        self.assertEqual(alpha.recipient_id, self.accounts)
        self.assertEqual(alpha.tickets_opened, 1)
        self.assertEqual(beta.state, "draft")
        self.assertIn("no email address", beta.message_ids[0].body)
        # twice in a row (a server restarted, a second server): nothing more
        Statement._cron_send_statements(today=date(2025, 11, 1))
        self.assertEqual(
            Statement.search([("client_id", "in", (self.client_a | self.client_b).ids)]), statements
        )
        mails = (
            self.env["mail.mail"].sudo().search([("model", "=", "spid.statement"), ("res_id", "=", alpha.id)])
        )
        self.assertEqual(len(mails), 1)
        self._send_for_real(mails)
        (message,) = self._received(1)
        self.assertIn("compta@alpha.test", message["To"])
        (attachment,) = list(message.iter_attachments())
        self.assertEqual(attachment.get_filename(), alpha.name + ".pdf")
        self.assertTrue(attachment.get_content().startswith(b"%PDF"))
        # the document sent is the one kept
        # (the report's stored PDF and the email's copy, both on the statement)
        stored = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "spid.statement"),
                ("res_id", "=", alpha.id),
                ("name", "=", alpha.name + ".pdf"),
            ]
        )
        self.assertEqual(set(stored.mapped("raw")), {attachment.get_content()})
        self.assertFalse(alpha.message_has_error)

    def test_cron_sends_drafts_of_the_period(self):
        """A statement generated by hand (draft) is sent by the cron, not made again."""
        draft = self.env["spid.statement"]._spid_generate(self.client_a, *OCTOBER)
        self.assertEqual(draft.state, "draft")
        self.env["spid.statement"]._cron_send_statements(today=date(2025, 11, 20))
        self.assertEqual(draft.state, "sent")
        self.assertEqual(self.env["spid.statement"].search([("client_id", "=", self.client_a.id)]), draft)

    def _cron_progress(self):
        """The cron's progress record, as ir.cron makes it for each call."""
        cron = self.env.ref("spid_helpdesk_invoicing.ir_cron_spid_statements")
        return cron._add_progress()

    def test_cron_batches_and_one_failure_undoes_nothing_else(self):
        """One batch per call, its progress told to ir.cron (which commits
        between calls); a client whose PDF does not render stays in draft
        with the reason, logged, not tried again, and the others are sent."""
        self.client_a.spid_statement_enabled = False
        self.client_b.spid_statement_enabled = False
        Partner = self.env["res.partner"]
        clients = Partner.create(
            [
                {
                    "name": name,
                    "is_company": True,
                    "spid_is_client": True,
                    "spid_statement_enabled": True,
                    "email": f"{name.lower()}@clients.test",
                }
                for name in ("Delta", "Broken", "Epsilon")
            ]
        )
        broken = clients[1]
        # a customisation of the report that fails for one client (as a
        # faulty QWeb edit would): its rendering raises, the others' do not
        self.env["ir.ui.view"].create(
            {
                "name": "statement: broken for one client",
                "type": "qweb",
                "inherit_id": self.env.ref("spid_helpdesk_invoicing.report_spid_statement_document").id,
                "arch": f"""<xpath expr="//div[@id='spid_statement_bank']" position="before">
                    <t t-if="o.client_id.id == {broken.id}" t-out="o.no_such_field"/>
                </xpath>""",
            }
        )
        Statement = self.env["spid.statement"]
        calls = []
        with mute_logger(
            "odoo.addons.spid_helpdesk_invoicing.models.spid_statement",
            "odoo.addons.base.models.ir_qweb",
            "odoo.addons.base.models.ir_actions_report",
        ):
            for _call in range(5):
                _cron, progress = self._cron_progress()
                remaining = Statement.with_context(ir_cron_progress_id=progress.id)._cron_send_statements(
                    today=date(2025, 11, 1), batch_size=2
                )
                calls.append((progress.done, progress.remaining))
                self.assertEqual(remaining, progress.remaining)
                if not remaining:
                    break
        # 3 statements, 2 a call: two calls, the failed one not counted again
        self.assertEqual(calls, [(2, 1), (1, 0)])
        statements = Statement.search([("client_id", "in", clients.ids)])
        self.assertEqual(len(statements), 3)
        failed = statements.filtered(lambda s: s.client_id == broken)
        self.assertEqual((statements - failed).mapped("state"), ["sent", "sent"])
        self.assertEqual(failed.state, "draft")
        self.assertFalse(failed.date_sent)
        self.assertIn("Not sent", failed.send_error)
        self.assertIn("Not sent", failed.message_ids[0].body)
        self.assertFalse(
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "spid.statement"), ("res_id", "=", failed.id)])
        )
        # another run does not send it again, nor note it twice
        self.assertEqual(Statement._cron_send_statements(today=date(2025, 11, 1)), 0)
        self.assertEqual(failed.state, "draft")
        self.assertEqual(len(failed.message_ids.filtered(lambda m: "Not sent" in (m.body or ""))), 1)

    def test_cron_one_statement_per_company_that_worked(self):
        """A client shared by two companies (no company of its own) gets a
        statement from each company whose tickets it had in the period; a
        client with no ticket, one from its company (else the cron's)."""
        company_2 = self.setup_other_company(name="Second desk")["company"]
        team_2 = self.env["spid.team"].create({"name": "Desk 2", "company_id": company_2.id})
        self.assertFalse(self.client_a.company_id)
        self._october_ticket(self.client_a, 6, 8, units=[(6, 2.0, True)], company=company_2, team=team_2)
        # a ticket of company 2 long closed: not a reason for a statement there
        old = self._october_ticket(self.client_c, 1, 2, company=company_2, team=team_2)
        old.sudo().write({"date_opened": datetime(2025, 6, 1, 9), "date_closed": datetime(2025, 6, 2, 9)})
        self.client_c.write({"spid_statement_enabled": True, "email": "gamma@gamma.test"})
        Statement = self.env["spid.statement"].with_context(allowed_company_ids=[self.company.id])
        Statement._cron_send_statements(today=date(2025, 11, 1))
        statements = (
            self.env["spid.statement"]
            .sudo()
            .search([("client_id", "in", (self.client_a | self.client_c).ids)])
        )
        alpha = statements.filtered(lambda s: s.client_id == self.client_a)
        self.assertEqual(alpha.company_id, self.company | company_2)
        by_company = {s.company_id: s for s in alpha}
        self.assertEqual(by_company[self.company].tickets_opened, 1)
        self.assertAlmostEqual(by_company[self.company].hours_worked, 1.5)
        self.assertEqual(by_company[company_2].tickets_opened, 1)
        self.assertAlmostEqual(by_company[company_2].hours_worked, 2.0)
        self.assertEqual(set(alpha.mapped("state")), {"sent"})
        gamma = statements - alpha
        self.assertEqual((gamma.company_id, gamma.tickets_opened), (self.company, 0))
        # company 2's supervisor sees its own, not the first company's
        other = self._spid_user("hd_st_other2", "spid_helpdesk.group_spid_supervisor", company_2)
        self.assertEqual(
            self.env["spid.statement"].with_user(other).search([("client_id", "=", self.client_a.id)]),
            by_company[company_2],
        )


@tagged("post_install", "-at_install")
class TestStatementQuarter(SpidStatementCommon):
    def test_periods(self):
        self.assertEqual(period_bounds("monthly", date(2026, 1, 1)), (date(2025, 12, 1), date(2025, 12, 31)))
        self.assertEqual(
            period_bounds("quarterly", date(2026, 1, 15)), (date(2025, 10, 1), date(2025, 12, 31))
        )
        self.assertEqual(
            period_bounds("quarterly", date(2026, 3, 31)), (date(2025, 10, 1), date(2025, 12, 31))
        )
        self.assertEqual(period_bounds("quarterly", date(2026, 4, 1)), (date(2026, 1, 1), date(2026, 3, 31)))
        self.assertEqual(period_bounds("monthly", date(2026, 3, 1)), (date(2026, 2, 1), date(2026, 2, 28)))

    def test_partner_form_fields(self):
        self.assertEqual(self.client_a.spid_statement_period, "monthly")
        self.assertFalse(self.client_a.spid_statement_enabled)
        self.assertEqual(self.client_a._spid_statement_recipients()[self.client_a], self.client_a)
        accounts = self.env["res.partner"].create(
            {"name": "Accounts", "parent_id": self.client_a.id, "type": "invoice", "email": "ap@alpha.test"}
        )
        self.assertEqual(self.client_a._spid_statement_recipients()[self.client_a], accounts)
        boss = self.env["res.partner"].create({"name": "Boss", "parent_id": self.client_a.id})
        self.client_a.spid_invoice_partner_id = boss
        self.assertEqual(self.client_a._spid_statement_recipients()[self.client_a], boss)
