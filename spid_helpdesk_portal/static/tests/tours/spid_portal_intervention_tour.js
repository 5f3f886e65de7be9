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
            // The widget is mounted in the hidden modal (the requester's
            // name prefilled, so its canvas is there), where the canvas
            // measures 0x0; it is sized on "shown.bs.modal", once the
            // modal's 300 ms fade is over. Typing and signing during the
            // fade draws into a 0x0 canvas, whose image is "data:,": an
            // empty signature, refused by the route. A person cannot type
            // and tap that fast; the tour waits for the modal to be shown.
            trigger: "#spid_sign_modal.show canvas.o_web_sign_signature:not([width='0'])",
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
