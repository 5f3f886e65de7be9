from odoo import _, models

# what decides the project of a ticket's timesheet lines
TARGET_FIELDS = {"team_id", "project_id", "task_id", "company_id"}


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    def write(self, vals):
        result = super().write(vals)
        if TARGET_FIELDS.intersection(vals):
            # the lines of a locked ticket stay where they were billed
            units = self.sudo().filtered(lambda ticket: not ticket.is_locked).workunit_ids
            kept = units._spid_timesheet_sync()
            for ticket in kept.spid_workunit_id.ticket_id:
                lines = kept.filtered(lambda line, ticket=ticket: line.spid_workunit_id.ticket_id == ticket)
                # never deleted (payroll, project costs): the ticket says where they stayed
                ticket._spid_log_note(
                    _(
                        "Timesheets: %(count)s line(s) of this ticket stay in %(projects)s: neither the"
                        " ticket nor its team (%(team)s) has a project that takes timesheets. They"
                        " follow the ticket again once its team has a timesheet project.",
                        count=len(lines),
                        projects=", ".join(lines.project_id.mapped("display_name")),
                        team=ticket.team_id.name or _("none"),
                    )
                )
        return result
