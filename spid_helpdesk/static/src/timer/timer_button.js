/** @odoo-module */

import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";
import { formatElapsed } from "./timer_service";

/** The ticket form's Start / Stop timer button (header). It reads the state
 * the top bar already holds: no query of its own when the form loads. */
export class SpidTimerButton extends Component {
    static template = "spid_helpdesk.TimerButton";
    static props = { ...standardWidgetProps, compact: { type: Boolean, optional: true } };

    setup() {
        this.timer = useService("spid_timer");
        this.state = useState(this.timer.state);
        this.clock = useState({ now: Date.now() });
        onWillStart(() => this.timer.load());
        const interval = setInterval(() => {
            if (this.runningHere) {
                this.clock.now = Date.now();
            }
        }, 1000);
        onWillUnmount(() => clearInterval(interval));
    }

    get runningHere() {
        const timer = this.state.timer;
        return Boolean(timer && timer.ticket_id === this.props.record.resId);
    }

    get elapsed() {
        void this.clock.now;
        return formatElapsed(this.timer.elapsed());
    }

    async start() {
        const record = this.props.record;
        // the form saves its changes first; a kanban card has none
        if (this.props.compact || (await record.save())) {
            await this.timer.start(record.resId);
        }
    }

    stop() {
        this.timer.stop();
    }
}

registry.category("view_widgets").add("spid_timer_button", {
    component: SpidTimerButton,
    // compact="1": an icon only, for the kanban cards
    extractProps: ({ attrs }) => ({ compact: Boolean(attrs.compact) }),
});
