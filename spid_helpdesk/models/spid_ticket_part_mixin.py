from odoo import api, models


class SpidTicketPartMixin(models.AbstractModel):
    """Records that belong to a ticket (work units, links): they change with
    it only while it is not locked, and one moves onto another ticket only
    for a user who may change that ticket (Odoo checks the record rules on
    the record before a write, not after). Each model says what locked
    means for it in `_spid_check_locked`."""

    _name = "spid.ticket.part.mixin"
    _description = "Helpdesk: record belonging to a ticket"

    @api.model_create_multi
    def create(self, vals_list):
        self._spid_check_locked(
            self.env["spid.ticket"].browse({vals["ticket_id"] for vals in vals_list if vals.get("ticket_id")})
        )
        return super().create(vals_list)

    def write(self, vals):
        self._spid_check_locked(self.ticket_id)
        if vals.get("ticket_id"):
            target = self.env["spid.ticket"].browse(vals["ticket_id"])
            self._spid_check_locked(target)
            if not self.env.su:
                target.check_access("write")
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked(self):
        self._spid_check_locked(self.ticket_id)

    @api.model
    def _spid_check_locked(self, tickets):
        """Raise when one of `tickets` is locked for this model's records."""
        raise NotImplementedError
