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
    ],
    "installable": True,
}
