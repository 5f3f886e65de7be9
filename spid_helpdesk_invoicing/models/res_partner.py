from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    spid_contract_ref = fields.Char(
        string="Contract reference", help="Printed on the client's helpdesk invoices."
    )
    spid_order_ref = fields.Char(
        string="Order reference",
        help="The client's purchase order for new tickets: one invoice per client and order.",
    )
    spid_invoice_partner_id = fields.Many2one(
        "res.partner",
        string="Invoicing contact",
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
        help="Who receives the helpdesk invoices; by default the client's invoice address.",
    )
    spid_tariff_ids = fields.One2many("spid.tariff", "client_id", string="Tariff grid")

    def _spid_invoice_address(self):
        """The partner a helpdesk invoice of this client is made out to."""
        self.ensure_one()
        return self.spid_invoice_partner_id or self.browse(self.address_get(["invoice"])["invoice"])
