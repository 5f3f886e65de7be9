/** @odoo-module */

import { reactive } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

/**
 * The agent's running timer (spid.timer, one per user, on the server), shared
 * by the top bar's item and the ticket form's button. Its state is read in one
 * RPC when first needed, then again when the server says it changed (a bus
 * notification on the user's own partner channel, from any browser of theirs)
 * and when the window gets the focus back.
 */
export const spidTimerService = {
    dependencies: ["orm", "bus_service", "action"],
    start(env, { orm, bus_service, action }) {
        const state = reactive({ loaded: false, agent: false, timer: false, loadedAt: 0 });
        let loading = null;

        async function refresh() {
            const result = await orm.silent.call("spid.timer", "spid_timer_state", []);
            Object.assign(state, {
                loaded: true,
                agent: result.agent,
                timer: result.timer || false,
                loadedAt: Date.now(),
            });
        }

        /** Non-agents make no call of ours (the group check is the one the
         * top bar already made, cached by the web client). */
        async function firstLoad() {
            if (await user.hasGroup("spid_helpdesk.group_spid_agent")) {
                await refresh();
            } else {
                Object.assign(state, { loaded: true, agent: false, timer: false });
            }
        }

        function load() {
            loading = loading || firstLoad();
            return loading;
        }

        bus_service.subscribe("spid.timer/changed", () => {
            if (state.agent) {
                refresh();
            }
        });
        window.addEventListener("focus", () => {
            if (state.loaded && state.agent) {
                refresh();
            }
        });

        return {
            state,
            load,
            refresh,
            /** Seconds since the timer started (the server's count at load, plus the time since). */
            elapsed() {
                if (!state.timer) {
                    return 0;
                }
                return state.timer.elapsed + Math.floor((Date.now() - state.loadedAt) / 1000);
            },
            async start(ticketId) {
                const result = await orm.call("spid.ticket", "action_spid_timer_start", [[ticketId]]);
                await refresh();
                if (result) {
                    await action.doAction(result);
                }
            },
            /** Open the stop dialog; once the time is logged, the current view reloads. */
            async stop() {
                if (!state.timer) {
                    return;
                }
                const dialog = await orm.call("spid.timer", "action_stop_dialog", [[state.timer.id]]);
                await action.doAction(dialog, {
                    onClose: async () => {
                        const before = state.timer && state.timer.id;
                        await refresh();
                        if (before && !(state.timer && state.timer.id === before)) {
                            await action.doAction("soft_reload");
                        }
                    },
                });
            },
            open() {
                if (!state.timer) {
                    return;
                }
                action.doAction({
                    type: "ir.actions.act_window",
                    res_model: "spid.ticket",
                    res_id: state.timer.ticket_id,
                    views: [[false, "form"]],
                });
            },
        };
    },
};

registry.category("services").add("spid_timer", spidTimerService);

/** "1:05:09": the elapsed time of a timer. */
export function formatElapsed(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}
