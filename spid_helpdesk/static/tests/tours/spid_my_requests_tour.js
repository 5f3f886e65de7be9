/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * An employee without helpdesk rights: Helpdesk opens on My requests; a new
 * request (title, urgency, description), saved, then a message in its
 * conversation.
 */
registry.category("web_tour.tours").add("spid_my_requests_tour", {
    url: "/odoo",
    steps: () => [
        {
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            trigger: '.o_app[data-menu-xmlid="spid_helpdesk.menu_spid_root"]',
            run: "click",
        },
        {
            trigger: ".o_list_renderer .o_data_cell:contains(Tour old request)",
        },
        {
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour my monitor flickers",
        },
        {
            trigger: ".o_field_widget[name=description] .odoo-editor-editable",
            run: "editor It flickers every minute.",
        },
        {
            // a requester creates but does not write: the button saves the request
            trigger: "button[name=action_spid_send_request]",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains(Tour my monitor flickers)",
        },
        {
            trigger: ".o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            run: "edit Still flickering this morning",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            trigger: ".o-mail-Message-body:contains(Still flickering this morning)",
        },
    ],
});
