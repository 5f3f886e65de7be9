"""Out-of-hours, weekend and public holiday surcharges (issue 21): the split
of work units against a tariff's calendar, the pricing of a ticket per rate,
its invoice lines, the weighted hours a prepaid bank draws, the turnover,
the guards (rates, system fields over JSON-RPC) and the query budget."""

from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.spid_helpdesk.tests.common import JsonRpcMixin

from .common import SpidInvoicingCommon

# Europe/Paris in March 2025: UTC+1 until Sunday the 30th at 02:00, UTC+2 after.
MONDAY = "2025-03-03"
SATURDAY = "2025-03-08"


def utc(text):
    return datetime.fromisoformat(text)


class SurchargeCommon(SpidInvoicingCommon):
    """A Paris calendar, Monday to Friday 08:00-18:00, with a public holiday
    on Tuesday 11 March 2025 (recorded as Odoo does, 00:00 to 23:59:59 local
    time); client A's own hourly line at 100.00 with surcharges x1.25 out of
    hours, x1.5 on weekends, x2 on holidays (minimum 0:30, rounding 0:15)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._calendar("Paris office", "Europe/Paris", range(5))
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "company_id": cls.company.id,
                "date_from": "2025-03-10 23:00:00",
                "date_to": "2025-03-11 22:59:59",
            }
        )
        cls.surcharged = cls.env["spid.tariff"].create(
            {
                "company_id": cls.company.id,
                "client_id": cls.client_a.id,
                "product_id": cls.service.id,
                "unit": "hour",
                "price": 100.0,
                "rounding": 0.25,
                "min_duration": 0.5,
                "calendar_id": cls.calendar.id,
                "rate_out_of_hours": 1.25,
                "rate_weekend": 1.5,
                "rate_holiday": 2.0,
            }
        )

    @classmethod
    def _calendar(cls, name, tz, days):
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 8.0,
                            "hour_to": 18.0,
                            "day_period": "morning",
                        }
                    )
                    for day in days
                ],
            }
        )

    @classmethod
    def _standard_calendar(cls, name="Standard 40 hours"):
        """The shape of the company's standard calendar: Monday to Friday
        08:00-12:00 and 13:00-17:00 with a 12:00-13:00 lunch line (Odoo
        18's day_period "lunch"), in Paris."""
        periods = (("morning", 8.0, 12.0), ("lunch", 12.0, 13.0), ("afternoon", 13.0, 17.0))
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": "Europe/Paris",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day} {period}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for period, hour_from, hour_to in periods
                ],
            }
        )

    def _ticket(self, units, client=None, close=True):
        """A ticket of client A with billable work units [(UTC start, hours)]."""
        ticket = self.env["spid.ticket"].create(
            {
                "name": "Night shift",
                "client_id": (client or self.client_a).id,
                "team_id": self.team.id,
                "user_id": self.agent.id,
                "company_id": self.company.id,
            }
        )
        self.env["spid.workunit"].create(
            [
                {"ticket_id": ticket.id, "user_id": self.agent.id, "date": start, "duration": hours}
                for start, hours in units
            ]
        )
        if close:
            ticket.write({"status_id": self.st_closed.id, "resolution": "solved", "epilogue": "<p>Done.</p>"})
        return ticket

    def _split(self, start, hours, calendar=None):
        calendar = calendar or self.calendar
        return (
            self.env["spid.tariff"]
            ._spid_split(calendar, self.company, [("unit", utc(start), hours)])
            .get("unit", {})
        )

    def assertHours(self, actual, expected):
        self.assertEqual(set(actual), set(expected), actual)
        for kind, hours in expected.items():
            self.assertAlmostEqual(actual[kind], hours, places=6, msg=f"{kind}: {actual}")


