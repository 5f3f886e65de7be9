{
    "name": "SpiD Helpdesk benchmark floor",
    "summary": "A bare ORM model, the floor the helpdesk's creation times are compared with",
    "version": "18.0.1.0.0",
    "license": "LGPL-3",
    "author": "SpiD Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "category": "Hidden",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}
