from collections import defaultdict

from odoo import api, models


class SpidStatement(models.Model):
    _inherit = "spid.statement"

    @api.model
    def _spid_statement_bank_values(self, clients, company, date_to, date_from=None):
        """The clients' hour banks on their statements: every bank of the
        company valid during the period (from `date_from` when given) and not
        a draft, with its
        ledger up to that day (bought: the credits; used: the hours drawn;
        left: the balance then). Two queries whatever the number of clients."""
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
        totals = defaultdict(lambda: {"hours_bought": 0.0, "hours_used": 0.0, "hours_left": 0.0})
        for contract, kind, is_credit, hours in (
            self.env["spid.contract.line"]
            .sudo()
            ._read_group(
                [("contract_id", "in", contracts.ids), ("date", "<=", date_to)],
                ["contract_id", "kind", "is_credit"],
                ["hours:sum"],
            )
        ):
            bank = totals[contract.id]
            bank["hours_left"] += hours
            if is_credit:
                bank["hours_bought"] += hours
            elif kind == "draw":
                bank["hours_used"] -= hours
        for contract in contracts:
            result.setdefault(contract.client_id, []).append(
                {"name": contract.display_name, **totals[contract.id]}
            )
        return result
