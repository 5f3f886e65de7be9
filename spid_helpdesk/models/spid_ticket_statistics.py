from collections import defaultdict

from markupsafe import Markup

from odoo import _, fields, models


class SpidTicketStatistics(models.Model):
    """The statistics tab of a ticket: time to first response and to
    resolution, time in each status (Odoo's status tracking) and hours per
    agent."""

    _name = "spid.ticket"
    _inherit = ["spid.ticket", "mail.tracking.duration.mixin"]
    _track_duration_field = "status_id"

    statistics_html = fields.Html(string="Statistics", compute="_compute_statistics_html", sanitize=False)

    def _compute_statistics_html(self):
        """Time to first response and to resolution, time in each status and
        hours per agent, from the SLA clocks, the tracking and the work units."""
        status_times = self._spid_time_in_statuses()
        hours = defaultdict(list)
        for ticket, user, total in (
            self.env["spid.workunit"]
            .sudo()
            ._read_group([("ticket_id", "in", self.ids)], ["ticket_id", "user_id"], ["duration:sum"])
        ):
            hours[ticket.id].append((user.name or "", total))
        for ticket in self:
            lines = ticket.sudo().sla_line_ids
            response = lines.filtered(lambda line: line.kind == "response" and line.reached_date)[:1]
            rows = [
                (_("First response (working hours)"), f"{response.spent_hours:.2f}" if response else "—"),
                (
                    _("Resolution (hours)"),
                    f"{(ticket.date_closed - ticket.create_date).total_seconds() / 3600:.2f}"
                    if ticket.date_closed and ticket.create_date
                    else "—",
                ),
            ]
            # plain loops: _() finds the language in this frame, not in a comprehension's
            for name, spent in status_times.get(ticket.id, []):
                rows.append((_("Status %s (hours)", name), f"{spent:.2f}"))
            for name, total in hours.get(ticket.id, []):
                rows.append((_("Work of %s (hours)", name), f"{total:.2f}"))
            ticket.statistics_html = Markup('<table class="table table-sm">%s</table>') % Markup("").join(
                Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>") % row for row in rows
            )

    def _spid_time_in_statuses(self):
        """{ticket id: [(status name, hours)]}, longest first, from Odoo's
        status tracking (mail.tracking.duration.mixin); the time of a closed
        ticket stops at its closing."""
        now = self.env.cr.now()
        Status = self.env["spid.ticket.status"].sudo().with_context(active_test=False)
        result = {}
        for ticket in self:
            seconds = {int(key): spent for key, spent in (ticket.duration_tracking or {}).items()}
            if ticket.date_closed and ticket.status_id.id in seconds:
                after = (now - ticket.date_closed).total_seconds()
                seconds[ticket.status_id.id] = max(seconds[ticket.status_id.id] - after, 0)
            names = {status.id: status.name for status in Status.browse(list(seconds)).exists()}
            hours = defaultdict(float)
            for status_id, spent in seconds.items():
                hours[names.get(status_id) or _("Deleted status")] += spent / 3600
            result[ticket.id] = sorted(hours.items(), key=lambda item: -item[1])
        return result
