"""Bad input on the customer's forms, over HTTP with the CSRF token, as a
portal user and as a visitor: whatever is posted, the answer is the created
ticket or a clear error on the form, never a server error, never half a
ticket, never a script that runs on the customer's or the agent's page."""

from hardening_common import FUZZ, INJECTIONS, MARK, active_content, dirty_id, dirty_text, typed
from hypothesis import event, example, given
from hypothesis import strategies as st
from werkzeug.urls import url_encode

from odoo.tests import tagged

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token
from odoo.addons.spid_helpdesk_portal.tests.common import SpidPortalCommon

ERROR_BOX = 'class="alert alert-danger"'


@tagged("post_install", "-at_install")
class TestFuzzPortal(SpidPortalCommon):
    login_prefix = "fuzz_"
    email_domain = "fuzz.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # client_a, grouped, is the customer's; client_b is the victim's
        cls.client, cls.site = cls.client_a, cls.site_a
        cls.other_client, cls.other_site = cls.client_b, cls.site_b
        cls.customer = cls._customer("fuzz_fanny", cls.client, name="Fanny")
        victim = cls._customer("fuzz_vic", cls.other_client, name="Vic")
        # the common agent is in no team: no automatic assignment ever picks them
        cls.outsider_agent = cls.agent
        cls.category = env["spid.ticket.category"].create({"name": "Fuzz category"})
        cls.type = env["spid.ticket.type"].create({"name": "Fuzz type", "portal_selectable": True})
        cls.hidden_type = env["spid.ticket.type"].create(
            {"name": "Internal only", "portal_selectable": False}
        )
        cls.ticket = cls._portal_ticket(cls.customer, "Fanny's printer")
        cls.victim_ticket = cls._portal_ticket(victim, "Vic's server")

    def setUp(self):
        super().setUp()
        self.authenticate("fuzz_fanny", "fuzz_fanny")
        self.token = self.csrf()

    def _post(self, url, data):
        return self.url_open(url, data=dict(data, csrf_token=self.token), allow_redirects=False, timeout=60)

    def assertSafe(self, html, where):
        self.assertFalse(active_content(html), f"active content survived in {where}")

    def assertNoServerError(self, response):
        self.assertLess(response.status_code, 500, f"server error: {response.text[:2000]}")

    # -- opening a ticket from the portal ------------------------------

    @FUZZ
    @given(
        name=dirty_text(),
        description=dirty_text(),
        urgency=st.sampled_from(["", "0", "1", "2", "3", "4", "high", "\x00"]),
        bad=st.sampled_from([None, "site_id", "type_id", "category_id"]),
        ids=st.data(),
        injected=st.booleans(),
    )
    @example(name="Line\x00break", description="x", urgency="", bad=None, ids=None, injected=False)
    @example(name="Huge id", description="", urgency="1", bad="category_id", ids=None, injected=True)
    def test_new_ticket_form(self, name, description, urgency, bad, ids, injected):
        """One field at most (`bad`) gets garbage or another client's record,
        so that the good path is taken often enough too."""
        Ticket = self.env["spid.ticket"]
        before = Ticket.search_count([])
        data = {"name": name, "description": description, "urgency": urgency}
        choices = {
            "site_id": (self.site, self.other_site),
            "type_id": (self.type, self.hidden_type),
            "category_id": (self.category, self.category.browse()),
        }
        for field, (good, wrong) in choices.items():
            if ids is None:
                data[field] = "99999999999999999999" if field == bad else str(good.id)
            elif field == bad:
                data[field] = ids.draw(dirty_id(wrong.ids))
            else:
                data[field] = ids.draw(st.sampled_from(["", str(good.id)]))
        if injected:  # fields a customer must never set
            data.update(
                partner_id=self.victim_ticket.partner_id.id,
                client_id=self.other_client.id,
                user_id=self.outsider_agent.id,
                status_id=self.env.ref("spid_helpdesk.status_closed").id,
                editor_id=self.outsider_agent.id,
                priority="3",
            )
        response = self._post("/my/tickets/new", data)
        self.assertNoServerError(response)
        event(f"answer {response.status_code}")
        if response.status_code == 200:
            self.assertIn(ERROR_BOX, response.text, "a refused form says why")
            self.assertSafe(response.text, "the form shown again")
            self.assertEqual(Ticket.search_count([]), before, "a refused form creates nothing")
            return
        self.assertEqual(response.status_code, 303)
        self.assertEqual(Ticket.search_count([]), before + 1)
        ticket = Ticket.search([], order="id desc", limit=1)
        self.assertIn(f"/my/tickets/{ticket.id}", response.headers["Location"])
        self.assertEqual(ticket.name, typed(name), "stored as typed, control characters dropped")
        self.assertEqual((ticket.partner_id, ticket.client_id), (self.customer.partner_id, self.client))
        self.assertEqual(ticket.channel, "portal")
        self.assertNotEqual(ticket.user_id, self.outsider_agent)
        self.assertTrue(ticket.status_id.is_start)
        self.assertFalse(ticket.site_id - self.site, "only a site of the customer's client")
        self.assertFalse(ticket.type_id - self.type, "only a type selectable on the portal")
        self.assertSafe(ticket.description, "the stored description")
        page = self.url_open(response.headers["Location"], timeout=60)
        self.assertEqual(page.status_code, 200)
        self.assertSafe(page.text, "the ticket's portal page")

    # -- answering a ticket --------------------------------------------

    @FUZZ
    @given(message=dirty_text(max_size=200))
    @example(message=INJECTIONS[0])
    @example(message="\x00")
    def test_reply(self, message):
        Message = self.env["mail.message"]
        domain = [("model", "=", "spid.ticket"), ("res_id", "=", self.ticket.id)]
        before = Message.search_count(domain)
        response = self._post(f"/my/tickets/{self.ticket.id}/reply", {"message": message})
        self.assertNoServerError(response)
        self.assertEqual(response.status_code, 303)
        location = response.headers["Location"]
        event("refused" if "error=" in location else "posted")
        if "error=" in location:
            self.assertEqual(Message.search_count(domain), before, "a refused answer posts nothing")
        else:
            posted = Message.search(domain, order="id desc", limit=1)
            self.assertEqual(posted.author_id, self.customer.partner_id)
            self.assertSafe(posted.body, "the posted message")
        page = self.url_open(location, timeout=60)
        self.assertEqual(page.status_code, 200)
        self.assertSafe(page.text, "the ticket's portal page")

    def test_reply_to_another_clients_ticket_with_hostile_text(self):
        for message in INJECTIONS[:3]:
            response = self._post(f"/my/tickets/{self.victim_ticket.id}/reply", {"message": message})
            self.assertEqual(response.status_code, 404)
        self.assertFalse(self.victim_ticket.message_ids.filtered(lambda m: MARK in (m.body or "")))

    # -- pages that echo their parameters --------------------------------

    @FUZZ
    @given(
        search=dirty_text(60),
        sortby=st.sampled_from(["date", "status", "nonsense", "id desc; DROP TABLE x"]),
        filterby=st.sampled_from(["open", "all", "closed", "waiting", "evil"]),
        groupby=st.sampled_from(["none", "status", "partner_id"]),
        error=dirty_text(60),
    )
    @example(search="\x00%_\\", sortby="date", filterby="all", groupby="none", error=INJECTIONS[0])
    def test_list_and_page_parameters(self, search, sortby, filterby, groupby, error):
        params = {"search": search, "sortby": sortby, "filterby": filterby, "groupby": groupby}
        page = self.url_open("/my/tickets?" + url_encode(params), timeout=60)
        self.assertNoServerError(page)
        self.assertEqual(page.status_code, 200)
        self.assertSafe(page.text, "the ticket list")
        self.assertNotIn(self.victim_ticket.reference, page.text)
        page = self.url_open(f"/my/tickets/{self.ticket.id}?" + url_encode({"error": error}), timeout=60)
        self.assertEqual(page.status_code, 200)
        self.assertSafe(page.text, "the ticket page showing an error")

    # -- the public form -----------------------------------------------

    @FUZZ
    @given(
        name=dirty_text(40),
        email=st.one_of(
            st.sampled_from(["vis@fuzz.example", "VIS@Fuzz.Example", "vis+tag@fuzz.example"]),
            st.sampled_from(["a@b", "@", "x@y.example\r\nBcc: z@z", "vis@fuzz.example\x00"]),
            dirty_text(30),
        ),
        title=dirty_text(),
        description=dirty_text(),
        client_name=dirty_text(40),
        category_id=dirty_id(),
    )
    @example(
        name="Vis", email="vis@fuzz.example", title="t\x00", description="", client_name="", category_id=""
    )
    @example(name="Vis", email="vis@fuzz.example", title="ok", description="", client_name="",
             category_id="99999999999999999999")  # fmt: skip
    def test_public_submit(self, name, email, title, description, client_name, category_id):
        self.logout()
        page = self.url_open("/helpdesk/submit", timeout=60)
        token = form_csrf_token(page.text)
        Ticket = self.env["spid.ticket"]
        before = Ticket.search_count([])
        data = {
            "name": name,
            "email": email,
            "title": title,
            "description": description,
            "client_name": client_name,
            "category_id": category_id,
            "csrf_token": token,
        }
        response = self.url_open("/helpdesk/submit", data=data, timeout=60)
        self.assertNoServerError(response)
        self.assertEqual(response.status_code, 200)
        self.assertSafe(response.text, "the public form's answer")
        event("refused" if ERROR_BOX in response.text else "created")
        if ERROR_BOX in response.text:
            self.assertEqual(Ticket.search_count([]), before, "a refused form creates nothing")
            return
        self.assertIn("your request was received as", response.text)
        self.assertEqual(Ticket.search_count([]), before + 1)
        ticket = Ticket.search([], order="id desc", limit=1)
        self.assertEqual(ticket.name, typed(title).strip())
        self.assertEqual(ticket.channel, "web")
        self.assertNotIn("\n", ticket.email_from or "", "no header injection through the address")
        self.assertSafe(ticket.description, "the stored description")
