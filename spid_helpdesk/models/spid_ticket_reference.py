from collections import defaultdict

from odoo import _, api, models
from odoo.exceptions import UserError

TICKET_SEQUENCE_CODE = "spid.ticket"


class SpidTicketReference(models.Model):
    """Ticket references, drawn from the company's sequence for a whole batch
    of new tickets at once."""

    _inherit = "spid.ticket"

    @api.model
    def _spid_assign_references(self, vals_list):
        """Give a reference to the new tickets' values that have none, one
        draw per company."""
        by_company = defaultdict(list)
        for vals in vals_list:
            if vals.get("reference", "/") in ("/", False, None):
                by_company[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, company_vals in by_company.items():
            references = self._spid_next_references(
                self.env["res.company"].browse(company_id), len(company_vals)
            )
            for vals, reference in zip(company_vals, references):
                vals["reference"] = reference

    @api.model
    def _spid_ticket_sequence(self, company):
        """The company's ticket sequence, else the shared one."""
        return (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [("code", "=", TICKET_SEQUENCE_CODE), ("company_id", "in", [company.id, False])],
                order="company_id",
                limit=1,
            )
        )

    @api.model
    def _spid_next_references(self, company, count):
        """`count` new references from the company's ticket sequence, drawn
        with one query for the standard (gapped) implementation."""
        sequence = self._spid_ticket_sequence(company)
        if not sequence:
            raise UserError(_("No ticket sequence is configured for %s.", company.name))
        if sequence.implementation == "standard" and not sequence.use_date_range:
            self.env.cr.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                ["ir_sequence_%03d" % sequence.id, count],
            )
            numbers = sorted(row[0] for row in self.env.cr.fetchall())
            prefix, suffix = sequence._get_prefix_suffix()
            return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]
        return [sequence._next() for _i in range(count)]
