"""The cast of every portal test, over real HTTP: two clients (A grouped:
its contacts see each other's tickets; B independent: each contact sees
only their own), a site of each, an agent in no team (no automatic
assignment picks them), and the helpers that post the portal's forms with
their CSRF token. Customers are made per suite with `_customer()`, so that
each suite keeps its own logins. The demo service levels are switched off
and the public form's rate limits are off (a suite that tests them sets
them). Nothing here reads demo data."""

from odoo.tests import HttpCase, new_test_user

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token

AGENT_GROUPS = "base.group_user,spid_helpdesk.group_spid_agent"


class SpidPortalCommon(HttpCase):
    # Logins of the suite's users start with this; customers' addresses are at email_domain.
    login_prefix = "portal_"
    email_domain = "portal.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # Service levels of the demo data would apply to every ticket here.
        env["spid.sla.policy"].search([]).active = False
        params = env["ir.config_parameter"].sudo()
        params.set_param("spid_helpdesk.submit_rate_limit", "0")
        params.set_param("spid_helpdesk.submit_ip_rate_limit", "0")
        Partner = env["res.partner"]
        cls.client_a = Partner.create(
            {
                "name": "Alpha Corp",
                "is_company": True,
                "spid_is_client": True,
                "spid_team_visibility": "grouped",
            }
        )
        cls.client_b = Partner.create(
            {
                "name": "Beta Ltd",
                "is_company": True,
                "spid_is_client": True,
                "spid_team_visibility": "independent",
            }
        )
        cls.site_a = Partner.create({"name": "Alpha plant", "parent_id": cls.client_a.id, "type": "other"})
        cls.site_b = Partner.create({"name": "Beta depot", "parent_id": cls.client_b.id, "type": "other"})
        cls.agent = new_test_user(env, f"{cls.login_prefix}agent", groups=AGENT_GROUPS)

    # -- fixtures ------------------------------------------------------------

    @classmethod
    def _customer(cls, login, client, name=None):
        """A portal user (password = login), contact of `client`, with an
        address of their own at the suite's email domain."""
        partner = cls.env["res.partner"].create(
            {"name": name or login.title(), "parent_id": client.id, "email": f"{login}@{cls.email_domain}"}
        )
        return new_test_user(
            cls.env, login, groups="base.group_portal", partner_id=partner.id, email=partner.email
        )

    @classmethod
    def _portal_ticket(cls, customer, name, **values):
        """A ticket requested by `customer` (a portal user)."""
        return cls.env["spid.ticket"].create({"name": name, "partner_id": customer.partner_id.id, **values})

    @classmethod
    def _internal_work(cls, ticket, work, note):
        """What a customer must never see on `ticket`: an internal work unit
        of 3 hours whose description holds `work`, and an internal note `note`."""
        cls.env["spid.workunit"].create(
            {
                "ticket_id": ticket.id,
                "visibility": "internal",
                "description": f"<p>{work}</p>",
                "user_id": cls.agent.id,
                "duration": 3,
            }
        )
        ticket.message_post(body=note, subtype_xmlid="mail.mt_note")

    # -- over HTTP -----------------------------------------------------------

    def get(self, url, login=None):
        """GET `url` (logged in as `login` first, when given), no redirect followed."""
        if login:
            self.authenticate(login, login)
        return self.url_open(url, allow_redirects=False)

    def csrf(self, url="/my/tickets/new"):
        """The CSRF token of the form of `url`, as the browser sends it."""
        return form_csrf_token(self.url_open(url).text)

    def post(self, url, data, files=None, token_url="/my/tickets/new", timeout=12):
        """POST a form to `url` with the CSRF token of the page at `token_url`."""
        data = dict(data, csrf_token=self.csrf(token_url))
        return self.url_open(url, data=data, files=files, allow_redirects=False, timeout=timeout)
