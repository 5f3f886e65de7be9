from odoo import _, api, models
from odoo.exceptions import AccessError


class SpidReadableFieldsMixin(models.AbstractModel):
    """A record that some callers read in part only: customers on the portal,
    employees who ask the helpdesk for help. `_spid_readable_fields()` names
    the fields the current caller may read (False: every field the ORM gives
    them). Every read route keeps to it: the field access check (read,
    search_read, web_read, export), the fetch of related records' fields
    and fields_get; searches and sorts too, so that a domain on
    `message_ids.body` or `priority` answers no yes/no about what they may
    not read."""

    _name = "spid.readable.fields.mixin"
    _description = "Helpdesk: fields readable by some callers only"

    def _spid_readable_fields(self):
        """The fields the current caller may read, or False for all."""
        return False

    @api.model
    def check_field_access_rights(self, operation, field_names):
        readable = self._spid_readable_fields()
        if readable is not False:
            if not field_names:
                return [
                    name
                    for name in super().check_field_access_rights(operation, field_names)
                    if name in readable
                ]
            refused = sorted(name for name in field_names if name in self._fields and name not in readable)
            if refused:
                raise AccessError(
                    _(
                        "You cannot read these fields of %(records)s: %(fields)s",
                        records=self._description,
                        fields=", ".join(refused),
                    )
                )
        return super().check_field_access_rights(operation, field_names)

    def _determine_fields_to_fetch(self, field_names, ignore_when_in_cache=False):
        readable = self._spid_readable_fields()
        if readable is not False:
            field_names = [name for name in field_names if name in readable]
        return super()._determine_fields_to_fetch(field_names, ignore_when_in_cache)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        result = super().fields_get(allfields=allfields, attributes=attributes)
        readable = self._spid_readable_fields()
        if readable is not False:
            result = {name: value for name, value in result.items() if name in readable}
        return result

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        readable = self._spid_readable_fields()
        if readable is not False:
            if order == self._order:  # the model's order may sort on what they do not read
                order = "id desc"
            self._spid_check_readable_search(readable, domain, order)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _spid_check_readable_search(self, readable, domain, order):
        """Refuse a domain or an order on a field outside `readable`."""
        refused = set()
        for leaf in domain or ():
            if isinstance(leaf, list | tuple) and len(leaf) == 3 and isinstance(leaf[0], str):
                name = leaf[0].split(".", 1)[0]
                if name not in readable:
                    refused.add(name)
        for part in (order or "").split(","):
            words = part.split()
            if words:
                name = words[0].strip('"').split(".", 1)[0].split(":", 1)[0]
                if name not in readable:
                    refused.add(name)
        if refused:
            raise AccessError(
                _(
                    "You cannot search or sort %(records)s on: %(fields)s",
                    records=self._description,
                    fields=", ".join(sorted(refused)),
                )
            )
