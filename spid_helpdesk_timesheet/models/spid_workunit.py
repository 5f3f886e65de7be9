from collections import defaultdict
from datetime import datetime

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare, html2plaintext

from odoo.addons.spid_helpdesk.internal import switched, with_switch

from ..internal import TIMESHEET_SYNC

# what a work unit's timesheet line is made of
SYNCED_FIELDS = {"ticket_id", "user_id", "date", "duration", "description"}


class SpidWorkunit(models.Model):
    _inherit = "spid.workunit"

    timesheet_ids = fields.One2many(
        "account.analytic.line",
        "spid_workunit_id",
        string="Timesheet lines",
        readonly=True,
        groups="hr_timesheet.group_hr_timesheet_user",
    )
    timesheet_id = fields.Many2one(
        "account.analytic.line",
        string="Timesheet",
        compute="_compute_timesheet",
        compute_sudo=True,
        help="The unit's line in Odoo's Timesheets: same hours, date and description, both ways.",
    )
    timesheet_warning = fields.Char(
        compute="_compute_timesheet",
        compute_sudo=True,
        help="Why the unit has no timesheet line.",
    )

    def _compute_timesheet(self):
        saved = self.filtered("id")
        lines = saved.timesheet_ids
        by_unit = {line.spid_workunit_id: line for line in lines}
        employees = saved._spid_timesheet_employees()
        for unit in self:
            line = by_unit.get(unit, False)
            unit.timesheet_id = line
            employee = employees.get((unit.user_id.id, unit.company_id.id))
            if not unit.id:
                unit.timesheet_warning = False
            elif line:
                unit.timesheet_warning = unit._spid_timesheet_kept_warning(line, employee)
            elif not employee or not employee.active:
                unit.timesheet_warning = _(
                    "Not in Timesheets: %(user)s has no employee in %(company)s. Once the employee"
                    " exists, a supervisor adds the missing lines (Action: Create missing timesheet lines).",
                    user=unit.user_id.name,
                    company=unit.company_id.name,
                )
            elif not unit._spid_timesheet_target()[0]:
                unit.timesheet_warning = _(
                    "Not in Timesheets: neither the ticket nor its team (%(team)s) has a project that"
                    " takes timesheets. Set the team's timesheet project.",
                    team=unit.ticket_id.team_id.name or _("none"),
                )
            else:
                unit.timesheet_warning = _(
                    "Not in Timesheets yet: a supervisor adds the missing lines"
                    " (Action: Create missing timesheet lines)."
                )

    def _spid_timesheet_kept_warning(self, line, employee):
        """Why the unit's line stays where it is (False when it follows the
        unit): the sync never deletes a line, it keeps what it cannot move."""
        self.ensure_one()
        reasons = []
        if not self._spid_timesheet_employee_for(line, employee):
            reasons.append(
                _(
                    "%(user)s has no active employee in %(company)s: the line stays with %(employee)s.",
                    user=self.user_id.name,
                    company=self.company_id.name,
                    employee=line.employee_id.name,
                )
            )
        if not self._spid_timesheet_target()[0]:
            reasons.append(
                _(
                    "Neither the ticket nor its team (%(team)s) has a project that takes timesheets:"
                    " the line stays in %(project)s.",
                    team=self.ticket_id.team_id.name or _("none"),
                    project=line.project_id.display_name,
                )
            )
        return " ".join(reasons) or False

    @staticmethod
    def _spid_timesheet_employee_for(line, employee):
        """The employee the unit's line may carry: the agent's active one, or
        the line's own even archived (an agent who left keeps their history);
        an empty recordset when neither (the line keeps its employee)."""
        if employee and (employee.active or employee.id == line.employee_id.id):
            return employee
        return employee.browse() if employee else False

    @api.model_create_multi
    def create(self, vals_list):
        units = super().create(vals_list)
        if not switched(self.env, TIMESHEET_SYNC):
            units._spid_timesheet_sync(new=True)
        return units

    def write(self, vals):
        result = super().write(vals)
        if SYNCED_FIELDS.intersection(vals) and not switched(self.env, TIMESHEET_SYNC):
            self._spid_timesheet_sync()
        return result

    def unlink(self):
        """The unit's line goes with it (through the ORM, so that Odoo's own
        guards on timesheets apply); the unit's own checks (locked ticket,
        access) run in the same transaction, which fails as a whole."""
        if not switched(self.env, TIMESHEET_SYNC):
            lines = self.sudo().timesheet_ids
            if lines:
                with_switch(lines, TIMESHEET_SYNC).unlink()
        return super().unlink()

    def action_spid_timesheet_sync(self):
        """Supervisors: create the lines missing from Timesheets (agents who
        got an employee since, a team given a project)."""
        if not (self.env.su or self.env.user.has_group("spid_helpdesk.group_spid_supervisor")):
            raise AccessError(_("Only a helpdesk supervisor creates the missing timesheet lines."))
        self.check_access("read")
        self._spid_timesheet_sync(missing_only=True)

    # ------------------------------------------------------------------
    # the synchronisation, set-based
    # ------------------------------------------------------------------

    def _spid_timesheet_employees(self):
        """{(user id, company id): employee} of the units' agents, archived
        employees included (their existing lines stay theirs; only an active
        one gets new lines): one search."""
        if not self:
            return {}
        employees = (
            self.env["hr.employee"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("user_id", "in", self.user_id.ids), ("company_id", "in", self.company_id.ids)],
                ["user_id", "company_id", "active"],
            )
        )
        return {(employee.user_id.id, employee.company_id.id): employee for employee in employees}

    def _spid_timesheet_target(self):
        """(project, task) the unit's time goes to: the ticket's own task or
        project (spid_helpdesk_project) when its project takes timesheets,
        else the team's timesheet project; always of the unit's company."""
        self.ensure_one()
        ticket = self.sudo().ticket_id
        Task = self.env["project.task"].sudo()
        company = self.company_id

        def usable(project):
            return project.allow_timesheets and (not project.company_id or project.company_id == company)

        if "task_id" in ticket._fields:
            if ticket.task_id and usable(ticket.task_id.project_id):
                return ticket.task_id.project_id, ticket.task_id
            if ticket.project_id and usable(ticket.project_id):
                return ticket.project_id, Task
        project = ticket.team_id.timesheet_project_id
        return (project, Task) if usable(project) else (project.browse(), Task)

    def _spid_timesheet_date(self):
        """The day the work was done, in the agent's time zone."""
        self.ensure_one()
        tz = pytz.timezone(self.user_id.tz or "UTC")
        return pytz.utc.localize(self.date).astimezone(tz).date()

    def _spid_timesheet_datetime(self, day):
        """The unit's date moved to `day`, same time of day for the agent (UTC, naive)."""
        self.ensure_one()
        tz = pytz.timezone(self.user_id.tz or "UTC")
        local = pytz.utc.localize(self.date).astimezone(tz)
        moved = tz.localize(datetime.combine(fields.Date.to_date(day), local.time().replace(tzinfo=None)))
        return moved.astimezone(pytz.utc).replace(tzinfo=None)

    def _spid_timesheet_name(self):
        self.ensure_one()
        text = html2plaintext(self.description or "").strip()
        return text or f"{self.ticket_id.reference or ''} {self.ticket_id.name or ''}".strip() or "/"

    def _spid_timesheet_sync(self, new=False, missing_only=False):
        """Make each unit's timesheet line say what the unit says: one
        create() for the units without a line, one write() per set of
        identical changes. A line is never deleted here (only with its unit):
        when the unit's agent has no active employee or its ticket no
        project, the line keeps its employee or project (Timesheets' history:
        payroll, project costs) and the unit says why (timesheet_warning).
        `new`: the units have no line yet (no search).
        `missing_only`: only create the missing lines.
        Returns the lines kept in their project for want of a new one."""
        units = with_switch(self.sudo(), TIMESHEET_SYNC)
        if not units:
            return self.env["account.analytic.line"]
        employees = units._spid_timesheet_employees()
        if new and not any(employee.active for employee in employees.values()):
            return units.env["account.analytic.line"]  # no agent is an employee: nothing to log
        Line = units.env["account.analytic.line"]
        kept = Line
        lines = Line if new else units.timesheet_ids
        line_of = {line.spid_workunit_id.id: line for line in lines}
        to_create, to_write = [], defaultdict(lambda: Line)
        for unit in units:
            line = line_of.get(unit.id, Line)
            if missing_only and line:
                continue
            employee = employees.get((unit.user_id.id, unit.company_id.id))
            if line:
                employee = self._spid_timesheet_employee_for(line, employee)
            elif not employee or not employee.active:
                continue  # nobody to log it for: the unit says so
            project, task = unit._spid_timesheet_target()
            if not project and not line:
                continue  # nowhere to log it: the unit says so
            values = {
                "date": unit._spid_timesheet_date(),
                "unit_amount": unit.duration,
                "name": unit._spid_timesheet_name(),
            }
            if employee:
                values["employee_id"] = employee.id
            if project:
                values.update(project_id=project.id, task_id=task.id)
            else:
                kept |= line
            if not line:
                to_create.append(dict(values, spid_workunit_id=unit.id))
                continue
            changed = {
                fname: value
                for fname, value in values.items()
                if (
                    float_compare(line.unit_amount, value, precision_digits=6)
                    if fname == "unit_amount"
                    else (line[fname].id if line._fields[fname].type == "many2one" else line[fname]) != value
                )
            }
            if changed:
                to_write[tuple(sorted(changed.items()))] |= line
        for changes, group in to_write.items():
            group.write(dict(changes))
        if to_create:
            Line.create(to_create)
        return kept
