{
    "name": "SpiD Helpdesk LDAP",
    "summary": "Directory (LDAP / Active Directory) logins of helpdesk agents, safely",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spid_helpdesk", "auth_ldap"],
    "data": ["views/res_users_views.xml"],
    "installable": True,
    "auto_install": True,
}
