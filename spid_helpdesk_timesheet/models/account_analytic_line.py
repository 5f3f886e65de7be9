from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import plaintext2html

from odoo.addons.spid_helpdesk.internal import switched, with_switch

from ..internal import TIMESHEET_SYNC

# what Timesheets may change on a line of the helpdesk, copied to its work unit
LINE_SYNCED_FIELDS = {"name", "date", "unit_amount"}
# the link itself: written by the bridge only
LINK_FIELDS = {"spid_workunit_id", "spid_ticket_id"}


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    spid_workunit_id = fields.Many2one(
        "spid.workunit",
        string="Helpdesk work unit",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="cascade",
        help="The helpdesk work unit this line logs: its hours, date and description follow it both ways.",
    )
    spid_ticket_id = fields.Many2one(
        related="spid_workunit_id.ticket_id",
        string="Helpdesk ticket",
        store=True,
        index="btree_not_null",
    )

    _sql_constraints = [
        (
            "spid_workunit_uniq",
            "unique(spid_workunit_id)",
            "A helpdesk work unit has one timesheet line only.",
        )
    ]

    def _is_readonly(self):
        # the list and form of Timesheets show the lines of a locked ticket read-only
        return super()._is_readonly() or bool(self.sudo().spid_workunit_id.ticket_id.is_locked)

    def _timesheet_get_portal_domain(self):
        """Helpdesk time never reaches the portal through Timesheets: the
        lines of internal work carry its description (the customer sees the
        public units on the ticket's own page)."""
        domain = super()._timesheet_get_portal_domain()
        if self.env.user._is_internal():
            return domain
        return expression.AND([domain, [("spid_workunit_id", "=", False)]])

    @api.model_create_multi
    def create(self, vals_list):
        if not switched(self.env, TIMESHEET_SYNC) and any(
            LINK_FIELDS.intersection(vals) for vals in vals_list
        ):
            raise UserError(
                _("Timesheet lines of the helpdesk are made from work units: log the time on the ticket.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if switched(self.env, TIMESHEET_SYNC):
            return super().write(vals)
        if LINK_FIELDS.intersection(vals):
            raise UserError(
                _("The link between a timesheet line and its helpdesk work unit cannot be changed.")
            )
        linked = self.sudo().filtered("spid_workunit_id")
        if not linked:
            return super().write(vals)
        units = linked.spid_workunit_id
        if not self.env.su:
            # the ticket's lock and closed-ticket freeze, as for its work units
            units._spid_check_locked(units.ticket_id)
            self.env["spid.ticket"].browse(units.ticket_id.ids)._spid_check_closed_parts()
            other = set(vals) - LINE_SYNCED_FIELDS
            if other:
                names = ", ".join(
                    sorted(self._fields[fname].string for fname in other if fname in self._fields)
                )
                raise UserError(
                    _(
                        "This timesheet line logs the helpdesk work unit of ticket %(ticket)s: only its"
                        " date, hours and description change here. Change the rest (%(fields)s) on the"
                        " ticket's work unit.",
                        ticket=units[0].ticket_id.reference,
                        fields=names or ", ".join(sorted(other)),
                    )
                )
        if LINE_SYNCED_FIELDS.intersection(vals):
            self._spid_write_units(units, vals)
        return super().write(vals)

    def unlink(self):
        """Deleting a helpdesk line from Timesheets deletes its work unit, as
        the user: the helpdesk's rules decide (a locked ticket, a unit of
        someone else's ticket refuse it), and the unit takes its line along."""
        if switched(self.env, TIMESHEET_SYNC):
            return super().unlink()
        units = self.sudo().spid_workunit_id
        if units:
            self.env["spid.workunit"].browse(units.ids).unlink()
        return super(AccountAnalyticLine, self.exists()).unlink()

    def _spid_write_units(self, units, vals):
        """Copy a Timesheets change onto the work units, written as the
        current user (record rules, lock, own work only): one write for
        hours and description, one per unit for a new day (each keeps its
        time of day)."""
        Unit = with_switch(self.env["spid.workunit"], TIMESHEET_SYNC)
        common = {}
        if "unit_amount" in vals:
            common["duration"] = vals["unit_amount"]
        if "name" in vals:
            name = vals["name"] or ""
            common["description"] = plaintext2html(name) if name.strip() not in ("", "/") else False
        if "date" in vals and vals["date"]:
            for unit in units:
                Unit.browse(unit.id).write(dict(common, date=unit._spid_timesheet_datetime(vals["date"])))
        elif common:
            Unit.browse(units.ids).write(common)
