from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SpidStatementWizard(models.TransientModel):
    """Generate service statements by hand: a period, the clients (none:
    every client that opted in), sent at once or left in draft to check."""

    _name = "spid.statement.wizard"
    _description = "Generate service statements"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(months=1),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(days=1),
    )
    client_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        domain="[('spid_is_client', '=', True), ('is_company', '=', True)]",
        help="Leave empty for every client that receives statements.",
    )
    send = fields.Boolean(string="Send them now", help="Email them at once; otherwise they stay in draft.")

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(_("The period starts after it ends."))

    def action_generate(self):
        self.ensure_one()
        clients = self.client_ids or self.env["res.partner"].search(
            [("spid_statement_enabled", "=", True), ("spid_is_client", "=", True), ("is_company", "=", True)]
        )
        if not clients:
            raise UserError(_("No client receives statements: choose clients, or opt some in on their form."))
        Statement = self.env["spid.statement"]
        statements = Statement._spid_generate(clients, self.date_from, self.date_to)
        if self.send:
            statements.action_send()
        # the new ones and those the period already had
        statements |= Statement.search(
            [
                ("client_id", "in", clients.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
                ("date_from", "=", self.date_from),
                ("date_to", "=", self.date_to),
            ]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "spid_helpdesk_invoicing.spid_statement_action"
        )
        action["domain"] = [("id", "in", statements.ids)]
        return action
