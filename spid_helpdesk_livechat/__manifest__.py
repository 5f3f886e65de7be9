{
    "name": "SpiD Helpdesk Live Chat",
    "summary": "Live Chat conversations turned into tickets: /ticket and a button in the chat",
    "version": "18.0.1.0.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/spid-helpdesk/spid-helpdesk",
    "author": "SpiD Helpdesk",
    "license": "LGPL-3",
    "depends": ["spid_helpdesk", "im_livechat"],
    "data": [
        "views/im_livechat_channel_views.xml",
        "views/discuss_channel_views.xml",
        "views/spid_ticket_views.xml",
    ],
    "demo": ["demo/spid_helpdesk_livechat_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "spid_helpdesk_livechat/static/src/**/*",
        ],
        "web.assets_tests": [
            "spid_helpdesk_livechat/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "auto_install": True,
}
