from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SpidInvoicingCommon


class SpidContractCommon(SpidInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a.spid_invoice_partner_id = cls.env["res.partner"].create(
            {"name": "Alice Accounts", "parent_id": cls.client_a.id, "email": "alice@alpha.example.com"}
        )

    @classmethod
    def _bank(cls, client, hours, **vals):
        """A running bank of `client` credited with `hours` by the billing user."""
        contract = (
            cls.env["spid.contract"]
            .with_user(cls.billing)
            .create(
                dict(
                    {
                        "client_id": client.id,
                        "company_id": cls.company.id,
                        "date_start": cls.today - timedelta(days=30),
                        "date_end": cls.today + timedelta(days=300),
                        "threshold_hours": 0.0,
                    },
                    **vals,
                )
            )
        )
        contract.action_start()
        if hours:
            cls.env["spid.contract.line"].with_user(cls.billing).create(
                {"contract_id": contract.id, "hours": hours, "name": "Initial hours"}
            )
        return contract.with_env(cls.env)

    def _close(self, tickets):
        tickets.write({"status_id": self.st_closed.id, "resolution": "solved", "epilogue": "<p>Done.</p>"})

    def assertLedgerMatchesInvoices(self, contract):
        """Sum of the draws = the consumption lines of posted invoices + the
        draws still to invoice (tickets on no posted invoice)."""
        draws = contract.line_ids.filtered(lambda line: line.kind == "draw")
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("spid_contract_line_id", "in", draws.ids),
                    ("move_id.state", "=", "posted"),
                    ("move_id.move_type", "=", "out_invoice"),
                ]
            )
        )
        # a cancelled invoice bills nothing: only posted ones count, and its
        # tickets' draws are pending again
        pending = draws.filtered(lambda d: d.ticket_id.move_id.state != "posted")
        self.assertAlmostEqual(
            -sum(draws.mapped("hours")), sum(lines.mapped("quantity")) + -sum(pending.mapped("hours"))
        )
        self.assertTrue(all(line.price_unit == 0 for line in lines))
        self.assertAlmostEqual(contract.hours_left, sum(contract.line_ids.mapped("hours")))


