{
    "name": "SpiD Helpdesk Integration",
    "summary": "Other systems and the helpdesk: an API user for JSON-RPC, a webhook rule on critical tickets",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spid_helpdesk", "base_automation"],
    "data": [
        "security/spid_helpdesk_automation_security.xml",
        "data/res_users_data.xml",
        "data/base_automation_data.xml",
    ],
    "installable": True,
    "auto_install": True,
}
