"""Attacks on what the record rules promise, as each role would try them:
through the ORM as that user (`with_user`) and over HTTP (the web client's
JSON-RPC and the chatter's routes), with whatever context an attacker sends.

- following a ticket or a team gives no access to a ticket, whatever the
  path that made one a follower; only managers choose who follows a team;
- ratings of tickets are for supervisors: on the ticket, in Ticket analysis
  and on `rating.rating`;
- one company's SLA clocks, links and objectives stay in that company, and
  no company's record points to another company's;
- a locked ticket's files and links no longer change;
- work is logged as oneself, unless a supervisor logs it.

Each refused attack leaves nothing changed."""

import base64
import json
import re

from attack_common import AGENT, MANAGER, SUPERVISOR, JsonRpcAttacker, RefusalAsserts

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.spid_helpdesk.internal import SYSTEM, with_switch
from odoo.addons.spid_helpdesk.tests.common import run_ticket_jobs

RATING_FIELDS = (
    "rating_ids",
    "rating_last_value",
    "rating_last_feedback",
    "rating_last_image",
    "rating_last_text",
    "rating_count",
    "rating_avg",
    "rating_avg_text",
    "rating_percentage_satisfaction",
)
# What an attacker adds to every call: the keys our code used to read, and
# Odoo's own that relax checks elsewhere.
HOSTILE_CONTEXT = {
    "import_file": True,
    "spid_importing": True,
    "spid_system": True,
    "spid_unlocking": True,
    "default_user_id": 1,
    "mail_create_nosubscribe": True,
    "tracking_disable": True,
}
# The six copies of the agent's ticket domain (with the `ticket_id.` prefix
# but on the ticket itself).
AGENT_RULES = (
    "spid_helpdesk.spid_ticket_rule_agent",
    "spid_helpdesk.spid_workunit_rule_agent_read",
    "spid_helpdesk.spid_ticket_link_rule_agent",
    "spid_helpdesk.spid_ticket_sla_rule_agent",
    "spid_helpdesk.spid_ticket_report_rule_agent",
    "spid_helpdesk.spid_workunit_report_rule_agent",
)


