from markupsafe import Markup

from odoo import Command, _, models
from odoo.exceptions import UserError

from ..internal import SYSTEM, with_switch


class SpidTicketMerge(models.Model):
    """Merging duplicates into one ticket and splitting work off to a new one."""

    _inherit = "spid.ticket"

    # ------------------------------------------------------------------
    # Merge and split
    # ------------------------------------------------------------------

    def _spid_check_may_exchange_content(self):
        """The current user may change these tickets and none is locked."""
        self.check_access("write")
        locked = self.filtered("is_locked")
        if locked:
            raise UserError(_("Ticket %s is locked: it can no longer be changed.", locked[0].reference))
        if len(self.company_id) > 1:
            raise UserError(_("Tickets of different companies cannot be merged or split together."))
        if len({ticket.client_id for ticket in self}) > 1:
            # one client's conversation and followers never go to another's ticket
            raise UserError(_("Only tickets of the same client can be merged."))

    def _spid_move_messages(self, messages, target):
        """Move chatter messages, with their attachments, onto `target`."""
        messages = messages.sudo()
        messages.attachment_ids.filtered(lambda a: a.res_model == self._name and a.res_id in self.ids).write(
            {"res_id": target.id}
        )
        messages.write({"res_id": target.id, "record_name": target.display_name})

    def _spid_merge_into(self, target):
        """Merge the tickets of `self` other than `target` into `target`:
        their messages, attachments, activities, work units and followers go
        to `target`; each duplicate is closed with resolution `duplicate`,
        linked to `target`. All or nothing, under the usual closing rules."""
        target.ensure_one()
        duplicates = self - target
        if not duplicates:
            raise UserError(_("Choose at least one other ticket to merge into %s.", target.reference))
        (duplicates | target)._spid_check_may_exchange_content()
        closed_status = self.env["spid.ticket.status"].search([("is_closed", "=", True)], limit=1)
        if not closed_status:
            raise UserError(_("No closing status is configured."))
        sudo_target = target.sudo()
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", self._name), ("res_id", "in", duplicates.ids)])
        )
        duplicates._spid_move_messages(messages, target)
        self.env["ir.attachment"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", duplicates.ids)]
        ).write({"res_id": target.id})
        self.env["mail.activity"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", duplicates.ids)]
        ).write({"res_id": target.id})
        # Work units of other agents: the rules let an agent move only their
        # own, the write access to both tickets was checked above.
        duplicates.sudo().workunit_ids.write({"ticket_id": target.id})
        partners = duplicates.sudo().message_partner_ids - sudo_target.message_partner_ids
        if partners:
            sudo_target.message_subscribe(partner_ids=partners.ids)
        references = ", ".join(duplicates.mapped("reference"))
        # merged_into_id also stops the status email ("rate us") of the duplicate
        with_switch(duplicates, SYSTEM).write(
            {
                "status_id": closed_status.id,
                "resolution": "duplicate",
                "epilogue": Markup("<p>%s</p>") % _("Duplicate of ticket %s.", target.reference),
                "merged_into_id": target.id,
                "related_ticket_ids": [Command.link(target.id)],
            }
        )
        for duplicate in duplicates:
            duplicate._spid_log_note(
                _("Merged into ticket %s; its messages and work moved there.", target.reference)
            )
        target._spid_log_note(
            _("Merged with ticket(s) %s: their messages, work and followers are here now.", references)
        )
        return True

    def _spid_split(self, name, workunits=None, messages=None):
        """Move the given work units and messages of this ticket to a new
        sub-ticket, which keeps the client, requester, routing and type."""
        self.ensure_one()
        self._spid_check_may_exchange_content()
        workunits = (workunits or self.env["spid.workunit"]).sudo()
        messages = (messages or self.env["mail.message"]).sudo()
        if not (name or "").strip():
            raise UserError(_("Give the new ticket a title."))
        if not workunits and not messages:
            raise UserError(_("Choose the work units or messages that go to the new ticket."))
        if workunits.ticket_id - self or messages.filtered(
            lambda m: m.model != self._name or m.res_id != self.id
        ):
            raise UserError(_("Only work units and messages of ticket %s can be split off.", self.reference))
        values = {
            fname: self._fields[fname].convert_to_write(self[fname], self)
            for fname in self._spid_split_fields()
        }
        values.update(
            name=name.strip(),
            parent_id=self.id,
            properties=self.properties,
            common_properties=self.common_properties,
        )
        child = self.create(values)
        self._spid_move_messages(messages, child)
        workunits.write({"ticket_id": child.id})
        self._spid_log_note(_("Split: part of the work moved to the new ticket %s.", child.reference))
        child._spid_log_note(_("Split off ticket %s.", self.reference))
        return child

    def _spid_split_fields(self):
        """What a ticket split off another keeps of it."""
        return (
            "client_id", "partner_id", "site_id", "reporter_id", "channel", "category_id", "team_id",
            "user_id", "type_id", "urgency", "priority", "company_id",
        )  # fmt: skip

    def action_open_merge_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Merge tickets"),
            "res_model": "spid.ticket.merge.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_open_split_wizard(self):
        return self._spid_wizard_action("spid.ticket.split.wizard", _("Split the ticket"))
