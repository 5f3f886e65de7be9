from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    spid_statement_enabled = fields.Boolean(
        string="Service statements",
        help="Email the client a service statement (tickets, hours, service levels, satisfaction)"
        " every period.",
    )
    spid_statement_period = fields.Selection(
        [("monthly", "Monthly"), ("quarterly", "Quarterly")],
        string="Statement period",
        default="monthly",
    )
    spid_statement_ids = fields.One2many("spid.statement", "client_id", string="Statements")

    def _spid_statement_recipients(self):
        """{client: partner who receives its statements}: its invoicing
        contact (the helpdesk invoices' recipient), else its invoice address,
        else the client."""
        return {client: client._spid_invoice_address() for client in self}
