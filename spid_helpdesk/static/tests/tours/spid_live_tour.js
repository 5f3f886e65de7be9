/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * Julie (this tour) works the ticket list while Marc (the test's other
 * session, a Python thread acting over HTTP) creates a ticket, opens the
 * ticket Julie opens, answers the customer, then leaves. Nothing here
 * calls the server for Marc: his changes reach this page by the bus.
 */
registry.category("web_tour.tours").add("spid_live_tour", {
    steps: () => [
        {
            content: "Julie's list shows the open ticket",
            trigger: ".o_list_view .o_data_row:contains('Printer on fire')",
        },
        {
            content: "Marc's new ticket appears without reload",
            trigger: ".o_list_view .o_data_row:contains('Coffee machine leaks')",
            timeout: 30000,
        },
        {
            content: "Julie opens the ticket",
            trigger: ".o_list_view .o_data_row td[name=name]:contains('Printer on fire')",
            run: "click",
        },
        {
            content: "Marc opens it too: Julie sees him",
            trigger: ".o_form_view .o_spid_live_viewer:contains('Marc Agent')",
            timeout: 30000,
        },
        {
            content: "Marc answers the customer: a banner tells Julie",
            trigger: ".o_spid_live_banner:contains('Marc Agent answered the customer')",
            timeout: 30000,
        },
        {
            content: "Julie writes her own answer",
            trigger: "button.o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit Julie's answer: the printer is fixed",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The collision warning names Marc",
            trigger: ".modal:contains('Marc Agent answered the customer') button:contains('Read first')",
            run: "click",
        },
        {
            content: "Reading first: Marc's answer appears in the chatter",
            trigger: ".o-mail-Message:contains('Marc here: please restart the printer')",
        },
        {
            content: "Julie's text is still in the composer; she sends it",
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "No second warning: her answer is posted",
            trigger: ".o-mail-Message:contains('the printer is fixed')",
        },
        {
            content: "Marc leaves the ticket: Julie no longer sees him",
            trigger: ".o_form_view:not(:has(.o_spid_live_viewer))",
            timeout: 30000,
        },
    ],
});
