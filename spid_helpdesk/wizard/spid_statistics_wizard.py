import statistics
from collections import defaultdict
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SpidStatisticsWizard(models.TransientModel):
    """A printable summary of a period, per client or per agent: tickets
    opened and closed, hours and days, each one's share of the hours, and
    the average and median time to close."""

    _name = "spid.statistics.wizard"
    _description = "Helpdesk statistics summary"

    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.today().replace(day=1) - relativedelta(months=1)
    )
    date_to = fields.Date(
        required=True, default=lambda self: fields.Date.today().replace(day=1) - relativedelta(days=1)
    )
    group_by = fields.Selection([("client", "Client"), ("agent", "Agent")], required=True, default="client")

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(_("The period starts after it ends."))

    def _spid_bounds(self):
        self.ensure_one()
        return datetime.combine(self.date_from, time.min), datetime.combine(self.date_to, time.max)

    @api.model
    def _spid_figures(self, start, end, key, domain=None):
        """{client or agent (per `key`): {opened, closed, hours,
        billable_hours, durations}} between the datetimes `start` and `end`,
        within `domain` (on fields that tickets and work units share, e.g.
        client_id, company_id), with the current user's rights. The
        statistics' own figures, shared with the service statements of the
        invoicing addon. Three queries, whatever the volume."""
        domain = list(domain or [])
        Ticket, Unit = self.env["spid.ticket"], self.env["spid.workunit"]
        rows = defaultdict(
            lambda: {"opened": 0, "closed": 0, "hours": 0.0, "billable_hours": 0.0, "durations": []}
        )
        for group, count in Ticket._read_group(
            [("date_opened", ">=", start), ("date_opened", "<=", end)] + domain, [key], ["__count"]
        ):
            rows[group]["opened"] = count
        for ticket in Ticket.search_fetch(
            [("date_closed", ">=", start), ("date_closed", "<=", end)] + domain,
            [key, "date_opened", "date_closed"],
        ):
            row = rows[ticket[key]]
            row["closed"] += 1
            row["durations"].append((ticket.date_closed - ticket.date_opened).total_seconds() / 3600)
        for group, billable, hours in Unit._read_group(
            [("date", ">=", start), ("date", "<=", end)] + domain, [key, "billable"], ["duration:sum"]
        ):
            rows[group]["hours"] += hours
            if billable:
                rows[group]["billable_hours"] += hours
        return rows

    def _spid_rows(self):
        """[{name, opened, closed, hours, days, share, avg_close, median_close}]
        and a total row, with the current user's rights (an agent sums only
        the tickets they may see). Three queries, whatever the volume."""
        self.ensure_one()
        start, end = self._spid_bounds()
        key = "client_id" if self.group_by == "client" else "user_id"
        rows = self._spid_figures(start, end, key)
        for row in rows.values():
            row.pop("billable_hours")
        total_hours = sum(row["hours"] for row in rows.values())
        per_day = self.env.company.spid_hours_per_day or 8.0
        result = []
        for group, row in sorted(rows.items(), key=lambda item: -item[1]["hours"]):
            durations = row.pop("durations")
            result.append(
                dict(
                    row,
                    name=group.display_name if group else _("None"),
                    days=row["hours"] / per_day,
                    share=100.0 * row["hours"] / total_hours if total_hours else 0.0,
                    avg_close=statistics.fmean(durations) if durations else None,
                    median_close=statistics.median(durations) if durations else None,
                )
            )
        total = {
            "name": _("Total"),
            "opened": sum(r["opened"] for r in result),
            "closed": sum(r["closed"] for r in result),
            "hours": total_hours,
            "days": total_hours / per_day,
            "share": 100.0 if total_hours else 0.0,
            "avg_close": None,
            "median_close": None,
        }
        return result, total

    def action_print(self):
        self.ensure_one()
        return self.env.ref("spid_helpdesk.action_report_spid_statistics").report_action(self)
