/** @odoo-module */

import { registry } from "@web/core/registry";

/** Fails unless the element is entirely within the window's width. */
function assertInView() {
    const box = this.anchor.getBoundingClientRect();
    if (box.width === 0 || box.left < 0 || box.right > window.innerWidth) {
        throw new Error(
            `"${this.anchor.textContent.trim()}" is not in view: ${box.left}-${box.right} of ${window.innerWidth}px`
        );
    }
}

/**
 * The customer's main journey, at any screen size: open a request, find it
 * in the list with its status in view, answer it, then close it through
 * the confirmation.
 */
registry.category("web_tour.tours").add("spid_portal_journey_tour", {
    url: "/my/tickets",
    steps: () => [
        {
            trigger: "a[href='/my/tickets/new']",
            run: "click",
        },
        {
            trigger: "#spid_name",
            run: "edit Journey: the scanner is offline",
        },
        {
            trigger: "#spid_description",
            run: "edit Since the network change.",
        },
        {
            trigger: "button[type=submit]:contains(Send the request)",
            run: "click",
        },
        {
            trigger: "h4:contains(Journey: the scanner is offline)",
        },
        {
            trigger: ".card-header .spid_status:contains(Received)",
            run: assertInView,
        },
        {
            trigger: ".breadcrumb a[href='/my/tickets']",
            run: "click",
        },
        {
            trigger: "tr:contains(Journey: the scanner is offline) .spid_status:contains(Received)",
            run: assertInView,
        },
        {
            trigger: "tr:contains(Journey: the scanner is offline) a:contains(Journey)",
            run: "click",
        },
        {
            trigger: "#spid_reply",
            run: "edit It is still offline after a restart.",
        },
        {
            trigger: "button[type=submit]:contains(Send)",
            run: "click",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-Message:contains(It is still offline after a restart.)",
        },
        {
            trigger: "#spid_close_ask",
            run: "click",
        },
        {
            trigger: "#spid_close_modal.show #spid_close_title",
        },
        {
            trigger: "#spid_close_modal.show #spid_close_confirm",
            run: "click",
        },
        {
            trigger: "textarea#spid_reopen",
        },
        {
            trigger: ".card-header .spid_status:contains(Closed)",
            run: assertInView,
        },
    ],
});

/** A French customer reads the portal in French, the conversation too. */
registry.category("web_tour.tours").add("spid_portal_french_tour", {
    url: "/my/tickets",
    steps: () => [
        {
            trigger: "a[href='/my/tickets/new']:contains(Nouvelle demande)",
        },
        {
            trigger: "tr:contains(Imprimante en panne) .spid_status:contains(Reçu)",
        },
        {
            trigger: "tr:contains(Imprimante en panne) a:contains(Imprimante)",
            run: "click",
        },
        {
            trigger: ".card-header .spid_status:contains(Reçu)",
        },
        {
            trigger: "#spid_close_ask:contains(Mon problème est résolu, clôturez-le)",
        },
        {
            trigger: "#chatterRoot:shadow :contains(La conversation est vide.)",
        },
        {
            trigger: ".breadcrumb a[href='/my/tickets']",
            run: "click",
        },
        {
            trigger: "a:contains(Écran noir)",
            run: "click",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-Message:contains(Bonjour)",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-DateSection:contains(Aujourd'hui)",
        },
    ],
});
