{
    "name": "SpiD Helpdesk Project",
    "summary": "Tickets linked to projects and tasks: their tickets",
    "version": "18.0.1.1.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spid_helpdesk", "project"],
    "data": [
        "views/spid_ticket_views.xml",
        "views/project_task_views.xml",
        "views/project_project_views.xml",
    ],
    "demo": ["demo/spid_helpdesk_project_demo.xml"],
    "installable": True,
    "auto_install": True,
}
