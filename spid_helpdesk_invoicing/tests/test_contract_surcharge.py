"""Hour banks, surcharges and statements together: a surcharged hour draws
its weight from a prepaid bank (the seam spid.ticket._spid_value_hours), the
overage is billed at the tariff's base price, and the client's statement
prints the bank as its ledger stood at the end of the period."""

from datetime import date

from odoo.tests import tagged

from .test_spid_contract import SpidContractCommon
from .test_surcharge import SurchargeCommon, utc


@tagged("post_install", "-at_install")
class TestBankWithSurcharges(SurchargeCommon, SpidContractCommon):
    def test_weekend_hours_draw_their_weight_and_the_statement_shows_the_bank(self):
        bank = self._bank(self.client_a, 10.0)
        # Saturday 8 March 2025, 11:00-13:00 in Paris: 2 h at x1.5
        saturday = self._ticket([(utc("2025-03-08 10:00:00"), 2.0)])
        self.assertEqual(saturday._spid_value_hours(), {saturday.id: 3.0})
        self.assertEqual(saturday.spid_contract_id, bank)
        self.assertAlmostEqual(saturday.spid_contract_hours, 3.0, msg="2 weekend hours weigh 3")
        self.assertAlmostEqual(saturday.amount_to_invoice, 0.0)
        self.assertAlmostEqual(bank.hours_left, 7.0)
        # 4 h on Saturday (6 weighed) and 2 h on Monday morning: 8 h, 7 left
        mixed = self._ticket([(utc("2025-03-08 09:00:00"), 4.0), (utc("2025-03-10 08:00:00"), 2.0)])
        self.assertAlmostEqual(mixed.spid_contract_hours, 7.0)
        self.assertAlmostEqual(mixed.spid_overage_hours, 1.0)
        self.assertAlmostEqual(mixed.amount_to_invoice, 100.0, msg="the overage at the base price")
        move = self._invoice()
        lines = move.invoice_line_ids.filtered(lambda line: line.spid_ticket_id in saturday | mixed)
        consumption = lines.filtered("spid_contract_line_id")
        self.assertEqual(len(consumption), 2, "one consumption line per ticket, whatever its rates")
        self.assertEqual(consumption.mapped("price_unit"), [0.0, 0.0])
        self.assertAlmostEqual(sum((lines - consumption).mapped("price_subtotal")), 100.0)
        self.assertAlmostEqual(move.amount_untaxed, 100.0)
        self.assertLedgerMatchesInvoices(bank)

        # the statement of the month of the closings: the bank as it stood
        today = self.today
        period = (today.replace(day=1), today)
        statement = self.env["spid.statement"].with_user(self.billing)._spid_generate(self.client_a, *period)
        self.assertEqual(
            statement.bank_values,
            [
                {
                    "name": bank.display_name,
                    "hours_bought": 10.0,
                    "hours_used": 10.0,
                    "hours_expired": 0.0,
                    "hours_carried": 0.0,
                    "hours_corrected": 0.0,
                    "hours_left": 0.0,
                }
            ],
        )
        # the statement's figures are the bank's own (one definition)
        self.assertEqual(
            {key: value for key, value in statement.bank_values[0].items() if key != "name"},
            {key: bank[key] for key in statement.bank_values[0] if key != "name"},
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("spid_helpdesk_invoicing.action_report_spid_statement", statement.ids)[0]
            .decode()
        )
        self.assertIn(bank.name, html)
        self.assertIn("10:00", html)
        # a period that ended before the bank started shows no bank
        before = self.env["spid.statement"]._spid_generate(self.client_a, date(2020, 1, 1), date(2020, 1, 31))
        self.assertFalse(before.bank_values)
