import base64
import csv
import io
from datetime import timedelta

import openpyxl
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch
from odoo.addons.spid_helpdesk.tests.common import assert_queries_flat

from .common import SpidInvoicingCommon


@tagged("post_install", "-at_install")
class TestTariffs(SpidInvoicingCommon):
    def test_most_specific_line_wins(self):
        Tariff = self.env["spid.tariff"].with_user(self.billing)
        parent = self.env["spid.ticket.category"].create({"name": "Hardware"})
        child = self.env["spid.ticket.category"].create({"name": "Printers", "parent_id": parent.id})
        kind = self.env["spid.ticket.type"].create({"name": "Intervention"})
        base = {"product_id": self.service.id, "price": 1.0}
        by_type = Tariff.create(dict(base, type_id=kind.id))
        by_category = Tariff.create(dict(base, category_id=parent.id))
        by_status = Tariff.create(dict(base, status_id=self.st_closed.id))
        by_client = Tariff.create(dict(base, client_id=self.client_a.id))
        ticket_b = self._tickets(self.client_b, 1.0, category_id=child.id, type_id=kind.id)
        ticket_a = self._tickets(self.client_a, 1.0, category_id=child.id, type_id=kind.id)
        # the client's grid beats every company-wide line
        self.assertEqual(ticket_a.tariff_id, by_client)
        # then status, then category (a parent's line covers its children), then type
        self.assertEqual(ticket_b.tariff_id, by_status)
        by_status.active = False
        self.assertEqual(ticket_b.tariff_id, by_category)
        by_category.active = False
        self.assertEqual(ticket_b.tariff_id, by_type)
        by_type.active = False
        self.assertEqual(ticket_b.tariff_id, self.general)
        # among equally specific lines, the sequence decides
        cheaper = Tariff.create(dict(base, price=30.0, sequence=1))
        self.assertEqual(ticket_b.tariff_id, cheaper)
        self.assertEqual(ticket_b.amount_to_invoice, 30.0)

    def test_rounding_minimum_and_units(self):
        short, odd, exact = (self._tickets(self.client_a, hours) for hours in (0.1, 1.1, 1.0))
        self.assertEqual(short.invoice_quantity, 0.5, "raised to the minimum")
        self.assertEqual(odd.invoice_quantity, 1.25, "rounded up to the quarter")
        self.assertEqual(exact.invoice_quantity, 1.0, "an exact quarter stays")
        self.assertEqual(odd.amount_to_invoice, 75.0)
        self.general.write({"unit": "day", "hours_per_day": 8.0, "rounding": 0.5})
        long_job = self._tickets(self.client_a, 11.8)
        self.assertEqual(long_job.invoice_quantity, 1.5, "12 h rounded, then 1.5 days of 8 h")
        self.general.write({"unit": "ticket", "price": 90.0})
        self.assertEqual((odd | long_job).mapped("amount_to_invoice"), [90.0, 90.0])

    def test_tariff_change_reprices_tickets_to_invoice(self):
        ticket = self._tickets(self.client_a, 2.0)
        self.assertEqual(ticket.amount_to_invoice, 120.0)
        self.general.with_user(self.billing).price = 70.0
        self.assertEqual(ticket.amount_to_invoice, 140.0)

    def test_invoice_state(self):
        ticket = self._tickets(self.client_a, 1.0, closed=None)
        self.assertEqual(ticket.invoice_state, "to_invoice")
        ticket.workunit_ids.billable = False
        self.assertEqual(ticket.invoice_state, "not_billable")
        self.assertEqual(ticket.amount_to_invoice, 0.0)
        ticket.workunit_ids.billable = True
        self.st_closed.spid_billable = False
        closed = self._tickets(self.client_a, 1.0)
        self.assertEqual(closed.invoice_state, "not_billable", "a non-billable status bills nothing")

    def test_bad_tariffs_are_refused(self):
        Tariff = self.env["spid.tariff"].with_user(self.billing)
        with self.assertRaisesRegex(UserError, "cannot be negative"), self.cr.savepoint():
            Tariff.create({"product_id": self.service.id, "price": -1.0})
        with self.assertRaisesRegex(UserError, "hours make a day"), self.cr.savepoint():
            Tariff.create({"product_id": self.service.id, "price": 1.0, "unit": "day", "hours_per_day": 0})
        other = self.env["res.partner"].create({"name": "Not a client"})
        with self.assertRaisesRegex(UserError, "not a helpdesk client"), self.cr.savepoint():
            Tariff.create({"product_id": self.service.id, "price": 1.0, "client_id": other.id})

    def test_agent_cannot_manage_tariffs_nor_invoice(self):
        self.assertTrue(self.general.with_user(self.agent).price, "agents read the prices")
        with self.assertRaises(AccessError):
            self.general.with_user(self.agent).price = 1.0
        with self.assertRaises(AccessError):
            self.env["spid.ticket.invoice.wizard"].with_user(self.agent).create({})


