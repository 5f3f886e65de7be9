{
    "name": "SpiD Helpdesk Portal",
    "summary": "Customers open and follow their own tickets in the portal",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spid_helpdesk", "portal"],
    "data": [
        "security/spid_helpdesk_portal_security.xml",
        "security/ir.model.access.csv",
        "data/mail_message_subtype_data.xml",
        "views/spid_ticket_portal_templates.xml",
        "views/spid_intervention_portal_templates.xml",
        "views/spid_ticket_views.xml",
        # #20 integration: the sites allowed to embed the public form
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "spid_helpdesk_portal/static/src/**/*",
            # #20 live updates: the ticket page's listener runs in the portal
            # chatter's lazy bundle, where the chatter's store lives
            ("remove", "spid_helpdesk_portal/static/src/chatter/**/*"),
        ],
        "portal.assets_chatter": [
            "spid_helpdesk_portal/static/src/chatter/**/*",
        ],
        "web.assets_tests": [
            "spid_helpdesk_portal/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "auto_install": False,
}
