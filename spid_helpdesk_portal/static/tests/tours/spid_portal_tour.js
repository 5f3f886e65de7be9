/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * A customer opens a request from the portal, then reads the agent's
 * public answer on an older ticket and replies to it.
 */
registry.category("web_tour.tours").add("spid_portal_customer_tour", {
    url: "/my/tickets/new",
    steps: () => [
        {
            trigger: "#spid_name",
            run: "edit Tour: the monitor stays black",
        },
        {
            trigger: "#spid_description",
            run: "edit Since this morning, at the front desk.",
        },
        {
            trigger: "#spid_type",
            run: "selectByLabel Tour hardware",
        },
        {
            trigger: ".spid_type_fields:not(.d-none) #prop_serial",
            run: "edit SN-TOUR",
        },
        {
            trigger: "button[type=submit]:contains(Send the request)",
            run: "click",
        },
        {
            trigger: "h4:contains(Tour: the monitor stays black)",
        },
        {
            trigger: ".breadcrumb a[href='/my/tickets']",
            run: "click",
        },
        {
            trigger: "a:contains(Tour: old request)",
            run: "click",
        },
        {
            trigger: "#spid_public_workunits:contains(Replace the video cable)",
        },
        {
            trigger: "#spid_reply",
            run: "edit Thanks, the cable fixed it.",
        },
        {
            trigger: "button[type=submit]:contains(Send)",
            run: "click",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-Message:contains(Thanks, the cable fixed it.)",
        },
    ],
});
