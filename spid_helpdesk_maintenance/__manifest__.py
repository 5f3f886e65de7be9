{
    "name": "SpiD Helpdesk Maintenance",
    "summary": "Tickets about equipment: the equipment's ticket history",
    "version": "18.0.1.1.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spid_helpdesk", "maintenance"],
    "data": [
        "security/spid_helpdesk_maintenance_security.xml",
        "views/spid_ticket_views.xml",
        "views/maintenance_equipment_views.xml",
    ],
    "demo": ["demo/spid_helpdesk_maintenance_demo.xml"],
    "installable": True,
    "auto_install": True,
}
