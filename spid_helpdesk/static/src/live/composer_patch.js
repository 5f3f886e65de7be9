/** @odoo-module */

import { Composer } from "@mail/core/common/composer";
import { toRaw } from "@odoo/owl";
import { ConfirmationDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { _t } from "@web/core/l10n/translation";
import { deserializeDateTime } from "@web/core/l10n/dates";
import { patch } from "@web/core/utils/patch";

/**
 * Collision warning: before an agent sends a public reply on a ticket, the
 * server tells whether someone else posted a public message after the last
 * one this chatter shows. If so, a dialog asks: send anyway, or read first
 * (the chatter then loads the new messages). A note never asks.
 */
patch(Composer.prototype, {
    async sendMessage() {
        const thread = toRaw(this.thread);
        const composer = toRaw(this.props.composer);
        if (
            this.props.type === "note" ||
            composer.message ||
            thread?.model !== "spid.ticket" ||
            !thread.id ||
            this.env.inFrontendPortalChatter
        ) {
            return super.sendMessage(...arguments);
        }
        const lastSeen = Math.max(
            0,
            ...thread.messages.map((message) => message.id).filter((id) => Number.isInteger(id))
        );
        let other = false;
        try {
            other = await this.env.services.orm.silent.call("spid.ticket", "spid_live_last_reply", [
                [thread.id],
                lastSeen,
            ]);
        } catch {
            other = false; // not an agent of this ticket: the post itself decides
        }
        if (!other) {
            return super.sendMessage(...arguments);
        }
        const minutes = Math.max(
            0,
            Math.round((Date.now() - deserializeDateTime(other.date).toMillis()) / 60000)
        );
        const when =
            minutes < 1
                ? _t("just now")
                : minutes === 1
                ? _t("1 minute ago")
                : _t("%(minutes)s minutes ago", { minutes });
        return new Promise((resolve) => {
            this.env.services.dialog.add(
                ConfirmationDialog,
                {
                    title: other.agent ? _t("Someone answered meanwhile") : _t("New message meanwhile"),
                    body: other.agent
                        ? _t("%(author)s answered the customer %(when)s — send anyway?", {
                              author: other.author,
                              when,
                          })
                        : _t("%(author)s wrote %(when)s — send anyway?", { author: other.author, when }),
                    confirmLabel: _t("Send anyway"),
                    confirm: async () => {
                        await super.sendMessage();
                        resolve();
                    },
                    cancelLabel: _t("Read first"),
                    cancel: () => {
                        this.env.bus.trigger("MAIL:RELOAD-THREAD", { model: thread.model, id: thread.id });
                        resolve();
                    },
                },
                { onClose: resolve }
            );
        });
    },
});
