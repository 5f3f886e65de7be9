from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..models.spid_workunit import ACTION_TYPES


class SpidTimerStopWizard(models.TransientModel):
    """The small dialog of a stopping timer: what the work unit says. The
    time is the timer's, rounded by the company's settings (not typed)."""

    _name = "spid.timer.stop.wizard"
    _description = "Stop the timer"

    timer_id = fields.Many2one("spid.timer", required=True, ondelete="cascade", readonly=True)
    # read as the user (their own timer's record rule), never as superuser
    ticket_id = fields.Many2one(related="timer_id.ticket_id", related_sudo=False)
    workunit_id = fields.Many2one(related="timer_id.workunit_id", related_sudo=False)
    new_unit_reason = fields.Char(
        compute="_compute_duration",
        string="New work unit",
        help="Why the time is logged as a new work unit instead of being added to the resumed one.",
    )
    duration = fields.Float(
        string="Time to log",
        compute="_compute_duration",
        help="The timer's time, at least the company's minimum and rounded up to its rounding.",
    )
    action_type = fields.Selection(ACTION_TYPES, string="Action", required=True, default="information")
    visibility = fields.Selection(
        [("internal", "Internal"), ("public", "Public")],
        required=True,
        default="internal",
        help="Public work units are shown and sent to the customer; internal ones never are.",
    )
    description = fields.Html(help="What was done: added to the work unit.")

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # a dialog is opened on one's own timer only (its id is the caller's)
        wizards.timer_id._spid_check_own()
        return wizards

    def write(self, vals):
        # the dialog's timer is the one it was opened on: pointing it at
        # another user's timer would read that timer through the dialog
        if not self.env.su and vals.keys() & {"timer_id", "ticket_id", "workunit_id"}:
            raise AccessError(_("The timer of a stop dialog cannot be changed."))
        return super().write(vals)

    @api.depends("timer_id")
    def _compute_duration(self):
        for wizard in self:
            timer = wizard.timer_id.sudo()
            # only one's own timer is measured (the ownership of create)
            if not timer or (not self.env.su and timer.user_id != self.env.user):
                wizard.duration = 0.0
                wizard.new_unit_reason = False
                continue
            minutes = timer._spid_round_minutes(timer._spid_elapsed_seconds(), timer.ticket_id.company_id)
            wizard.duration = minutes / 60.0
            wizard.new_unit_reason = timer._spid_resume_refusal() or False

    def action_confirm(self):
        self.ensure_one()
        timer = self.timer_id
        if not timer.sudo().exists():
            raise AccessError(_("This timer was stopped already."))
        timer._spid_check_own()
        timer._spid_stop(
            action_type=self.action_type,
            description=self.description,
            visibility=self.visibility,
        )
        return {"type": "ir.actions.act_window_close"}

    def action_discard(self):
        self.ensure_one()
        return self.timer_id.action_discard()