@tagged("post_install", "-at_install")
class TestInvoicing(SpidInvoicingCommon):
    def test_cutoff_date(self):
        before = self._tickets(self.client_a, 1.0, closed=-3)
        on_the_day = self._tickets(self.client_a, 1.0, closed=0)
        after = self._tickets(self.client_a, 1.0, closed=2)
        still_open = self._tickets(self.client_a, 1.0, closed=None)
        moves = self._invoice()
        self.assertEqual(moves.spid_ticket_ids, before | on_the_day)
        self.assertEqual((after | still_open).mapped("invoice_state"), ["to_invoice", "to_invoice"])
        with self.assertRaisesRegex(UserError, "No closed ticket is left"):
            self._invoice()

    def test_turnover_to_invoice_is_what_the_wizard_bills(self):
        """Finance's figures agree: the turnover's "to invoice" is the
        wizard's selection, not every ticket with billable work."""
        still_open = self._tickets(self.client_b, 2.0, closed=None)
        closed = self._tickets(self.client_b, 1.0)
        self.assertEqual(still_open.invoice_state, "to_invoice", "priced while it is worked on")
        Wizard = self.env["spid.ticket.invoice.wizard"].with_user(self.billing)
        wizard = Wizard.create(
            {"client_ids": [Command.set(self.client_b.ids)], "journal_id": self.journal.id}
        )
        self.assertEqual(wizard.ticket_ids, closed)
        self.assertEqual((wizard.ticket_count, wizard.amount_total), (1, 60.0))

        def turnover():
            Report = self.env["spid.turnover.report"].with_user(self.billing)
            Report._spid_flush_sources()
            return {
                (ticket, kind): amount
                for ticket, kind, amount in Report._read_group(
                    [("client_id", "=", self.client_b.id)], ["ticket_id", "kind"], ["amount:sum"]
                )
            }

        self.assertEqual(turnover(), {(closed, "to_invoice"): 60.0})
        self.assertEqual(
            sum(turnover().values()), wizard.amount_total, "the turnover to invoice is the wizard's amount"
        )
        moves = wizard.action_create_invoices()
        move = self.env["account.move"].browse(moves["domain"][0][2])
        self.assertEqual(move.spid_ticket_ids, closed)
        self.assertEqual(turnover(), {}, "a draft invoice is neither to invoice nor turnover yet")
        move.action_post()
        self.assertEqual(turnover(), {(closed, "invoiced"): 60.0})
        self.assertEqual(still_open.invoice_state, "to_invoice")

    def test_invoicing_takes_only_what_the_wizard_selects(self):
        """The rule holds on the server, whatever tickets a caller passes: an
        open ticket, or one closed after the invoice date, is not billed."""
        still_open = self._tickets(self.client_a, 1.0, closed=None)
        later = self._tickets(self.client_a, 1.0, closed=2)
        Ticket = self.env["spid.ticket"].with_user(self.billing)
        with self.assertRaisesRegex(UserError, "No closed ticket is left"):
            Ticket.browse((still_open | later).ids)._spid_create_invoices(self.journal, self.today)
        self.assertEqual((still_open | later).mapped("move_id"), self.env["account.move"])

    def test_tickets_invoice_themselves(self):
        """The invoicing is the tickets' own method: the given tickets, once."""
        first, second = self._tickets(self.client_a, 1.0, count=2)
        Ticket = self.env["spid.ticket"].with_user(self.billing)
        move = Ticket.browse(first.ids)._spid_create_invoices(self.journal, self.today)
        self.assertEqual(move.invoice_line_ids.spid_ticket_id, first)
        self.assertEqual((move.journal_id, move.invoice_date), (self.journal, self.today))
        self.assertEqual(second.invoice_state, "to_invoice")
        with self.assertRaisesRegex(UserError, "No closed ticket is left"):
            Ticket.browse(first.ids)._spid_create_invoices(self.journal, self.today)

    def test_invoicing_method_is_the_wizards_only(self):
        """No request reaches the method (private), and code calling it
        needs the wizard's rights: an agent invoices nothing."""
        ticket = self._tickets(self.client_a, 1.0)
        with self.assertRaises(AccessError):
            get_public_method(self.env["spid.ticket"], "_spid_create_invoices")
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent)._spid_create_invoices(self.journal, self.today)
        self.assertEqual(ticket.invoice_state, "to_invoice")

    def test_one_invoice_per_client_and_order(self):
        invoice_contact = self.env["res.partner"].create(
            {"name": "Alpha accounting", "parent_id": self.client_a.id, "type": "invoice"}
        )
        self.client_a.write(
            {
                "spid_invoice_partner_id": invoice_contact.id,
                "spid_contract_ref": "CT-1",
                "spid_order_ref": "PO-1",
            }
        )
        po1 = self._tickets(self.client_a, 1.0, count=2)
        po2 = self._tickets(self.client_a, 2.0, order_ref="PO-2")
        no_po = self._tickets(self.client_a, 3.0, order_ref=False)
        beta = self._tickets(self.client_b, 1.1)
        moves = self._invoice()
        self.assertEqual(len(moves), 4)
        by_ref = {(move.partner_id, move.ref): move for move in moves}
        first = by_ref[invoice_contact, "PO-1"]
        self.assertEqual(first.spid_ticket_ids, po1)
        self.assertEqual(first.invoice_origin, "CT-1")
        self.assertEqual(
            (first.state, first.move_type, first.journal_id), ("draft", "out_invoice", self.journal)
        )
        self.assertEqual(by_ref[invoice_contact, "PO-2"].spid_ticket_ids, po2)
        self.assertEqual(by_ref[invoice_contact, False].spid_ticket_ids, no_po)
        line = by_ref[self.client_b, False].invoice_line_ids
        self.assertRecordValues(
            line,
            [
                {
                    "product_id": self.service.id,
                    "quantity": 1.25,
                    "price_unit": 60.0,
                    "price_subtotal": 75.0,
                    "spid_ticket_id": beta.id,
                }
            ],
        )
        self.assertIn(self.tax_sale_a, line.tax_ids, "the product's taxes apply")
        self.assertIn(beta.reference, line.name)
        self.assertIn(beta.name, line.name)
        self.assertEqual((po1 | po2 | no_po | beta).mapped("invoice_state"), ["invoiced"] * 5)

    def test_fiscal_position_and_currency_of_the_client(self):
        mapped_tax = self.tax_sale_b
        position = self.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "tax_ids": [Command.create({"tax_src_id": self.tax_sale_a.id, "tax_dest_id": mapped_tax.id})],
            }
        )
        self.client_b.with_company(self.company).property_account_position_id = position
        self._tickets(self.client_b, 1.0)
        move = self._invoice()
        self.assertEqual(move.fiscal_position_id, position)
        self.assertEqual(move.invoice_line_ids.tax_ids, mapped_tax)
        self.assertEqual(move.currency_id, self.company.currency_id)

    def test_client_currency_from_its_pricelist(self):
        other = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        if other == self.company.currency_id:
            other = self.setup_other_currency("CHF", rates=[("2000-01-01", 2.0)])
        pricelist = self.env["product.pricelist"].create({"name": "Foreign", "currency_id": other.id})
        self.client_b.with_company(self.company).property_product_pricelist = pricelist
        self._tickets(self.client_b, 2.0)
        move = self._invoice()
        self.assertEqual(move.currency_id, other)
        self.assertEqual(
            move.invoice_line_ids.price_unit, 120.0, "60 in the company's currency, at a rate of 2"
        )
        self.assertEqual(move.amount_untaxed, 240.0)

    def test_missing_tariff_is_a_clear_error(self):
        self.general.active = False
        ticket = self._tickets(self.client_a, 1.0)
        with self.assertRaisesRegex(UserError, ticket.reference):
            self._invoice()
        self.assertFalse(self.env["account.move"].search([("spid_ticket_ids", "in", ticket.ids)]))
        self.assertEqual(ticket.invoice_state, "to_invoice")

    def test_posting_locks_and_resetting_releases(self):
        tickets = self._tickets(self.client_a, 1.0, count=2)
        move = self._invoice()
        move.with_user(self.billing).action_post()
        self.assertEqual(tickets.mapped("is_locked"), [True, True])
        ticket = tickets[0].with_user(self.billing)
        with self.assertRaisesRegex(UserError, "locked"):
            ticket.name = "Changed"
        with self.assertRaisesRegex(UserError, "locked|invoice"):
            self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id, "duration": 1.0})
        with self.assertRaisesRegex(UserError, "locked|invoice"):
            ticket._spid_reopen()
        manager = self._spid_user("hd_inv_manager", "spid_helpdesk.group_spid_manager", self.company)
        with self.assertRaisesRegex(AccessError, "posted invoice"):
            tickets[0].with_user(manager).action_unlock()
        # a credit note does not release them
        refund = self._credit_note(move)
        self.assertEqual(refund.state, "posted")
        self.assertEqual(tickets.mapped("is_locked"), [True, True])
        self.assertEqual(tickets.move_id, move)
        # back to draft: released for edition, still on the invoice
        move.with_user(self.billing).button_draft()
        self.assertEqual(tickets.mapped("is_locked"), [False, False])
        self.assertEqual(tickets.mapped("invoice_state"), ["invoiced", "invoiced"])
        with self.assertRaisesRegex(UserError, "is on invoice"):
            self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id, "duration": 1.0})
        # cancelled: the tickets are to invoice again
        move.with_user(self.billing).button_cancel()
        self.assertFalse(tickets.move_id)
        self.assertEqual(tickets.mapped("invoice_state"), ["to_invoice", "to_invoice"])
        second = self._invoice()
        self.assertEqual(second.spid_ticket_ids, tickets)
        with self.assertRaisesRegex(UserError, "is on invoice"):
            move.with_user(self.billing).button_draft()

    def test_cancelling_a_posted_invoice_releases(self):
        tickets = self._tickets(self.client_a, 1.0, count=2)
        move = self._invoice()
        move.with_user(self.billing).action_post()
        move.with_user(self.billing).button_cancel()
        self.assertEqual(move.state, "cancel")
        self.assertEqual(tickets.mapped("is_locked"), [False, False])
        self.assertFalse(tickets.move_id)
        self.assertEqual(tickets.mapped("invoice_state"), ["to_invoice", "to_invoice"])

    def test_deleting_a_draft_or_its_line_releases(self):
        tickets = self._tickets(self.client_a, 1.0, count=3)
        move = self._invoice()
        move.with_user(self.billing).write(
            {"invoice_line_ids": [Command.delete(move.invoice_line_ids[0].id)]}
        )
        released = tickets.filtered(lambda t: not t.move_id)
        self.assertEqual(len(released), 1)
        self.assertEqual(released.invoice_state, "to_invoice")
        move.with_user(self.billing).unlink()
        self.assertEqual(tickets.mapped("invoice_state"), ["to_invoice"] * 3)

    def test_manually_locked_ticket_stays_locked(self):
        ticket = self._tickets(self.client_a, 1.0)
        ticket.action_lock()
        move = self._invoice()
        move.action_post()
        move.button_draft()
        self.assertTrue(ticket.is_locked, "the invoice only releases the lock it set")

    def test_internal_client(self):
        """A department of the company itself is a client like any other."""
        internal = self.env["res.partner"].create(
            {"name": "IT department", "parent_id": self.company.partner_id.id, "spid_is_client": True}
        )
        ticket = self._tickets(internal, 2.0)
        move = self._invoice()
        self.assertEqual(move.spid_ticket_ids, ticket)
        self.assertEqual(move.amount_untaxed, 120.0)

    def test_multi_company(self):
        company_2 = self.setup_other_company(name="Second desk")["company"]
        journal_2 = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company_2.id)], limit=1
        )
        product_2 = self.env["product.product"].create({"name": "Service 2", "type": "service"})
        tariff_2 = self.env["spid.tariff"].create(
            {"company_id": company_2.id, "product_id": product_2.id, "price": 100.0, "rounding": 0}
        )
        team_2 = self.env["spid.team"].create({"name": "Desk 2", "company_id": company_2.id})
        ticket_1 = self._tickets(self.client_a, 1.0)
        ticket_2 = self._tickets(self.client_a, 1.0, company=company_2, team_id=team_2.id)
        self.assertEqual(ticket_1.tariff_id, self.general)
        self.assertEqual(ticket_2.tariff_id, tariff_2, "each company prices with its own tariffs")
        both = self._spid_user(
            "hd_billing_both",
            "spid_helpdesk_invoicing.group_spid_billing",
            company_2,
            self.company | company_2,
        )
        moves_2 = self._invoice(user=both, company=company_2, journal_id=journal_2.id)
        self.assertEqual(moves_2.spid_ticket_ids, ticket_2)
        self.assertEqual(moves_2.company_id, company_2)
        self.assertEqual(moves_2.amount_untaxed, 100.0)
        self.assertEqual(ticket_1.invoice_state, "to_invoice")
        # the billing user of the first company sees neither the tariffs nor the invoices of the second
        Tariff = self.env["spid.tariff"].with_user(self.billing)
        self.assertNotIn(tariff_2, Tariff.search([]))
        with self.assertRaises(AccessError):
            tariff_2.with_user(self.billing).price  # noqa: B018
        with self.assertRaises(AccessError):
            moves_2.with_user(self.billing).name  # noqa: B018

    def test_query_count_follows_invoices_not_tickets(self):
        clients = self.env["res.partner"].create(
            [{"name": f"Client {i}", "is_company": True, "spid_is_client": True} for i in range(10)]
        )

        def tickets(per_client):
            for client in clients:
                self._tickets(client, 1.0, count=per_client)
            return per_client

        def invoice(per_client):
            moves = self._invoice()
            self.assertEqual(len(moves), 10)
            self.assertEqual(len(moves.invoice_line_ids), 10 * per_client)

        # 900 more tickets on the same 10 invoices cost (almost) no more queries
        assert_queries_flat(self, tickets, invoice, sizes=(10, 100), slack=39, warmup=False)


