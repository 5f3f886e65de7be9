from odoo import _, api, models
from odoo.exceptions import UserError

from ..internal import SYSTEM, switched


class IrAttachment(models.Model):
    """Files of a locked ticket (closed for good or invoiced) stay as they
    are: nobody adds, replaces, moves or deletes them, the signed work order
    included. Odoo's chatter routes upload, post and delete files with
    `sudo()` on behalf of the user, so `sudo()` alone is not the system: only
    the superuser (crons, the mail gateway) and our own code that says so
    with the SYSTEM switch may still change them."""

    _inherit = "ir.attachment"

    @api.model_create_multi
    def create(self, vals_list):
        self._spid_check_locked_tickets(
            {vals.get("res_id") for vals in vals_list if vals.get("res_model") == "spid.ticket"}
        )
        return super().create(vals_list)

    def write(self, vals):
        if not self._spid_is_system():
            ticket_ids = self._spid_ticket_ids()
            # moving a file onto a ticket (or changing its model only)
            model = vals.get("res_model")
            if model == "spid.ticket" and "res_id" not in vals:
                ticket_ids |= {attachment.res_id for attachment in self.sudo()}  # same id, now a ticket's
            elif model == "spid.ticket" or (model is None and "res_id" in vals and ticket_ids):
                ticket_ids.add(vals.get("res_id"))
            elif model is None and "res_id" not in vals and vals.keys() <= {"access_token"}:
                ticket_ids = set()  # a share token changes no file
            self._spid_check_locked_tickets(ticket_ids)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked_ticket(self):
        self._spid_check_locked_tickets(self._spid_ticket_ids())

    def _spid_is_system(self):
        return self.env.su and (self.env.user._is_superuser() or switched(self.env, SYSTEM))

    def _spid_ticket_ids(self):
        """Ids of the tickets these files belong to."""
        return {
            attachment.res_id
            for attachment in self.sudo()
            if attachment.res_model == "spid.ticket" and attachment.res_id
        }

    @api.model
    def _spid_check_locked_tickets(self, ticket_ids):
        if self._spid_is_system():
            return
        ids = set()
        for ticket_id in ticket_ids:
            try:
                ids.add(int(ticket_id or 0))  # a JSON caller may send "42" or 42.0
            except (TypeError, ValueError):
                continue
        ids.discard(0)
        if not ids:
            return
        ticket_ids = ids
        locked = self.env["spid.ticket"].sudo().browse(ticket_ids).exists().filtered("is_locked")
        if locked:
            raise UserError(
                _(
                    "Ticket %s is locked: its files can no longer be added, replaced or deleted.",
                    locked[0].reference,
                )
            )
