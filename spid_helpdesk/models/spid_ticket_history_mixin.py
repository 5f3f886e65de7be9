from odoo import _, api, fields, models


class SpidTicketHistoryMixin(models.AbstractModel):
    """For records that tickets point to (equipment, project tasks...): the
    count of their tickets and the action listing them, as the current user
    sees them. The bridge that adds the ticket's field names it in
    `_spid_ticket_field`."""

    _name = "spid.ticket.history.mixin"
    _description = "Records with a ticket history"
    _spid_ticket_field = None

    spid_ticket_count = fields.Integer(
        string="Tickets", compute="_compute_spid_ticket_count", help="Helpdesk tickets about this record."
    )

    @api.depends_context("uid")
    def _compute_spid_ticket_count(self):
        """Counted as the current user: only the tickets they may see."""
        Ticket = self.env["spid.ticket"].with_context(active_test=False)
        if not Ticket.has_access("read"):
            self.spid_ticket_count = 0
            return
        field = self._spid_ticket_field
        counts = dict(Ticket._read_group([(field, "in", self.ids)], [field], ["__count"]))
        for record in self:
            record.spid_ticket_count = counts.get(record, 0)

    def action_view_spid_tickets(self):
        self.ensure_one()
        field = self._spid_ticket_field
        action = self.env["ir.actions.act_window"]._for_xml_id("spid_helpdesk.spid_ticket_action")
        action.update(
            name=_("Tickets of %s", self.display_name),
            domain=[(field, "=", self.id)],
            context={f"default_{field}": self.id, "active_test": False},
        )
        return action