@tagged("post_install", "-at_install")
class TestSurchargeSplit(SurchargeCommon):
    """The split of one unit's interval against the calendar, in its timezone."""

    def test_working_day(self):
        # 09:00-11:00 in Paris
        self.assertHours(self._split(f"{MONDAY} 08:00:00", 2.0), {"normal": 2.0})

    def test_evening_and_early_morning(self):
        # 17:00-20:00: one hour of work, two out of hours
        self.assertHours(self._split(f"{MONDAY} 16:00:00", 3.0), {"normal": 1.0, "out_of_hours": 2.0})
        # 07:00-09:00
        self.assertHours(self._split(f"{MONDAY} 06:00:00", 2.0), {"normal": 1.0, "out_of_hours": 1.0})

    def test_night_across_midnight(self):
        # Friday 22:00 to Saturday 02:00: out of hours, then weekend
        self.assertHours(self._split("2025-03-07 21:00:00", 4.0), {"out_of_hours": 2.0, "weekend": 2.0})
        # Sunday 23:00 to Monday 01:00: weekend, then out of hours
        self.assertHours(self._split("2025-03-09 22:00:00", 2.0), {"weekend": 1.0, "out_of_hours": 1.0})

    def test_saturday(self):
        self.assertHours(self._split(f"{SATURDAY} 09:00:00", 2.0), {"weekend": 2.0})

    def test_public_holiday(self):
        # Tuesday 11 March, 10:00-12:00: a working day's hours, but a holiday
        self.assertHours(self._split("2025-03-11 09:00:00", 2.0), {"holiday": 2.0})
        # 22:30 to 00:30: the holiday lasts until midnight (its 23:59:59 end
        # is the end of the day), then out of hours on Wednesday
        self.assertHours(self._split("2025-03-11 21:30:00", 2.0), {"holiday": 1.5, "out_of_hours": 0.5})
        # a holiday on a Saturday beats the weekend
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Saturday holiday",
                "calendar_id": self.calendar.id,
                "company_id": self.company.id,
                "date_from": "2025-03-14 23:00:00",
                "date_to": "2025-03-15 22:59:59",
            }
        )
        self.assertHours(self._split("2025-03-15 10:00:00", 1.0), {"holiday": 1.0})

    def test_a_personal_leave_is_no_public_holiday(self):
        resource = (
            self.env["resource.resource"].sudo().create({"name": "Tech", "calendar_id": self.calendar.id})
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Day off",
                "calendar_id": self.calendar.id,
                "resource_id": resource.id,
                "date_from": "2025-03-11 23:00:00",
                "date_to": "2025-03-12 22:59:59",
            }
        )
        self.assertHours(self._split("2025-03-12 09:00:00", 2.0), {"normal": 2.0})

    def test_dst_change(self):
        """Real hours across the clock changes: on Sunday 30 March 2025 (every
        day a working day) 00:00-08:00 UTC is 01:00 CET to 10:00 CEST, eight
        hours of which the two after 08:00 CEST are working time (an offset
        kept at +1 would say one). On 26 October, 00:00-08:00 UTC is 02:00
        CEST to 09:00 CET: one hour of work."""
        everyday = self._calendar("Every day", "Europe/Paris", range(7))
        self.assertHours(
            self._split("2025-03-30 00:00:00", 8.0, everyday), {"out_of_hours": 6.0, "normal": 2.0}
        )
        self.assertHours(
            self._split("2025-10-26 00:00:00", 8.0, everyday), {"out_of_hours": 7.0, "normal": 1.0}
        )
        # the first working day after the change: 07:30-08:30 CEST
        self.assertHours(self._split("2025-03-31 05:30:00", 1.0), {"out_of_hours": 0.5, "normal": 0.5})
        # the same UTC hour a week before is 06:30-07:30 CET
        self.assertHours(self._split("2025-03-24 05:30:00", 1.0), {"out_of_hours": 1.0})

    def test_lunch_break_is_working_time(self):
        """Odoo leaves the lunch lines out of a calendar's attendances unless
        asked: the split reads them too, so that 12:00-13:00 on a working day
        is not billed out of hours (the company's standard calendar has them)."""
        standard = self._standard_calendar()
        self.assertEqual(
            standard.attendance_ids.filtered(lambda a: a.day_period == "lunch").mapped("hour_from"),
            [12.0] * 5,
        )
        # the lunch hour alone: 12:00-13:00 in Paris
        self.assertHours(self._split(f"{MONDAY} 11:00:00", 1.0, standard), {"normal": 1.0})
        # 11:00-14:00: morning, lunch and afternoon, all working time
        self.assertHours(self._split(f"{MONDAY} 10:00:00", 3.0, standard), {"normal": 3.0})
        # 16:00-18:00: the day ends at 17:00
        self.assertHours(
            self._split(f"{MONDAY} 15:00:00", 2.0, standard), {"normal": 1.0, "out_of_hours": 1.0}
        )
        # the lunch hour of a Saturday is weekend, of a public holiday a holiday
        self.assertHours(self._split(f"{SATURDAY} 11:00:00", 1.0, standard), {"weekend": 1.0})
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": standard.id,
                "company_id": self.company.id,
                "date_from": "2025-03-10 23:00:00",
                "date_to": "2025-03-11 22:59:59",
            }
        )
        self.assertHours(self._split("2025-03-11 11:00:00", 1.0, standard), {"holiday": 1.0})

    def test_timezone(self):
        """The calendar's timezone says which hours are working hours: 08:00
        UTC is 09:00 in Paris, 03:00 in New York."""
        new_york = self._calendar("New York office", "America/New_York", range(5))
        self.assertHours(self._split(f"{MONDAY} 08:00:00", 2.0), {"normal": 2.0})
        self.assertHours(self._split(f"{MONDAY} 08:00:00", 2.0, new_york), {"out_of_hours": 2.0})

    def test_zero_duration_and_many_units(self):
        self.assertEqual(self._split(f"{SATURDAY} 09:00:00", 0.0), {})
        units = [
            ("work", utc(f"{MONDAY} 08:00:00"), 1.0),
            ("weekend", utc(f"{SATURDAY} 08:00:00"), 1.5),
            ("none", utc(f"{SATURDAY} 08:00:00"), 0.0),
        ]
        result = self.env["spid.tariff"]._spid_split(self.calendar, self.company, units)
        self.assertEqual(set(result), {"work", "weekend"})
        self.assertHours(result["weekend"], {"weekend": 1.5})


