/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * The customer keeps their ticket's page open while an agent (the test's
 * other session) logs an internal note, then answers: the answer appears
 * without reload, the note never does.
 */
registry.category("web_tour.tours").add("spid_portal_live_tour", {
    steps: () => [
        {
            content: "The conversation is loaded",
            trigger: "#chatterRoot:shadow .o-mail-Chatter",
        },
        {
            content: "The agent's answer appears without reload",
            trigger: "#chatterRoot:shadow .o-mail-Message:contains('We replaced the fuser')",
            timeout: 30000,
        },
        {
            content: "The internal note posted just before never shows",
            trigger: "#chatterRoot:shadow .o-mail-Thread:not(:contains('out of warranty'))",
        },
    ],
});
