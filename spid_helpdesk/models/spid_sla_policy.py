from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .spid_ticket import LEVELS

SLA_KINDS = [("response", "Response"), ("resolution", "Resolution"), ("inactivity", "Inactivity")]


class SpidSlaPolicy(models.Model):
    _name = "spid.sla.policy"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Service level policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    # Matching: an empty criterion matches every ticket.
    team_ids = fields.Many2many("spid.team", string="Teams", check_company=True)
    client_ids = fields.Many2many("res.partner", string="Clients", domain=[("is_company", "=", True)])
    category_ids = fields.Many2many("spid.ticket.category", string="Categories", check_company=True)
    type_ids = fields.Many2many("spid.ticket.type", string="Types")
    priority = fields.Selection(LEVELS, string="Minimum priority", help="Empty: any priority.")
    # Targets, in working hours of the calendar; 0 = not measured.
    response_hours = fields.Float(help="Working hours until the first public answer of an agent.")
    resolution_hours = fields.Float(help="Working hours until the ticket is closed.")
    inactivity_hours = fields.Float(help="Working hours without any update before the ticket is late.")
    max_open_tickets = fields.Integer(
        help="Open tickets allowed at once for a matching client; 0 = no limit."
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working hours",
        required=True,
        check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="Hours of the day, weekends and public holidays (as leaves) the clocks count.",
    )
    sla_type = fields.Selection(
        [("normal", "Normal"), ("third_party", "Third party"), ("both", "Both")],
        string="Clock",
        required=True,
        default="normal",
        help="Normal: paused while the ticket waits in a status that pauses the SLA.\n"
        "Third party: counts only while the ticket waits in such a status.\n"
        "Both: counts all the time.",
    )
    escalation = fields.Selection(
        [
            ("none", "Notify only"),
            ("priority", "Raise the priority"),
            ("leader", "Reassign to the team leader"),
            ("both", "Raise the priority and reassign"),
        ],
        default="none",
        required=True,
        help="What happens to a ticket when this policy is breached, besides the activity"
        " and the email to the owner and the team leader.",
    )

    @api.constrains("response_hours", "resolution_hours", "inactivity_hours")
    def _check_hours(self):
        for policy in self:
            hours = (policy.response_hours, policy.resolution_hours, policy.inactivity_hours)
            if any(h < 0 for h in hours):
                raise ValidationError(_("Service-level times cannot be negative."))
            if not any(hours):
                raise ValidationError(_("Policy %s measures nothing: set at least one time.", policy.name))

    def _spid_matches(self, ticket):
        self.ensure_one()
        return (
            self.company_id == ticket.company_id
            and (not self.team_ids or ticket.team_id in self.team_ids)
            and (not self.client_ids or ticket.client_id in self.client_ids)
            and (not self.category_ids or ticket.category_id in self.category_ids)
            and (not self.type_ids or ticket.type_id in self.type_ids)
            and (not self.priority or ticket.priority >= self.priority)
        )

    def _spid_targets(self):
        self.ensure_one()
        return {
            kind: hours
            for kind, hours in (
                ("response", self.response_hours),
                ("resolution", self.resolution_hours),
                ("inactivity", self.inactivity_hours),
            )
            if hours
        }

    def _spid_counts_in(self, status):
        """Whether the clock of this policy runs while a ticket is in `status`."""
        self.ensure_one()
        if self.sla_type == "both":
            return True
        if self.sla_type == "third_party":
            return status.pause_sla
        return not status.pause_sla