@tagged("post_install", "-at_install")
class TestSurchargePricing(SurchargeCommon):
    def test_rates_priced_minimum_and_rounding_at_normal_rate(self):
        """2 h on Saturday and 1:10 on Monday: 3:10 rounded up to 3:15; the
        weekend's 2 h at x1.5, the rest (1:10 and the rounding) at the
        normal rate; a bank draws the weighted hours, 2 x 1.5 + 1.25."""
        ticket = self._ticket([(f"{SATURDAY} 09:00:00", 2.0), (f"{MONDAY} 08:00:00", 7 / 6)])
        self.assertEqual(ticket.tariff_id, self.surcharged)
        self.assertEqual(
            ticket.spid_rate_hours,
            {"weekend": {"hours": 2.0, "rate": 1.5}, "normal": {"hours": 1.25, "rate": 1.0}},
        )
        self.assertAlmostEqual(ticket.invoice_quantity, 3.25)
        self.assertAlmostEqual(ticket.amount_to_invoice, 2 * 150.0 + 1.25 * 100.0)
        self.assertEqual(ticket._spid_value_hours(), {ticket.id: 4.25})
        self.assertEqual(ticket.spid_rate_summary, "01:15 h normal rate · 02:00 h weekend x1.5")

    def test_surcharged_fractions_go_to_the_normal_rate(self):
        # 1:10 on Saturday: 1:00 at the weekend rate (rounded down), 0:15 normal
        ticket = self._ticket([(f"{SATURDAY} 09:00:00", 7 / 6)])
        self.assertEqual(
            ticket.spid_rate_hours,
            {"weekend": {"hours": 1.0, "rate": 1.5}, "normal": {"hours": 0.25, "rate": 1.0}},
        )
        self.assertAlmostEqual(ticket.amount_to_invoice, 150.0 + 25.0)
        # 0:15 on a holiday: the 0:30 minimum, all at the normal rate
        ticket = self._ticket([("2025-03-11 09:00:00", 0.25)])
        self.assertEqual(
            ticket.spid_rate_hours,
            {"holiday": {"hours": 0.25, "rate": 2.0}, "normal": {"hours": 0.25, "rate": 1.0}},
        )
        self.assertAlmostEqual(ticket.amount_to_invoice, 0.25 * 200.0 + 0.25 * 100.0)

    def test_lunch_hour_is_billed_at_the_normal_rate(self):
        """Work over lunch on a weekday with the standard calendar shape:
        12:00-13:30 in Paris, all at the normal rate (it was x1.25)."""
        self.surcharged.calendar_id = self._standard_calendar()
        ticket = self._ticket([(f"{MONDAY} 11:00:00", 1.5)])
        self.assertEqual(ticket.spid_rate_hours, {"normal": {"hours": 1.5, "rate": 1.0}})
        self.assertAlmostEqual(ticket.amount_to_invoice, 150.0)

    def test_no_surcharge_prices_as_before(self):
        # client B: the company-wide line, no surcharge, 1:10 -> 1:15 at 60.00
        ticket = self._ticket([(f"{SATURDAY} 09:00:00", 7 / 6)], client=self.client_b)
        self.assertEqual(ticket.tariff_id, self.general)
        self.assertEqual(ticket.spid_rate_hours, {"normal": {"hours": 1.25, "rate": 1.0}})
        self.assertAlmostEqual(ticket.amount_to_invoice, 75.0)
        self.assertEqual(ticket._spid_value_hours(), {ticket.id: 1.25})

    def test_per_day_unit(self):
        self.surcharged.write({"unit": "day", "price": 800.0, "hours_per_day": 8.0})
        ticket = self._ticket([(f"{SATURDAY} 08:00:00", 4.0)])
        self.assertAlmostEqual(ticket.invoice_quantity, 0.5)
        self.assertAlmostEqual(ticket.amount_to_invoice, 0.5 * 1200.0)
        self.assertEqual(ticket._spid_value_hours(), {ticket.id: 6.0})

    def test_moving_a_unit_and_adding_a_holiday_reprice(self):
        ticket = self._ticket([("2025-03-18 09:00:00", 1.0)])
        self.assertAlmostEqual(ticket.amount_to_invoice, 100.0)
        ticket.workunit_ids.date = f"{SATURDAY} 09:00:00"
        self.assertAlmostEqual(ticket.amount_to_invoice, 150.0)
        ticket.workunit_ids.date = "2025-03-18 09:00:00"
        self.env["resource.calendar.leaves"].create(
            {
                "name": "New public holiday",
                "calendar_id": self.calendar.id,
                "company_id": self.company.id,
                "date_from": "2025-03-17 23:00:00",
                "date_to": "2025-03-18 22:59:59",
            }
        )
        self.assertAlmostEqual(ticket.amount_to_invoice, 200.0)

    def test_rates_validated(self):
        tariff = self.surcharged.with_user(self.billing)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            tariff.rate_weekend = 0.5
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            tariff.write({"calendar_id": False})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            tariff.unit = "ticket"
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.env["spid.tariff"].with_user(self.billing).create(
                {
                    "company_id": self.company.id,
                    "applies_to": "intervention",
                    "product_id": self.service.id,
                    "price": 30.0,
                    "rate_holiday": 2.0,
                }
            )
        self.assertEqual(self.surcharged.rate_weekend, 1.5)
        self.assertEqual(self.surcharged.calendar_id, self.calendar)

    def test_invoice_lines_per_rate_as_billing_user(self):
        ticket = self._ticket([(f"{SATURDAY} 09:00:00", 2.0), (f"{MONDAY} 08:00:00", 7 / 6)])
        amount = ticket.amount_to_invoice
        move = self._invoice()
        self.assertEqual(move.create_uid, self.billing)
        lines = move.invoice_line_ids.sorted("id")
        ref = ticket.reference
        self.assertEqual(
            [(line.name, line.quantity, line.price_unit) for line in lines],
            [
                (f"[{ref}] Night shift, 01:15 h normal rate", 1.25, 100.0),
                (f"[{ref}] Night shift, 02:00 h weekend x1.5", 2.0, 150.0),
            ],
        )
        # the seam with the hour banks: the ticket, never an intervention
        self.assertEqual(lines.spid_ticket_id, ticket)
        self.assertFalse(lines.spid_intervention_id)
        self.assertAlmostEqual(move.amount_untaxed, amount)
        self.assertEqual(ticket.invoice_state, "invoiced")
        # the turnover: the amount of both lines, the ticket's hours once
        move.action_post()
        self.env.flush_all()
        rows = self.env["spid.turnover.report"].search(
            [("ticket_id", "=", ticket.id), ("kind", "=", "invoiced")]
        )
        self.assertAlmostEqual(sum(rows.mapped("amount")), amount)
        self.assertAlmostEqual(sum(rows.mapped("hours")), ticket.billable_hours)
        # the invoice keeps its rates when the tariff changes
        self.surcharged.rate_weekend = 3.0
        self.assertEqual(ticket.spid_rate_hours["weekend"], {"hours": 2.0, "rate": 1.5})
        self.assertEqual(ticket._spid_value_hours(), {ticket.id: 4.25})
        # the PDF still prints
        pdf, _type = self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", move.ids)
        self.assertIn("02:00 h weekend x1.5", pdf.decode())

    def test_night_intervention_surcharged_travel_not(self):
        travel_product = self._create_product(name="Travel", type="service")
        self.env["spid.tariff"].create(
            {
                "company_id": self.company.id,
                "applies_to": "intervention",
                "product_id": travel_product.id,
                "price": 30.0,
                "min_duration": 1.0,
            }
        )
        ticket = self._ticket([], close=False)
        intervention = self.env["spid.intervention"].create(
            {
                "ticket_id": ticket.id,
                "user_ids": [Command.set(self.agent.ids)],
                # Tuesday 22:00 to midnight in Paris
                "date_planned": "2025-03-04 21:00:00",
            }
        )
        intervention.write({"report": "<p>Server restarted.</p>", "duration_done": 2.0})
        intervention.action_done()
        ticket.write({"status_id": self.st_closed.id, "resolution": "solved", "epilogue": "<p>Done.</p>"})
        self.assertEqual(ticket.spid_rate_hours, {"out_of_hours": {"hours": 2.0, "rate": 1.25}})
        self.assertAlmostEqual(ticket.amount_to_invoice, 2 * 125.0 + 30.0)
        self.assertEqual(ticket._spid_value_hours(), {ticket.id: 2.5})
        move = self._invoice()
        time_line = move.invoice_line_ids.filtered(lambda line: not line.spid_intervention_id)
        travel = move.invoice_line_ids - time_line
        self.assertEqual(time_line.name, f"[{ticket.reference}] Night shift, 02:00 h out of hours x1.25")
        self.assertEqual((time_line.quantity, time_line.price_unit), (2.0, 125.0))
        self.assertEqual((travel.spid_intervention_id, travel.price_unit), (intervention, 30.0))
        self.assertAlmostEqual(move.amount_untaxed, 280.0)

    def test_pricing_in_batch_has_a_fixed_query_count(self):
        """Pricing every ticket to invoice reads the work units once and each
        calendar once: the same number of queries for 2 tickets as for 10."""

        def reprice():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.env["spid.ticket"]._spid_recompute_billing(self.company)
            return self.env.cr.sql_log_count - before

        # the company's standard shape: its lunch lines are read too
        self.surcharged.calendar_id = self._standard_calendar()
        units = [(f"{SATURDAY} 09:00:00", 2.0), (f"{MONDAY} 11:00:00", 3.0)]
        for _index in range(2):
            self._ticket(units)
        self.env.flush_all()
        few = reprice()
        for _index in range(8):
            self._ticket(units)
        self.env.flush_all()
        many = reprice()
        self.assertEqual(few, many)
        # the budget: a line without surcharge prices the same tickets in
        # `plain` queries (with the hour banks' one search for the tickets
        # that drew, to redraw what they are now worth: none here); the split
        # adds the work units' query and the calendar's reads (its timezone,
        # attendances, public holidays, and the lunch lines, read as working
        # time: their search and their read), per calendar, not per ticket
        self.surcharged.write({"rate_out_of_hours": 1.0, "rate_weekend": 1.0, "rate_holiday": 1.0})
        self.env.flush_all()
        plain = reprice()
        self.assertEqual((few, many, plain), (15, 15, 8))


