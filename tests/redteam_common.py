"""The red-team suites' cast (test_redteam_*.py): two teams with an email
alias each, an agent in each, an internal user without helpdesk group, two
clients with a requester each who is also a portal user, and a ticket of
each team, one per client; plus the snapshots that show an attack changed
nothing. `tag` names everything ("RT-B-SECRET", "rt_agent", "RT team A"),
so that a test can look for a secret's text anywhere.

- `RedTeamCommon`: the cast above.
- `RedTeamOneCommon` (tag RT): plus a supervisor and a manager, an internal
  work unit on each ticket, a link and an internal note on ticket A.
- `RedTeamTwoCommon` (tag RT2): client A is *independent* and has a second
  contact (portal user) who is no requester; an agent of two companies, a
  third company with a ticket of its own, a message of the requester on
  ticket A, a file on ticket B, the public form's rate limits off."""

from attack_common import AGENT, HOSTILE_CONTEXT, MANAGER, PDF, SUPERVISOR, JsonRpcAttacker

from odoo import Command
from odoo.tests import HttpCase, new_test_user


class RedTeamCommon(JsonRpcAttacker, HttpCase):
    hostile_context = HOSTILE_CONTEXT
    tag = "RT"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        tag, login = cls.tag, cls.tag.lower()
        env["spid.sla.policy"].search([]).active = False
        env["ir.config_parameter"].sudo().set_param("spid_helpdesk.mail_rate_limit", "0")
        cls.company_b = env["res.company"].create({"name": f"{tag} company B"})
        cls.agent = new_test_user(env, f"{login}_agent", groups=AGENT, email=f"{login}_agent@staff.example")
        cls.agent_b = new_test_user(
            env, f"{login}_agent_b", groups=AGENT, email=f"{login}_agent_b@staff.example"
        )
        cls.user = new_test_user(
            env, f"{login}_user", groups="base.group_user", email=f"{login}_user@staff.example"
        )
        Partner = env["res.partner"]
        cls.client_a = Partner.create(
            {
                "name": f"{tag} Alpha",
                "is_company": True,
                "spid_is_client": True,
                "spid_team_visibility": cls.client_a_visibility,
            }
        )
        cls.client_b = Partner.create({"name": f"{tag} Beta", "is_company": True, "spid_is_client": True})
        cls.requester_a = Partner.create(
            {"name": f"Ann {tag}", "parent_id": cls.client_a.id, "email": f"{login}_portal_a@alpha.example"}
        )
        cls.requester_b = Partner.create(
            {"name": f"Bob {tag}", "parent_id": cls.client_b.id, "email": f"{login}_portal_b@beta.example"}
        )
        cls.portal_a = cls._portal_user(f"{login}_portal_a", cls.requester_a)
        cls.portal_b = cls._portal_user(f"{login}_portal_b", cls.requester_b)
        cls.alias_domain = env["mail.alias.domain"].create({"name": f"{login}.redteam.example.com"})
        env.company.alias_domain_id = cls.alias_domain
        Team = env["spid.team"]
        cls.team_a, cls.team_b = (
            Team.create(
                {
                    "name": f"{tag} team {x.upper()}",
                    "member_ids": agent.ids,
                    "assignment": "none",
                    "alias_name": f"{login}-{x}",
                    "alias_domain_id": cls.alias_domain.id,
                }
            )
            for x, agent in (("a", cls.agent), ("b", cls.agent_b))
        )
        Ticket = env["spid.ticket"]
        cls.ticket_a = Ticket.create(
            {
                **cls.ticket_a_values,
                "partner_id": cls.requester_a.id,
                "team_id": cls.team_a.id,
                "user_id": cls.agent.id,
            }
        )
        cls.ticket_b = Ticket.create(
            {
                "name": f"{tag}-B-SECRET",
                "partner_id": cls.requester_b.id,
                "team_id": cls.team_b.id,
                "user_id": cls.agent_b.id,
            }
        )
        cls.message_b = cls.ticket_b.message_post(
            body=f"{tag}-B-MESSAGE", message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    @classmethod
    def _portal_user(cls, login, partner):
        return new_test_user(
            cls.env, login, groups="base.group_portal", partner_id=partner.id, email=partner.email
        )

    # -- snapshots -----------------------------------------------------------

    def _messages(self, ticket):
        self._sync()
        return (
            self.env["mail.message"].search([("model", "=", "spid.ticket"), ("res_id", "=", ticket.id)]).ids
        )

    def _followers(self, ticket):
        self._sync()
        return set(ticket.sudo().message_partner_ids.ids)

    def _files(self, ticket):
        self._sync()
        return (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "spid.ticket"), ("res_id", "=", ticket.id)])
            .ids
        )

    def _state(self, ticket):
        return (
            self._messages(ticket),
            self._followers(ticket),
            self._files(ticket),
            self._row(ticket, ["status_id", "user_id", "name", "portal_confirmed"]),
        )

    def _mails_to(self, email, before=()):
        self._sync()
        return self.env["mail.mail"].search(
            [
                ("id", "not in", list(before)),
                "|",
                ("email_to", "ilike", email),
                ("recipient_ids.email", "=ilike", email),
            ]
        )

    def _all_mail_ids(self):
        self._sync()
        return self.env["mail.mail"].search([]).ids

    # -- actions -------------------------------------------------------------

    def _receive(self, raw):
        """`raw` handed to the gateway as the mail server does (superuser)."""
        thread_id = self.env["mail.thread"].message_process(None, raw.encode())
        self._sync()
        return self.env["spid.ticket"].browse(thread_id) if thread_id else self.env["spid.ticket"]

    def _agent_answers(self, ticket, body=None):
        ticket.with_user(ticket.user_id).message_post(
            body=body or f"{self.tag}-AGENT-ANSWER", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self._sync()

    def _lock(self, ticket):
        """Closed and locked, as invoicing or a supervisor leaves it."""
        self.env.flush_all()
        closed = self.env.ref("spid_helpdesk.status_closed")
        self.env.cr.execute(
            "UPDATE spid_ticket SET is_locked = TRUE, status_id = %s, is_closed = TRUE WHERE id = %s",
            [closed.id, ticket.id],
        )
        self.env.invalidate_all()


class RedTeamOneCommon(RedTeamCommon):
    tag = "RT"
    client_a_visibility = "independent"
    ticket_a_values = {"name": "RT-A"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.supervisor = new_test_user(env, "rt_supervisor", groups=SUPERVISOR, email="rt_sup@staff.example")
        cls.manager = new_test_user(env, "rt_manager", groups=MANAGER, email="rt_manager@staff.example")
        Unit = env["spid.workunit"]
        cls.unit_a, cls.unit_b = (
            Unit.create(
                {
                    "ticket_id": ticket.id,
                    "user_id": ticket.user_id.id,
                    "duration": duration,
                    "description": f"<p>{text}</p>",
                    "visibility": "internal",
                }
            )
            for ticket, duration, text in (
                (cls.ticket_a, 1, "RT-UNIT-A"),
                (cls.ticket_b, 2, "RT-UNIT-B-SECRET"),
            )
        )
        cls.link_a = env["spid.ticket.link"].create(
            {"ticket_id": cls.ticket_a.id, "res_ref": f"res.partner,{cls.client_a.id}", "name": "RT-LINK-A"}
        )
        cls.ticket_a.message_post(body="RT-NOTE-A", subtype_xmlid="mail.mt_note")
        env.flush_all()


class RedTeamTwoCommon(RedTeamCommon):
    tag = "RT2"
    client_a_visibility = "independent"
    ticket_a_values = {"name": "RT2-A-PRIVATE", "description": "<p>RT2-A-DESCRIPTION</p>"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        params = env["ir.config_parameter"].sudo()
        params.set_param("spid_helpdesk.submit_rate_limit", "0")
        params.set_param("spid_helpdesk.submit_ip_rate_limit", "0")
        cls.company_c = env["res.company"].create({"name": "RT2 company C"})
        # an agent of the main company and of company B, never of C
        cls.agent_mc = new_test_user(
            env,
            "rt2_agent_mc",
            groups=AGENT,
            email="rt2_agent_mc@staff.example",
            company_id=env.company.id,
            company_ids=[Command.set([env.company.id, cls.company_b.id])],
        )
        cls.colleague_a = env["res.partner"].create(
            {"name": "Carl RT2", "parent_id": cls.client_a.id, "email": "rt2_portal_a2@alpha.example"}
        )
        cls.portal_a2 = cls._portal_user("rt2_portal_a2", cls.colleague_a)
        cls.ticket_c = (
            env["spid.ticket"]
            .with_company(cls.company_c)
            .sudo()
            .create({"name": "RT2-C-SECRET", "company_id": cls.company_c.id})
        )
        cls.message_a = cls.ticket_a.message_post(
            body="RT2-A-MESSAGE",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=cls.requester_a.id,
        )
        cls.file_b = env["ir.attachment"].create(
            {"name": "rt2-b.pdf", "raw": PDF, "res_model": "spid.ticket", "res_id": cls.ticket_b.id}
        )
        env.flush_all()
