from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..internal import SYSTEM, switched, with_switch


class SpidTicketFieldRule(models.Model):
    """A dependent choice: when a selection custom field of a ticket has a
    given value, another selection custom field may only take the listed
    values (hardware type = Printer -> brand in HP, Canon)."""

    _name = "spid.ticket.field.rule"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Dependent choice of ticket custom fields"
    _order = "type_id, field_name, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    type_id = fields.Many2one(
        "spid.ticket.type",
        string="Ticket type",
        ondelete="cascade",
        index=True,
        help="Empty: the rule applies to every ticket (fields of every ticket).",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        help="Whose fields of every ticket the rule reads.",
    )
    field_name = fields.Char(
        string="Field",
        required=True,
        help="The selection field that decides: its label or technical name.",
    )
    field_value = fields.Char(
        string="When it is", required=True, help="A choice of that field: its label or key."
    )
    dependent_field_name = fields.Char(
        string="Dependent field",
        required=True,
        help="The selection field whose choices depend on the first: its label or technical name.",
    )
    allowed_values = fields.Char(
        string="Allowed choices",
        required=True,
        help="Comma-separated choices (labels or keys) of the dependent field allowed then.",
    )
    description = fields.Char(string="Rule", compute="_compute_description")

    @api.depends("field_name", "field_value", "dependent_field_name", "allowed_values")
    def _compute_description(self):
        for rule in self:
            definitions = rule._spid_definitions()
            parent = definitions.get(rule.field_name) or {}
            child = definitions.get(rule.dependent_field_name) or {}
            parent_labels = dict(parent.get("selection") or [])
            child_labels = dict(child.get("selection") or [])
            rule.description = _(
                "When %(field)s is %(value)s, %(dependent)s is one of %(allowed)s",
                field=parent.get("string") or rule.field_name,
                value=parent_labels.get(rule.field_value, rule.field_value),
                dependent=child.get("string") or rule.dependent_field_name,
                allowed=", ".join(child_labels.get(key, key) for key in rule._spid_allowed_keys()),
            )

    def _spid_allowed_keys(self):
        self.ensure_one()
        return [key.strip() for key in (self.allowed_values or "").split(",") if key.strip()]

    def _spid_definitions(self):
        """{name: definition} of the custom fields the rule can use: those of
        its type and the company's fields of every ticket."""
        self.ensure_one()
        definitions = list(self.sudo().company_id.spid_ticket_properties_definition or [])
        definitions += list(self.sudo().type_id.properties_definition or [])
        return {d["name"]: d for d in definitions if d.get("name")}

    # ------------------------------------------------------------------
    # Labels typed by the manager become keys
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        rules._spid_normalize()
        return rules

    def write(self, vals):
        res = super().write(vals)
        if not switched(self.env, SYSTEM) and {
            "field_name",
            "field_value",
            "dependent_field_name",
            "allowed_values",
            "type_id",
        } & set(vals):
            self._spid_normalize()
        return res

    def _spid_normalize(self):
        """Store technical names and keys, whichever the manager typed, and
        refuse what names no selection field or choice."""
        for rule in self:
            definitions = rule._spid_definitions()
            parent = rule._spid_find_field(definitions, rule.field_name)
            child = rule._spid_find_field(definitions, rule.dependent_field_name)
            if parent["name"] == child["name"]:
                raise ValidationError(_("A field cannot depend on itself (%s).", parent.get("string")))
            values = {
                "field_name": parent["name"],
                "dependent_field_name": child["name"],
                "field_value": rule._spid_find_choice(parent, rule.field_value),
                "allowed_values": ",".join(
                    rule._spid_find_choice(child, value) for value in rule._spid_allowed_keys()
                ),
            }
            if any(rule[name] != value for name, value in values.items()):
                with_switch(rule, SYSTEM).write(values)

    @staticmethod
    def _spid_find_field(definitions, name):
        name = (name or "").strip()
        found = definitions.get(name) or next(
            (d for d in definitions.values() if (d.get("string") or "").strip().lower() == name.lower()),
            None,
        )
        if not found:
            raise ValidationError(
                _(
                    "No custom field %(name)s here. Known fields: %(fields)s.",
                    name=name,
                    fields=", ".join(d.get("string") or d["name"] for d in definitions.values()) or "-",
                )
            )
        if found.get("type") != "selection":
            raise ValidationError(
                _(
                    "%s is not a selection field: only selections can depend on each other.",
                    found.get("string"),
                )
            )
        return found

    @staticmethod
    def _spid_find_choice(definition, value):
        value = (value or "").strip()
        for key, label in definition.get("selection") or []:
            if value == key or value.lower() == (label or "").strip().lower():
                return key
        raise ValidationError(
            _(
                "%(value)s is not a choice of %(field)s. Its choices: %(choices)s.",
                value=value,
                field=definition.get("string"),
                choices=", ".join(label for _key, label in definition.get("selection") or []),
            )
        )

    # ------------------------------------------------------------------
    # Checking tickets
    # ------------------------------------------------------------------

    @api.model
    def _spid_check_tickets(self, tickets):
        """Refuse a ticket whose dependent field holds a choice that does not
        go with the choice of the field it depends on. A value of the first
        field that no rule names leaves the dependent field free."""
        if not tickets:
            return
        if not tickets.type_id and not any(tickets.company_id.mapped("spid_ticket_properties_definition")):
            return  # no custom field at all: nothing to check, no query
        # a type's rules hold in every company; those of the fields of every
        # ticket in their company
        rules = self.sudo().search(
            [
                "|",
                ("type_id", "in", tickets.type_id.ids),
                "&",
                ("type_id", "=", False),
                ("company_id", "in", tickets.company_id.ids),
            ]
        )
        if not rules:
            return
        by_scope = defaultdict(lambda: defaultdict(dict))  # scope -> (field, dep) -> value -> keys
        for rule in rules:
            scope = ("type", rule.type_id.id) if rule.type_id else ("company", rule.company_id.id)
            by_scope[scope][(rule.field_name, rule.dependent_field_name)][rule.field_value] = set(
                rule._spid_allowed_keys()
            )
        for ticket, values in zip(tickets, self._spid_custom_field_values(tickets)):
            pairs = defaultdict(dict)
            for scope in (("company", ticket.company_id.id), ("type", ticket.type_id.id)):
                for key, allowed in by_scope.get(scope, {}).items():
                    pairs[key].update(allowed)
            for (parent_name, child_name), allowed in pairs.items():
                parent, child = values.get(parent_name), values.get(child_name)
                if not parent or not child or not parent["value"] or not child["value"]:
                    continue
                keys = allowed.get(parent["value"])
                if keys is None or child["value"] in keys:
                    continue
                raise ValidationError(self._spid_mismatch_message(parent, child, keys))

    @api.model
    def _spid_mismatch_message(self, parent, child, keys):
        """The error naming both fields, their choices and what would do."""
        parent_labels = dict(parent.get("selection") or [])
        child_choices = child.get("selection") or []
        child_labels = dict(child_choices)
        return _(
            "%(dependent)s “%(dependent_value)s” does not go with %(field)s “%(value)s”."
            " With this %(field)s, choose %(dependent)s among: %(allowed)s.",
            dependent=child.get("string") or child["name"],
            dependent_value=child_labels.get(child["value"], child["value"]),
            field=parent.get("string") or parent["name"],
            value=parent_labels.get(parent["value"], parent["value"]),
            allowed=", ".join(label for key, label in child_choices if key in keys) or "-",
        )

    @api.model
    def _spid_custom_field_values(self, tickets):
        """[{name: property}] per ticket: the type's custom fields and the
        fields of every ticket, each with its value, label and choices."""
        result = []
        for row in tickets.sudo().read(["properties", "common_properties"]):
            values = {}
            for prop in (row["common_properties"] or []) + (row["properties"] or []):
                values[prop["name"]] = prop
            result.append(values)
        return result
