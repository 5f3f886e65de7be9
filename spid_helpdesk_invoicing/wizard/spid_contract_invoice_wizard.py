from collections import defaultdict

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.tools import format_duration


class SpidTicketInvoiceWizard(models.TransientModel):
    _inherit = "spid.ticket.invoice.wizard"

    spid_contract_summary = fields.Html(
        compute="_compute_spid_contract_summary",
        string="Prepaid hours",
        sanitize=False,
        help="Per client: hours the tickets drew from hour banks (not invoiced) and the overage (invoiced).",
    )

    @api.depends("ticket_ids")
    def _compute_spid_contract_summary(self):
        for wizard in self:
            totals = defaultdict(lambda: [0.0, 0.0])
            for ticket in wizard.ticket_ids.filtered("spid_contract_id"):
                total = totals[ticket.client_id.commercial_partner_id]
                total[0] += ticket.spid_contract_hours
                total[1] += ticket.spid_overage_hours
            if not totals:
                wizard.spid_contract_summary = False
                continue
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td></tr>")
                % (client.display_name, format_duration(drawn), format_duration(overage))
                for client, (drawn, overage) in sorted(totals.items(), key=lambda item: item[0].display_name)
            )
            wizard.spid_contract_summary = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th><th class='text-end'>%s</th>"
                "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (
                escape(_("Client")),
                escape(_("Hours from banks")),
                escape(_("Overage hours")),
                rows,
            )
