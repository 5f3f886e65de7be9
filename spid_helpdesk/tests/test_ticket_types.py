import json

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import HARDWARE_FIELDS, SpidHelpdeskCommon, assert_queries_flat


class TicketTypeCommon(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hardware = cls.env["spid.ticket.type"].create(
            {"name": "Hardware", "portal_selectable": True, "properties_definition": HARDWARE_FIELDS}
        )
        # typed by the manager as labels, stored as keys
        cls.env["spid.ticket.field.rule"].with_user(cls.manager).create(
            [
                {
                    "type_id": cls.hardware.id,
                    "field_name": "Hardware type",
                    "field_value": "Printer",
                    "dependent_field_name": "Brand",
                    "allowed_values": "HP, Canon",
                },
                {
                    "type_id": cls.hardware.id,
                    "field_name": "hw_kind",
                    "field_value": "laptop",
                    "dependent_field_name": "hw_brand",
                    "allowed_values": "dell,hp",
                },
            ]
        )


@tagged("post_install", "-at_install")
class TestDependentChoices(TicketTypeCommon):
    def test_rules_store_keys(self):
        rule = self.hardware.field_rule_ids.filtered(lambda r: r.field_value == "printer")
        self.assertEqual(
            (rule.field_name, rule.dependent_field_name, rule.allowed_values),
            ("hw_kind", "hw_brand", "hp,canon"),
        )
        self.assertEqual(rule.description, "When Hardware type is Printer, Brand is one of HP, Canon")

    def test_bad_rule_is_refused(self):
        Rule = self.env["spid.ticket.field.rule"].with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "Xerox is not a choice of Brand"):
            Rule.create(
                {
                    "type_id": self.hardware.id,
                    "field_name": "Hardware type",
                    "field_value": "Printer",
                    "dependent_field_name": "Brand",
                    "allowed_values": "Xerox",
                }
            )
        with self.assertRaisesRegex(ValidationError, "No custom field Colour"):
            Rule.create(
                {
                    "type_id": self.hardware.id,
                    "field_name": "Colour",
                    "field_value": "red",
                    "dependent_field_name": "Brand",
                    "allowed_values": "HP",
                }
            )
        with self.assertRaises(AccessError):
            self.env["spid.ticket.field.rule"].with_user(self.agent).create(
                {
                    "type_id": self.hardware.id,
                    "field_name": "hw_kind",
                    "field_value": "printer",
                    "dependent_field_name": "hw_brand",
                    "allowed_values": "hp",
                }
            )

    def test_valid_pairs_are_accepted(self):
        for kind, brand in (("printer", "hp"), ("printer", "canon"), ("laptop", "dell"), ("laptop", "hp")):
            ticket = self._ticket(
                user=self.agent, type_id=self.hardware.id, properties={"hw_kind": kind, "hw_brand": brand}
            )
            self.assertEqual(ticket.properties, {"hw_kind": kind, "hw_brand": brand})
        # an empty field on either side is not checked
        self._ticket(user=self.agent, type_id=self.hardware.id, properties={"hw_brand": "canon"})

    def test_invalid_pair_is_refused_naming_both_fields(self):
        message = r"Brand “Canon” does not go with Hardware type “Laptop”.*Brand among: HP, Dell"
        count = self.env["spid.ticket"].search_count([])
        with self.assertRaisesRegex(ValidationError, message):
            self._ticket(
                user=self.agent,
                type_id=self.hardware.id,
                properties={"hw_kind": "laptop", "hw_brand": "canon"},
            )
        self.assertEqual(self.env["spid.ticket"].search_count([]), count, "nothing half-written")
        ticket = self._ticket(
            user=self.agent, type_id=self.hardware.id, properties={"hw_kind": "printer", "hw_brand": "canon"}
        )
        with self.assertRaisesRegex(ValidationError, message):
            ticket.write({"properties": {"hw_kind": "laptop", "hw_brand": "canon"}})

    def test_checking_a_batch_is_set_based(self):
        Ticket = self.env["spid.ticket"].with_user(self.agent)

        def vals(count):
            return [
                {
                    "name": f"Printer {i}",
                    "partner_id": self.requester.id,
                    "type_id": self.hardware.id,
                    "properties": {"hw_kind": "printer", "hw_brand": "hp"},
                }
                for i in range(count)
            ]

        Ticket.create(vals(5))  # warm-up
        # under 0.1 query per ticket from 10 to 200
        assert_queries_flat(self, vals, Ticket.create, sizes=(10, 200), slack=18, warmup=False)

    def test_backend_form_checks_the_pair(self):
        form = Form(self.env["spid.ticket"].with_user(self.agent))
        form.name = "Laptop broken"
        form.partner_id = self.requester
        form.type_id = self.hardware
        form.properties = {"hw_kind": "laptop", "hw_brand": "canon"}
        with self.assertRaisesRegex(ValidationError, "Brand “Canon” does not go with Hardware type “Laptop”"):
            form.save()

    def test_fields_of_every_ticket_and_cross_rules(self):
        """The company's fields of every ticket show on every type, and a
        type's field may depend on one of them."""
        self.env.company.spid_ticket_properties_definition = [
            {
                "name": "site_zone",
                "string": "Zone",
                "type": "selection",
                "selection": [["north", "North"], ["south", "South"]],
            },
            {"name": "asset_tag", "string": "Asset tag", "type": "char"},
        ]
        self.env["spid.ticket.field.rule"].create(
            {
                "type_id": self.hardware.id,
                "field_name": "Zone",
                "field_value": "North",
                "dependent_field_name": "Brand",
                "allowed_values": "HP",
            }
        )
        ticket = self._ticket(
            user=self.agent, common_properties={"site_zone": "north", "asset_tag": "A-1"}, category_id=False
        )
        self.assertEqual(ticket.common_properties, {"site_zone": "north", "asset_tag": "A-1"})
        with self.assertRaisesRegex(ValidationError, "Brand “Dell” does not go with Zone “North”"):
            ticket.with_user(self.agent).write(
                {"type_id": self.hardware.id, "properties": {"hw_brand": "dell"}}
            )


