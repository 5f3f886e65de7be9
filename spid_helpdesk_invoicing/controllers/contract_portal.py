from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class SpidContractPortal(CustomerPortal):
    """The client's prepaid hour banks on the portal: hours only, no prices.
    Which banks a portal user sees is the record rules' decision (the
    client's grouped contacts and its invoicing contact)."""

    _spid_contracts_per_page = 20

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "spid_contract_count" in counters:
            Contract = request.env["spid.contract"]
            values["spid_contract_count"] = Contract.search_count([]) if Contract.has_access("read") else 0
        return values

    @http.route(
        ["/my/contracts", "/my/contracts/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_contracts(self, page=1, **kw):
        Contract = request.env["spid.contract"]
        if not Contract.has_access("read"):
            return request.not_found()
        total = Contract.search_count([])
        pager = portal_pager(url="/my/contracts", total=total, page=page, step=self._spid_contracts_per_page)
        contracts = Contract.search(
            [],
            order="state, date_end desc, id desc",
            limit=self._spid_contracts_per_page,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "contracts": contracts,
                "pager": pager,
                "page_name": "spid_contract",
                "default_url": "/my/contracts",
            }
        )
        return request.render("spid_helpdesk_invoicing.portal_my_contracts", values)

    @http.route(["/my/contracts/<int:contract_id>"], type="http", auth="user", website=True, readonly=True)
    def portal_my_contract(self, contract_id, **kw):
        try:
            contract = self._document_check_access("spid.contract", contract_id)
        except (AccessError, MissingError):
            return request.not_found()
        # the ledger as the portal user reads it (record rules), not sudo
        lines = request.env["spid.contract.line"].search(
            [("contract_id", "=", contract.id)], order="date, id"
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "contract": request.env["spid.contract"].browse(contract.id),
                "lines": lines,
                "page_name": "spid_contract",
            }
        )
        return request.render("spid_helpdesk_invoicing.portal_my_contract", values)
