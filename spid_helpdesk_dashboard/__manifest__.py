{
    "name": "SpiD Helpdesk Dashboard",
    "summary": "The supervisor's first screen in Dashboards: open tickets, SLA, time, satisfaction, turnover",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spreadsheet_dashboard", "spid_helpdesk_invoicing"],
    "data": [
        "data/spid_helpdesk_dashboard_data.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "spid_helpdesk_dashboard/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "auto_install": True,
}
