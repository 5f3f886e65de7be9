from odoo import api, models


class SpidStatement(models.Model):
    _inherit = "spid.statement"

    @api.model
    def _spid_statement_bank_values(self, clients, company, date_to, date_from=None):
        """The clients' hour banks on their statements: every bank of the
        company valid during the period (from `date_from` when given) and not
        a draft, with its
        figures up to that day, as the bank's form and the portal count them
        (spid.contract._spid_ledger_figures). Two queries whatever the number
        of clients."""
        result = super()._spid_statement_bank_values(clients, company, date_to)
        contracts = (
            self.env["spid.contract"]
            .sudo()
            .search(
                [
                    ("client_id", "in", clients.ids),
                    ("company_id", "=", company.id),
                    ("state", "!=", "draft"),
                    ("date_start", "<=", date_to),
                    *([("date_end", ">=", date_from)] if date_from else []),
                ],
                order="client_id, date_start, id",
            )
        )
        if not contracts:
            return result
        figures = contracts._spid_ledger_figures(date_to)
        for contract in contracts:
            result.setdefault(contract.client_id, []).append(
                {"name": contract.display_name, **figures[contract.id]}
            )
        return result
