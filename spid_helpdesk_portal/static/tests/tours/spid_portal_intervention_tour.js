/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * On a phone, the customer reads the intervention's report and signs it
 * with Odoo's portal signature widget (its "Auto" mode draws the name).
 */
registry.category("web_tour.tours").add("spid_portal_intervention_sign_tour", {
    steps: () => [
        {
            trigger: "#spid_intervention_report:contains(Tour: seal replaced.)",
        },
        {
            trigger: "#spid_intervention_materials:contains(Tour gasket)",
        },
        {
            trigger: "#spid_sign_open",
            run: "click",
        },
        {
            trigger: "#spid_sign_modal .o_web_sign_name_input",
            run: "edit Anna Phone on site",
        },
        {
            trigger: "#spid_sign_modal .o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            trigger: "#spid_signed:contains(Anna Phone on site)",
        },
        {
            trigger: "#spid_signed_report",
        },
    ],
});
