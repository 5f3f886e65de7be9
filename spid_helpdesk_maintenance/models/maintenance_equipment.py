from odoo import _, api, fields, models


class MaintenanceEquipment(models.Model):
    _inherit = "maintenance.equipment"

    spid_ticket_ids = fields.One2many("spid.ticket", "equipment_id", string="Helpdesk tickets")
    spid_ticket_count = fields.Integer(
        string="Tickets", compute="_compute_spid_ticket_count", help="Helpdesk tickets about this equipment."
    )

    @api.depends_context("uid")
    def _compute_spid_ticket_count(self):
        """Counted as the current user: only the tickets they may see."""
        if not self.env["spid.ticket"].has_access("read"):
            self.spid_ticket_count = 0
            return
        counts = dict(
            self.env["spid.ticket"]
            .with_context(active_test=False)
            ._read_group([("equipment_id", "in", self.ids)], ["equipment_id"], ["__count"])
        )
        for record in self:
            record.spid_ticket_count = counts.get(record, 0)

    def action_view_spid_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("spid_helpdesk.spid_ticket_action")
        action.update(
            name=_("Tickets of %s", self.display_name),
            domain=[("equipment_id", "=", self.id)],
            context={"default_equipment_id": self.id, "active_test": False},
        )
        return action
