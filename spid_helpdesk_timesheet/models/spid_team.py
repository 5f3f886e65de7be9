from odoo import api, fields, models


class SpidTeam(models.Model):
    _inherit = "spid.team"

    timesheet_project_id = fields.Many2one(
        "project.project",
        string="Timesheet project",
        check_company=True,
        domain="[('allow_timesheets', '=', True)]",
        help="The project on which the team's work units are logged as timesheets, unless the ticket"
        " is on a project or task of its own that takes timesheets. A new team gets a project of"
        " its own; empty: the team's time stays out of Timesheets. Changing it applies to work"
        " logged or edited from then on.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        teams.filtered(lambda team: not team.timesheet_project_id)._spid_create_timesheet_projects()
        return teams

    def _spid_create_timesheet_projects(self):
        """One project per team, in one create(): visible to all internal
        users (a portal-visible project would publish the lines of internal
        work), with timesheets on."""
        if not self:
            return
        projects = (
            self.env["project.project"]
            .sudo()
            .create(
                [
                    {
                        "name": team.name,
                        "company_id": team.company_id.id,
                        "allow_timesheets": True,
                        "privacy_visibility": "employees",
                    }
                    for team in self
                ]
            )
        )
        for team, project in zip(self.sudo(), projects):
            team.timesheet_project_id = project