@tagged("post_install", "-at_install")
class TestInvoicingOutputs(SpidInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tickets = cls._tickets(cls.client_a, 1.5, count=2)
        cls.move = cls._invoice()
        cls.move.action_post()

    def test_export_csv_and_xlsx(self):
        Wizard = self.env["spid.invoice.export.wizard"].with_user(self.billing)
        period = {"date_from": self.today - timedelta(days=1), "date_to": self.today}
        wizard = Wizard.create(dict(period, file_format="csv"))
        wizard.action_export()
        rows = list(csv.reader(io.StringIO(base64.b64decode(wizard.file_data).decode("utf-8-sig"))))
        self.assertEqual(
            rows[0][:4], ["Invoice number", "Invoice date", "Client reference", "Ticket reference"]
        )
        self.assertEqual(len(rows), 3)
        self.assertEqual({row[3] for row in rows[1:]}, set(self.tickets.mapped("reference")))
        self.assertEqual(rows[1][0], self.move.name)
        self.assertEqual(rows[1][2], "C-ALPHA")
        self.assertEqual(float(rows[1][8]), 90.0)
        wizard = Wizard.create(dict(period, file_format="xlsx"))
        wizard.action_export()
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data))).active
        self.assertEqual(sheet.max_row, 3)
        self.assertEqual(sheet.cell(2, 1).value, self.move.name)
        # outside the period, nothing
        empty = Wizard.create(
            {"date_from": self.today + timedelta(days=1), "date_to": self.today + timedelta(days=2)}
        )
        empty.action_export()
        self.assertEqual(empty.line_count, 0)
        with self.assertRaisesRegex(UserError, "starts after"):
            Wizard.create(
                {"date_from": self.today, "date_to": self.today - timedelta(days=1)}
            ).action_export()

    def test_turnover_per_client_agent_and_month(self):
        owner = self.agent
        with_switch(self.tickets.sudo(), SYSTEM).write({"user_id": owner.id})
        pending = self._tickets(self.client_b, 1.0)
        self.env.flush_all()
        Report = self.env["spid.turnover.report"].with_user(self.billing)
        totals = {
            (client, kind): amount
            for client, kind, amount in Report._read_group(
                [("client_id", "in", (self.client_a | self.client_b).ids)],
                ["client_id", "kind"],
                ["amount:sum"],
            )
        }
        self.assertEqual(totals[self.client_a, "invoiced"], 180.0)
        self.assertEqual(totals[self.client_b, "to_invoice"], pending.amount_to_invoice)
        objective = self.env["spid.agent.objective"].create(
            {"user_id": owner.id, "month": self.today.replace(day=1), "target_turnover": 360.0}
        )
        self.assertEqual(objective.actual_turnover, 180.0)
        # a credit note nets the turnover
        self._credit_note(self.move)
        self.env.flush_all()
        invoiced = Report._read_group(
            [("client_id", "=", self.client_a.id), ("kind", "=", "invoiced")], [], ["amount:sum"]
        )[0][0]
        self.assertEqual(invoiced, 0.0)

    def test_hours_read_as_hours_minutes_on_one_invoice(self):
        """One convention for people, hours:minutes, on the invoice's lines,
        its PDF and the work order; the quantity stays a number of hours."""
        ticket = self._tickets(self.client_b, 2.25)
        ticket.workunit_ids.visibility = "public"
        move = self._invoice(client_ids=[Command.set(self.client_b.ids)])
        line = move.invoice_line_ids
        self.assertEqual(line.name, f"[{ticket.reference}] {ticket.name}, 02:15 h")
        self.assertEqual(line.quantity, 2.25)
        Report = self.env["ir.actions.report"]
        invoice = Report._render_qweb_html("account.report_invoice", move.ids)[0].decode()
        workorder = Report._render_qweb_html("spid_helpdesk.report_spid_workorder", ticket.ids)[0].decode()
        for html in (invoice, workorder):
            self.assertIn("02:15", html)
            self.assertNotIn("2.25 h", html)

    def test_work_order_names_its_issuer_in_the_body(self):
        """Without wkhtmltopdf's patched Qt (Debian's build, this machine's)
        there is no header nor footer: the company and the ticket's reference
        are in the page itself; with it, the header names them once."""
        self.company.write({"street": "1 Rue du Support", "city": "Lyon", "zip": "69001"})
        ticket = self.tickets[0]
        Report = self.env["ir.actions.report"]
        html = Report._render_qweb_html("spid_helpdesk.report_spid_workorder", ticket.ids)[0].decode()
        page = etree.fromstring(html, etree.HTMLParser()).xpath("//div[@class='page']")
        self.assertEqual(len(page), 1)
        issuer = page[0].xpath(".//div[@name='issuer']")
        self.assertEqual(len(issuer), 0 if Report._spid_prints_letterhead() else 1)
        body = " ".join(page[0].itertext())
        if issuer:
            for text in (self.company.name, "1 Rue du Support", "Lyon"):
                self.assertIn(text, body)
        self.assertIn(ticket.reference, body)
        signatures = " ".join(page[0].xpath("//div[@name='signatures']")[0].itertext())
        self.assertIn(ticket.reference, signatures, "the page the client signs names the ticket")

    def test_invoice_names_its_seller_without_letterhead(self):
        """An invoice of tickets printed without header names its seller in
        the body; other invoices are left as Odoo prints them."""
        self.company.write({"street": "1 Rue du Support", "city": "Lyon", "zip": "69001"})
        Report = self.env["ir.actions.report"]
        html = Report._render_qweb_html("account.report_invoice", self.move.ids)[0].decode()
        issuer = etree.fromstring(html, etree.HTMLParser()).xpath("//div[@name='spid_issuer']")
        self.assertEqual(len(issuer), 0 if Report._spid_prints_letterhead() else 1)
        if issuer:
            text = " ".join(issuer[0].itertext())
            for part in (self.company.name, "1 Rue du Support", "Lyon"):
                self.assertIn(part, text)
        other = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.move.partner_id.id,
                "invoice_line_ids": [
                    Command.create({"name": "Not a ticket", "quantity": 1, "price_unit": 10})
                ],
            }
        )
        html = Report._render_qweb_html("account.report_invoice", other.ids)[0].decode()
        self.assertNotIn('name="spid_issuer"', html)

    def test_invoice_pdf_lists_the_tickets(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.report_invoice", self.move.ids)[0]
            .decode()
        )
        self.assertIn("Tickets invoiced", html)
        for ticket in self.tickets:
            self.assertIn(ticket.reference, html)
            self.assertIn(ticket.name, html)
