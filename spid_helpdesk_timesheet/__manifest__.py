{
    "name": "SpiD Helpdesk Timesheets",
    "summary": "Helpdesk work units as Odoo timesheets, kept in sync both ways and locked with the ticket",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spid_helpdesk", "hr_timesheet"],
    "data": [
        "views/spid_team_views.xml",
        "views/spid_workunit_views.xml",
        "views/account_analytic_line_views.xml",
    ],
    "demo": ["demo/spid_helpdesk_timesheet_demo.xml"],
    "post_init_hook": "post_init_hook",
    "installable": True,
    "auto_install": True,
}
