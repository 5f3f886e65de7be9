from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    spid_default_duration = fields.Float(related="company_id.spid_default_duration", readonly=False)
    spid_hours_per_day = fields.Float(related="company_id.spid_hours_per_day", readonly=False)
    spid_sla_risk_share = fields.Float(related="company_id.spid_sla_risk_share", readonly=False)
    spid_auto_close_days = fields.Integer(related="company_id.spid_auto_close_days", readonly=False)
    spid_auto_close_grace_days = fields.Integer(
        related="company_id.spid_auto_close_grace_days", readonly=False
    )
    spid_type_required = fields.Boolean(related="company_id.spid_type_required", readonly=False)
    spid_type_locked = fields.Boolean(related="company_id.spid_type_locked", readonly=False)
    spid_closed_tickets = fields.Selection(related="company_id.spid_closed_tickets", readonly=False)
    # --- timer (#21) ---
    spid_timer_minimum = fields.Integer(related="company_id.spid_timer_minimum", readonly=False)
    spid_timer_rounding = fields.Integer(related="company_id.spid_timer_rounding", readonly=False)
    # --- end timer ---
    spid_ticket_prefix = fields.Char(
        string="Ticket reference prefix",
        help="Text before the number, e.g. HD- or HD%(year)s-.",
    )
    spid_ticket_padding = fields.Integer(
        string="Ticket number digits",
        help="The number is left-padded with zeros to this many digits.",
    )

    @api.model
    def get_values(self):
        res = super().get_values()
        sequence = self.env["spid.ticket"]._spid_ticket_sequence(self.env.company)
        res.update(
            spid_ticket_prefix=sequence.prefix or "",
            spid_ticket_padding=sequence.padding or 5,
        )
        return res

    def set_values(self):
        super().set_values()
        if not (1 <= self.spid_ticket_padding <= 12):
            raise ValidationError(_("The ticket number must have between 1 and 12 digits."))
        sequence = self.env["spid.ticket"]._spid_ticket_sequence(self.company_id)
        values = {"prefix": self.spid_ticket_prefix or "", "padding": self.spid_ticket_padding}
        if sequence.prefix == values["prefix"] and sequence.padding == values["padding"]:
            return
        if sequence.company_id != self.company_id:
            # The shared default sequence stays; this company gets its own,
            # continuing from the shared number so references stay unique.
            sequence = sequence.copy(
                {"company_id": self.company_id.id, "number_next": sequence.number_next_actual}
            )
        sequence.write(values)
