/** @odoo-module */

import { registry } from "@web/core/registry";

/**
 * The customer's ticket page shows a new public answer without reload: it
 * listens on the ticket's portal channel (the server lets in only who reads
 * the ticket through the record rules or holds its token, and sends there
 * only public messages: spid_helpdesk/models/spid_ticket_live.py), then the
 * portal chatter fetches the new messages through its own route, which
 * checks access again and never returns an internal note.
 */
export const spidTicketLiveService = {
    dependencies: ["bus_service", "mail.store"],
    start(env, { bus_service: busService, "mail.store": store }) {
        const chatterEl = document.querySelector('.o_portal_chatter[data-res_model="spid.ticket"]');
        if (!chatterEl) {
            return;
        }
        const ticketId = parseInt(chatterEl.getAttribute("data-res_id"));
        const token = chatterEl.getAttribute("data-token");
        if (!ticketId) {
            return;
        }
        busService.subscribe("spid.ticket/portal_message", (payload) => {
            if (payload.ticket_id !== ticketId) {
                return;
            }
            const thread = store.Thread.get({ model: "spid.ticket", id: ticketId });
            thread?.fetchNewMessages();
        });
        busService.addChannel(`spid_portal_ticket:${ticketId}${token ? `:${token}` : ""}`);
    },
};

registry.category("services").add("spid_helpdesk_portal.ticket_live", spidTicketLiveService);
