import json

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Custom-field kinds a customer can fill in on the portal form.
PORTAL_PROPERTY_TYPES = ("char", "text", "integer", "float", "date", "boolean", "selection")


class SpidTicketType(models.Model):
    _inherit = "spid.ticket.type"

    @api.model
    def _spid_portal_domain(self, partner=None):
        """The types a customer may choose: selectable on the portal, for
        every client or for theirs. The portal users' record rule says the
        same."""
        client = (partner or self.env.user.partner_id).commercial_partner_id
        return [
            ("portal_selectable", "=", True),
            "|",
            ("client_ids", "=", False),
            ("client_ids", "in", client.ids),
        ]

    def _spid_portal_property_definitions(self):
        """The custom fields of this type shown on the portal form."""
        self.ensure_one()
        return [d for d in self.properties_definition or [] if d.get("type") in PORTAL_PROPERTY_TYPES]

    def _spid_portal_properties(self, posted):
        """{name: value} from the posted `prop_<name>` inputs, checked
        against the type's definitions; a clear error names the bad field."""
        self.ensure_one()
        values = {}
        for definition in self._spid_portal_property_definitions():
            name, kind = definition["name"], definition["type"]
            raw = posted.get(f"prop_{name}")
            if raw in (None, ""):
                continue
            label = definition.get("string") or name
            try:
                if kind == "integer":
                    value = int(raw)
                elif kind == "float":
                    value = float(raw)
                elif kind == "date":
                    value = fields.Date.to_string(fields.Date.to_date(raw))
                elif kind == "boolean":
                    value = raw in ("1", "on", "true", "True")
                elif kind == "selection":
                    if raw not in {key for key, _label in definition.get("selection") or []}:
                        raise ValueError(raw)
                    value = raw
                else:
                    value = str(raw)[:2000]
            except (TypeError, ValueError) as error:
                raise ValidationError(_("Invalid value for %s.", label)) from error
            values[name] = value
        return values

    def _spid_portal_dependent_choices(self):
        """JSON for the portal form: {dependent field: {"parent": field,
        "choices": {parent value: [allowed keys]}}}. The browser only hides
        the choices that do not go; the server checks them on save."""
        self.ensure_one()
        rules = self.env["spid.ticket.field.rule"].sudo().search([("type_id", "=", self.id)])
        result = {}
        for rule in rules:
            entry = result.setdefault(rule.dependent_field_name, {"parent": rule.field_name, "choices": {}})
            entry["choices"][rule.field_value] = rule._spid_allowed_keys()
        return json.dumps(result)