@tagged("post_install", "-at_install")
class TestAttackRules(RefusalAsserts, JsonRpcAttacker, HttpCase):
    hostile_context = HOSTILE_CONTEXT

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["spid.sla.policy"].search([]).active = False
        cls.agent = new_test_user(env, "atk_agent", groups=AGENT)
        cls.agent_2 = new_test_user(env, "atk_agent2", groups=AGENT)
        cls.agent_b = new_test_user(env, "atk_agent_b", groups=AGENT)
        cls.supervisor = new_test_user(env, "atk_supervisor", groups=SUPERVISOR)
        cls.manager = new_test_user(env, "atk_manager", groups=MANAGER)
        cls.user = new_test_user(env, "atk_user", groups="base.group_user")
        Partner = env["res.partner"]
        cls.client = Partner.create({"name": "Attack client", "is_company": True, "spid_is_client": True})
        cls.requester = Partner.create(
            {"name": "Atk requester", "parent_id": cls.client.id, "email": "atk_portal@atk.example"}
        )
        cls.portal = new_test_user(env, "atk_portal", groups="base.group_portal", partner_id=cls.requester.id)
        Team = env["spid.team"]
        cls.team_a = Team.create(
            {"name": "Atk A", "member_ids": (cls.agent | cls.agent_2).ids, "assignment": "none"}
        )
        cls.team_b = Team.create({"name": "Atk B", "member_ids": cls.agent_b.ids, "assignment": "none"})
        Ticket = env["spid.ticket"]
        cls.ticket_a = Ticket.create(
            {
                "name": "ATK-A",
                "partner_id": cls.requester.id,
                "team_id": cls.team_a.id,
                "user_id": cls.agent.id,
            }
        )
        cls.ticket_b = Ticket.create(
            {"name": "ATK-B-SECRET", "partner_id": cls.requester.id, "team_id": cls.team_b.id}
        )
        cls.ticket_locked = Ticket.create(
            {"name": "ATK-LOCKED", "partner_id": cls.requester.id, "team_id": cls.team_a.id}
        )
        run_ticket_jobs(env)  # their creation messages, as the cron posts them
        Attachment = env["ir.attachment"]
        cls.file_locked = Attachment.create(
            {
                "name": "locked.txt",
                "raw": b"ORIGINAL",
                "res_model": "spid.ticket",
                "res_id": cls.ticket_locked.id,
            }
        )
        cls.file_open = Attachment.create(
            {"name": "open.txt", "raw": b"OPEN", "res_model": "spid.ticket", "res_id": cls.ticket_a.id}
        )
        cls.link_locked = env["spid.ticket.link"].create(
            {"ticket_id": cls.ticket_locked.id, "res_ref": f"res.partner,{cls.client.id}", "name": "LINK"}
        )
        cls.link_open = env["spid.ticket.link"].create(
            {"ticket_id": cls.ticket_a.id, "res_ref": f"res.partner,{cls.client.id}", "name": "OPEN"}
        )
        cls.ticket_locked.signed_workorder = base64.b64encode(b"SIGNED")
        # locked as invoicing locks it, whatever the lock API becomes
        env.flush_all()
        env.cr.execute("UPDATE spid_ticket SET is_locked = TRUE WHERE id = %s", [cls.ticket_locked.id])
        env.invalidate_all()
        cls.rating = (
            env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": env["ir.model"]._get_id("spid.ticket"),
                    "res_id": cls.ticket_a.id,
                    "partner_id": cls.requester.id,
                    "rated_partner_id": cls.agent.partner_id.id,
                    "rating": 1,
                    "feedback": "RATING-SECRET",
                    "consumed": True,
                }
            )
        )
        env.flush_all()

    # -- helpers -------------------------------------------------------------

    def _follows(self, record, user):
        return user.partner_id in record.sudo().message_partner_ids

    # -- the rules themselves -------------------------------------------------

    def test_the_six_agent_domains_are_one(self):
        """Tickets, work units, links, SLA clocks and both analyses say the
        same of what an agent sees; none mentions followers."""
        domains = {}
        for xmlid in AGENT_RULES:
            text = self.env.ref(xmlid).domain_force
            self.assertNotIn("message_partner_ids", text, f"{xmlid} grants access to followers")
            compact = re.sub(r"\s+", "", text).replace("'ticket_id.", "'")
            domains[xmlid] = compact
        self.assertEqual(len(set(domains.values())), 1, f"the agent domains differ: {domains}")
        self.assertNotIn("message_partner_ids", self.env.ref("spid_helpdesk.group_spid_agent").comment or "")

    # -- following ------------------------------------------------------------

    def test_following_a_ticket_gives_no_access(self):
        ticket = self.ticket_b
        # 1. made a follower by someone else (the system, a supervisor)
        ticket.sudo().message_subscribe(partner_ids=self.agent.partner_id.ids)
        self.assertTrue(self._follows(ticket, self.agent))
        self.assertCannotSee(self.agent, ticket)
        # 2. subscribing oneself: refused, or nothing gained
        try:
            ticket.with_user(self.agent_2).message_subscribe(partner_ids=self.agent_2.partner_id.ids)
        except AccessError:
            pass
        self.assertFalse(self._follows(ticket, self.agent_2))
        # 3. an activity assigned to the agent (it subscribes the assignee):
        # refused (a user who cannot read a ticket does not follow it), or
        # nothing gained
        try:
            with self.env.cr.savepoint():
                ticket.with_user(self.supervisor).activity_schedule(
                    "mail.mail_activity_data_todo", user_id=self.agent_2.id, summary="look"
                )
        except AccessError:
            self.env.invalidate_all()
        self.assertCannotSee(self.agent_2, ticket)
        # 4. the mail gateway: the agent emails the desk quoting the reference
        raw = (
            f"From: {self.agent_2.partner_id.email or 'atk_agent2@example.com'}\r\n"
            f"To: desk@atk.example\r\nSubject: Re: [{ticket.reference}] me too\r\n"
            "Message-Id: <atk-follow-1@atk.example>\r\nContent-Type: text/plain\r\n\r\nadd me\r\n"
        )
        try:
            self.env["mail.thread"].sudo().message_process("spid.ticket", raw)
        except (ValueError, UserError):
            pass  # refused: nothing to follow either
        self.assertCannotSee(self.agent_2, ticket)
        for unit in (self.agent, self.agent_2):
            for model in ("spid.workunit", "spid.ticket.link", "spid.ticket.sla", "spid.ticket.report"):
                self.assertFalse(
                    self.env[model].with_user(unit).search([("ticket_id", "=", ticket.id)]),
                    f"a follower finds {model} of another team's ticket",
                )
        # over HTTP, with the context an attacker sends
        self._login(self.agent)
        self.assertRefusedRpc("spid.ticket", "read", [ticket.ids, ["name"]])
        self.assertRefusedRpc("spid.ticket", "write", [ticket.ids, {"name": "mine"}])
        result, _error = self._call_kw(
            "spid.ticket", "search_read", [[("id", "=", ticket.id)]], {"fields": ["name"]}
        )
        self.assertFalse(result)
        data, _error = self._rpc(
            "/mail/thread/data",
            {
                "thread_model": "spid.ticket",
                "thread_id": ticket.id,
                "request_list": ["followers", "attachments"],
            },
        )
        self.assertNotIn("ATK-B-SECRET", json.dumps(data))
        self.assertEqual(ticket.name, "ATK-B-SECRET")

    def test_following_a_team_is_the_managers_business(self):
        team = self.team_b
        before = team.message_partner_ids
        for user in (self.agent, self.supervisor, self.user):
            for partners in (user.partner_id, self.agent_2.partner_id):
                with self.assertRaises(AccessError):
                    team.with_user(user).message_subscribe(partner_ids=partners.ids)
        self._login(self.agent)
        self.assertRefusedRpc(
            "spid.team", "message_subscribe", [team.ids], {"partner_ids": self.agent.partner_id.ids}
        )
        self.assertRefusedRpc(
            "mail.followers",
            "create",
            [{"res_model": "spid.team", "res_id": team.id, "partner_id": self.agent.partner_id.id}],
        )
        self.assertEqual(team.message_partner_ids, before, "no one follows the team by themselves")
        # the follow button is not offered to those who may not follow
        arch = (
            self.env["spid.team"].with_user(self.agent).get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("chatter", arch)
        arch = (
            self.env["spid.team"]
            .with_user(self.manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("chatter", arch)
        # a manager may make an agent follow a team; the agent still reads
        # none of its tickets, new or old
        team.with_user(self.manager).message_subscribe(partner_ids=self.agent.partner_id.ids)
        self.assertTrue(self._follows(team, self.agent))
        new = self.env["spid.ticket"].create(
            {"name": "ATK-B-NEW", "partner_id": self.requester.id, "team_id": team.id}
        )
        for ticket in (new, self.ticket_b):
            self.assertCannotSee(self.agent, ticket)

    # -- ratings ----------------------------------------------------------------

    def test_ratings_are_hidden_from_agents_and_users(self):
        ticket, rating = self.ticket_a, self.rating
        self.assertEqual(ticket.sudo().rating_ids, rating)
        for user in (self.agent, self.agent_2):
            as_user = ticket.with_user(user)
            for field in RATING_FIELDS:
                with self.assertRaises(AccessError, msg=f"{user.login} reads {field}"):
                    as_user.read([field])
            with self.assertRaises(AccessError):
                as_user.search([("rating_last_value", ">", 0)])
            with self.assertRaises(AccessError):
                self.env["spid.ticket.report"].with_user(user).read_group([], ["rating:avg"], ["team_id"])
            # the form, list, kanban and search views load without them
            views = (
                self.env["spid.ticket"]
                .with_user(user)
                .get_views([(False, "form"), (False, "list"), (False, "kanban"), (False, "search")])
            )
            for view in views["views"].values():
                self.assertNotIn("rating_", view["arch"])
            report_views = (
                self.env["spid.ticket.report"]
                .with_user(user)
                .get_views([(False, "pivot"), (False, "graph"), (False, "list"), (False, "search")])
            )
            for view in report_views["views"].values():
                self.assertNotIn('name="rating"', view["arch"])
        for user in (self.agent, self.agent_2, self.user):
            Rating = self.env["rating.rating"].with_user(user)
            self.assertFalse(Rating.search([("res_model", "=", "spid.ticket")]))
            self.assertFalse(Rating.search([("id", "=", rating.id)]))
            with self.assertRaises(AccessError):
                rating.with_user(user).read(["rating", "feedback"])
            with self.assertRaises(AccessError):
                rating.with_user(user).write({"rating": 5, "feedback": "forged"})
            with self.assertRaises(AccessError):
                rating.with_user(user).unlink()
            with self.assertRaises(AccessError):
                Rating.create(
                    {
                        "res_model_id": self.env["ir.model"]._get_id("spid.ticket"),
                        "res_id": ticket.id,
                        "rating": 5,
                        "consumed": True,
                    }
                )
            # a rating of another document moved onto the ticket
            other = Rating.create(
                {"res_model_id": self.env["ir.model"]._get_id("res.partner"), "res_id": user.partner_id.id}
            )
            with self.assertRaises(AccessError):
                other.write(
                    {
                        "res_model_id": self.env["ir.model"]._get_id("spid.ticket"),
                        "res_id": ticket.id,
                        "rating": 5,
                    }
                )
        self.env.invalidate_all()
        self.assertEqual((rating.rating, rating.feedback), (1, "RATING-SECRET"))
        self.assertEqual(len(ticket.sudo().rating_ids), 1)

    def test_ratings_over_http(self):
        ticket, rating = self.ticket_a, self.rating
        model_id = self.env["ir.model"]._get_id("spid.ticket")
        ratings = self.env["rating.rating"].search_count([("res_model", "=", "spid.ticket")])
        for user in (self.agent, self.user):
            self._login(user)
            if user == self.agent:
                for field in ("rating_last_value", "rating_last_feedback", "rating_ids", "rating_avg"):
                    self.assertRefusedRpc("spid.ticket", "read", [ticket.ids, [field]])
                for domain in (
                    [("rating_last_feedback", "ilike", "SECRET")],
                    [("rating_ids.feedback", "ilike", "SECRET")],
                    [("rating_last_value", "=", 1)],
                    [("rating_avg", ">=", 1)],
                ):
                    # refused, or answered as if nothing matched
                    result, _error = self._call_kw("spid.ticket", "search", [domain])
                    self.assertNotIn(ticket.id, result or [], f"the agent learns {domain}")
                self.assertRefusedRpc(
                    "spid.ticket.report", "read_group", [[], ["rating:avg"], ["team_id"]], {"lazy": False}
                )
                self.assertRefusedRpc(
                    "spid.ticket.report",
                    "web_read_group",
                    [[]],
                    {"fields": ["rating:avg"], "groupby": ["team_id"]},
                )
                self.assertRefusedRpc("spid.ticket.report", "search_read", [[]], {"fields": ["rating"]})
                result, _error = self._call_kw("spid.ticket", "read", [ticket.ids, ["name"]])
                self.assertEqual(result[0]["name"], "ATK-A", "the ticket itself stays readable")
                # the chatter sends the thread's rating figures with its messages
                data, error = self._rpc(
                    "/mail/thread/messages", {"thread_model": "spid.ticket", "thread_id": ticket.id}
                )
                self.assertFalse(error)
                self.assertTrue(data["messages"])
                self.assertNotIn("rating_avg", json.dumps(data))
            result, error = self._call_kw(
                "rating.rating",
                "search_read",
                [[("res_model", "=", "spid.ticket")]],
                {"fields": ["feedback"]},
            )
            self.assertFalse(result)
            self.assertNotIn("RATING-SECRET", json.dumps(error or ""))
            self.assertRefusedRpc("rating.rating", "read", [rating.ids, ["feedback"]])
            self.assertRefusedRpc("rating.rating", "write", [rating.ids, {"rating": 5}])
            self.assertRefusedRpc("rating.rating", "unlink", [rating.ids])
            self.assertRefusedRpc(
                "rating.rating",
                "create",
                [{"res_model_id": model_id, "res_id": ticket.id, "rating": 5, "consumed": True}],
            )
        self.assertEqual((rating.rating, rating.feedback), (1, "RATING-SECRET"))
        self.assertEqual(self.env["rating.rating"].search_count([("res_model", "=", "spid.ticket")]), ratings)
        # supervisors read and handle them
        self._login(self.supervisor)
        result, error = self._call_kw(
            "spid.ticket", "read", [ticket.ids, ["rating_last_value", "rating_last_feedback"]]
        )
        self.assertFalse(error)
        self.assertEqual(result[0]["rating_last_feedback"], "RATING-SECRET")
        result, error = self._call_kw(
            "spid.ticket.report", "read_group", [[("ticket_id", "=", ticket.id)], ["rating:avg"], []]
        )
        self.assertFalse(error)
        _result, error = self._call_kw("rating.rating", "write", [rating.ids, {"feedback": "Reviewed"}])
        self.assertFalse(error)
        self.env.invalidate_all()
        self.assertEqual(rating.feedback, "Reviewed")

    def test_agents_still_work_rated_tickets(self):
        """Renaming a rated ticket and closing with the rating request go
        through the ratings as the system, not as the agent."""
        self.ticket_a.with_user(self.agent).write({"name": "ATK-A renamed"})
        self.assertEqual(self.rating.sudo().res_name, self.ticket_a.display_name)
        token = self.ticket_a.with_user(self.agent)._rating_get_access_token()
        self.assertTrue(self.env["rating.rating"].sudo().search([("access_token", "=", token)]))
        with self.assertRaises(AccessError):
            self.ticket_b.with_user(self.agent)._rating_get_access_token()

    def test_a_customer_still_rates_with_the_token(self):
        token = self.ticket_a.sudo()._rating_get_access_token()
        form = self.url_open(f"/rate/{token}/5")
        self.assertEqual(form.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        self.url_open(
            f"/rate/{token}/submit_feedback", data={"rate": 5, "feedback": "Great", "csrf_token": csrf}
        )
        rated = self.env["rating.rating"].sudo().search([("access_token", "=", token)])
        self.assertEqual((rated.rating, rated.feedback), (5, "Great"))

    # -- multi-company ------------------------------------------------------

    def test_other_companies_data_stays_there(self):
        company_b = self.env["res.company"].create({"name": "Atk company B"})
        team = self.env["spid.team"].create({"name": "Atk team of B", "company_id": company_b.id})
        ticket = (
            self.env["spid.ticket"]
            .with_company(company_b)
            .create({"name": "ATK-COMPANY-B", "partner_id": self.requester.id, "company_id": company_b.id})
        )
        policy = self.env["spid.sla.policy"].create(
            {
                "name": "Atk B policy",
                "company_id": company_b.id,
                "response_hours": 4,
                "calendar_id": company_b.resource_calendar_id.id,
                "active": False,
            }
        )
        clock = self.env["spid.ticket.sla"].create(
            {"ticket_id": ticket.id, "policy_id": policy.id, "kind": "response", "target_hours": 4}
        )
        link = self.env["spid.ticket.link"].create(
            {"ticket_id": ticket.id, "res_ref": f"res.partner,{self.client.id}"}
        )
        objective = self.env["spid.agent.objective"].create(
            {"user_id": self.agent.id, "month": "2026-01-01", "company_id": company_b.id, "target_hours": 3}
        )
        self.assertEqual((clock.company_id, link.company_id), (company_b, company_b))
        self.env.flush_all()
        # an agent of company A only: even a ticket without team, their own objective
        for record in (clock, link, objective):
            self.assertCannotSee(self.agent, record)
        # a supervisor of both companies with only A active
        self.supervisor.company_ids |= company_b
        for record in (clock, link, objective):
            as_sup = record.with_user(self.supervisor).with_context(allowed_company_ids=[self.env.company.id])
            self.assertFalse(as_sup.search([("id", "=", record.id)]))
            as_sup = record.with_user(self.supervisor).with_context(allowed_company_ids=[company_b.id])
            self.assertTrue(as_sup.search([("id", "=", record.id)]))
        self._login(self.agent)
        result, _error = self._call_kw(
            "spid.ticket.sla", "search_read", [[]], {"fields": ["ticket_id", "deadline"]},
            context={"allowed_company_ids": [company_b.id]},
        )  # fmt: skip
        self.assertNotIn("ATK-COMPANY-B", json.dumps(result))
        self.assertRefusedRpc("spid.ticket.sla", "read", [clock.ids, ["ticket_id"]])
        self.assertRefusedRpc("spid.ticket.link", "read", [link.ids, ["res_ref"]])
        self.assertRefusedRpc("spid.agent.objective", "read", [objective.ids, ["target_hours"]])
        # no company's record points to another company's
        Category = self.env["spid.ticket.category"]
        with self.assertRaises(UserError):
            Category.create({"name": "A to B", "company_id": self.env.company.id, "team_id": team.id})
        category_b = Category.create({"name": "Of B", "company_id": company_b.id})
        with self.assertRaises(UserError):
            Category.create({"name": "child", "company_id": self.env.company.id, "parent_id": category_b.id})
        with self.assertRaises(UserError):
            self.team_a.default_category_id = category_b
        with self.assertRaises(UserError):
            self.env["spid.sla.policy"].create(
                {"name": "A with B's team", "response_hours": 1, "team_ids": [Command.link(team.id)]}
            )
        with self.assertRaises(UserError):
            self.env["spid.sla.policy"].create(
                {
                    "name": "A with B's category",
                    "response_hours": 1,
                    "category_ids": [Command.link(category_b.id)],
                }
            )
        # a category of every company may still route to any team
        shared = Category.create({"name": "Shared", "team_id": team.id})
        self.assertEqual(shared.team_id, team)

    # -- locked tickets ------------------------------------------------------

    def _locked_state(self):
        self.env.invalidate_all()
        files = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "spid.ticket"),
                    ("res_id", "=", self.ticket_locked.id),
                    ("res_field", "=", False),
                ]
            )
        )
        links = self.env["spid.ticket.link"].sudo().search([("ticket_id", "=", self.ticket_locked.id)])
        return (
            sorted((f.name, f.raw) for f in files),
            sorted(links.mapped("name")),
            self.ticket_locked.sudo().signed_workorder,
            (self.file_open.res_model, self.file_open.res_id),
        )

    def _locked_attacks(self, user):
        """What a user may try on the locked ticket's files and links."""
        ticket = self.ticket_locked
        as_user = self.env["ir.attachment"].with_user(user)
        return [
            lambda: as_user.create(
                {"name": "new.txt", "raw": b"X", "res_model": "spid.ticket", "res_id": ticket.id}
            ),
            lambda: as_user.create(
                {"name": "new.txt", "raw": b"X", "res_model": "spid.ticket", "res_id": str(ticket.id)}
            ),
            lambda: self.file_locked.with_user(user).write({"raw": b"FORGED"}),
            lambda: self.file_locked.with_user(user).write({"name": "renamed.txt"}),
            lambda: self.file_locked.with_user(user).write({"res_id": self.ticket_a.id}),
            lambda: self.file_locked.with_user(user).write(
                {"res_model": "res.partner", "res_id": user.partner_id.id}
            ),
            lambda: self.file_open.with_user(user).write({"res_id": ticket.id}),
            lambda: self.file_locked.with_user(user).unlink(),
            # Odoo's chatter routes do it with sudo() on the user's behalf
            lambda: as_user.sudo().create(
                {"name": "s.txt", "raw": b"X", "res_model": "spid.ticket", "res_id": ticket.id}
            ),
            lambda: self.file_locked.with_user(user).sudo().unlink(),
            lambda: ticket.with_user(user).message_post(body="with a file", attachments=[("m.txt", b"X")]),
            lambda: self.env["spid.ticket.link"]
            .with_user(user)
            .create({"ticket_id": ticket.id, "res_ref": f"res.partner,{self.client.id}", "name": "NEW"}),
            lambda: self.link_locked.with_user(user).write({"name": "CHANGED"}),
            lambda: self.link_locked.with_user(user).unlink(),
            lambda: self.link_open.with_user(user).write({"ticket_id": ticket.id}),
        ]

    def test_locked_ticket_files_and_links_do_not_change_orm(self):
        before = self._locked_state()
        ticket, Attachment = self.ticket_locked, self.env["ir.attachment"]
        for user in (self.agent, self.supervisor):
            attacks = self._locked_attacks(user)
            for number, attack in enumerate(attacks):
                with self.subTest(user=user.login, attack=number), self.assertRefused():
                    attack()
            with self.assertRefused():
                signed = Attachment.sudo().search(
                    [
                        ("res_model", "=", "spid.ticket"),
                        ("res_id", "=", ticket.id),
                        ("res_field", "=", "signed_workorder"),
                    ]
                )
                self.assertTrue(signed)
                signed.with_user(user).write({"raw": b"FORGED"})
        self.assertEqual(self._locked_state(), before)
        # the system (superuser, or our own code with the SYSTEM switch) still may
        extra = with_switch(Attachment.with_user(self.agent).sudo(), SYSTEM).create(
            {"name": "system.txt", "raw": b"S", "res_model": "spid.ticket", "res_id": ticket.id}
        )
        extra.with_user(self.env.ref("base.user_root")).unlink()

    def test_locked_ticket_files_and_links_do_not_change_http(self):
        ticket = self.ticket_locked
        before = self._locked_state()
        self._login(self.agent)
        self.assertRefusedRpc(
            "ir.attachment",
            "create",
            [{"name": "n.txt", "raw": "WA==", "res_model": "spid.ticket", "res_id": ticket.id}],
        )
        self.assertRefusedRpc("ir.attachment", "write", [self.file_locked.ids, {"datas": "Rk9SR0VE"}])
        self.assertRefusedRpc("ir.attachment", "write", [self.file_open.ids, {"res_id": ticket.id}])
        self.assertRefusedRpc("ir.attachment", "unlink", [self.file_locked.ids])
        self.assertRefusedRpc(
            "spid.ticket.link",
            "create",
            [{"ticket_id": ticket.id, "res_ref": f"res.partner,{self.client.id}"}],
        )
        self.assertRefusedRpc("spid.ticket.link", "write", [self.link_locked.ids, {"name": "CHANGED"}])
        self.assertRefusedRpc("spid.ticket.link", "unlink", [self.link_locked.ids])
        self.assertRefusedRpc(
            "spid.ticket", "message_post", [ticket.ids], {"body": "x", "attachments": [["a.txt", "X"]]}
        )
        # the chatter: a file uploaded for the composer, then posted with the message
        pending = (
            self.env["ir.attachment"]
            .with_user(self.agent)
            .create({"name": "pending.txt", "raw": b"P", "res_model": "mail.compose.message", "res_id": 0})
        )
        self.env.flush_all()
        messages_before = len(ticket.sudo().message_ids)
        _result, error = self._rpc(
            "/mail/message/post",
            {"thread_model": "spid.ticket", "thread_id": ticket.id,
             "post_data": {"body": "file", "attachment_ids": pending.ids, "message_type": "comment"}},
        )  # fmt: skip
        self.assertTrue(error, "a file posted on a locked ticket")
        self.env.invalidate_all()
        self.assertEqual(len(ticket.sudo().message_ids), messages_before)
        self.assertEqual(pending.res_model, "mail.compose.message")
        # the chatter's upload button
        response = self.url_open(
            "/mail/attachment/upload",
            data={"thread_id": ticket.id, "thread_model": "spid.ticket", "csrf_token": self._csrf()},
            files={"ufile": ("up.txt", b"UP", "text/plain")},
        )
        self.assertNotIn('"id"', response.text if response.ok else "")
        _result, error = self._rpc("/mail/attachment/delete", {"attachment_id": self.file_locked.id})
        self.assertEqual(self._locked_state(), before)

    def _csrf(self):
        page = self.url_open("/odoo").text
        found = re.search(r'csrf_token: "([^"]+)"', page) or re.search(r'"csrf_token": "([^"]+)"', page)
        return found.group(1) if found else ""

    # -- work units ------------------------------------------------------------

    def test_work_is_logged_as_oneself(self):
        Unit = self.env["spid.workunit"]
        own = Unit.with_user(self.agent).create({"ticket_id": self.ticket_a.id, "duration": 1})
        self.assertEqual(own.user_id, self.agent)
        with self.assertRefused("own work"):
            Unit.with_user(self.agent).create(
                {"ticket_id": self.ticket_a.id, "duration": 1, "user_id": self.agent_2.id}
            )
        with self.assertRefused("own work"):
            Unit.with_user(self.agent).with_context(default_user_id=self.agent_2.id).create(
                {"ticket_id": self.ticket_a.id, "duration": 1}
            )
        with self.assertRefused("own work"):
            own.with_user(self.agent).write({"user_id": self.agent_2.id})
        self.assertEqual(own.user_id, self.agent)
        self.assertFalse(
            Unit.search([("ticket_id", "=", self.ticket_a.id), ("user_id", "=", self.agent_2.id)])
        )
        # a supervisor logs for someone else
        theirs = Unit.with_user(self.supervisor).create(
            {"ticket_id": self.ticket_a.id, "duration": 1, "user_id": self.agent_2.id}
        )
        self.assertEqual(theirs.user_id, self.agent_2)
        # an agent's import logs their own work only
        result = Unit.with_user(self.agent).load(
            ["ticket_id/.id", "user_id/.id", "duration"], [[str(self.ticket_a.id), str(self.agent_2.id), "2"]]
        )
        self.assertFalse(result["ids"])
        self.assertFalse(
            Unit.search(
                [
                    ("ticket_id", "=", self.ticket_a.id),
                    ("user_id", "=", self.agent_2.id),
                    ("duration", "=", 2),
                ]
            )
        )

    def test_work_units_over_http(self):
        self._login(self.agent)
        count = self.env["spid.workunit"].search_count([])
        self.assertRefusedRpc(
            "spid.workunit",
            "create",
            [{"ticket_id": self.ticket_a.id, "duration": 1, "user_id": self.agent_2.id}],
        )
        self.assertRefusedRpc(
            "spid.workunit", "create", [{"ticket_id": self.ticket_a.id, "duration": 1}],
            context={"default_user_id": self.agent_2.id},
        )  # fmt: skip
        self.assertEqual(self.env["spid.workunit"].search_count([]), count)
        # `import_file` in the context is no import: the unit is posted as usual
        messages = len(self.ticket_a.message_ids)
        result, error = self._call_kw(
            "spid.workunit",
            "create",
            [{"ticket_id": self.ticket_a.id, "duration": 1, "description": "<p>rpc unit</p>"}],
            context={"default_user_id": self.agent.id},
        )
        self.assertFalse(error)
        self.env.invalidate_all()
        self.assertGreater(
            len(self.ticket_a.message_ids), messages, "the unit was posted, not imported silently"
        )

    def test_import_logs_without_notification(self):
        Unit = self.env["spid.workunit"].with_user(self.supervisor)
        result = Unit.load(
            ["ticket_id/.id", "user_id/.id", "duration", "date", "visibility"],
            [[str(self.ticket_a.id), str(self.agent_2.id), "1.5", "2024-03-04 10:00:00", "public"]],
        )
        self.assertTrue(result["ids"], result["messages"])
        message = self.ticket_a.message_ids.filtered(lambda m: m.date.year == 2024)
        self.assertEqual(len(message), 1, "logged at the date of the work")
        self.assertFalse(message.notified_partner_ids)
        self.assertFalse(self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)]))
