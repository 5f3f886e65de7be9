"""Directory logins against a real OpenLDAP: Debian's slapd, started by the
test (scripts/slapd.sh) on a free port of 127.0.0.1 with its own
configuration and database, stopped afterwards (also on failure). Odoo's
auth_ldap is configured to it; people log in through the real login form
(CSRF token included) and work over JSON-RPC as the web client does.

What it proves: a directory user's first login creates their Odoo user
from the template user (an agent of the template's team, who sees that
team's tickets and not another's); and what the directory may NOT do: a
wrong password, an LDAP filter in the login, a directory entry named like a
local account (the administrator included, whatever the case of the login),
an unreachable directory, a template with administrator rights.

Odoo's login cooldown (5 failures per IP address, then 60 s) is reset
before each attempt: it is Odoo's brute-force guard, not what is tested
here, and every attempt comes from 127.0.0.1."""

import os
import shutil
import socket
import subprocess
import tempfile
import unittest

from attack_common import HOSTILE_CONTEXT, JsonRpcAttacker

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk.tests.common import SpidHelpdeskCommon, form_csrf_token

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLAPD_SH = os.path.join(REPO, "scripts", "slapd.sh")
SUFFIX = "dc=spid,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"
BIND_DN = f"cn=odoo,ou=services,{SUFFIX}"
BIND_PASSWORD = "odoo-service"
# uid: (cn, mail, password). "admin", "hd_agent" and "ldap_template" (the
# archived template) are also local logins.
PEOPLE_ENTRIES = {
    "dana": ("Dana Directory", "dana@spid.test", "dana-secret"),
    "admin": ("Directory Admin", "admin@spid.test", "take-over"),
    "hd_agent": ("Directory Namesake", "namesake@spid.test", "take-over"),
    "eve": ("Eve Directory", "eve@spid.test", "eve-secret"),
    "ldap_template": ("Template Namesake", "template@spid.test", "take-over"),
}
WRONG_LOGIN = "Wrong login/password"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ldif(entries):
    """The people as LDIF, with the {SSHA} hashes of Debian's slappasswd."""
    blocks = []
    for uid, (cn, mail, password) in entries.items():
        hashed = subprocess.run(
            ["slappasswd", "-s", password], check=True, capture_output=True, text=True
        ).stdout.strip()
        blocks.append(
            f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {cn}\n"
            f"sn: {cn.split()[-1]}\nmail: {mail}\nuserPassword: {hashed}\n"
        )
    return "\n".join(blocks)


