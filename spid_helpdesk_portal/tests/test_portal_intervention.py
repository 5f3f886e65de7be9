"""The signature page of an intervention (issue #19), over HTTP as the
customer, their colleague, another client's customer, a visitor with and
without the emailed link, the technician on a tablet and an agent of
another team; JSON-RPC as the customer with an attacker's context; a tour
at phone size signing with Odoo's widget."""

import base64
import json
from datetime import datetime, timedelta

from odoo.tests import new_test_user, tagged

from odoo.addons.spid_helpdesk.tests.common import JsonRpcMixin
from odoo.addons.spid_helpdesk_portal.models.spid_intervention import PORTAL_READABLE_FIELDS

from .common import AGENT_GROUPS, SpidPortalCommon

# 1x1 PNG: what the widget sends, smaller
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()
ATTACK_CONTEXT = {
    "spid_system": True,
    "active_test": False,
    "sudo": True,
    "uid": 1,
    "force_report_rendering": True,
}


@tagged("post_install", "-at_install")
class TestPortalIntervention(JsonRpcMixin, SpidPortalCommon):
    login_prefix = "sign_"
    email_domain = "sign.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.anna = cls._customer("sign_anna", cls.client_a)
        cls.arno = cls._customer("sign_arno", cls.client_a)  # colleague of a grouped client
        cls.bert = cls._customer("sign_bert", cls.client_b)
        cls.other_agent = new_test_user(env, "sign_other_agent", groups=AGENT_GROUPS)
        cls.team = env["spid.team"].create(
            {"name": "Field", "member_ids": [(6, 0, cls.agent.ids)], "assignment": "none"}
        )
        env["spid.team"].create(
            {"name": "Elsewhere", "member_ids": [(6, 0, cls.other_agent.ids)], "assignment": "none"}
        )
        cls.ticket = cls._portal_ticket(
            cls.anna, "Boiler leaks", user_id=cls.agent.id, team_id=cls.team.id, site_id=cls.site_a.id
        )
        cls.ticket_b = cls._portal_ticket(
            cls.bert, "Bert's boiler", user_id=cls.agent.id, team_id=cls.team.id
        )
        when = datetime.now().replace(microsecond=0) + timedelta(days=1)

        def plan(ticket, done=True):
            intervention = env["spid.intervention"].create(
                {"ticket_id": ticket.id, "user_ids": [(6, 0, cls.agent.ids)], "date_planned": when}
            )
            if done:
                intervention.write(
                    {
                        "report": "<p>SEAL-REPLACED on the boiler.</p>",
                        "duration_done": 1.5,
                        "material_ids": [
                            (0, 0, {"name": "Gasket 22 mm", "quantity": 2, "note": "GASKET-NOTE"})
                        ],
                    }
                )
                intervention.action_done()
            return intervention

        cls.done = plan(cls.ticket)
        cls.planned = plan(cls.ticket, done=False)
        cls.cancelled = plan(cls.ticket, done=False)
        cls.cancelled.action_cancel()
        cls.done_b = plan(cls.ticket_b)
        env.flush_all()

    def sign(self, intervention, name="Anna Customer", signature=SIGNATURE, token=None):
        """The widget's call: JSON to the sign route (with the token in the URL for a link's visitor)."""
        url = f"/my/interventions/{intervention.id}/sign" + (f"?access_token={token}" if token else "")
        response = self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "params": {"name": name, "signature": signature}}),
            headers={"Content-Type": "application/json"},
        )
        return response.json()["result"]

    def assertUnsigned(self, *interventions):
        for intervention in interventions:
            intervention.invalidate_recordset()
            self.assertNotEqual(intervention.state, "signed", intervention.name)
            self.assertFalse(intervention.signature)

    # -- the customer ------------------------------------------------------------

    def test_customer_signs_on_the_portal(self):
        ticket_page = self.get(f"/my/tickets/{self.ticket.id}", "sign_anna").text
        self.assertIn('id="spid_interventions"', ticket_page)
        self.assertIn(f'href="/my/interventions/{self.done.id}"', ticket_page)
        self.assertIn("To sign", ticket_page)
        self.assertIn(self.planned.name, ticket_page)
        self.assertNotIn(self.cancelled.name, ticket_page, "cancelled ones are not listed")

        page = self.get(f"/my/interventions/{self.done.id}")
        self.assertEqual(page.status_code, 200)
        for shown in ("SEAL-REPLACED", "Gasket 22 mm", "GASKET-NOTE", "Alpha plant", "portal.signature_form"):
            self.assertIn(shown, page.text)
        self.assertIn(f"/my/interventions/{self.done.id}/sign", page.text)

        result = self.sign(self.done)
        self.assertTrue(result.get("force_refresh"), result)
        self.done.invalidate_recordset()
        self.assertEqual(self.done.state, "signed")
        self.assertEqual(self.done.signed_by, "Anna Customer")
        report = self.done.signed_report_id
        self.assertEqual((report.res_model, report.res_id), ("spid.ticket", self.ticket.id))
        self.assertEqual(report.mimetype, "application/pdf")
        # the requester is told, with the signed report
        message = self.ticket.message_ids.filtered(lambda m: report in m.attachment_ids)
        self.assertEqual(len(message), 1)
        self.assertIn(self.anna.partner_id, message.notification_ids.res_partner_id)
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertIn(self.anna.partner_id, mail.recipient_ids)
        self.assertIn(report, mail.attachment_ids)

        page = self.get(f"/my/interventions/{self.done.id}").text
        self.assertIn('id="spid_signed"', page)
        self.assertIn("Anna Customer", page)
        self.assertIn("data:image/png;base64,", page)
        self.assertIn(f"/web/content/{report.id}?access_token={report.access_token}", page)
        self.assertNotIn("portal.signature_form", page)
        # the download works for the customer
        self.assertEqual(
            self.url_open(f"/web/content/{report.id}?access_token={report.access_token}").status_code, 200
        )

    def test_visitor_with_the_emailed_link(self):
        url = self.done._spid_signature_url()
        self.assertIn(f"/my/interventions/{self.done.id}?access_token=", url)
        token = self.done.access_token
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 200)
        # without the token: to the login page; with another's token: nothing
        response = self.url_open(f"/my/interventions/{self.done.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        other_token = self.done_b._portal_ensure_token()
        for bad in (other_token, "x" * len(token), ""):
            response = self.url_open(
                f"/my/interventions/{self.done.id}?access_token={bad}", allow_redirects=False
            )
            self.assertIn(response.status_code, (303, 404), bad)
            self.assertIn("error", self.sign(self.done, token=bad or None))
        self.assertUnsigned(self.done)
        self.assertTrue(self.sign(self.done, "Visitor on site", token=token).get("force_refresh"))
        self.assertEqual(self.done.state, "signed")

    def test_the_tickets_emailed_link_leads_to_its_interventions(self):
        """A visitor reading the ticket through its emailed link follows the
        links to its interventions without logging in: each intervention
        has its token from its creation, so no page writes one."""
        self.assertTrue(self.done.access_token)
        ticket_token = self.ticket.sudo()._portal_ensure_token()
        page = self.url_open(f"/my/tickets/{self.ticket.id}?access_token={ticket_token}").text
        link = f"/my/interventions/{self.done.id}?access_token={self.done.access_token}"
        self.assertIn(link.replace("&", "&amp;"), page)
        self.assertEqual(self.url_open(link, allow_redirects=False).status_code, 200)
        # logged in, the customer's links need no token
        self.authenticate(self.anna.login, self.anna.login)
        page = self.url_open(f"/my/tickets/{self.ticket.id}").text
        self.assertIn(f'href="/my/interventions/{self.done.id}"', page)
        self.assertNotIn(self.done.access_token, page)

    # -- refusals ----------------------------------------------------------------

    def test_wrong_states_and_bad_input(self):
        self.authenticate("sign_anna", "sign_anna")
        self.assertIn("error", self.sign(self.planned))
        self.assertIn("error", self.sign(self.cancelled))
        self.assertIn("error", self.sign(self.done, name="  "))
        self.assertIn("error", self.sign(self.done, signature=base64.b64encode(b"GIF89a not a png").decode()))
        self.assertIn("error", self.sign(self.done, signature="%%% not base64"))
        self.assertIn("error", self.sign(self.done, signature=""))
        self.assertUnsigned(self.done, self.planned, self.cancelled)
        self.assertIn("planned", self.get(f"/my/interventions/{self.planned.id}").text)
        self.assertTrue(self.sign(self.done).get("force_refresh"))
        second = self.sign(self.done, name="Someone else")
        self.assertIn("error", second, "signed once, for good")
        self.assertEqual(self.done.signed_by, "Anna Customer")

    def test_other_customers_and_agents(self):
        # another client's customer: not by id, not with their own intervention's token
        self.authenticate("sign_bert", "sign_bert")
        self.assertEqual(self.get(f"/my/interventions/{self.done.id}").status_code, 404)
        token_b = self.done_b._portal_ensure_token()
        self.assertEqual(
            self.get(f"/my/interventions/{self.done.id}?access_token={token_b}").status_code, 404
        )
        self.assertIn("error", self.sign(self.done))
        self.assertIn("error", self.sign(self.done, token=token_b))
        # an agent of another team on the "tablet" path
        self.authenticate("sign_other_agent", "sign_other_agent")
        self.assertEqual(self.get(f"/my/interventions/{self.done.id}").status_code, 404)
        self.assertIn("error", self.sign(self.done))
        self.assertUnsigned(self.done)
        # a form post (what another site could send) is not the widget's JSON call
        self.authenticate("sign_anna", "sign_anna")
        response = self.url_open(
            f"/my/interventions/{self.done.id}/sign",
            data={"name": "Forged", "signature": SIGNATURE},
            allow_redirects=False,
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertUnsigned(self.done)
        # the technician's tablet: an agent who may read it signs for the customer
        self.authenticate(self.agent.login, self.agent.login)
        self.assertEqual(self.get(f"/my/interventions/{self.done.id}").status_code, 200)
        self.assertTrue(self.sign(self.done, "Anna at the plant").get("force_refresh"))
        self.assertEqual(self.done.state, "signed")

    def test_colleague_of_a_grouped_client_reads_and_signs(self):
        """The colleague reads the ticket (grouped client): they may sign its
        intervention on site, as anyone given the link may."""
        self.authenticate("sign_arno", "sign_arno")
        self.assertEqual(self.get(f"/my/interventions/{self.done.id}").status_code, 200)
        self.assertTrue(self.sign(self.done, "Arno").get("force_refresh"))

    def test_json_rpc_reads_the_listed_fields_only(self):
        def rpc(login, method, args, kwargs=None):
            kwargs = dict(kwargs or {}, context=ATTACK_CONTEXT)
            return self._rpc(login, "spid.intervention", method, args, kwargs)

        result = rpc("sign_anna", "search_read", [[]], {"fields": ["name", "state", "report"]})
        self.assertNotIn("error", result, result)
        self.assertEqual(
            {row["id"] for row in result["result"]}, {self.done.id, self.planned.id, self.cancelled.id}
        )
        self.assertEqual(
            rpc("sign_bert", "search_read", [[]], {"fields": ["name"]})["result"][0]["id"], self.done_b.id
        )
        refused = sorted(set(self.env["spid.intervention"]._fields) - PORTAL_READABLE_FIELDS)
        self.assertIn("instructions", refused)
        self.assertIn("workunit_ids", refused)
        for name in refused:
            result = rpc("sign_anna", "search_read", [[("id", "=", self.done.id)]], {"fields": [name]})
            self.assertIn("error", result, name)
            result = rpc("sign_anna", "search", [[(name, "!=", False)]])
            self.assertIn("error", result, f"search on {name}")
        for values in ({"signed_by": "Forged"}, {"state": "signed"}, {"report": "<p>x</p>"}):
            self.assertIn("error", rpc("sign_anna", "write", [[self.done.id], values]), values)
        result = rpc("sign_anna", "_spid_sign", [[self.done.id], "Anna", SIGNATURE])
        self.assertIn("error", result, "private: not callable over RPC")
        self.assertUnsigned(self.done)


@tagged("post_install", "-at_install")
class TestPortalInterventionPhone(SpidPortalCommon):
    """The customer signs with Odoo's widget on a phone-sized page."""

    login_prefix = "signtour_"
    email_domain = "signtour.example"
    browser_size = "375x667"
    touch_enabled = True

    def test_sign_on_a_phone(self):
        anna = self._customer("signtour_anna", self.client_a, name="Anna Phone")
        ticket = self._portal_ticket(anna, "Tour boiler", user_id=self.agent.id, site_id=self.site_a.id)
        intervention = self.env["spid.intervention"].create(
            {
                "ticket_id": ticket.id,
                "user_ids": [(6, 0, self.agent.ids)],
                "date_planned": datetime.now().replace(microsecond=0),
                "report": "<p>Tour: seal replaced.</p>",
                "duration_done": 1.0,
                "material_ids": [(0, 0, {"name": "Tour gasket", "quantity": 1})],
            }
        )
        intervention.action_done()
        self.start_tour(
            f"/my/interventions/{intervention.id}",
            "spid_portal_intervention_sign_tour",
            login="signtour_anna",
        )
        intervention.invalidate_recordset()
        self.assertEqual(intervention.state, "signed")
        self.assertEqual(intervention.signed_by, "Anna Phone on site")
        self.assertTrue(intervention.signed_report_id)
