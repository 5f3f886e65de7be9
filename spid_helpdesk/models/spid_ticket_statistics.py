from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL


class SpidTicketStatistics(models.Model):
    """The statistics tab of a ticket: time to first response and to
    resolution, time in each status (Odoo's status tracking) and hours per
    agent."""

    _name = "spid.ticket"
    _inherit = ["spid.ticket", "mail.tracking.duration.mixin"]
    _track_duration_field = "status_id"

    statistics_html = fields.Html(string="Statistics", compute="_compute_statistics_html", sanitize=False)
    # Read by the ticket analysis (spid.ticket.report) instead of counting
    # the tracking of every ticket on each pivot; kept by the hooks below.
    reopen_count = fields.Integer(
        string="Reopenings",
        readonly=True,
        copy=False,
        default=0,
        groups="base.group_system",
        help="Changes of the status into a reopening status, as the chatter's tracking shows them.",
    )

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
            response = lines.filtered(
                lambda line: line.kind == "response" and line.number == 1 and line.reached_date
            )[:1]
            rows = [
                (_("First response (working hours)"), f"{response.spent_hours:.2f}" if response else "—"),
                (
                    _("Resolution (hours)"),
                    f"{(ticket.date_closed - ticket.date_opened).total_seconds() / 3600:.2f}"
                    if ticket.date_closed and ticket.date_opened
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

    @api.model
    def _spid_count_reopenings(self, ticket_ids=None):
        """Set the reopenings of `ticket_ids` (of every ticket when None) from
        Odoo's status tracking, in one statement: the tracked changes into a
        reopening status (which follow their messages when tickets merge)."""
        if ticket_ids is not None and not ticket_ids:
            return
        self.env["mail.tracking.value"].flush_model(["field_id", "mail_message_id", "new_value_integer"])
        self.env["mail.message"].flush_model(["model", "res_id"])
        self.env["spid.ticket.status"].flush_model(["is_reopen"])
        only = SQL("t.id = ANY(%s)", list(ticket_ids)) if ticket_ids is not None else SQL("TRUE")
        only_messages = SQL("m.res_id = ANY(%s)", list(ticket_ids)) if ticket_ids is not None else SQL("TRUE")
        self.env.cr.execute(
            SQL(
                """UPDATE spid_ticket t
                      SET reopen_count = COALESCE(r.reopened, 0)
                     FROM spid_ticket t2
                     LEFT JOIN (
                           SELECT m.res_id AS ticket_id, COUNT(*) AS reopened
                             FROM mail_tracking_value v
                             JOIN mail_message m ON m.id = v.mail_message_id AND m.model = 'spid.ticket'
                             JOIN spid_ticket_status s ON s.id = v.new_value_integer AND s.is_reopen
                            WHERE v.field_id = %(field)s AND %(only_messages)s
                            GROUP BY m.res_id
                          ) r ON r.ticket_id = t2.id
                    WHERE t.id = t2.id AND %(only)s
                      AND t.reopen_count IS DISTINCT FROM COALESCE(r.reopened, 0)""",
                field=self.env["ir.model.fields"]._get("spid.ticket", "status_id").id,
                only=only,
                only_messages=only_messages,
            )
        )
        if ticket_ids is None:
            self.invalidate_model(["reopen_count"])
        else:
            self.browse(ticket_ids).invalidate_recordset(["reopen_count"])


class MailTrackingValue(models.Model):
    _inherit = "mail.tracking.value"

    @api.model_create_multi
    def create(self, vals_list):
        """A ticket's change into a reopening status counts as a reopening."""
        trackings = super().create(vals_list)
        field = self.env["ir.model.fields"]._get("spid.ticket", "status_id")
        statuses = trackings.filtered(
            lambda tracking: tracking.field_id == field and tracking.new_value_integer
        )
        # the statuses just written on the tickets: in the cache, as a rule
        reopen_ids = set(
            self.env["spid.ticket.status"]
            .sudo()
            .browse(set(statuses.mapped("new_value_integer")))
            .filtered("is_reopen")
            .ids
        )
        reopening = statuses.filtered(lambda tracking: tracking.new_value_integer in reopen_ids)
        messages = reopening.mail_message_id.filtered(lambda message: message.model == "spid.ticket")
        self.env["spid.ticket"].sudo()._spid_count_reopenings(set(messages.mapped("res_id")))
        return trackings


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _spid_tracked_tickets(self):
        """Ids of the tickets whose tracking these messages carry."""
        return {
            message.res_id
            for message in self.sudo()
            if message.model == "spid.ticket" and message.res_id and message.tracking_value_ids
        }

    def write(self, vals):
        """Tracking moved to another ticket (a merge) moves its reopenings."""
        if not {"model", "res_id"} & set(vals):
            return super().write(vals)
        tickets = self._spid_tracked_tickets()
        result = super().write(vals)
        tickets |= self._spid_tracked_tickets()
        if tickets:
            self.env["spid.ticket"].sudo()._spid_count_reopenings(tickets)
        return result

    def unlink(self):
        tickets = self._spid_tracked_tickets()
        result = super().unlink()
        if tickets:
            self.env["spid.ticket"].sudo()._spid_count_reopenings(tickets)
        return result


class SpidTicketStatus(models.Model):
    _inherit = "spid.ticket.status"

    def write(self, vals):
        """Another reopening status: the tickets' reopenings are counted again."""
        result = super().write(vals)
        if "is_reopen" in vals:
            self.env["spid.ticket"].sudo()._spid_count_reopenings()
        return result
