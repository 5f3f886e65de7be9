/** @odoo-module */

import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatElapsed } from "./timer_service";

/** The top bar shows an agent's running timer: its ticket and the time, live,
 * with a button to open the ticket and one to stop the timer. */
export class SpidTimerSystray extends Component {
    static template = "spid_helpdesk.TimerSystray";
    static props = {};

    setup() {
        this.timer = useService("spid_timer");
        this.state = useState(this.timer.state);
        this.clock = useState({ now: Date.now() });
        onWillStart(() => this.timer.load());
        const interval = setInterval(() => {
            if (this.state.timer) {
                this.clock.now = Date.now();
            }
        }, 1000);
        onWillUnmount(() => clearInterval(interval));
    }

    get elapsed() {
        void this.clock.now; // re-render every second
        return formatElapsed(this.timer.elapsed());
    }

    open() {
        this.timer.open();
    }

    stop() {
        this.timer.stop();
    }
}

registry
    .category("systray")
    .add("spid_helpdesk.timer", { Component: SpidTimerSystray }, { sequence: 41 });
