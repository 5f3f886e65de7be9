import base64
import csv
import io

import xlsxwriter

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# The columns of the accounting export, documented in the README.
EXPORT_COLUMNS = [
    ("invoice", _lt("Invoice number")),
    ("date", _lt("Invoice date")),
    ("client_ref", _lt("Client reference")),
    ("ticket", _lt("Ticket reference")),
    ("account", _lt("Account")),
    ("label", _lt("Label")),
    ("quantity", _lt("Quantity")),
    ("price_unit", _lt("Unit price")),
    ("amount_untaxed", _lt("Amount untaxed")),
    ("taxes", _lt("Taxes")),
    ("analytic", _lt("Analytic")),
]


class SpidInvoiceExportWizard(models.TransientModel):
    _name = "spid.invoice.export.wizard"
    _description = "Export invoiced tickets for accounting"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    date_from = fields.Date(string="From", required=True, default=lambda self: self._default_date_from())
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    file_format = fields.Selection(
        string="Format", selection=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")], required=True, default="xlsx"
    )
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(string="File name", readonly=True)
    line_count = fields.Integer(string="Exported lines", readonly=True)

    @api.model
    def _default_date_from(self):
        return fields.Date.context_today(self).replace(day=1)

    def _spid_lines(self):
        """Posted customer invoice and credit note lines of tickets, in the period."""
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(_("The period starts after it ends."))
        return self.env["account.move.line"].search(
            [
                ("spid_ticket_id", "!=", False),
                ("company_id", "=", self.company_id.id),
                ("parent_state", "=", "posted"),
                ("move_id.move_type", "in", ("out_invoice", "out_refund")),
                ("move_id.invoice_date", ">=", self.date_from),
                ("move_id.invoice_date", "<=", self.date_to),
            ],
            order="move_id, sequence, id",
        )

    def _spid_rows(self, lines):
        analytic_names = self._spid_analytic_names(lines)
        for line in lines:
            move = line.move_id
            sign = -1 if move.move_type == "out_refund" else 1
            yield {
                "invoice": move.name,
                "date": fields.Date.to_string(move.invoice_date),
                "client_ref": line.spid_ticket_id.client_id.ref or "",
                "ticket": line.spid_ticket_id.reference,
                "account": line.account_id.code,
                "label": line.name or "",
                "quantity": sign * line.quantity,
                "price_unit": line.price_unit,
                "amount_untaxed": sign * line.price_subtotal,
                "taxes": ", ".join(line.tax_ids.mapped("name")),
                "analytic": ", ".join(
                    analytic_names.get(int(key), key)
                    for keys in (line.analytic_distribution or {})
                    for key in keys.split(",")
                ),
            }

    def _spid_analytic_names(self, lines):
        ids = {
            int(key)
            for line in lines
            for keys in (line.analytic_distribution or {})
            for key in keys.split(",")
        }
        accounts = self.env["account.analytic.account"].browse(ids).exists()
        return {account.id: account.display_name for account in accounts}

    def _spid_render(self, rows):
        headers = [self.env._(label) for _key, label in EXPORT_COLUMNS]
        keys = [key for key, _label in EXPORT_COLUMNS]
        if self.file_format == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([row[key] for key in keys])
            return out.getvalue().encode("utf-8-sig")
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        sheet = book.add_worksheet(_("Invoiced tickets"))
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, headers, bold)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, [row[key] for key in keys])
        book.close()
        return out.getvalue()

    def action_export(self):
        self.ensure_one()
        lines = self._spid_lines()
        rows = list(self._spid_rows(lines))
        self.write(
            {
                "file_data": base64.b64encode(self._spid_render(rows)),
                "file_name": f"invoiced-tickets-{self.date_from}-{self.date_to}.{self.file_format}",
                "line_count": len(rows),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
