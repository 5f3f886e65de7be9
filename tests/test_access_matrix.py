"""Who may do what on every model of our addons: an explicit table, checked
as each role through the ORM and over HTTP (the web client's JSON-RPC and
the chatter's routes), plus the record rules that keep one team's and one
client's data from the others. Any unexpected success fails, and so does
an unexpected denial of what must work.

A new model of an addon fails test_every_model_is_declared until it gets
its line in MATRIX."""

import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

ROLES = ("user", "agent", "supervisor", "manager", "billing", "portal", "public")
GROUPS = {
    "user": "base.group_user",
    "agent": "base.group_user,spid_helpdesk.group_spid_agent",
    "supervisor": "base.group_user,spid_helpdesk.group_spid_supervisor",
    "manager": "base.group_user,spid_helpdesk.group_spid_manager",
    "billing": "base.group_user,spid_helpdesk_invoicing.group_spid_billing",
    "portal": "base.group_portal",
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

# What each role may do on each model (r read, w write, c create, u unlink,
# - nothing), in the order of ROLES: user (internal, no helpdesk group),
# agent, supervisor, manager, billing, portal, public. Record rules narrow
# it down further (see the isolation tests). One line per model.
#                                    user agent supervisor manager billing portal public
MATRIX = {
    "spid.agent.objective":          "-    r     rwcu       rwcu    rwcu    -      -",
    # prepaid hour banks (#21): billing manages them; the ledger is the system's (billing adds
    # manual entries); portal: the client's banks through spid_contract_rule_portal
    "spid.contract":                 "-    r     r          r       rwcu    r      -",
    "spid.contract.line":            "-    r     r          r       rc      r      -",
    "spid.intervention":             "-    rwcu  rwcu       rwcu    rwcu    r      -",
    "spid.intervention.material":    "-    rwcu  rwcu       rwcu    rwcu    -      -",
    "spid.invoice.export.wizard":    "-    -     -          -       rwc     -      -",
    "spid.mail.failure":             "-    -     -          ru      -       -      -",
    "spid.sla.policy":               "-    r     r          rwcu    r       -      -",
    # service statements (#21): supervisors generate and send, billing may delete drafts;
    # portal: the rule spid_statement_rule_portal and PORTAL_READABLE_FIELDS
    "spid.statement":                "-    -     rwc        rwc     rwcu    r      -",
    "spid.statement.wizard":         "-    -     rwc        rwc     rwc     -      -",
    "spid.statistics.wizard":        "-    rwc   rwc        rwc     rwc     -      -",
    "spid.tariff":                   "-    r     r          r       rwcu    -      -",
    # timer (#21): own timer only (global rule); changes through its methods
    "spid.timer":                    "-    r     r          r       r       -      -",
    "spid.timer.stop.wizard":        "-    rwc   rwc        rwc     rwc     -      -",
    "spid.team":                     "r    r     r          rwcu    r       -      -",
    "spid.team.status.template":     "r    r     r          rwcu    r       -      -",
    # user: their own requests only (#19, employees as requesters; rule and field allowlist)
    "spid.ticket":                   "rc   rwc   rwcu       rwcu    rwcu    r      -",
    "spid.ticket.category":          "r    r     r          rwcu    r       r      -",
    "spid.ticket.close.wizard":      "-    rwc   rwc        rwc     rwc     -      -",
    "spid.ticket.escalate.wizard":   "-    rwc   rwc        rwc     rwc     -      -",
    "spid.ticket.field.rule":        "r    r     r          rwcu    r       -      -",
    "spid.ticket.invoice.wizard":    "-    -     -          -       rwc     -      -",
    "spid.ticket.job":               "-    -     r          r       r       -      -",
    "spid.ticket.link":              "-    rwcu  rwcu       rwcu    rwcu    -      -",
    # macros (#21): managers define them, agents of their teams read and run them
    "spid.ticket.macro":             "-    r     r          rwcu    r       -      -",
    "spid.ticket.macro.run.wizard":  "-    rwc   rwc        rwc     rwc     -      -",
    "spid.ticket.merge.wizard":      "-    rwc   rwc        rwc     rwc     -      -",
    "spid.ticket.reopen.wizard":     "-    rwc   rwc        rwc     rwc     -      -",
    "spid.ticket.report":            "-    r     r          r       r       -      -",
    "spid.ticket.sla":               "-    r     r          r       r       -      -",
    "spid.ticket.split.wizard":      "-    rwc   rwc        rwc     rwc     -      -",
    "spid.ticket.status":            "r    r     r          rwcu    r       r      -",
    "spid.ticket.transition":        "r    r     r          rwcu    r       -      -",
    "spid.ticket.type":              "r    r     r          rwcu    r       r      -",
    "spid.turnover.report":          "-    -     r          r       r       -      -",
    "spid.workunit":                 "-    rwcu  rwcu       rwcu    rwcu    -      -",
    "spid.workunit.report":          "-    r     r          r       r       -      -",
}  # fmt: skip


def expected(model, role):
    """The set of operations `role` may do on `model`, from MATRIX."""
    cells = MATRIX[model].split()
    assert len(cells) == len(ROLES), f"{model}: one cell per role in MATRIX"
    return {OPERATIONS[c] for c in cells[ROLES.index(role)] if c != "-"}


def our_models(env):
    """Every model created by one of our installed addons (spid_helpdesk and
    its companions and bridges): regular, transient and SQL-view models."""
    modules = set(
        env["ir.module.module"]
        .sudo()
        .search([("name", "=like", "spid_helpdesk%"), ("state", "=", "installed")])
        .mapped("name")
    )
    # abstract mixins have no records, hence no access of their own
    return {
        name
        for name, model in env.registry.items()
        if model._original_module in modules and not model._abstract
    }


@tagged("post_install", "-at_install")
class TestAccessMatrix(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["spid.sla.policy"].search([]).active = False
        cls.users = {role: new_test_user(env, f"mx_{role}", groups=GROUPS[role]) for role in GROUPS}
        cls.users["public"] = env.ref("base.public_user")
        cls.agent = cls.users["agent"]
        cls.agent_b = new_test_user(env, "mx_agent_b", groups=GROUPS["agent"])
        Partner = env["res.partner"]
        cls.client_a = Partner.create(
            {
                "name": "Matrix A",
                "is_company": True,
                "spid_is_client": True,
                "spid_team_visibility": "grouped",
            }
        )
        cls.client_b = Partner.create({"name": "Matrix B", "is_company": True, "spid_is_client": True})

        def customer(login, client):
            partner = Partner.create({"name": login, "parent_id": client.id, "email": f"{login}@mx.example"})
            return new_test_user(env, login, groups="base.group_portal", partner_id=partner.id)

        cls.portal_a, cls.portal_b = (
            customer("mx_portal_a", cls.client_a),
            customer("mx_portal_b", cls.client_b),
        )
        Team = env["spid.team"]
        cls.team_a = Team.create({"name": "Matrix team A", "member_ids": cls.agent.ids, "assignment": "none"})
        cls.team_b = Team.create(
            {"name": "Matrix team B", "member_ids": cls.agent_b.ids, "assignment": "none"}
        )
        Ticket = env["spid.ticket"]
        cls.ticket_a = Ticket.create(
            {"name": "MX-A", "partner_id": cls.portal_a.partner_id.id, "team_id": cls.team_a.id}
        )
        cls.ticket_b = Ticket.create(
            {"name": "MX-B", "partner_id": cls.portal_b.partner_id.id, "team_id": cls.team_b.id}
        )
        Unit = env["spid.workunit"]
        cls.unit_a = Unit.create({"ticket_id": cls.ticket_a.id, "user_id": cls.agent.id, "duration": 1,
                                  "description": "<p>MX-UNIT-A</p>"})  # fmt: skip
        cls.unit_b = Unit.create({"ticket_id": cls.ticket_b.id, "user_id": cls.agent_b.id, "duration": 2,
                                  "description": "<p>MX-UNIT-B</p>", "visibility": "internal"})  # fmt: skip
        cls.link_b = env["spid.ticket.link"].create(
            {"ticket_id": cls.ticket_b.id, "res_ref": f"res.partner,{cls.client_b.id}", "name": "MX-LINK-B"}
        )
        Objective = env["spid.agent.objective"]
        cls.objective_b = Objective.create(
            {"user_id": cls.agent_b.id, "month": "2026-01-01", "target_hours": 7}
        )
        cls.attachment_b = env["ir.attachment"].create(
            {"name": "b.txt", "raw": b"MX-FILE-B", "res_model": "spid.ticket", "res_id": cls.ticket_b.id}
        )
        cls.ticket_b.message_post(body="MX-NOTE-B", subtype_xmlid="mail.mt_note")
        cls.ticket_b.message_post(body="MX-PUBLIC-B", message_type="comment", subtype_xmlid="mail.mt_comment")
        # the agent of team A follows B's ticket (made a follower by someone
        # else, after these messages): following grants nothing, every
        # isolation test below holds
        cls.ticket_b.message_subscribe(partner_ids=cls.agent.partner_id.ids)
        env.flush_all()

    # -- the table -------------------------------------------------------

    def test_every_model_is_declared(self):
        models = our_models(self.env)
        self.assertIn("spid.ticket", models)
        self.assertFalse(
            sorted(models - set(MATRIX)),
            "models of our addons missing from MATRIX: declare who may do what on them",
        )
        self.assertFalse(sorted(set(MATRIX) - models), "MATRIX names models that no longer exist")

    def test_model_access_matches_the_table(self):
        wrong = []
        for model in sorted(set(MATRIX) & our_models(self.env)):
            for role in ROLES:
                allowed = expected(model, role)
                records = self.env[model].with_user(self.users[role])
                for operation in OPERATIONS.values():
                    if records.has_access(operation) != (operation in allowed):
                        verdict = "may" if operation not in allowed else "may not"
                        wrong.append(f"{role} {verdict} {operation} {model}")
        self.assertFalse(wrong, "access differs from MATRIX:\n" + "\n".join(wrong))

    # -- record rules: what each one sees of the others' ------------------

    def assertHidden(self, user, records, operations=("read", "write", "unlink")):
        for record in records:
            for operation in operations:
                self.assertFalse(
                    record.with_user(user).has_access(operation),
                    f"{user.login} may {operation} {record}",
                )
            try:
                found = record.with_user(user).search([("id", "=", record.id)])
            except AccessError:
                found = None
            self.assertFalse(found, f"{user.login} finds {record}")

    def assertCannotReadFile(self, user, attachment):
        try:
            found = self.env["ir.attachment"].with_user(user).search([("id", "=", attachment.id)])
        except AccessError:
            found = None
        self.assertFalse(found, f"{user.login} finds {attachment}")
        with self.assertRaises(AccessError):
            attachment.with_user(user).read(["raw"])

    def test_agents_see_only_their_teams_work(self):
        agent = self.agent
        self.assertTrue(self.ticket_a.with_user(agent).has_access("write"))
        self.assertTrue(self.unit_a.with_user(agent).has_access("write"))
        self.assertHidden(agent, (self.ticket_b, self.unit_b, self.link_b, self.objective_b))
        self.assertFalse(
            self.env["spid.ticket.report"].with_user(agent).search([("ticket_id", "=", self.ticket_b.id)])
        )
        self.assertFalse(
            self.env["spid.workunit.report"].with_user(agent).search([("ticket_id", "=", self.ticket_b.id)])
        )
        self.assertCannotReadFile(agent, self.attachment_b)
        self.assertFalse(
            self.env["mail.message"].with_user(agent).search([("model", "=", "spid.ticket"),
                                                             ("res_id", "=", self.ticket_b.id)])
        )  # fmt: skip
        # a colleague's work unit on a shared ticket: read, not rewrite
        self.team_a.member_ids |= self.agent_b
        unit = self.env["spid.workunit"].create({"ticket_id": self.ticket_a.id, "user_id": self.agent_b.id})
        self.assertTrue(unit.with_user(agent).has_access("read"))
        self.assertFalse(unit.with_user(agent).has_access("write"))

    def test_supervisors_see_everything(self):
        for role in ("supervisor", "manager", "billing"):
            user = self.users[role]
            for record in (self.ticket_b, self.unit_b, self.link_b, self.objective_b):
                self.assertTrue(record.with_user(user).has_access("read"), f"{role} reads {record}")

    def test_internal_users_without_a_helpdesk_group_see_no_ticket(self):
        self.assertHidden(self.users["user"], (self.ticket_a, self.unit_a, self.link_b))

    def test_customers_see_only_their_clients_tickets(self):
        self.assertEqual(self.env["spid.ticket"].with_user(self.portal_a).search([("name", "like", "MX-")]),
                         self.ticket_a)  # fmt: skip
        self.assertEqual(self.env["spid.ticket"].with_user(self.portal_b).search([("name", "like", "MX-")]),
                         self.ticket_b)  # fmt: skip
        self.assertHidden(self.portal_a, (self.ticket_b, self.unit_a, self.unit_b, self.link_b))
        self.assertFalse(self.ticket_a.with_user(self.portal_a).has_access("write"), "the portal only reads")
        self.assertCannotReadFile(self.portal_a, self.attachment_b)

    # -- over HTTP ---------------------------------------------------------

    def _rpc(self, route, params):
        """A JSON-RPC call as the web client makes it: (result, error)."""
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        body = response.json()
        return body.get("result"), body.get("error")

    def _call_kw(self, model, method, args, kwargs=None):
        return self._rpc(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def _check_rpc_reads(self, role):
        """search_read of every model over HTTP, as the table says."""
        wrong = []
        for model in sorted(MATRIX):
            result, error = self._call_kw(model, "search_read", [[]], {"fields": ["id"], "limit": 1})
            if bool(error) == ("read" in expected(model, role)):
                wrong.append(f"{role}: search_read {model} " + ("refused" if error else "answered"))
        self.assertFalse(wrong, "\n".join(wrong))

    def test_rpc_as_a_customer(self):
        self.authenticate("mx_portal_a", "mx_portal_a")
        self._check_rpc_reads("portal")
        result, _error = self._call_kw(
            "spid.ticket", "search_read", [[("name", "like", "MX-")]], {"fields": ["id"]}
        )
        self.assertEqual([r["id"] for r in result], self.ticket_a.ids)
        for method, args, kwargs in (
            ("read", [self.ticket_b.ids, ["name"]], {}),
            ("write", [self.ticket_a.ids, {"name": "mine"}], {}),
            ("create", [{"name": "by rpc", "partner_id": self.portal_a.partner_id.id}], {}),
            ("unlink", [self.ticket_a.ids], {}),
            ("message_post", [self.ticket_b.ids], {"body": "x"}),
        ):
            _result, error = self._call_kw("spid.ticket", method, args, kwargs)
            self.assertTrue(error, f"a customer may {method} a ticket over RPC")
        self.assertEqual(self.ticket_a.name, "MX-A")
        self._check_chatter_of_b(self.portal_a)

    def test_rpc_as_an_agent_of_another_team(self):
        self.authenticate("mx_agent", "mx_agent")
        self._check_rpc_reads("agent")
        result, _error = self._call_kw(
            "spid.ticket", "search_read", [[("name", "like", "MX-")]], {"fields": ["id"]}
        )
        self.assertEqual([r["id"] for r in result], self.ticket_a.ids)
        for model, method, args in (
            ("spid.ticket", "read", [self.ticket_b.ids, ["name"]]),
            ("spid.ticket", "write", [self.ticket_b.ids, {"name": "taken"}]),
            ("spid.ticket", "unlink", [self.ticket_a.ids]),
            ("spid.workunit", "read", [self.unit_b.ids, ["description"]]),
            ("spid.workunit", "write", [self.unit_b.ids, {"duration": 9}]),
            ("spid.ticket.link", "write", [self.link_b.ids, {"name": "taken"}]),
            ("spid.agent.objective", "write", [self.objective_b.ids, {"target_hours": 1}]),
            ("spid.ticket.status", "create", [{"name": "By an agent"}]),
        ):
            _result, error = self._call_kw(model, method, args)
            self.assertTrue(error, f"an agent may {method} {model} {args[0]}")
        self.assertEqual(
            (self.ticket_b.name, self.unit_b.duration, self.link_b.name), ("MX-B", 2, "MX-LINK-B")
        )
        self._check_chatter_of_b(self.agent)

    def test_rpc_as_the_other_internal_roles(self):
        for role in ("user", "supervisor", "manager", "billing"):
            self.authenticate(f"mx_{role}", f"mx_{role}")
            self._check_rpc_reads(role)

    def test_rpc_as_a_visitor(self):
        self._check_rpc_reads("public")
        before = len(self.ticket_b.message_ids)
        _result, error = self._rpc(
            "/mail/message/post",
            {"thread_model": "spid.ticket", "thread_id": self.ticket_b.id, "post_data": {"body": "anon"}},
        )
        self.assertTrue(error)
        self.assertEqual(len(self.ticket_b.message_ids), before)

    def _check_chatter_of_b(self, user):
        """Ticket B's chatter, messages and files stay closed to `user`."""
        messages, _error = self._rpc(
            "/mail/thread/messages", {"thread_model": "spid.ticket", "thread_id": self.ticket_b.id}
        )
        self.assertNotIn("MX-NOTE-B", json.dumps(messages))
        self.assertNotIn("MX-PUBLIC-B", json.dumps(messages))
        before = len(self.ticket_b.message_ids)
        _result, error = self._rpc(
            "/mail/message/post",
            {"thread_model": "spid.ticket", "thread_id": self.ticket_b.id,
             "post_data": {"body": "intrusion", "message_type": "comment"}},
        )  # fmt: skip
        self.assertTrue(error, f"{user.login} posts on another's ticket")
        self.assertEqual(len(self.ticket_b.message_ids), before)
        # another's file, posted on a ticket of one's own
        self.ticket_a._portal_ensure_token()
        _result, error = self._rpc(
            "/mail/message/post",
            {"thread_model": "spid.ticket", "thread_id": self.ticket_a.id,
             "post_data": {"body": "steal", "attachment_ids": self.attachment_b.ids},
             "token": self.ticket_a.access_token},
        )  # fmt: skip
        self.assertTrue(error, f"{user.login} attaches another client's file")
        self.assertEqual(
            (self.attachment_b.res_model, self.attachment_b.res_id), ("spid.ticket", self.ticket_b.id)
        )
        response = self.url_open(f"/web/content/{self.attachment_b.id}")
        self.assertNotIn("MX-FILE-B", response.text)
