/** @odoo-module */

import { onWillUnmount, useComponent, useEffect, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";

// The form says "still here" this often; the server tells others to forget
// a viewer after its ttl (PRESENCE_TTL in spid_ticket_live.py) without one.
export const PRESENCE_BEAT_MS = 20000;

/**
 * The live side of the ticket's form: who else has this ticket open (their
 * forms beat every PRESENCE_BEAT_MS; a viewer not heard of within the
 * server's ttl is dropped) and a banner when someone else changes the
 * ticket or posts on it meanwhile. The server checks at subscription that
 * the user is an agent who may read the ticket (ir_websocket.py), and again
 * at each announcement (spid.ticket.spid_live_presence).
 */
export function useSpidTicketLive() {
    const component = useComponent();
    const busService = useService("bus_service");
    const orm = useService("orm");
    const live = useState({ viewers: {}, banner: null });
    let current = null; // the ticket id this form announced itself on
    let beat = null;
    let lastHello = 0;

    const announce = (ticketId, state) =>
        orm.silent.call("spid.ticket", "spid_live_presence", [[ticketId], state]).catch(() => {});

    const leave = () => {
        if (current) {
            browser.clearInterval(beat);
            announce(current, "left");
            busService.deleteChannel(`spid_live_ticket:${current}`);
            current = null;
        }
        live.viewers = {};
        live.banner = null;
    };

    const onEvent = (payload) => {
        if (!current || payload.ticket_id !== current || payload.user_id === user.userId) {
            return;
        }
        if (payload.kind === "presence") {
            if (payload.state === "left") {
                delete live.viewers[payload.user_id];
                return;
            }
            live.viewers[payload.user_id] = {
                id: payload.user_id,
                name: payload.user_name,
                partnerId: payload.partner_id,
                until: Date.now() + payload.ttl * 1000,
            };
            // a newcomer learns at once who is already here
            if (payload.state === "hello" && Date.now() - lastHello > 1000) {
                lastHello = Date.now();
                announce(current, "here");
            }
            return;
        }
        const previous = live.banner;
        if (payload.kind === "write" && previous && previous.kind !== "write" && Date.now() - previous.at < 3000) {
            return; // a message's own write of the ticket: the message says more
        }
        const name = payload.user_name || _t("Someone");
        let text;
        if (payload.kind === "reply") {
            text = _t("%(name)s answered the customer.", { name });
        } else if (payload.kind === "customer") {
            text = _t("%(name)s wrote.", { name });
        } else if (payload.kind === "note") {
            text = _t("%(name)s logged a note.", { name });
        } else {
            text = _t("%(name)s changed this ticket.", { name });
        }
        live.banner = { kind: payload.kind, text, at: Date.now() };
    };

    const expire = browser.setInterval(() => {
        const now = Date.now();
        for (const [id, viewer] of Object.entries(live.viewers)) {
            if (viewer.until < now) {
                delete live.viewers[id];
            }
        }
    }, 5000);

    busService.subscribe("spid.ticket/live_event", onEvent);

    useEffect(
        (resId) => {
            if (resId !== current) {
                leave();
                if (resId) {
                    current = resId;
                    busService.addChannel(`spid_live_ticket:${resId}`);
                    announce(resId, "hello");
                    beat = browser.setInterval(() => announce(resId, "here"), PRESENCE_BEAT_MS);
                }
            }
        },
        () => [component.model.root.resId]
    );

    onWillUnmount(() => {
        leave();
        browser.clearInterval(expire);
        busService.unsubscribe("spid.ticket/live_event", onEvent);
    });

    return {
        state: live,
        get viewers() {
            return Object.values(live.viewers);
        },
        async reload() {
            live.banner = null;
            const root = component.model.root;
            if (!root.isNew && !(await root.isDirty())) {
                // the chatter's messages come along (MAIL:RELOAD-THREAD)
                await root.load();
            } else {
                component.env.bus.trigger("MAIL:RELOAD-THREAD", { model: root.resModel, id: root.resId });
            }
        },
        dismiss() {
            live.banner = null;
        },
    };
}
