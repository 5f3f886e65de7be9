/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * Opening a ticket's form: the form shows it, then (for its owner) marks it
 * read through a separate call; the last step leaves that call time to end
 * before the test reads the ticket.
 */
registry.category("web_tour.tours").add("spid_ticket_read_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=name] input",
        },
        {
            trigger: ".o_form_view .o_statusbar_status",
            run: () => new Promise((resolve) => setTimeout(resolve, 1000)),
        },
    ],
});
