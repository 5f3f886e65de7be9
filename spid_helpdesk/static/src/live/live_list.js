/** @odoo-module */

import { onMounted, onWillUnmount, useComponent } from "@odoo/owl";
import { Domain } from "@web/core/domain";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { kanbanView } from "@web/views/kanban/kanban_view";
import { ListController } from "@web/views/list/list_controller";
import { listView } from "@web/views/list/list_view";

// Changes arriving within this delay make one reload.
export const LIVE_DEBOUNCE_MS = 800;

/**
 * The ticket list or kanban reloads by itself when a ticket the user may
 * read is created, changed or deleted (the server sends only the ids, on
 * channels it checked at subscription: spid_helpdesk/models/ir_websocket.py).
 * It reloads only when a changed ticket is shown or now matches the view's
 * domain (one search_count, through the user's record rules), and waits
 * while a row is being edited, records are selected or a card is being
 * quick-created.
 */
export function useSpidLiveReload() {
    const component = useComponent();
    const busService = useService("bus_service");
    const orm = useService("orm");
    const pending = new Set();
    let timer = null;
    let alive = true;

    const isBusy = () => {
        const root = component.model.root;
        return Boolean(
            (root.editedRecord && root.editedRecord.isInEdition) ||
                root.selection?.length ||
                component.quickCreateState?.groupId
        );
    };

    const schedule = () => {
        clearTimeout(timer);
        timer = setTimeout(flush, LIVE_DEBOUNCE_MS);
    };

    const flush = async () => {
        if (!alive || !pending.size) {
            return;
        }
        if (isBusy()) {
            schedule();
            return;
        }
        const ids = [...pending];
        pending.clear();
        const root = component.model.root;
        const shown = new Set(root.records.map((record) => record.resId));
        let concerned = ids.some((id) => shown.has(id));
        if (!concerned) {
            const domain = Domain.and([[["id", "in", ids]], root.domain || []]).toList();
            const count = await orm.silent.searchCount(root.resModel, domain);
            concerned = count > 0;
        }
        if (concerned && alive && !isBusy()) {
            await component.model.load();
        }
    };

    const onChanged = (payload) => {
        for (const id of payload.ids || []) {
            pending.add(id);
        }
        schedule();
    };

    onMounted(() => {
        busService.subscribe("spid.ticket/live_changed", onChanged);
        busService.addChannel("spid_live_list");
    });
    onWillUnmount(() => {
        alive = false;
        clearTimeout(timer);
        busService.unsubscribe("spid.ticket/live_changed", onChanged);
    });
}

export class SpidTicketListController extends ListController {
    setup() {
        super.setup();
        useSpidLiveReload();
    }
}

export class SpidTicketKanbanController extends KanbanController {
    setup() {
        super.setup();
        useSpidLiveReload();
    }
}

registry.category("views").add("spid_ticket_list", {
    ...listView,
    Controller: SpidTicketListController,
});

registry.category("views").add("spid_ticket_kanban", {
    ...kanbanView,
    Controller: SpidTicketKanbanController,
});
