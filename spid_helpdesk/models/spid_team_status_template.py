from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SpidTeamStatusTemplate(models.Model):
    """A team's own email for a status: sent instead of the status's
    template when a ticket of the team enters it."""

    _name = "spid.team.status.template"
    _description = "Team email on entering a status"
    _order = "team_id, status_id"
    _check_company_auto = True

    team_id = fields.Many2one("spid.team", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="team_id.company_id", store=True)
    status_id = fields.Many2one("spid.ticket.status", string="Status", required=True, ondelete="cascade")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email on entering",
        required=True,
        ondelete="cascade",
        domain=[("model", "=", "spid.ticket")],
        help="Sent to the requester instead of the status's own email.",
    )

    _sql_constraints = [
        (
            "team_status_unique",
            "unique(team_id, status_id)",
            "A team has one email per status.",
        )
    ]

    @api.constrains("mail_template_id")
    def _check_mail_template_id(self):
        if any(line.mail_template_id.model != "spid.ticket" for line in self):
            raise ValidationError(_("A team's status email must be a template of tickets."))
