from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model
    def _spid_demo_load_chart(self):
        """Demo only: a company without a chart of accounts gets Odoo's generic
        one, so that the demo can invoice tickets."""
        for company in self.search([("chart_template", "=", False)]):
            self.env["account.chart.template"].try_loading("generic_coa", company, install_demo=True)
