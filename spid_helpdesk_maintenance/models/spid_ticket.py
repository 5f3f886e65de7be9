from odoo import Command, api, fields, models

from odoo.addons.spid_helpdesk.models.spid_ticket import TRACKED_WHEN_WRITTEN


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    equipment_ids = fields.Many2many(
        "maintenance.equipment",
        "spid_ticket_maintenance_equipment_rel",
        "ticket_id",
        "equipment_id",
        string="Equipment",
        tracking=True,
        check_company=True,
        help="The equipment the ticket is about.",
    )
    # A ticket named one equipment before it could name several: imports and
    # API callers that still send or read `equipment_id` keep working.
    equipment_id = fields.Many2one(
        "maintenance.equipment",
        string="Main equipment",
        compute="_compute_equipment_id",
        inverse="_inverse_equipment_id",
        search="_search_equipment_id",
        help="The first of the ticket's equipment. Setting it adds that equipment to the ticket's; "
        "emptying it removes them all.",
    )

    @api.depends("equipment_ids")
    def _compute_equipment_id(self):
        for ticket in self:
            ticket.equipment_id = ticket.equipment_ids[:1]

    def _inverse_equipment_id(self):
        for ticket in self:
            if not ticket.equipment_id:
                ticket.equipment_ids = [Command.clear()]
            elif ticket.equipment_id not in ticket.equipment_ids:
                ticket.equipment_ids = [Command.link(ticket.equipment_id.id)]

    def _search_equipment_id(self, operator, value):
        return [("equipment_ids", operator, value)]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        if any("equipment_ids" in vals or "equipment_id" in vals for vals in vals_list):
            tickets._spid_check_equipment_readable({})
        return tickets

    def write(self, vals):
        if "equipment_ids" not in vals and "equipment_id" not in vals:
            return super().write(vals)
        if not self.env.context.get("tracking_disable") and not self.env.context.get("mail_notrack"):
            self._track_prepare(["equipment_ids"])
        before = {ticket.id: ticket.equipment_ids for ticket in self.sudo()}
        res = super().write(vals)
        self._spid_check_equipment_readable(before)
        return res

    def _spid_check_equipment_readable(self, before):
        """Odoo links any record a many2many is given: the equipment newly
        linked to each ticket (compared with `before`, ticket id: equipment)
        must be equipment the current user may read (the company check is
        the field's own)."""
        if self.env.su:
            return
        Equipment = self.env["maintenance.equipment"]
        added = Equipment.union(
            *(ticket.equipment_ids - before.get(ticket.id, Equipment).sudo() for ticket in self.sudo())
        )
        added.with_env(self.env).check_access("read")

    # ------------------------------------------------------------------
    # Tracking, split and merge
    # ------------------------------------------------------------------

    def _track_prepare(self, fields_iter):
        # as the core's many2many (TRACKED_WHEN_WRITTEN): read before a write
        # that names them (write above), not before every write (a status
        # change); the core's own filter, which recognises mail.thread's call
        # by `self._fields`, is applied here as the list given on is not that
        if fields_iter is self._fields:
            skipped = TRACKED_WHEN_WRITTEN | {"equipment_ids"}
            fields_iter = [name for name in fields_iter if name not in skipped]
        return super()._track_prepare(fields_iter)

    def _spid_split_fields(self):
        return super()._spid_split_fields() + ("equipment_ids",)

    def _spid_merge_into(self, target):
        """The merged ticket is about the equipment of all of them."""
        equipment = (self - target).sudo().equipment_ids - target.sudo().equipment_ids
        res = super()._spid_merge_into(target)
        if equipment:
            # the write access to every ticket was checked by the merge
            target.sudo().write({"equipment_ids": [Command.link(eid) for eid in equipment.ids]})
        return res
