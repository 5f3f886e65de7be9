from odoo import api, models


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        self.env["spid.ticket"]._spid_recompute_billing(leaves._spid_surcharged_companies())
        return leaves

    def write(self, vals):
        companies = self._spid_surcharged_companies()
        res = super().write(vals)
        self.env["spid.ticket"]._spid_recompute_billing(companies | self._spid_surcharged_companies())
        return res

    def unlink(self):
        companies = self._spid_surcharged_companies()
        res = super().unlink()
        self.env["spid.ticket"]._spid_recompute_billing(companies)
        return res

    def _spid_surcharged_companies(self):
        """The companies whose surcharged tariffs count these public holidays
        (leaves without resource): their tickets still to invoice take a
        holiday added, moved or removed (invoiced tickets keep their rates)."""
        holidays = self.sudo().filtered(lambda leave: not leave.resource_id)
        if not holidays:
            return self.env["res.company"]
        domain = [("calendar_id", "!=", False)]
        if all(holidays.mapped("company_id")):
            domain.append(("company_id", "in", holidays.company_id.ids))
        if all(holidays.mapped("calendar_id")):
            domain.append(("calendar_id", "in", holidays.calendar_id.ids))
        tariffs = self.env["spid.tariff"].sudo().search(domain)
        return tariffs.filtered(lambda tariff: tariff._spid_has_surcharge()).company_id
