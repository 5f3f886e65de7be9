/** @odoo-module */

import { registry } from "@web/core/registry";

const BILLING = "spid_helpdesk_invoicing.menu_spid_billing";

/** Open an entry of the Helpdesk's Billing menu: a dropdown on a desktop,
 * the side menu on a phone. */
function billingMenu(xmlid) {
    return [
        {
            isActive: ["desktop"],
            trigger: `.o_menu_sections button:contains(Billing)`,
            run: "click",
        },
        {
            isActive: ["desktop"],
            trigger: `.dropdown-item[data-menu-xmlid="${xmlid}"]`,
            run: "click",
        },
        {
            isActive: ["mobile"],
            trigger: ".o_main_navbar .o_menu_toggle",
            run: "click",
        },
        {
            isActive: ["mobile"],
            trigger: `.o_app_menu_sidebar [data-menu-xmlid="${BILLING}"]`,
        },
        {
            isActive: ["mobile"],
            trigger: `.o_app_menu_sidebar li[data-menu-xmlid="${xmlid}"]`,
            run: "click",
        },
    ];
}

/**
 * Finance at month end: the closed tickets waiting to be billed and what
 * each will bill, then the Billing menu's wizard, which lists the tickets it
 * will invoice before making the draft invoices; then one invoice, whose line
 * gives the time as hours:minutes. The same journey on a desktop and a phone.
 */
registry.category("web_tour.tours").add("spid_invoicing_tour", {
    url: "/odoo",
    steps: () => [
        {
            isActive: ["desktop"],
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            isActive: ["desktop"],
            trigger: '.o_app[data-menu-xmlid="spid_helpdesk.menu_spid_root"]',
            run: "click",
        },
        {
            isActive: ["mobile"],
            trigger: ".o_main_navbar .o_menu_toggle",
            run: "click",
        },
        {
            isActive: ["mobile"],
            trigger: ".o_app_menu_sidebar .o_sidebar_topbar a.btn-primary",
            run: "click",
        },
        {
            isActive: ["mobile"],
            trigger: '.o_app_menu_sidebar li.o_app[data-menu-xmlid="spid_helpdesk.menu_spid_root"]',
            run: "click",
        },
        ...billingMenu("spid_helpdesk_invoicing.menu_spid_billing_to_invoice"),
        // what each ticket will bill is a column of the list, summed
        {
            content: "The amount to invoice is shown",
            trigger: ".o_list_view thead th[data-name=amount_to_invoice]",
        },
        {
            content: "The ticket to bill, with its amount",
            trigger: ".o_data_row:contains(Tour billable repair) td[name=amount_to_invoice]:contains(120.00)",
        },
        {
            content: "The total to invoice",
            trigger: ".o_list_view tfoot td:contains(120.00)",
        },
        ...billingMenu("spid_helpdesk_invoicing.menu_spid_billing_invoice"),
        {
            trigger: ".modal .o_field_widget[name=ticket_count]:contains(1)",
        },
        {
            content: "The wizard names the ticket it will bill: client, hours, amount",
            trigger:
                ".modal .o_field_widget[name=ticket_ids] .o_data_row:contains(Tour Billed Client)" +
                ":contains(01:30):contains(120.00)",
        },
        {
            content: "... and its reference",
            trigger: ".modal .o_field_widget[name=ticket_ids] .o_data_row td[name=reference]:not(:empty)",
        },
        {
            trigger: ".modal button[name=action_create_invoices]",
            run: "click",
        },
        {
            content: "The invoices just made: one, for the client",
            trigger: ".o_list_view .o_data_row td[name=invoice_partner_display_name]:contains(Tour Billed Client)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(Tour Billed Client)",
        },
        {
            content: "The invoice line gives the time as hours:minutes",
            isActive: ["desktop"],
            trigger: ".o_field_widget[name=invoice_line_ids] .o_data_row textarea:value(/01:30 h$/)",
        },
        {
            content: "... the quantity a number of hours",
            isActive: ["desktop"],
            trigger: ".o_field_widget[name=invoice_line_ids] .o_data_row td[name=quantity]:contains(1.50)",
        },
        {
            content: "On a phone the card gives the quantity, a number of hours",
            isActive: ["mobile"],
            trigger: ".o_field_widget[name=invoice_line_ids] .o_kanban_record:contains(Quantity: 1.50)",
            run: "click",
        },
        {
            content: "... and the line opened gives the time as hours:minutes",
            isActive: ["mobile"],
            trigger: ".modal .o_field_widget[name=name] textarea:value(/01:30 h$/)",
        },
        {
            isActive: ["mobile"],
            trigger: ".modal .o_form_button_cancel, .modal button:contains(Discard)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=tax_totals]:contains(120.00)",
        },
    ],
});
