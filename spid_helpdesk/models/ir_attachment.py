from odoo import _, api, models
from odoo.exceptions import AccessError, UserError

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

    # ------------------------------------------------------------------
    # Employees as requesters: the files of a ticket's public messages only
    # ------------------------------------------------------------------

    def check(self, mode, values=None):
        result = super().check(mode, values=values)
        if mode == "read" and self and self._spid_requester_caller() and self._spid_hidden_from_requester():
            raise AccessError(_("Sorry, you are not allowed to access this document."))
        return result

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or operation != "read" or not self or not self._spid_requester_caller():
            return result
        hidden = self._spid_hidden_from_requester()
        if hidden:
            return hidden, lambda: AccessError(_("Sorry, you are not allowed to access this document."))
        return None

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        query = super()._search(domain, offset=offset, limit=limit, order=order)
        if not self._spid_requester_caller():
            return query
        found = self.browse(query.get_result_ids())
        hidden = found._spid_hidden_from_requester()
        return (found - hidden)._as_query(order) if hidden else query

    def _spid_requester_caller(self):
        return not self.env.su and self.env.user._spid_is_requester_only()

    def _spid_hidden_from_requester(self):
        """The files of tickets among `self` that an employee requester may
        not read: those of internal notes and logs (Odoo lets internal users
        read every file of a record they read), unless they uploaded it."""
        files = self.sudo().filtered(
            lambda attachment: attachment.res_model == "spid.ticket"
            and attachment.create_uid.id != self.env.uid
        )
        if not files:
            return self.browse()
        public = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("attachment_ids", "in", files.ids),
                    ("is_internal", "=", False),
                    ("subtype_id", "!=", False),
                    ("subtype_id.internal", "=", False),
                ]
            )
        )
        return self.browse((files - public.attachment_ids).ids)

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
