from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.spid_helpdesk.internal import SYSTEM, switched


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Copied into credit notes, so that the turnover nets them; a credit note
    # never takes a ticket off its invoice.
    spid_ticket_id = fields.Many2one(
        "spid.ticket", string="Ticket", index="btree_not_null", ondelete="restrict", readonly=True
    )
    # the travel fee's line of an intervention (its ticket in spid_ticket_id)
    spid_intervention_id = fields.Many2one(
        "spid.intervention", string="Intervention", index="btree_not_null", ondelete="restrict", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("spid_ticket_id") or vals.get("spid_intervention_id") for vals in vals_list):
            self._spid_check_ticket_link()
        return super().create(vals_list)

    def write(self, vals):
        if "spid_ticket_id" in vals or "spid_intervention_id" in vals:
            self._spid_check_ticket_link()
        return super().write(vals)

    def copy_data(self, default=None):
        """A duplicated invoice bills no ticket: only a credit note keeps them."""
        vals_list = super().copy_data(default=default)
        if not switched(self.env, SYSTEM):
            for vals in vals_list:
                vals.pop("spid_ticket_id", None)
                vals.pop("spid_intervention_id", None)
        return vals_list

    def _spid_check_ticket_link(self):
        """Which ticket a line bills is set by the invoicing itself (the
        wizard, the credit notes of its invoices), never by a caller: a line
        pointed at any ticket would lock it when posted, release another
        invoice's lock when reset, move turnover, and show any ticket's
        title to whoever may write invoice lines."""
        if not (self.env.su or switched(self.env, SYSTEM)):
            raise AccessError(_("The ticket an invoice line bills is set by the helpdesk's invoicing only."))

    @api.ondelete(at_uninstall=False)
    def _unlink_release_tickets(self):
        """Deleting a draft invoice's line (or the draft itself) frees its ticket."""
        self.filtered(
            lambda line: line.spid_ticket_id.move_id == line.move_id
        ).spid_ticket_id._spid_set_invoice(self.env["account.move"])
