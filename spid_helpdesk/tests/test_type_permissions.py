"""Permissions by type: a type handled by some teams or groups hides its
tickets from every other agent (search, read, read_group, name_search,
their work units and clocks) and cannot be given by them; supervisors see
all; an alias gives its tickets a type. Tested as each user and over
JSON-RPC with a hostile context."""

import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SpidHelpdeskCommon

HOSTILE = {"active_test": False, "uid": 1, "spid_system": True, "spid_type_optional": True}
EMAIL = """From: Rita Requester <rita@client.example.com>
To: plumbing@types.example.com
Subject: Leak in the basement
Message-ID: <leak1@client.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Water everywhere.
"""


class TypePermissionCommon(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # reserved to team Elsewhere (agent_other); Support's agents may not see it
        cls.kind_other = cls.env["spid.ticket.type"].create(
            {"name": "Plumbing work", "team_ids": [(6, 0, cls.team_other.ids)]}
        )
        cls.hr_group = cls.env["res.groups"].create({"name": "HR desk"})
        cls.kind_hr = cls.env["spid.ticket.type"].create(
            {"name": "HR matter", "group_ids": [(6, 0, cls.hr_group.ids)]}
        )
        cls.kind_open = cls.env["spid.ticket.type"].create({"name": "Anything"})
        # tickets without team (every agent's, but for their type)
        cls.reserved = cls._ticket(name="Pipe burst", type_id=cls.kind_other.id, category_id=False)
        cls.hr_ticket = cls._ticket(name="Salary question", type_id=cls.kind_hr.id, category_id=False)
        cls.open_ticket = cls._ticket(name="Printer", type_id=cls.kind_open.id)


@tagged("post_install", "-at_install")
class TestTypePermissions(TypePermissionCommon):
    def test_reserved_type_invisible_to_other_team(self):
        Ticket = self.env["spid.ticket"].with_user(self.agent)
        visible = Ticket.search([])
        self.assertIn(self.open_ticket, visible)
        self.assertNotIn(self.reserved, visible)
        self.assertNotIn(self.hr_ticket, visible)
        self.assertFalse(Ticket.search([("type_id", "=", self.kind_other.id)]))
        self.assertFalse(Ticket.search_count([("name", "=", "Pipe burst")]))
        self.assertNotIn(self.reserved.id, [r[0] for r in Ticket.name_search("Pipe")])
        groups = Ticket.read_group([], ["type_id"], ["type_id"])
        self.assertNotIn(self.kind_other.id, [g["type_id"] and g["type_id"][0] for g in groups])
        with self.assertRaisesRegex(AccessError, "spid.ticket"):
            self.reserved.with_user(self.agent).read(["name"])
        # the ticket's own rule is the one of its work units and analyses
        self.assertFalse(
            self.env["spid.ticket.report"]
            .with_user(self.agent)
            .search([("ticket_id", "=", self.reserved.id)])
        )

    def test_visible_to_team_group_and_supervisor(self):
        self.assertIn(self.reserved, self.env["spid.ticket"].with_user(self.agent_other).search([]))
        self.assertIn(self.reserved, self.env["spid.ticket"].with_user(self.supervisor).search([]))
        self.assertIn(self.hr_ticket, self.env["spid.ticket"].with_user(self.supervisor).search([]))
        self.assertNotIn(self.hr_ticket, self.env["spid.ticket"].with_user(self.agent).search([]))
        self.agent.groups_id = [(4, self.hr_group.id)]
        self.assertIn(self.hr_ticket, self.env["spid.ticket"].with_user(self.agent).search([]))

    def test_agent_cannot_give_reserved_type(self):
        Ticket = self.env["spid.ticket"].with_user(self.agent)
        with self.assertRaisesRegex(AccessError, "Plumbing work"):
            Ticket.create({"name": "x", "partner_id": self.requester.id, "type_id": self.kind_other.id})
        with self.assertRaisesRegex(AccessError, "Plumbing work"):
            self.open_ticket.with_user(self.agent).write({"type_id": self.kind_other.id})
        self.assertEqual(self.open_ticket.type_id, self.kind_open)
        kinds = self.env["spid.ticket.type"].with_user(self.agent).search([("selectable_by_user", "=", True)])
        self.assertIn(self.kind_open, kinds)
        self.assertNotIn(self.kind_other, kinds)
        self.assertFalse(self.kind_other.with_user(self.agent).selectable_by_user)
        # the team's members do give it
        ticket = (
            self.env["spid.ticket"]
            .with_user(self.agent_other)
            .create({"name": "y", "partner_id": self.requester.id, "type_id": self.kind_other.id})
        )
        self.assertEqual(ticket.type_id, self.kind_other)

    def test_alias_sets_the_type(self):
        domain = self.env["mail.alias.domain"].create({"name": "types.example.com"})
        self.env.company.alias_domain_id = domain
        self.team_other.write(
            {"alias_name": "plumbing", "alias_domain_id": domain.id, "default_type_id": self.kind_other.id}
        )
        self.assertIn("'type_id': %d" % self.kind_other.id, self.team_other.alias_id.alias_defaults)
        ticket = self.env["spid.ticket"].browse(self.env["mail.thread"].message_process(None, EMAIL.encode()))
        self.assertEqual(ticket.type_id, self.kind_other)
        self.assertEqual(ticket.team_id, self.team_other)
        self.team_other.default_type_id = False
        self.assertNotIn("type_id", self.team_other.alias_id.alias_defaults)


@tagged("post_install", "-at_install")
class TestTypePermissionsRpc(TypePermissionCommon, HttpCase):
    def _call(self, model, method, args, kwargs=None):
        kwargs = dict(kwargs or {}, context=HOSTILE)
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {"model": model, "method": method, "args": args, "kwargs": kwargs},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertLess(response.status_code, 500)
        body = response.json()
        return body.get("result"), body.get("error")

    def test_rpc_other_team(self):
        self.authenticate("hd_agent", "hd_agent")
        result, error = self._call("spid.ticket", "search_read", [[]], {"fields": ["name"]})
        self.assertFalse(error)
        ids = [row["id"] for row in result]
        self.assertIn(self.open_ticket.id, ids)
        self.assertNotIn(self.reserved.id, ids)
        result, error = self._call("spid.ticket", "read", [self.reserved.ids, ["name"]])
        self.assertTrue(error)
        result, error = self._call("spid.ticket", "name_search", [], {"name": "Pipe"})
        self.assertFalse(error)
        self.assertEqual(result, [])
        result, error = self._call(
            "spid.ticket",
            "web_read_group",
            [[("type_id", "!=", False)], ["type_id"], ["type_id"]],
        )
        self.assertFalse(error, error)
        self.assertNotIn(self.kind_other.id, [g["type_id"][0] for g in result["groups"]])
        result, error = self._call(
            "spid.ticket", "write", [self.open_ticket.ids, {"type_id": self.kind_other.id}]
        )
        self.assertTrue(error)
        result, error = self._call(
            "spid.ticket",
            "create",
            [{"name": "z", "partner_id": self.requester.id, "type_id": self.kind_other.id}],
        )
        self.assertTrue(error)
        self.env.invalidate_all()
        self.assertEqual(self.open_ticket.type_id, self.kind_open)
        self.assertFalse(self.env["spid.ticket"].search([("name", "=", "z")]))
        # the team's member reads it
        self.authenticate("hd_agent_other", "hd_agent_other")
        result, error = self._call("spid.ticket", "read", [self.reserved.ids, ["name"]])
        self.assertFalse(error)
        self.assertEqual(result[0]["name"], "Pipe burst")

    def test_group_alone_gives_no_agent_rights(self):
        # a user of the type's group who is no agent reads their own requests only
        user = new_test_user(self.env, "hd_hr", groups="base.group_user")
        user.groups_id = [(4, self.hr_group.id)]
        self.assertFalse(self.env["spid.ticket"].with_user(user).search([]))
