from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..internal import TYPE_OPTIONAL, switched


class SpidTicketType(models.Model):
    _name = "spid.ticket.type"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Ticket type"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    auto_close_excluded = fields.Boolean(
        string="Never auto-close", help="Tickets of this kind are never closed automatically."
    )
    description = fields.Text(translate=True)
    properties_definition = fields.PropertiesDefinition(string="Custom fields")
    allowed_group_ids = fields.Many2many(
        "res.groups",
        string="Allowed groups",
        help="Only users of these groups may give this type to a ticket; empty = everyone.",
    )
    portal_selectable = fields.Boolean(
        string="Selectable on the portal", help="Customers may choose this type."
    )
    workorder_template = fields.Html(
        string="Work order text",
        help="Text printed on the work order of tickets of this type.",
    )
    field_rule_ids = fields.One2many(
        "spid.ticket.field.rule",
        "type_id",
        string="Dependent choices",
        help="Which choices of a selection field go with each choice of another.",
    )
    selectable_by_user = fields.Boolean(
        string="Selectable by me",
        compute="_compute_selectable_by_user",
        search="_search_selectable_by_user",
        help="The current user belongs to one of the allowed groups, or the type has none.",
    )

    def _compute_selectable_by_user(self):
        groups = self.env.user.groups_id
        for kind in self:
            kind.selectable_by_user = not kind.allowed_group_ids or bool(kind.allowed_group_ids & groups)

    def _search_selectable_by_user(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on Selectable by me."))
        domain = [
            "|",
            ("allowed_group_ids", "=", False),
            ("allowed_group_ids", "in", self.env.user.groups_id.ids),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", *domain]

    def _spid_check_selectable(self):
        """Refuse a type reserved to groups the current user is not in (the
        view's domain only hides it; this is the rule)."""
        if self.env.su:
            return
        groups = self.env.user.groups_id
        for kind in self.sudo():
            if kind.allowed_group_ids and not kind.allowed_group_ids & groups:
                raise AccessError(
                    _(
                        "The ticket type %(type)s is reserved to %(groups)s.",
                        type=kind.name,
                        groups=", ".join(kind.allowed_group_ids.mapped("full_name")),
                    )
                )

    @api.model
    def _spid_check_new_tickets(self, vals_list):
        """The types of new tickets (`vals_list`): one reserved to groups is
        refused to other users, and a type is required when the company says
        so (tickets opened by email or the public form, created by the
        system, get theirs later)."""
        self.browse({v["type_id"] for v in vals_list if v.get("type_id")})._spid_check_selectable()
        if self.env.su or switched(self.env, TYPE_OPTIONAL):
            return
        companies = self.env["res.company"].browse(
            {v.get("company_id") or self.env.company.id for v in vals_list}
        )
        required = set(companies.filtered("spid_type_required").ids)
        for vals in vals_list:
            if not vals.get("type_id") and (vals.get("company_id") or self.env.company.id) in required:
                raise ValidationError(
                    _("Choose a type for the ticket “%s”: every ticket needs one.", vals.get("name") or "")
                )

    def _spid_check_change(self, tickets):
        """`tickets` may take this type (or none, when `self` is empty): it
        is selectable by the user, a required type stays, a locked type does
        not change."""
        self._spid_check_selectable()
        if self.env.su:
            return
        for ticket in tickets:
            if not self and ticket.company_id.spid_type_required:
                raise ValidationError(_("Ticket %s must keep a type.", ticket.reference))
            if ticket.type_id and ticket.type_id != self and ticket.company_id.spid_type_locked:
                raise UserError(
                    _(
                        "The type of ticket %(ref)s (%(type)s) can no longer be changed.",
                        ref=ticket.reference,
                        type=ticket.type_id.name,
                    )
                )