@tagged("post_install", "-at_install")
class TestSurchargeAttack(JsonRpcMixin, SurchargeCommon, HttpCase):
    """An agent over JSON-RPC, with the context an attacker would send, may
    neither change the rates nor forge the billed hours per rate."""

    HOSTILE = {
        "spid_system": True,
        "install_mode": True,
        "module": "spid_helpdesk_invoicing",
        "import_file": True,
        "default_spid_rate_hours": {"normal": {"hours": 0.0, "rate": 1.0}},
    }

    def test_agent_cannot_write_rates_or_breakdown(self):
        ticket = self._ticket([(f"{SATURDAY} 09:00:00", 2.0)])
        self.env.flush_all()
        before = ticket.spid_rate_hours
        forged = {"normal": {"hours": 0.25, "rate": 1.0}}
        for login in (self.agent.login, self.billing.login):
            answer = self._rpc(
                login,
                "spid.ticket",
                "write",
                [ticket.ids, {"spid_rate_hours": forged, "amount_to_invoice": 1.0}],
                {"context": self.HOSTILE},
            )
            self.assertIn("error", answer, login)
        answer = self._rpc(
            self.agent.login,
            "spid.tariff",
            "write",
            [self.surcharged.ids, {"rate_weekend": 1.0, "rate_holiday": 1.0}],
            {"context": self.HOSTILE},
        )
        self.assertIn("error", answer)
        answer = self._rpc(
            self.agent.login,
            "spid.tariff",
            "create",
            [{"product_id": self.service.id, "price": 1.0, "client_id": self.client_a.id, "sequence": 1}],
            {"context": self.HOSTILE},
        )
        self.assertIn("error", answer)
        self.env.invalidate_all()
        self.assertEqual(ticket.spid_rate_hours, before)
        self.assertAlmostEqual(ticket.amount_to_invoice, 300.0)
        self.assertEqual((self.surcharged.rate_weekend, self.surcharged.rate_holiday), (1.5, 2.0))
        self.assertEqual(self.env["spid.tariff"].search_count([("client_id", "=", self.client_a.id)]), 1)
        # in Python too, as any caller
        with self.assertRaises(AccessError):
            ticket.with_user(self.billing).with_context(**self.HOSTILE).write({"spid_rate_hours": forged})

    def test_billing_user_sets_rates(self):
        answer = self._rpc(
            self.billing.login, "spid.tariff", "write", [self.surcharged.ids, {"rate_weekend": 1.75}]
        )
        self.assertNotIn("error", answer, answer)
        self.env.invalidate_all()
        self.assertEqual(self.surcharged.rate_weekend, 1.75)
        answer = self._rpc(
            self.billing.login, "spid.tariff", "write", [self.surcharged.ids, {"rate_weekend": 0.0}]
        )
        self.assertIn("error", answer)
