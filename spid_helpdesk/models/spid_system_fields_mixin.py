from odoo import api, models

from ..internal import check_system_fields

# Fields of the mixins a model may add (chatter, activities, alias): theirs to guard.
MIXIN_PREFIXES = ("message_", "activity_", "alias_")


class SpidSystemFieldsMixin(models.AbstractModel):
    """What a model declares readonly (computed and related values stored
    for reports, bookkeeping) is written by the helpdesk's own code only:
    refused in create() and write() to every caller, whatever a view says.
    The ticket applies the same check itself, before it fills its own."""

    _name = "spid.system.fields.mixin"
    _description = "Helpdesk: fields only the system writes"

    @api.model_create_multi
    def create(self, vals_list):
        check_system_fields(self, vals_list, exempt_prefixes=MIXIN_PREFIXES)
        return super().create(vals_list)

    def write(self, vals):
        check_system_fields(self, [vals], exempt_prefixes=MIXIN_PREFIXES)
        return super().write(vals)
