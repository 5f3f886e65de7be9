{
    "name": "SpiD Helpdesk Project",
    "summary": "Tickets linked to project tasks: the task's tickets",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spid_helpdesk", "project"],
    "data": [
        "views/spid_ticket_views.xml",
        "views/project_task_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
