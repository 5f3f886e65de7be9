from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

PAGE_SIZE = 20


class SpidStatementPortal(CustomerPortal):
    """A client's service statements on the portal: the list and the PDF.
    Access is the record rules' (spid_statement_rule_portal), with the
    customer's own rights; statements carry no access token, so a link
    alone opens nothing."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "spid_statement_count" in counters:
            Statement = request.env["spid.statement"]
            values["spid_statement_count"] = Statement.search_count([]) if Statement.has_access("read") else 0
        return values

    @http.route(
        ["/my/statements", "/my/statements/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_statements(self, page=1, **kw):
        Statement = request.env["spid.statement"]
        if not Statement.has_access("read"):
            return request.redirect("/my")
        count = Statement.search_count([])
        pager = portal_pager(url="/my/statements", total=count, page=page, step=PAGE_SIZE)
        statements = Statement.search(
            [], order="date_to desc, id desc", limit=PAGE_SIZE, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "statements": statements,
                "page_name": "spid_statement",
                "pager": pager,
                "default_url": "/my/statements",
            }
        )
        return request.render("spid_helpdesk_invoicing.portal_my_statements", values)

    # not readonly: the first download of a sent statement may store its PDF
    @http.route(["/my/statements/<int:statement_id>"], type="http", auth="user", website=True)
    def portal_my_statement(self, statement_id, download=False, **kw):
        # no token: _document_check_access accepts none on a model without one
        try:
            statement = self._document_check_access("spid.statement", statement_id)
        except (AccessError, MissingError):
            return request.not_found()
        return self._show_report(
            model=statement,
            report_type="pdf",
            report_ref="spid_helpdesk_invoicing.action_report_spid_statement",
            download=download in (True, "true", "1"),
        )
