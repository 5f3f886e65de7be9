/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * Finance at month end: the closed tickets waiting to be billed, then the
 * Billing menu's wizard, which makes the draft invoices.
 */
registry.category("web_tour.tours").add("spid_invoicing_tour", {
    url: "/odoo",
    steps: () => [
        {
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            trigger: ".o_app:contains(Helpdesk)",
            run: "click",
        },
        {
            trigger: ".o_menu_sections button:contains(Billing)",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains(Tickets to invoice)",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(Tour billable repair)",
        },
        {
            trigger: ".o_menu_sections button:contains(Billing)",
            run: "click",
        },
        {
            trigger: ".dropdown-item:contains(Invoice tickets)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=ticket_count]:contains(1)",
        },
        {
            trigger: ".modal button[name=action_create_invoices]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Billed Client)",
        },
    ],
});
