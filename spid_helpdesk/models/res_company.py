from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    spid_default_duration = fields.Float(
        string="Default work unit duration",
        default=0.25,
        help="Hours proposed for a new work unit.",
    )
    spid_hours_per_day = fields.Float(
        string="Hours per working day",
        default=8.0,
        help="Used to express time spent in days.",
    )
    spid_auto_close_days = fields.Integer(
        string="Auto-close after (days)",
        default=0,
        help="Days a ticket may wait for the customer after an agent's answer before the"
        " customer is warned; 0 disables auto-closing.",
    )
    spid_auto_close_grace_days = fields.Integer(string="Close after the warning (days)", default=3)
    spid_sla_risk_share = fields.Float(
        string="SLA at risk from",
        default=0.2,
        help="A ticket is at risk when less than this share of a service-level time is left.",
    )
    spid_ticket_properties_definition = fields.PropertiesDefinition(
        string="Fields of every ticket",
        help="Custom fields shown on every ticket of the company, whatever its type.",
    )
    spid_type_required = fields.Boolean(
        string="Ticket type required",
        help="A ticket entered by an agent or on the portal must have a type. Tickets opened by"
        " email or from the public form get theirs from the agent later.",
    )
    spid_closed_tickets = fields.Selection(
        [
            ("editable", "Editable"),
            ("readonly", "Read-only until reopened"),
            ("reclassify", "Reclassifiable"),
        ],
        string="Closed tickets",
        default="editable",
        required=True,
        help="Editable: a closed ticket stays editable (until it is locked). Read-only until"
        " reopened: nothing changes but its status (reopening) and its conversation. Reclassifiable:"
        " as read-only, but its category, type, team and custom fields may still be corrected.",
    )
    spid_type_locked = fields.Boolean(
        string="Ticket type fixed once set",
        help="Once a ticket has a type, it can no longer be changed.",
    )
    # --- timer (#21) ---
    spid_timer_minimum = fields.Integer(
        string="Timer minimum (minutes)",
        default=15,
        help="A timer logs at least this many minutes (0: no minimum).",
    )
    spid_timer_rounding = fields.Integer(
        string="Timer rounding (minutes)",
        default=15,
        help="The time of a timer is rounded up to a multiple of this many minutes (0: whole minutes).",
    )

    @api.constrains("spid_timer_minimum", "spid_timer_rounding")
    def _check_spid_timer(self):
        for company in self:
            if not (0 <= company.spid_timer_minimum <= 480 and 0 <= company.spid_timer_rounding <= 480):
                raise ValidationError(
                    _("The timer's minimum and rounding are between 0 and 480 minutes (8 hours).")
                )

    # --- end timer ---
