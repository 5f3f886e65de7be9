from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    project_id = fields.Many2one(
        "project.project",
        string="Project",
        compute="_compute_project_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        check_company=True,
        help="The project this ticket belongs to; when a task is chosen, the task's project.",
    )
    task_id = fields.Many2one(
        "project.task",
        string="Project task",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('project_id', '=?', project_id)]",
        help="The project task this ticket belongs to or led to.",
    )

    @api.depends("task_id.project_id")
    def _compute_project_id(self):
        for ticket in self:
            if ticket.task_id.project_id:
                ticket.project_id = ticket.task_id.project_id

    @api.constrains("task_id", "project_id")
    def _check_task_in_project(self):
        for ticket in self:
            task = ticket.task_id
            if task.project_id and ticket.project_id != task.project_id:
                raise ValidationError(
                    _(
                        "Task %(task)s belongs to project %(task_project)s, not to the ticket's project "
                        "(%(project)s): choose a task of that project, or empty the task first.",
                        task=task.display_name,
                        task_project=task.project_id.display_name,
                        project=ticket.project_id.display_name or _("none"),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._spid_check_project_links(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._spid_check_project_links([vals])
        return super().write(vals)

    @api.model
    def _spid_check_project_links(self, vals_list):
        """Odoo links any record a many2one is given: the project and task
        of a ticket must be ones the current user may read. Checked before
        the write, so that no error names what the user may not read."""
        if self.env.su:
            return
        for fname in ("project_id", "task_id"):
            ids = {vals[fname] for vals in vals_list if vals.get(fname)}
            if ids:
                self.env[self._fields[fname].comodel_name].browse(ids).check_access("read")

    def _spid_split_fields(self):
        return super()._spid_split_fields() + ("project_id", "task_id")
