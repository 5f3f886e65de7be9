/** @odoo-module */

import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";

/** The top bar shows agents how many open tickets wait for them. */
export class SpidMyTicketsSystray extends Component {
    static template = "spid_helpdesk.MyTicketsSystray";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ agent: false, count: 0 });
        onWillStart(async () => {
            this.state.agent = await user.hasGroup("spid_helpdesk.group_spid_agent");
            if (this.state.agent) {
                this.state.count = await this.orm.call("spid.ticket", "spid_my_open_ticket_count", []);
            }
        });
    }

    open() {
        this.action.doAction("spid_helpdesk.spid_ticket_action_my");
    }
}

registry
    .category("systray")
    .add("spid_helpdesk.my_tickets", { Component: SpidMyTicketsSystray }, { sequence: 40 });
