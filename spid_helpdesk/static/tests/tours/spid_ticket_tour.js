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

/**
 * The agent's journey on a colleague's ticket of their team: the status bar
 * offers the moves the workflow allows them (not back to New, not Closed:
 * only the owner closes), no Close button until they take it, and the
 * colleague's internal work drawn as a note, with no failed email.
 */
function chatterSteps() {
    return [
        {
            // the internal work unit is a note: no bubble
            trigger: ".o-mail-Message:has(.o-mail-Message-body.o-note:contains(Root cause found))",
        },
        {
            trigger: ".o-mail-Message:has(.o-mail-Message-body:contains(Root cause found)):not(:has(.o-mail-Message-bubble))",
        },
        {
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Message-notification.text-danger)):not(:has(.fa-envelope.text-danger))",
        },
    ];
}

function statusBarSteps() {
    return [
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Assigned)",
        },
        {
            // hidden buttons stay in the DOM on small screens: match them all
            trigger:
                ".o_statusbar_status:has(button[data-value]:contains(In progress))" +
                ":not(:has(button[data-value]:contains(New))):not(:has(button[data-value]:contains(Closed)))",
        },
    ];
}

registry.category("web_tour.tours").add("spid_agent_desktop_tour", {
    steps: () => [
        ...statusBarSteps(),
        {
            trigger: ".o_form_statusbar:has(button[name=action_take]):not(:has(button[name=action_open_close_wizard]))",
        },
        ...chatterSteps(),
        {
            trigger: "button[name=action_take]",
            run: "click",
        },
        {
            // now the owner, they may close
            trigger: ".o_form_statusbar button[name=action_open_close_wizard]",
        },
    ],
});

const cogMenu = ".o_control_panel .o_cp_action_menus button:has(.fa-cog)";

registry.category("web_tour.tours").add("spid_agent_phone_tour", {
    steps: () => [
        ...statusBarSteps(),
        {
            trigger: cogMenu,
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu:has(button[name=action_take]):not(:has(button[name=action_open_close_wizard]))",
        },
        {
            trigger: ".o-dropdown--menu button[name=action_take]",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        ...chatterSteps(),
        {
            trigger: cogMenu,
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu button[name=action_open_close_wizard]",
        },
    ],
});
