import { threadActionsRegistry } from "@mail/core/common/thread_actions";
import { onWillStart, useComponent } from "@odoo/owl";

import { _t } from "@web/core/l10n/translation";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";

// The button is shown to helpdesk agents in a Live Chat conversation; the
// server (discuss.channel.execute_command_ticket) still checks who asks.
threadActionsRegistry.add("spid-create-ticket", {
    condition(component) {
        return (
            component.spidIsAgent &&
            component.thread?.model === "discuss.channel" &&
            component.thread.channel_type === "livechat" &&
            (!component.props.chatWindow || component.props.chatWindow.isOpen)
        );
    },
    setup() {
        const component = useComponent();
        component.spidActionService = useService("action");
        component.spidOrm = useService("orm");
        onWillStart(async () => {
            component.spidIsAgent = await user.hasGroup("spid_helpdesk.group_spid_agent");
        });
    },
    icon: "fa fa-fw fa-life-ring",
    iconLarge: "fa fa-fw fa-lg fa-life-ring",
    name: _t("Create a Ticket"),
    async open(component) {
        const ticketId = await component.spidOrm.call(
            "discuss.channel",
            "execute_command_ticket",
            [[component.thread.id]],
            { body: "/ticket" }
        );
        await component.spidActionService.doAction({
            type: "ir.actions.act_window",
            res_model: "spid.ticket",
            res_id: ticketId,
            views: [[false, "form"]],
        });
    },
    sequence: 15,
    sequenceGroup: 10,
});
