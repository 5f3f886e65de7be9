/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * The timer (#21): started on the ticket's form, shown in the top bar with
 * the ticket's reference, stopped from the top bar through its dialog; the
 * form then shows the new work unit with the rounded time (15 minutes).
 */
registry.category("web_tour.tours").add("spid_timer_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_spid_timer_start",
            run: "click",
        },
        {
            trigger: ".o_menu_systray .o_spid_timer_systray .o_spid_timer_reference:not(:empty)",
        },
        {
            trigger: ".o_form_view .o_spid_timer_form_stop",
        },
        {
            trigger: ".o_menu_systray .o_spid_timer_systray .o_spid_timer_stop",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=duration]:contains(00:15)",
        },
        {
            trigger: ".modal .o_field_widget[name=action_type] select",
            run: 'select "solution"',
        },
        {
            trigger: ".modal .o_field_widget[name=description] .odoo-editor-editable",
            run: "editor Tour work",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)):not(:has(.o_spid_timer_systray))",
        },
        {
            // the form reloaded after the dialog: its total counts the new unit
            trigger: ".o_form_view button[name=action_view_workunits]:contains(00:15)",
        },
        {
            trigger: ".o_form_view .o_notebook a:contains(Work units)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=workunit_ids] .o_data_row td[name=duration]:contains(00:15)",
        },
        {
            trigger: ".o_form_view .o_spid_timer_start",
        },
    ],
});

/** The kanban card's icon starts the timer without opening the ticket. */
registry.category("web_tour.tours").add("spid_timer_kanban_tour", {
    steps: () => [
        {
            trigger: ".o_kanban_view .o_kanban_record:contains(Timer kanban ticket) .o_spid_timer_card_start",
            run: "click",
        },
        {
            trigger: ".o_menu_systray .o_spid_timer_systray .o_spid_timer_reference:not(:empty)",
        },
        {
            trigger: ".o_kanban_view .o_kanban_record:contains(Timer kanban ticket) .o_spid_timer_card_stop",
        },
    ],
});