@tagged("post_install", "-at_install")
class TestLdapLogin(JsonRpcAttacker, SpidHelpdeskCommon, HttpCase):
    # what a hostile web client may add to every call: none of it widens access
    hostile_context = dict(HOSTILE_CONTEXT, active_test=False, uid=2)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "res.company.ldap" not in cls.env or "spid_ldap_login" not in cls.env["res.users"]._fields:
            raise unittest.SkipTest("auth_ldap / spid_helpdesk_ldap not installed (python-ldap missing)")
        if not shutil.which("slapd", path="/usr/sbin:" + os.environ.get("PATH", "")):
            raise unittest.SkipTest("Debian's slapd is not installed (apt-get install slapd ldap-utils)")
        cls.slapd_dir = tempfile.mkdtemp(prefix="spid-slapd-")
        cls.addClassCleanup(shutil.rmtree, cls.slapd_dir, ignore_errors=True)
        cls.slapd_port = free_port()
        people = os.path.join(cls.slapd_dir, "people.ldif")
        with open(people, "w", encoding="utf-8") as file:
            file.write(ldif(PEOPLE_ENTRIES))
        env = dict(os.environ, SLAPD_BIND_PASSWORD=BIND_PASSWORD, SLAPD_ADMIN_PASSWORD="directory-admin")
        # registered before the start: a half-started slapd is stopped too
        cls.addClassCleanup(subprocess.run, ["bash", SLAPD_SH, "stop", cls.slapd_dir], check=False)
        subprocess.run(
            ["bash", SLAPD_SH, "start", cls.slapd_dir, str(cls.slapd_port), people], check=True, env=env
        )

        cls.template = new_test_user(
            cls.env,
            "ldap_template",
            groups="base.group_user,spid_helpdesk.group_spid_agent",
            name="Support agent (template)",
            tz="Europe/Brussels",
            signature="<p>--<br/>Support agent (template)</p>",
        )
        cls.template.write(
            {
                "spid_team_ids": [(6, 0, cls.team.ids)],
                "spid_hourly_cost": 33.0,
                "notification_type": "inbox",
                "active": False,
            }
        )
        cls.ldap_conf = cls.env["res.company.ldap"].create(
            {
                "company": cls.env.company.id,
                "ldap_server": "127.0.0.1",
                "ldap_server_port": cls.slapd_port,
                "ldap_binddn": BIND_DN,
                "ldap_password": BIND_PASSWORD,
                "ldap_filter": "(&(objectClass=inetOrgPerson)(uid=%s))",
                "ldap_base": PEOPLE,
                "user": cls.template.id,
                "create_user": True,
            }
        )
        cls.ticket_support = cls._ticket(name="Support's ticket")
        cls.ticket_other = cls._ticket(name="Elsewhere's ticket", category_id=cls.category_other.id)
        cls.admin = cls.env.ref("base.user_admin")

    # helpers -----------------------------------------------------------

    def _form_login(self, login, password):
        """The login form as a browser posts it: GET for the CSRF token, then
        POST. Returns the response (303 = logged in)."""
        self.registry._login_failures = None  # Odoo's cooldown (see the docstring)
        self.opener.cookies.clear()
        csrf = form_csrf_token(self.url_open("/web/login").text)
        response = self.url_open(
            "/web/login",
            data={"login": login, "password": password, "csrf_token": csrf},
            allow_redirects=False,
        )
        self.assertLess(response.status_code, 500, response.text[:300])
        return response

    def assertLoggedIn(self, response):
        self.assertEqual(response.status_code, 303, "not logged in")
        self.assertIn("/odoo", response.headers["Location"])

    def assertRefusedLogin(self, response):
        self.assertEqual(response.status_code, 200, "logged in")
        self.assertIn(WRONG_LOGIN, response.text)
        self.assertFalse(self._session_uid(), "a refused login has no session user")

    def _session_uid(self):
        result, error = self._rpc("/web/session/get_session_info", {})
        return (result or {}).get("uid") if not error else None

    def _users(self, login):
        self.env.invalidate_all()
        return self.env["res.users"].with_context(active_test=False).search([("login", "=ilike", login)])

    # the directory -----------------------------------------------------

    def test_slapd_really_answers(self):
        """The directory is Debian's slapd: the service account reads the
        people, a person binds with their own password and not another's."""
        import ldap  # python-ldap exists only where auth_ldap does

        conn = ldap.initialize(f"ldap://127.0.0.1:{self.slapd_port}")
        self.addCleanup(conn.unbind_s)
        conn.simple_bind_s(BIND_DN, BIND_PASSWORD)
        found = conn.search_s(PEOPLE, ldap.SCOPE_SUBTREE, "(uid=dana)", ["cn", "mail", "userPassword"])
        self.assertEqual(found[0][0], f"uid=dana,{PEOPLE}")
        self.assertEqual(found[0][1]["cn"], [b"Dana Directory"])
        self.assertNotIn("userPassword", found[0][1], "the service account never reads a password")
        conn.simple_bind_s(f"uid=dana,{PEOPLE}", "dana-secret")
        with self.assertRaises(ldap.INVALID_CREDENTIALS):
            conn.simple_bind_s(f"uid=dana,{PEOPLE}", "take-over")

    # the user ----------------------------------------------------------

    def test_directory_user_becomes_an_agent_of_the_template_team(self):
        self.assertFalse(self._users("dana"))
        self.assertLoggedIn(self._form_login("dana", "dana-secret"))

        dana = self._users("dana")
        self.assertEqual(len(dana), 1)
        self.assertEqual(self._session_uid(), dana.id)
        self.assertTrue(dana.active, "the template is archived, its copy is not")
        self.assertEqual(dana.name, "Dana Directory")
        self.assertEqual(dana.email, "dana@spid.test", "from the directory's mail")
        self.assertTrue(dana.spid_ldap_login)
        # from the template: groups, team, time zone, hourly cost
        self.assertTrue(dana.has_group("spid_helpdesk.group_spid_agent"))
        self.assertFalse(dana.has_group("spid_helpdesk.group_spid_supervisor"))
        self.assertFalse(dana.has_group("base.group_erp_manager"))
        self.assertFalse(dana.share)
        self.assertEqual(dana.spid_team_ids, self.team)
        self.assertIn(dana, self.team.member_ids)
        self.assertNotIn(dana, self.team_other.member_ids)
        self.assertEqual(dana.tz, "Europe/Brussels")
        self.assertEqual(dana.notification_type, "inbox")
        self.assertEqual(dana.sudo().spid_hourly_cost, 33.0)
        self.assertEqual(dana.company_id, self.env.company)
        # not from the template: their own signature, partner, no local password
        self.assertIn("Dana Directory", dana.signature)
        self.assertNotIn("template", dana.signature)
        self.assertNotEqual(dana.partner_id, self.template.partner_id)
        self.env.cr.execute("SELECT password FROM res_users WHERE id = %s", [dana.id])
        self.assertFalse(self.env.cr.fetchone()[0], "the directory keeps the password")
        self.assertFalse(self.template.active)
        self.assertEqual(self.template.name, "Support agent (template)")

        # over JSON-RPC, as that session, with a hostile context
        result, error = self._call_kw("spid.ticket", "search_read", [[]], {"fields": ["name", "team_id"]})
        self.assertFalse(error)
        ids = {row["id"] for row in result}
        self.assertIn(self.ticket_support.id, ids)
        self.assertNotIn(self.ticket_other.id, ids)
        self.assertTrue(all(row["team_id"][0] != self.team_other.id for row in result if row["team_id"]))
        result, error = self._call_kw("spid.ticket", "read", [self.ticket_other.ids, ["name"]])
        self.assertTrue(error, "another team's ticket is not readable")
        self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
        # the team's ticket is theirs to work
        result, error = self._call_kw("spid.ticket", "write", [self.ticket_support.ids, {"user_id": dana.id}])
        self.assertFalse(error, error)
        self._sync()
        self.assertEqual(self.ticket_support.user_id, dana)

        # the attacker in that session: no own promotion to another team,
        # no own say over the directory rule, no directory configuration
        for values in ({"spid_team_ids": [(4, self.team_other.id)]}, {"spid_ldap_login": False}):
            __, error = self._call_kw("res.users", "write", [dana.ids, values])
            self.assertTrue(error, values)
        __, error = self._call_kw("spid.team", "write", [self.team_other.ids, {"member_ids": [(4, dana.id)]}])
        self.assertTrue(error)
        __, error = self._call_kw("res.company.ldap", "write", [self.ldap_conf.ids, {"user": dana.id}])
        self.assertTrue(error)
        self._sync()
        self.assertEqual(dana.spid_team_ids, self.team)
        self.assertTrue(dana.spid_ldap_login)

        # the second login finds the same user (auth_ldap's password check)
        self.assertLoggedIn(self._form_login("dana", "dana-secret"))
        self.assertEqual(self._session_uid(), dana.id)
        self.assertEqual(len(self._users("dana")), 1)
        self.assertRefusedLogin(self._form_login("dana", "eve-secret"))

    def test_wrong_password_is_refused(self):
        for password in ("not-dana's", "take-over", ""):
            self.assertRefusedLogin(self._form_login("dana", password))
        self.assertRefusedLogin(self._form_login("nobody", "dana-secret"))
        # a forged form without a password (auth_ldap alone answers a 500) or a login
        for data in ({"login": "dana"}, {"password": "dana-secret"}):
            self.registry._login_failures = None
            self.opener.cookies.clear()
            data["csrf_token"] = form_csrf_token(self.url_open("/web/login").text)
            self.assertRefusedLogin(self.url_open("/web/login", data=data, allow_redirects=False))
        self.assertFalse(self._users("dana") | self._users("nobody"), "nothing created")

    # what the directory may not do --------------------------------------

    def test_directory_entry_cannot_take_over_a_local_account(self):
        """auth_ldap tries the directory for any local account whose local
        password fails, and at creation finds an existing user by its
        lowercased login: the directory entries "admin" and "hd_agent" (with
        the directory's password "take-over") would open the local
        administrator's and the local agent's accounts."""
        users_before = self.env["res.users"].with_context(active_test=False).search_count([])
        for login in ("admin", "ADMIN", "Admin", " admin", "hd_agent", "HD_Agent", "ldap_template"):
            self.assertRefusedLogin(self._form_login(login, "take-over"))
        self.assertEqual(self.env["res.users"].with_context(active_test=False).search_count([]), users_before)
        self.assertFalse(self.template.active, "the archived template stays closed")
        # their own passwords still open them (nothing locked out)
        self.assertLoggedIn(self._form_login("admin", "admin"))
        self.assertEqual(self._session_uid(), self.admin.id)
        self.assertLoggedIn(self._form_login("hd_agent", "hd_agent"))
        self.assertEqual(self._session_uid(), self.agent.id)

        # an administrator of users hands the local agent over to the directory
        self.agent.spid_ldap_login = True
        self.assertLoggedIn(self._form_login("hd_agent", "take-over"))
        self.assertEqual(self._session_uid(), self.agent.id)
        # ... but never an administrator, even when marked
        self.admin.spid_ldap_login = True
        for login in ("admin", "ADMIN"):
            self.assertRefusedLogin(self._form_login(login, "take-over"))
        self.agent.groups_id = [(4, self.env.ref("base.group_erp_manager").id)]
        self.assertRefusedLogin(self._form_login("hd_agent", "take-over"))

    def test_ldap_filter_in_the_login_matches_nothing(self):
        """The login is escaped into the filter (filter_format): unescaped,
        "dan*" with Dana's password would create a second account of Dana's,
        "*" would match whoever is alone in the directory."""
        for login in ("dan*", "*)(uid=*", "*", "dana)(|(uid=*", "*)(objectClass=*"):
            self.assertRefusedLogin(self._form_login(login, "dana-secret"))
            self.assertFalse(self._users(login), login)
        self.assertFalse(self._users("dana"))

    def test_unreachable_directory_is_a_clear_refusal(self):
        # a directory user known from a first login
        self.assertLoggedIn(self._form_login("eve", "eve-secret"))
        eve = self._users("eve")
        self.assertTrue(eve)
        # nothing listens there any more (the port of a closed socket)
        self.ldap_conf.ldap_server_port = free_port()
        for login, password in (("eve", "eve-secret"), ("dana", "dana-secret")):
            response = self._form_login(login, password)
            self.assertRefusedLogin(response)
        self.assertFalse(self._users("dana"))
        self.assertEqual(self._users("eve"), eve, "the known user stays as it was")
        # back online: the same user logs in again
        self.ldap_conf.ldap_server_port = self.slapd_port
        self.assertLoggedIn(self._form_login("eve", "eve-secret"))
        self.assertEqual(self._session_uid(), eve.id)

    def test_template_with_administrator_rights_is_refused(self):
        for group in ("base.group_erp_manager", "base.group_system"):
            admin_template = new_test_user(
                self.env, f"ldap_template_{group[5:]}", groups=f"base.group_user,{group}"
            )
            with self.assertRaisesRegex(ValidationError, "administers Odoo or its users"):
                self.ldap_conf.user = admin_template
        self.assertEqual(self.ldap_conf.user, self.template)
        # given rights after it was chosen: the first login is refused, and
        # the user it would have created does not stay
        self.template.groups_id = [(4, self.env.ref("base.group_erp_manager").id)]
        self.assertRefusedLogin(self._form_login("dana", "dana-secret"))
        self.assertFalse(self._users("dana"))

    def test_demo_template_makes_support_desk_agents(self):
        """The demo's archived "Support agent (template)" (demo data read on
        purpose, as in test_demo) is a valid template: Eve becomes an agent
        of the Support desk."""
        template = self.env.ref("spid_helpdesk.user_agent_template_demo", raise_if_not_found=False)
        if not template:
            self.skipTest("installed without demo data")
        support_desk = self.env.ref("spid_helpdesk.team_support_demo")
        self.assertFalse(template.active)
        self.assertEqual(template.spid_team_ids, support_desk)
        self.assertNotIn(template, support_desk.member_ids, "an archived template is no member to assign")
        self.ldap_conf.user = template
        self.assertLoggedIn(self._form_login("eve", "eve-secret"))
        eve = self._users("eve")
        self.assertEqual(eve.spid_team_ids, support_desk)
        self.assertIn(eve, support_desk.member_ids)
        self.assertTrue(eve.has_group("spid_helpdesk.group_spid_agent"))
        self.assertFalse(eve.has_group("spid_helpdesk.group_spid_supervisor"))
        self.assertEqual(eve.name, "Eve Directory")
