{
    "name": "SpiD Helpdesk Invoicing",
    "summary": "Invoice closed tickets with tariff grids; invoices lock their tickets",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spid_helpdesk", "account"],
    "data": [
        "security/spid_helpdesk_invoicing_security.xml",
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "views/spid_tariff_views.xml",
        "views/spid_ticket_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "wizard/spid_ticket_invoice_wizard_views.xml",
        "wizard/spid_invoice_export_wizard_views.xml",
        "report/spid_turnover_report_views.xml",
        "report/report_invoice.xml",
        "views/spid_helpdesk_invoicing_menus.xml",
        # prepaid hour banks (#21 BANK)
        "data/spid_contract_data.xml",
        "views/spid_contract_views.xml",
        "views/spid_contract_portal_templates.xml",
        # end prepaid hour banks
    ],
    "demo": [
        "demo/spid_helpdesk_invoicing_demo.xml",
        "demo/spid_contract_demo.xml",  # prepaid hour banks (#21 BANK)
    ],
    "assets": {
        "web.assets_tests": [
            "spid_helpdesk_invoicing/static/tests/tours/**/*",
        ],
    },
    "installable": True,
}
