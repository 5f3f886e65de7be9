from odoo import _, api, models
from odoo.exceptions import UserError

from ..internal import SYSTEM, switched


class IrAttachment(models.Model):
    """Files of a locked ticket (closed for good or invoiced) stay as they
    are: nobody adds, replaces, moves or deletes them, the signed work order
    and the files of its work units included. Odoo's chatter routes upload,
    post and delete files with `sudo()` on behalf of the user, so `sudo()` alone is not the system: only
    the superuser (crons, the mail gateway) and our own code that says so
    with the SYSTEM switch may still change them."""

    _inherit = "ir.attachment"

    @api.model_create_multi
    def create(self, vals_list):
        self._spid_check_locked_tickets(
            self._spid_owner_ticket_ids((vals.get("res_model"), vals.get("res_id")) for vals in vals_list)
        )
        return super().create(vals_list)

    def write(self, vals):
        if not self._spid_is_system() and not vals.keys() <= {
            "access_token"
        }:  # a share token changes no file
            owners = {(attachment.res_model, attachment.res_id) for attachment in self.sudo()}
            if "res_model" in vals or "res_id" in vals:  # moving files: where they go counts too
                owners |= {
                    (vals.get("res_model", attachment.res_model), vals.get("res_id", attachment.res_id))
                    for attachment in self.sudo()
                }
            self._spid_check_locked_tickets(self._spid_owner_ticket_ids(owners))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked_ticket(self):
        self._spid_check_locked_tickets(self._spid_ticket_ids())

    def _spid_is_system(self):
        return self.env.su and (self.env.user._is_superuser() or switched(self.env, SYSTEM))

    def _spid_ticket_ids(self):
        """Ids of the tickets these files belong to, directly or through one
        of their work units."""
        return self._spid_owner_ticket_ids(
            (attachment.res_model, attachment.res_id) for attachment in self.sudo()
        )

    @api.model
    def _spid_owner_ticket_ids(self, owners):
        """Ids of the tickets owning files of (res_model, res_id) `owners`:
        the ticket itself, or the ticket of a work unit."""
        ids = {"spid.ticket": set(), "spid.workunit": set()}
        for model, res_id in owners:
            if model not in ids:
                continue
            try:
                ids[model].add(int(res_id or 0))  # a JSON caller may send "42" or 42.0
            except (TypeError, ValueError):
                continue
        units = self.env["spid.workunit"].sudo().browse(ids["spid.workunit"] - {0}).exists()
        return (ids["spid.ticket"] | set(units.ticket_id.ids)) - {0}

    @api.model
    def _spid_check_locked_tickets(self, ticket_ids):
        if self._spid_is_system():
            return
        if not ticket_ids:
            return
        locked = self.env["spid.ticket"].sudo().browse(ticket_ids).exists().filtered("is_locked")
        if locked:
            raise UserError(
                _(
                    "Ticket %s is locked: its files can no longer be added, replaced or deleted.",
                    locked[0].reference,
                )
            )
