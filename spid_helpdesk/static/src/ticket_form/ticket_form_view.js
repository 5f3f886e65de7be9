/** @odoo-module */

import { useEffect } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { FormController } from "@web/views/form/form_controller";
import { formView } from "@web/views/form/form_view";
import { useSpidTicketLive } from "../live/live_form";

/**
 * The ticket's form: when the owner opens a ticket (or moves to it with the
 * pager), it is read. The server decides: it marks only the caller's own
 * tickets, and the call is made apart from the form's read (which may run
 * on a read-only cursor). It also shows who else has the ticket open and
 * what they changed or posted meanwhile (live/live_form.js).
 */
export class SpidTicketFormController extends FormController {
    static template = "spid_helpdesk.TicketFormView";

    setup() {
        super.setup();
        this.live = useSpidTicketLive();
        useEffect(
            (resId, ownerId, isRead) => {
                if (resId && !isRead && ownerId === user.userId) {
                    this.orm.silent.call("spid.ticket", "spid_mark_read", [[resId]]);
                }
            },
            () => {
                const data = this.model.root.data;
                return [this.model.root.resId, data.user_id && data.user_id[0], data.is_read];
            }
        );
    }
}

registry.category("views").add("spid_ticket_form", {
    ...formView,
    Controller: SpidTicketFormController,
});