@tagged("post_install", "-at_install")
class TestTypeAccess(TicketTypeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technical = cls.env["spid.ticket.type"].create(
            {
                "name": "Technical incident",
                "allowed_group_ids": [(6, 0, cls.env.ref("spid_helpdesk.group_spid_supervisor").ids)],
            }
        )

    def test_agent_outside_the_groups_cannot_select_it(self):
        Type = self.env["spid.ticket.type"]
        self.assertNotIn(
            self.technical, Type.with_user(self.agent).search([("selectable_by_user", "=", True)])
        )
        self.assertIn(
            self.technical, Type.with_user(self.supervisor).search([("selectable_by_user", "=", True)])
        )
        with self.assertRaisesRegex(AccessError, "Technical incident is reserved to"):
            self._ticket(user=self.agent, type_id=self.technical.id)
        ticket = self._ticket(user=self.agent)
        with self.assertRaisesRegex(AccessError, "Technical incident is reserved to"):
            ticket.with_user(self.agent).write({"type_id": self.technical.id})
        self.assertFalse(ticket.type_id)
        # the supervisor may, and the agent can still work the ticket (not change its type)
        ticket.with_user(self.supervisor).write({"type_id": self.technical.id})
        ticket.with_user(self.agent).write({"priority": "2"})

    def test_type_required_setting(self):
        self.env.company.spid_type_required = True
        with self.assertRaisesRegex(ValidationError, "Choose a type"):
            self._ticket(user=self.agent)
        ticket = self._ticket(user=self.agent, type_id=self.hardware.id)
        with self.assertRaisesRegex(ValidationError, "must keep a type"):
            ticket.with_user(self.agent).write({"type_id": False})
        # an emailed ticket gets its type later
        emailed = self.env["spid.ticket"].message_new(
            {"email_from": "rita@client.example.com", "subject": "By mail", "body": "<p>x</p>"}
        )
        self.assertFalse(emailed.type_id)

    def test_type_locked_setting(self):
        ticket = self._ticket(user=self.agent)
        ticket.with_user(self.agent).write({"type_id": self.hardware.id})  # a first type is fine
        self.env.company.spid_type_locked = True
        other = self.env["spid.ticket.type"].create({"name": "Other"})
        with self.assertRaisesRegex(UserError, "can no longer be changed"):
            ticket.with_user(self.agent).write({"type_id": other.id})
        ticket.with_user(self.agent).write({"type_id": self.hardware.id, "priority": "2"})  # same type: fine
        untyped = self._ticket(user=self.agent)
        untyped.with_user(self.agent).write({"type_id": other.id})
        self.assertEqual(untyped.type_id, other)

    def test_settings_page(self):
        admin = self.env.ref("base.user_admin")
        self.env["res.config.settings"].with_user(admin).create(
            {"spid_type_required": True, "spid_type_locked": True}
        ).execute()
        self.assertTrue(self.env.company.spid_type_required)
        self.assertTrue(self.env.company.spid_type_locked)


@tagged("post_install", "-at_install")
class TestDependentChoicesHttp(HttpCase):
    """The backend's own save call, over HTTP, as an agent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env,
            "types_agent",
            groups="base.group_user,spid_helpdesk.group_spid_agent",
            name="Types Agent",
        )
        cls.hardware = cls.env["spid.ticket.type"].create(
            {"name": "Hardware over HTTP", "properties_definition": HARDWARE_FIELDS}
        )
        cls.env["spid.ticket.field.rule"].create(
            {
                "type_id": cls.hardware.id,
                "field_name": "hw_kind",
                "field_value": "printer",
                "dependent_field_name": "hw_brand",
                "allowed_values": "hp,canon",
            }
        )

    def _web_save(self, name, brand):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": "spid.ticket",
                "method": "web_save",
                "args": [[], {"name": name, "type_id": self.hardware.id, "properties": {
                    "hw_kind": "printer", "hw_brand": brand}}],
                "kwargs": {"specification": {"id": {}}},
            },
        }  # fmt: skip
        response = self.url_open(
            "/web/dataset/call_kw/spid.ticket/web_save",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def test_save_over_http(self):
        self.authenticate("types_agent", "types_agent")
        answer = self._web_save("Dell printer", "dell")
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.ValidationError")
        self.assertIn(
            "Brand “Dell” does not go with Hardware type “Printer”", answer["error"]["data"]["message"]
        )
        self.assertFalse(self.env["spid.ticket"].search([("name", "=", "Dell printer")]))
        answer = self._web_save("Canon printer", "canon")
        ticket = self.env["spid.ticket"].browse(answer["result"][0]["id"])
        self.assertEqual(ticket.properties, {"hw_kind": "printer", "hw_brand": "canon"})
        self.assertEqual(ticket.editor_id, self.agent)
