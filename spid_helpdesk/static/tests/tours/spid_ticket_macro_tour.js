/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * The agent on the phone solves the customer's problem, then one click:
 * the ticket's Macros button, "Solved by phone", Run. The reply is in the
 * conversation and the ticket is closed (the test checks the 15 minutes).
 */
registry.category("web_tour.tours").add("spid_ticket_macro_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=name] input",
        },
        {
            trigger: "button[name=action_open_macro_wizard]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=macro_id] .o_radio_item:contains(Solved by phone) input",
            run: "click",
        },
        {
            // the preview says what it will do before it does it
            trigger: ".modal .o_field_widget[name=preview]:contains(Close the ticket)",
        },
        {
            trigger: ".modal button[name=action_run]",
            run: "click",
        },
        {
            // the form reloaded: the closed ribbon and the work units' 15 minutes
            trigger: ".o_form_view:has(.o_widget_web_ribbon:contains(Closed))",
        },
        {
            trigger: "button[name=action_view_workunits]:contains(00:15)",
        },
        {
            trigger: ".o-mail-Message-body:contains(is solved by Tour Macro Agent)",
        },
    ],
});