@tagged("post_install", "-at_install")
class TestSpidContract(SpidContractCommon):
    def test_draw_at_closing_then_overage_invoiced_at_the_tariff(self):
        bank = self._bank(self.client_a, 5.0)
        first = self._tickets(self.client_a, 3.0, closed=None)
        second = self._tickets(self.client_a, 4.0, closed=None)
        self._close(first)
        self.assertEqual(first.spid_contract_id, bank)
        self.assertAlmostEqual(first.spid_contract_hours, 3.0)
        self.assertAlmostEqual(bank.hours_left, 2.0)
        self.assertAlmostEqual(first.amount_to_invoice, 0.0, msg="fully covered: nothing to invoice")
        self._close(second)
        self.assertAlmostEqual(second.spid_contract_hours, 2.0, msg="up to the balance")
        self.assertAlmostEqual(second.spid_overage_hours, 2.0)
        self.assertAlmostEqual(second.amount_to_invoice, 120.0, msg="2 h of overage at 60")
        self.assertAlmostEqual(bank.hours_left, 0.0)
        self.assertAlmostEqual(bank.hours_used, 5.0)
        self.assertIn("HB", first.spid_contract_balance)
        # the wizard shows the hours from banks and the overage per client
        wizard = (
            self.env["spid.ticket.invoice.wizard"]
            .with_user(self.billing)
            .create({"invoice_date": self.today, "journal_id": self.journal.id})
        )
        self.assertIn("Alpha SA", wizard.spid_contract_summary)
        self.assertIn("05:00", wizard.spid_contract_summary)
        self.assertAlmostEqual(wizard.amount_total, 120.0)
        move = self._invoice(client_ids=[Command.set(self.client_a.ids)])
        lines = move.invoice_line_ids.sorted("id")
        self.assertEqual(len(lines), 3, "one consumption line each, one overage line")
        consumption = lines.filtered("spid_contract_line_id")
        self.assertEqual(consumption.mapped("price_unit"), [0.0, 0.0])
        self.assertIn(f"[{first.reference}]", consumption[0].name)
        self.assertIn(f"03:00 h from contract {bank.name} (balance 02:00 h)", consumption[0].name)
        self.assertIn("02:00 h from contract", consumption[1].name)
        overage = lines - consumption
        self.assertEqual(overage.spid_ticket_id, second)
        self.assertAlmostEqual(overage.quantity, 2.0)
        self.assertAlmostEqual(overage.price_unit, 60.0)
        self.assertAlmostEqual(move.amount_untaxed, 120.0)
        self.assertEqual((first | second).move_id, move, "a fully covered ticket is on the invoice too")
        self.assertEqual(first.spid_contract_line_ids.move_line_id, consumption[0])
        self.assertLedgerMatchesInvoices(bank)
        move.action_post()
        self.assertTrue(first.is_locked)
        self.assertLedgerMatchesInvoices(bank)

    def test_overage_at_the_banks_own_tariff(self):
        product = self._create_product(name="Overage hour", type="service")
        tariff = self.env["spid.tariff"].create(
            {
                "company_id": self.company.id,
                "client_id": self.client_b.id,
                "product_id": product.id,
                "price": 90.0,
            }
        )
        self._bank(self.client_a, 1.0, tariff_id=tariff.id)
        ticket = self._tickets(self.client_a, 3.0, closed=None)
        self._close(ticket)
        self.assertAlmostEqual(ticket.amount_to_invoice, 180.0)
        move = self._invoice(client_ids=[Command.set(self.client_a.ids)])
        overage = move.invoice_line_ids.filtered(lambda line: line.price_unit)
        self.assertEqual(overage.product_id, product)

    def test_reopening_gives_the_hours_back_and_closing_again_redraws(self):
        bank = self._bank(self.client_a, 10.0)
        ticket = self._tickets(self.client_a, 2.0, closed=None)
        self._close(ticket)
        self.assertAlmostEqual(bank.hours_left, 8.0)
        ticket._spid_reopen("Not fixed")
        self.assertAlmostEqual(bank.hours_left, 10.0)
        self.assertFalse(ticket.spid_contract_id)
        self.env["spid.workunit"].create({"ticket_id": ticket.id, "duration": 1.0, "user_id": self.agent.id})
        self._close(ticket)
        self.assertAlmostEqual(bank.hours_left, 7.0)
        self.assertEqual(len(bank.line_ids.filtered(lambda line: line.kind == "draw")), 1)

    def test_scope_and_validity(self):
        site = self.env["res.partner"].create(
            {"name": "Plant", "parent_id": self.client_a.id, "type": "other"}
        )
        category = self.env["spid.ticket.category"].create({"name": "Printers"})
        sub = self.env["spid.ticket.category"].create({"name": "Laser", "parent_id": category.id})
        bank = self._bank(self.client_a, 10.0, site_id=site.id, category_id=category.id)
        other_site = self._tickets(self.client_a, 1.0, closed=None, category_id=category.id)
        covered = self._tickets(self.client_a, 1.0, closed=None, site_id=site.id, category_id=sub.id)
        other_client = self._tickets(self.client_b, 1.0, closed=None, category_id=category.id)
        self._close(other_site | covered | other_client)
        self.assertEqual(covered.spid_contract_id, bank)
        self.assertFalse((other_site | other_client).spid_contract_id)
        self.assertAlmostEqual(other_site.amount_to_invoice, 60.0)
        # a bank past its end draws no more
        bank.sudo().date_end = self.today - timedelta(days=1)
        late = self._tickets(self.client_a, 1.0, closed=None, site_id=site.id, category_id=category.id)
        self._close(late)
        self.assertFalse(late.spid_contract_id)

    def test_purchase_invoice_credits_and_reset_takes_it_back(self):
        pack = self._create_product(name="Pack 10 h", type="service", lst_price=500.0)
        pack.spid_prepaid_hours = 10.0
        invoice = self.init_invoice(
            "out_invoice", partner=self.client_a, products=pack, post=False, invoice_date=self.today
        )
        invoice.with_user(self.billing).action_post()
        bank = self.env["spid.contract"].search([("client_id", "=", self.client_a.id)])
        self.assertEqual(bank.state, "running")
        self.assertAlmostEqual(bank.hours_left, 10.0)
        self.assertEqual(bank.line_ids.move_line_id.move_id, invoice)
        invoice.with_user(self.billing).button_draft()
        self.assertAlmostEqual(bank.hours_left, 0.0, msg="the credit is taken back")
        invoice.with_user(self.billing).action_post()
        self.assertAlmostEqual(bank.hours_left, 10.0)
        ticket = self._tickets(self.client_a, 8.0, closed=None)
        self._close(ticket)
        self.assertAlmostEqual(bank.hours_left, 2.0)
        with self.assertRaisesRegex(UserError, "drawn by tickets"):
            invoice.with_user(self.billing).button_draft()
        self.assertEqual(invoice.state, "posted")
        self.assertAlmostEqual(bank.hours_left, 2.0)
        # a credit note takes back only hours not drawn: 2 h left, 10 h refunded is refused
        with self.assertRaises(UserError) as refused:
            self._credit_note(invoice)
        self.assertIn("fewer hours left", str(refused.exception))
        bank.invalidate_recordset()
        self.assertAlmostEqual(bank.hours_left, 2.0)
        # a second pack, refunded before any draw: its hours leave the bank
        invoice2 = self.init_invoice(
            "out_invoice", partner=self.client_a, products=pack, post=True, invoice_date=self.today
        )
        self.assertAlmostEqual(bank.hours_left, 12.0)
        self._credit_note(invoice2)
        self.assertAlmostEqual(bank.hours_left, 2.0)
        self.assertEqual(len(bank.line_ids.filtered(lambda line: line.kind == "purchase")), 3)
        # a client that is not a helpdesk client cannot buy hours: clear error, nothing posted
        stranger = self.env["res.partner"].create({"name": "Stranger", "is_company": True})
        other = self.init_invoice(
            "out_invoice", partner=stranger, products=pack, post=False, invoice_date=self.today
        )
        with self.assertRaisesRegex(UserError, "not a helpdesk client"):
            other.action_post()

    def test_expiry_and_rollover(self):
        kept = self._bank(self.client_a, 6.0, rollover=True)
        lost = self._bank(self.client_b, 4.0)
        ticket = self._tickets(self.client_a, 1.0, closed=None)
        self._close(ticket)
        (kept | lost).sudo().date_end = self.today - timedelta(days=1)
        self.env["spid.contract"]._cron_expire()
        self.assertEqual((kept | lost).mapped("state"), ["expired", "expired"])
        self.assertAlmostEqual(kept.hours_left, 0.0)
        self.assertAlmostEqual(lost.hours_left, 0.0)
        self.assertEqual(lost.line_ids.sorted("id")[-1].kind, "expiry")
        renewal = self.env["spid.contract"].search([("previous_id", "=", kept.id)])
        self.assertEqual(renewal.state, "running")
        self.assertAlmostEqual(renewal.hours_left, 5.0, msg="6 h bought, 1 h drawn, 5 h carried")
        self.assertEqual(renewal.date_start, self.today)
        # an expired bank takes no more draws; the renewal does
        later = self._tickets(self.client_a, 1.0, closed=None)
        self._close(later)
        self.assertEqual(later.spid_contract_id, renewal)

    def test_warning_once_per_crossing(self):
        bank = self._bank(self.client_a, 5.0, threshold_hours=2.0, user_id=self.billing.id)
        Activity = self.env["mail.activity"]
        first = self._tickets(self.client_a, 3.5, closed=None)
        self._close(first)
        activities = Activity.search([("res_model", "=", "spid.contract"), ("res_id", "=", bank.id)])
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.billing)
        mails = bank.message_ids.filtered(lambda m: "01:30 h left" in (m.subject or ""))
        self.assertEqual(len(mails), 1)
        self.assertIn(self.client_a.spid_invoice_partner_id, mails.partner_ids)
        second = self._tickets(self.client_a, 1.0, closed=None)
        self._close(second)
        self.assertEqual(
            len(Activity.search([("res_model", "=", "spid.contract"), ("res_id", "=", bank.id)])), 1, "once"
        )
        # hours added: the warning is armed again
        self.env["spid.contract.line"].with_user(self.billing).create(
            {"contract_id": bank.id, "hours": 5.0, "name": "Top-up"}
        )
        self.assertFalse(bank.warning_sent)

    def test_roles(self):
        bank = self._bank(self.client_a, 5.0)
        Line = self.env["spid.contract.line"]
        # agents read the balance, never the overage tariff, and change nothing
        agent_bank = bank.with_user(self.agent)
        self.assertAlmostEqual(agent_bank.hours_left, 5.0)
        with self.assertRaises(AccessError):
            agent_bank.read(["tariff_id"])
        with self.assertRaises(AccessError):
            agent_bank.write({"threshold_hours": 0.0})
        with self.assertRaises(AccessError):
            Line.with_user(self.agent).create({"contract_id": bank.id, "hours": 3.0, "name": "gift"})
        # billing users add hours with a reason, never draws, never edits
        billing_bank = bank.with_user(self.billing)
        for vals in ({"hours_used": 0.0}, {"hours_left": 99.0}, {"state": "expired"}, {"warning_sent": True}):
            with self.assertRaises(AccessError):
                billing_bank.write(vals)
        ticket = self._tickets(self.client_a, 1.0, closed=None)
        hostile = {"spid_system": True, "active_test": False}
        with self.assertRaises(AccessError):
            Line.with_user(self.billing).with_context(**hostile).create(
                {"contract_id": bank.id, "hours": -1.0, "kind": "draw", "ticket_id": ticket.id, "name": "x"}
            )
        line = bank.line_ids[:1].with_user(self.billing)
        with self.assertRaises(AccessError):
            line.with_context(**hostile).write({"hours": 50.0})
        with self.assertRaises(AccessError):
            line.unlink()
        # Odoo's assertRaises rolls back to a savepoint, as the request's transaction would be
        with self.assertRaises(ValidationError) as refused:
            Line.with_user(self.billing).create({"contract_id": bank.id, "hours": -9.0, "name": "typo"})
        self.assertIn("negative balance", str(refused.exception))
        bank.invalidate_recordset()
        self.assertAlmostEqual(bank.hours_left, 5.0, msg="nothing half-written")
        # invoice lines never point at a draw set by a caller
        move = self.init_invoice("out_invoice", partner=self.client_a, products=self.service, post=False)
        with self.assertRaises(AccessError):
            move.invoice_line_ids.with_user(self.billing).with_context(**hostile).write(
                {"spid_contract_line_id": bank.line_ids[:1].id}
            )
        # the client form's balance
        self.assertAlmostEqual(self.client_a.with_user(self.agent).spid_contract_hours_left, 5.0)
        self.assertEqual(self.client_a.spid_contract_count, 1)

    def test_bad_input(self):
        with self.assertRaisesRegex(ValidationError, "before its start"):
            self._bank(self.client_a, 0.0, date_start=self.today, date_end=self.today - timedelta(days=2))
        stranger = self.env["res.partner"].create({"name": "Not a client", "is_company": True})
        with self.assertRaisesRegex(ValidationError, "helpdesk client"):
            self._bank(stranger, 0.0)
        bank = self._bank(self.client_a, 2.0)
        ticket = self._tickets(self.client_a, 1.0, closed=None)
        self._close(ticket)
        with self.assertRaisesRegex(UserError, "ledger entries"):
            bank.with_user(self.billing).unlink()
        with self.assertRaisesRegex(UserError, "reopen it first"):
            ticket.sudo().unlink()

    def _draws(self, bank):
        return bank.line_ids.filtered(lambda line: line.kind == "draw")

    def test_cancelled_invoice_lets_the_ticket_draw_again(self):
        """Invoice, post, cancel: the cancelled line held the draw (it used to
        be 'restrict'), so changing the ticket's time or reopening it failed."""
        bank = self._bank(self.client_a, 10.0)
        ticket = self._tickets(self.client_a, 2.0, closed=None)
        self._close(ticket)
        move = self._invoice(client_ids=[Command.set(self.client_a.ids)])
        move.action_post()
        move.button_draft()
        move.button_cancel()
        self.assertEqual(move.state, "cancel")
        self.assertFalse(ticket.move_id, "the cancelled invoice let the ticket go")
        self.assertLedgerMatchesInvoices(bank)
        # time added to the closed ticket: its draw is replaced
        unit = self.env["spid.workunit"].create(
            {"ticket_id": ticket.id, "duration": 0.5, "user_id": self.agent.id}
        )
        self.assertEqual(len(self._draws(bank)), 1)
        self.assertAlmostEqual(bank.hours_left, 7.5)
        cancelled_line = move.invoice_line_ids.filtered(lambda line: line.spid_ticket_id == ticket)
        self.assertFalse(cancelled_line.spid_contract_line_id, "the cancelled line lets the old draw go")
        # reopened, then closed again: one draw, the ledger matches the invoices
        ticket._spid_reopen("Not fixed")
        self.assertFalse(self._draws(bank))
        self.assertAlmostEqual(bank.hours_left, 10.0)
        unit.duration = 1.0
        self._close(ticket)
        self.assertEqual(len(self._draws(bank)), 1)
        self.assertAlmostEqual(bank.hours_left, 7.0)
        self.assertLedgerMatchesInvoices(bank)
        again = self._invoice(client_ids=[Command.set(self.client_a.ids)])
        again.action_post()
        self.assertEqual(ticket.move_id, again)
        self.assertEqual(self._draws(bank).move_line_id.move_id, again)
        self.assertLedgerMatchesInvoices(bank)

    def test_client_change_after_closing_moves_the_draw(self):
        bank_a = self._bank(self.client_a, 10.0)
        bank_b = self._bank(self.client_b, 10.0)
        ticket = self._tickets(self.client_a, 2.0, closed=None)
        self._close(ticket)
        self.assertEqual(ticket.spid_contract_id, bank_a)
        ticket.write({"client_id": self.client_b.id, "partner_id": False})
        self.assertEqual(ticket.spid_contract_id, bank_b, "the draw follows the client")
        self.assertAlmostEqual(bank_a.hours_left, 10.0)
        self.assertAlmostEqual(bank_b.hours_left, 8.0)
        self.assertEqual(len(self._draws(bank_a) | self._draws(bank_b)), 1)
        # a change no write told us about (here in SQL): the invoicing draws again
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE spid_ticket SET client_id = %s WHERE id = %s", (self.client_a.id, ticket.id)
        )
        self.env.invalidate_all()
        move = self._invoice()
        self.assertEqual(move.partner_id.commercial_partner_id, self.client_a)
        self.assertEqual(ticket.spid_contract_id, bank_a, "re-synced at the start of the invoicing")
        consumption = move.invoice_line_ids.filtered("spid_contract_line_id")
        self.assertIn(f"from contract {bank_a.name}", consumption.name)
        self.assertNotIn(bank_b.name, "".join(move.invoice_line_ids.mapped("name")))
        self.assertAlmostEqual(bank_b.hours_left, 10.0)
        self.assertAlmostEqual(bank_a.hours_left, 8.0)
        self.assertLedgerMatchesInvoices(bank_a)

    def test_tariff_change_after_closing_redraws(self):
        bank = self._bank(self.client_a, 10.0)
        ticket = self._tickets(self.client_a, 0.25, closed=None)
        self._close(ticket)
        self.assertAlmostEqual(ticket.spid_contract_hours, 0.5, msg="the tariff's minimum of 30 min")
        self.general.write({"min_duration": 1.0})
        self.assertAlmostEqual(ticket.spid_contract_hours, 1.0, msg="the new minimum is drawn")
        self.assertAlmostEqual(bank.hours_left, 9.0)
        self.assertEqual(len(self._draws(bank)), 1)
        move = self._invoice(client_ids=[Command.set(self.client_a.ids)])
        self.assertEqual(move.invoice_line_ids.filtered("spid_contract_line_id").quantity, 1.0)
        self.assertLedgerMatchesInvoices(bank)

    def test_ended_bank_never_gets_hours_back(self):
        """A bank that expired was settled with its draws: more time on the
        ticket is overage, less time lowers the overage, never the bank's."""
        bank = self._bank(self.client_a, 10.0)
        ticket = self._tickets(self.client_a, 2.0, closed=None)
        self._close(ticket)
        bank.sudo().date_end = self.today - timedelta(days=1)
        self.env["spid.contract"]._cron_expire()
        self.assertEqual(bank.state, "expired")
        self.assertAlmostEqual(bank.hours_left, 0.0)
        self.assertAlmostEqual(bank.hours_expired, 8.0)
        # 5 minutes more (rounded to the quarter): 15 min of overage, the bank untouched
        five = self.env["spid.workunit"].create(
            {"ticket_id": ticket.id, "duration": 5 / 60, "user_id": self.agent.id}
        )
        self.assertEqual(ticket.spid_contract_id, bank)
        self.assertAlmostEqual(ticket.spid_contract_hours, 2.0)
        self.assertAlmostEqual(ticket.spid_overage_hours, 0.25)
        self.assertAlmostEqual(ticket.amount_to_invoice, 15.0)
        self.assertAlmostEqual(bank.hours_left, 0.0, msg="no hours back into an ended bank")
        self.assertEqual(len(self._draws(bank)), 1)
        # less time than the bank covered: no overage, the hours stay drawn
        five.unlink()
        self.env["spid.workunit"].search([("ticket_id", "=", ticket.id)]).duration = 1.0
        self.assertAlmostEqual(ticket.spid_contract_hours, 2.0)
        self.assertAlmostEqual(ticket.spid_overage_hours, 0.0)
        self.assertAlmostEqual(ticket.amount_to_invoice, 0.0)
        self.assertAlmostEqual(bank.hours_left, 0.0)
        # reopened: nothing given back either
        ticket._spid_reopen("Again")
        self.assertAlmostEqual(bank.hours_left, 0.0)
        self.assertAlmostEqual(bank.hours_used, 2.0)
        # moved to another client: the draw leaves the ticket, written off on the ended bank
        ticket.write({"client_id": self.client_b.id, "partner_id": False})
        self._close(ticket)
        self.assertFalse(ticket.spid_contract_id)
        self.assertAlmostEqual(bank.hours_left, 0.0)
        self.assertAlmostEqual(bank.hours_used, 0.0)
        self.assertAlmostEqual(bank.hours_expired, 10.0)

    def test_one_definition_of_the_figures(self):
        """Credited, used (tickets' draws only), expired, carried over, taken
        back and the balance: the same on the bank, its client's portal and
        the service statement."""
        kept = self._bank(self.client_a, 10.0, rollover=True)
        self.env["spid.contract.line"].with_user(self.billing).create(
            {"contract_id": kept.id, "hours": -1.0, "name": "Typo in the first entry"}
        )
        ticket = self._tickets(self.client_a, 3.0, closed=None)
        self._close(ticket)
        kept.sudo().date_end = self.today - timedelta(days=1)
        self.env["spid.contract"]._cron_expire()
        renewal = self.env["spid.contract"].search([("previous_id", "=", kept.id)])
        figures = {
            "hours_bought": 10.0,
            "hours_used": 3.0,
            "hours_expired": 0.0,
            "hours_carried": 6.0,
            "hours_corrected": 1.0,
            "hours_left": 0.0,
        }
        self.assertEqual({key: kept[key] for key in figures}, figures)
        self.assertAlmostEqual(renewal.hours_bought, 6.0, msg="carried in: a credit of the next bank")
        values = self.env["spid.statement"]._spid_statement_bank_values(
            self.client_a, self.company, self.today
        )[self.client_a]
        self.assertEqual([{key: row[key] for key in figures} for row in values][0], figures)
        # figures as they stood on a day before the ledger's entries: nothing
        before = kept._spid_ledger_figures(self.today - timedelta(days=400))[kept.id]
        self.assertEqual(before, dict.fromkeys(figures, 0.0))
