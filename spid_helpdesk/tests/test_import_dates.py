import csv
import io
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import JsonRpcMixin, SpidHelpdeskCommon

HEADER = ["external_ref", "name", "partner_id", "status_id", "date_reported", "date_opened", "date_closed"]
OPTIONS = {
    "has_headers": True,
    "quoting": '"',
    "separator": ",",
    "encoding": "utf-8",
    "date_format": "%Y-%m-%d",
    "datetime_format": "%Y-%m-%d %H:%M:%S",
    "float_thousand_separator": "",
    "float_decimal_separator": ".",
}
HOSTILE = {"spid_system": True, "spid_importing": True, "import_file": True, "tracking_disable": True}


def _error(result):
    return (result.get("error") or {}).get("data", {}).get("message", "")


@tagged("post_install", "-at_install")
class TestImportDates(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.st_history = cls.env.ref("spid_helpdesk.status_history")
        today = fields.Date.today()
        # the middle of last month, a day before and two days after
        cls.month_start = today.replace(day=1) - relativedelta(months=1)
        middle = datetime.combine(cls.month_start + timedelta(days=14), datetime.min.time())
        cls.reported = middle - timedelta(days=1)
        cls.opened = middle + timedelta(hours=9)
        cls.closed = middle + timedelta(days=2, hours=15)

    def _csv(self, rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        writer.writerows(rows)
        return buffer.getvalue().encode()

    def _import(self, user, rows):
        wizard = (
            self.env["base_import.import"]
            .with_user(user)
            .create({"res_model": "spid.ticket", "file": self._csv(rows), "file_type": "text/csv"})
        )
        return wizard.execute_import(HEADER, HEADER, OPTIONS)

    def _history_rows(self, count=3):
        fmt = "%Y-%m-%d %H:%M:%S"
        return [
            [
                f"OLDTOOL-{i}",
                f"Old ticket {i}",
                self.requester.email,
                self.st_history.name,
                self.reported.strftime(fmt),
                self.opened.strftime(fmt),
                self.closed.strftime(fmt),
            ]
            for i in range(count)
        ]

    def _imported(self):
        return self.env["spid.ticket"].search([("external_ref", "=like", "OLDTOOL-%")])

    def test_import_keeps_the_dates_quietly(self):
        mails_before = self.env["mail.mail"].search_count([])
        result = self._import(self.manager, self._history_rows())
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        tickets = self._imported()
        self.assertEqual(len(tickets), 3)
        for ticket in tickets:
            self.assertEqual(ticket.date_reported, self.reported)
            self.assertEqual(ticket.date_opened, self.opened)
            self.assertEqual(ticket.date_closed, self.closed)
            self.assertEqual(ticket.date_status, self.closed)
            self.assertEqual(ticket.status_id, self.st_history)
            self.assertTrue(ticket.is_closed)
        # no job (no creation message, acknowledgement or clock), no email
        self._run_jobs()
        self.assertFalse(self.env["spid.ticket.job"].search([("ticket_id", "in", tickets.ids)]))
        self.assertFalse(self.env["spid.ticket.sla"].sudo().search([("ticket_id", "in", tickets.ids)]))
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        # the same file again: the same tickets, their dates untouched
        result = self._import(self.manager, self._history_rows())
        self.assertFalse([m for m in result["messages"] if m["type"] == "error"], result["messages"])
        self.assertEqual(self._imported(), tickets)

    def test_statistics_count_the_past_month(self):
        self._import(self.manager, self._history_rows())
        today_ticket = self._ticket(user=self.agent)
        self.assertEqual(today_ticket.date_opened.date(), fields.Date.today())
        # the ticket analysis: opened and closed last month, 2.25 days to resolve
        Report = self.env["spid.ticket.report"].with_user(self.supervisor)
        month = [
            ("create_date", ">=", fields.Datetime.to_string(self.month_start)),
            ("create_date", "<", fields.Datetime.to_string(self.month_start + relativedelta(months=1))),
        ]
        [[count, closed, hours]] = Report._read_group(
            [*month, ("ticket_id", "in", self._imported().ids + today_ticket.ids)],
            [],
            ["__count", "closed:sum", "resolution_hours:avg"],
        )
        self.assertEqual((count, closed), (3, 3))
        self.assertAlmostEqual(hours, 54.0, places=2)
        # the printable summary of last month, per client
        wizard = self.env["spid.statistics.wizard"].with_user(self.supervisor).create({"group_by": "client"})
        self.assertEqual(wizard.date_from, self.month_start)
        result, _total = wizard._spid_rows()
        rows = {row["name"]: row for row in result}
        client_row = rows.get(self.client.display_name)
        self.assertTrue(client_row, rows)
        self.assertEqual((client_row["opened"], client_row["closed"]), (3, 3))
        # the ticket's own statistics
        self.assertIn("54.00", self._imported()[0].with_user(self.supervisor).statistics_html)

    def test_agent_cannot_give_dates(self):
        past = fields.Datetime.to_string(self.opened)
        result = self._rpc(
            "hd_agent",
            "spid.ticket",
            "create",
            [{"name": "Backdated", "partner_id": self.requester.id, "date_opened": past}],
            {"context": HOSTILE},
        )
        self.assertIn("Only a helpdesk manager", _error(result))
        result = self._rpc(
            "hd_supervisor",
            "spid.ticket",
            "create",
            [
                {
                    "name": "Backdated",
                    "partner_id": self.requester.id,
                    "status_id": self.st_history.id,
                    "date_closed": past,
                }
            ],
            {"context": HOSTILE},
        )
        self.assertIn("Only a helpdesk manager", _error(result))
        result = self._import(self.agent, self._history_rows(1))
        self.assertTrue([m for m in result["messages"] if m["type"] == "error"], result)
        self.assertFalse(self._imported())
        with self.assertRaisesRegex(AccessError, "Only a helpdesk manager"):
            self.env["spid.ticket"].with_user(self.agent).create(
                {"name": "Backdated", "partner_id": self.requester.id, "date_opened": past}
            )

    def test_live_ticket_dates_cannot_be_rewritten(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        opened = ticket.date_opened
        past = fields.Datetime.to_string(self.opened)
        for login in ("hd_agent", "hd_manager"):
            for vals in ({"date_opened": past}, {"date_closed": past}):
                result = self._rpc(login, "spid.ticket", "write", [ticket.ids, vals], {"context": HOSTILE})
                self.assertIn("cannot be changed", _error(result), (login, vals))
        with self.assertRaisesRegex(AccessError, "cannot be changed"):
            ticket.with_user(self.manager).write({"date_opened": past})
        self.assertEqual(ticket.date_opened, opened)
        self.assertFalse(ticket.date_closed)
        # the report date is the agents' to correct, tracked
        ticket.with_user(self.agent).write({"date_reported": past})
        self.assertEqual(ticket.date_reported, self.opened)

    def test_bad_dates_refused(self):
        Ticket = self.env["spid.ticket"].with_user(self.manager)
        base = {"name": "Old", "partner_id": self.requester.id, "status_id": self.st_history.id}
        with self.assertRaisesRegex(ValidationError, "closed before it was opened"):
            Ticket.create(dict(base, date_opened=self.closed, date_closed=self.opened))
        with self.assertRaisesRegex(ValidationError, "future"):
            Ticket.create(dict(base, date_opened=datetime.now() + timedelta(days=3)))
        with self.assertRaisesRegex(ValidationError, "closing date but an open status"):
            Ticket.create(
                {
                    "name": "Old",
                    "partner_id": self.requester.id,
                    "date_opened": self.opened,
                    "date_closed": self.closed,
                }
            )
        ticket = Ticket.create(dict(base, date_opened=self.opened, date_closed=self.closed))
        self.assertEqual((ticket.date_opened, ticket.date_closed), (self.opened, self.closed))
