/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * The operator on the phone: a new ticket from the list, client, then the
 * requester among its contacts, then the category that routes it; save,
 * then take it.
 */
function pick(field, text) {
    return [
        {
            trigger: `.o_field_widget[name=${field}] input`,
            run: `edit ${text}`,
        },
        {
            trigger: `.o_field_widget[name=${field}] .o-autocomplete--dropdown-item:contains("${text}")`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("spid_ticket_phone_tour", {
    url: "/odoo/action-spid_helpdesk.spid_ticket_action",
    steps: () => [
        {
            // the top bar counts the agent's open tickets (one, made by the test)
            trigger: ".o_menu_systray .o_spid_my_tickets .o_spid_my_tickets_count:contains(1)",
        },
        {
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour printer is jammed",
        },
        ...pick("client_id", "Tour Client"),
        ...pick("partner_id", "Tour Requester"),
        ...pick("category_id", "Tour Category"),
        {
            trigger: ".o_field_widget[name=partner_email]:contains(requester@tour.example.com)",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            trigger: "button[name=action_take]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Assigned)",
        },
    ],
});
