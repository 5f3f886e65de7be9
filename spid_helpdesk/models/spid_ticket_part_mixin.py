from odoo import api, models


class SpidTicketPartMixin(models.AbstractModel):
    """Records that belong to a ticket (work units, links): they change with
    it only while it is not locked, and one moves onto another ticket only
    for a user who may change that ticket (Odoo checks the record rules on
    the record before a write, not after). Each model says what locked
    means for it in `_spid_check_locked`. A closed ticket whose company keeps
    closed tickets read-only (workflow options) freezes them too."""

    _name = "spid.ticket.part.mixin"
    _description = "Helpdesk: record belonging to a ticket"

    @api.model_create_multi
    def create(self, vals_list):
        tickets = self.env["spid.ticket"].browse(
            {vals["ticket_id"] for vals in vals_list if vals.get("ticket_id")}
        )
        self._spid_check_locked(tickets)
        tickets._spid_check_closed_parts()
        return super().create(vals_list)

    def write(self, vals):
        self._spid_check_locked(self.ticket_id)
        self.ticket_id._spid_check_closed_parts()
        if vals.get("ticket_id"):
            target = self.env["spid.ticket"].browse(vals["ticket_id"])
            self._spid_check_locked(target)
            target._spid_check_closed_parts()
            if not self.env.su:
                target.check_access("write")
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        self._spid_check_locked(self.ticket_id)
        self.ticket_id._spid_check_closed_parts()

    @api.model
    def _spid_check_locked(self, tickets):
        """Raise when one of `tickets` is locked for this model's records."""
        raise NotImplementedError
