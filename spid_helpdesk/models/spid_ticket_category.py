from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SpidTicketCategory(models.Model):
    _name = "spid.ticket.category"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Ticket category"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    active = fields.Boolean(default=True)
    auto_close_excluded = fields.Boolean(
        string="Never auto-close", help="Tickets of this kind are never closed automatically."
    )
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one(
        "spid.ticket.category", string="Parent", index=True, ondelete="cascade", check_company=True
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("spid.ticket.category", "parent_id", string="Subcategories")
    company_id = fields.Many2one("res.company", string="Company")
    team_id = fields.Many2one(
        "spid.team",
        string="Team",
        check_company=True,
        help="Team that receives the tickets of this category.",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Responsible agents",
        domain=lambda self: self.env["res.users"]._spid_agent_domain(),
        help="When set, the team assigns tickets of this category only among these agents.",
    )
    description_template = fields.Html(
        help="Pre-fills the description of a new ticket of this category.",
    )

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(_("A category cannot be its own ancestor."))

    def _spid_team(self):
        """The category's team, else the nearest ancestor's."""
        self.ensure_one()
        category = self
        while category and not category.team_id:
            category = category.parent_id
        return category.team_id
