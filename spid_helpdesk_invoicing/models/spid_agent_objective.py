from odoo import models


class SpidAgentObjective(models.Model):
    _inherit = "spid.agent.objective"

    def _spid_turnover(self, start, end):
        """Invoiced amounts (net of credit notes) of the tickets each agent owns,
        per month of the invoice date."""
        self.env["spid.turnover.report"]._spid_flush_sources()
        return {
            (user.id, month.replace(day=1)): amount
            for user, month, amount in self.env["spid.turnover.report"]
            .sudo()
            ._read_group(
                [
                    ("user_id", "in", self.user_id.ids),
                    ("date", ">=", start),
                    ("date", "<", end),
                    ("kind", "=", "invoiced"),
                ],
                ["user_id", "date:month"],
                ["amount:sum"],
            )
        }
