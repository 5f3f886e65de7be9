"""Issue 20: the public form embedded in another website.

- the setting "Sites allowed to embed the form" and its checks;
- the headers: `frame-ancestors 'self' <sites>` on the form's pages only;
- /helpdesk/embed's own token (no session, no CSRF cookie in a cross-site
  iframe): forged, expired, too fast, from another address, missing;
  the honeypot and the rate limits still apply;
- Chromium on a page of ANOTHER site (http://localhost:<port>, served by a
  second HTTP server started here, while Odoo is http://127.0.0.1:<port>)
  embedding the form with the shipped snippet: filled and sent inside the
  iframe, the ticket is created; from a site not allowed, the browser's CSP
  refuses to show the form."""

import json
import threading
import time
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.spid_helpdesk_portal.controllers.submit import embed_token
from odoo.addons.spid_helpdesk_portal.models.res_config_settings import EMBED_ORIGINS_PARAM

OUTER_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Partner site</title></head>
<body style="margin:0">
<h1 style="height:40px;margin:0">A partner's website</h1>
<script src="{odoo}/spid_helpdesk_portal/static/embed/helpdesk-embed.js" data-height="1200"></script>
</body></html>
"""


class OuterSite:
    """Another website: a real HTTP server on a free port of 127.0.0.1,
    serving the page that embeds the form; the browser reaches it as
    http://localhost:<port>, another site than http://127.0.0.1."""

    def __init__(self, odoo_url):
        page = OUTER_PAGE.format(odoo=odoo_url).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200 if self.path == "/partner.html" else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.origin = f"http://localhost:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@tagged("post_install", "-at_install")
class TestPortalEmbed(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("spid_helpdesk.submit_rate_limit", 0)
        cls.params.set_param("spid_helpdesk.submit_ip_rate_limit", 0)

    def _set_origins(self, text):
        settings = self.env["res.config.settings"].create({"spid_embed_origins": text})
        settings.execute()

    def _post_embed(self, data):
        return self.url_open("/helpdesk/embed", data=data)

    def _form(self, token, **values):
        return {
            "embed_token": token,
            "name": "Emma Embed",
            "email": "emma@embed.example",
            "title": "Help from the partner site",
            "description": "Sent from an iframe",
            **values,
        }

    def _tickets(self, title="Help from the partner site"):
        self.env.invalidate_all()
        return self.env["spid.ticket"].sudo().search([("name", "=", title)])

    # ------------------------------------------------------------------
    # The setting and the headers
    # ------------------------------------------------------------------

    def test_setting_checked_and_normalized(self):
        self._set_origins(
            "https://www.example.com/, HTTPS://*.Example.org\nhttp://localhost:8080 https://www.example.com"
        )
        self.assertEqual(
            self.params.get_param(EMBED_ORIGINS_PARAM),
            "https://www.example.com https://*.example.org http://localhost:8080",
        )
        for bad in [
            "www.example.com",
            "https://example.com/path",
            "https://example.com; script-src *",
            "'unsafe-inline'",
            "javascript:alert(1)",
            "*",
            "https://exa mple.com",
        ]:
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                self._set_origins(bad)
        self.assertEqual(
            self.params.get_param(EMBED_ORIGINS_PARAM),
            "https://www.example.com https://*.example.org http://localhost:8080",
        )

    def test_frame_ancestors_on_the_form_only(self):
        self._set_origins("https://www.example.com")
        for path in ("/helpdesk/embed", "/helpdesk/submit"):
            response = self.url_open(path)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(
                response.headers.get("Content-Security-Policy"),
                "frame-ancestors 'self' https://www.example.com",
            )
            self.assertNotIn("X-Frame-Options", response.headers)
        # Odoo's other pages keep their own headers
        login = self.url_open("/web/login")
        self.assertIn(login.headers.get("X-Frame-Options"), ("DENY", "SAMEORIGIN"))
        self.assertNotIn("www.example.com", login.headers.get("Content-Security-Policy", ""))
        self.assertNotIn("www.example.com", self.url_open("/my").headers.get("Content-Security-Policy", ""))
        # nothing configured: this server only
        self.params.set_param(EMBED_ORIGINS_PARAM, False)
        self.assertEqual(
            self.url_open("/helpdesk/embed").headers["Content-Security-Policy"], "frame-ancestors 'self'"
        )
        # a parameter written by hand cannot inject a directive
        self.params.set_param(
            EMBED_ORIGINS_PARAM, "https://ok.example.com; script-src * 'unsafe-inline' https://x.io"
        )
        self.assertEqual(
            self.url_open("/helpdesk/embed").headers["Content-Security-Policy"],
            "frame-ancestors 'self' https://x.io",
        )

    def test_embed_form_carries_its_token_not_the_csrf(self):
        page = self.url_open("/helpdesk/embed").text
        self.assertIn('action="/helpdesk/embed"', page)
        self.assertIn('name="embed_token"', page)
        self.assertNotIn('name="csrf_token"', page)
        self.assertIn('name="website_url"', page, "the honeypot is there")
        self.assertNotIn('id="top"', page, "no site header inside the iframe")

    # ------------------------------------------------------------------
    # The token: forged, expired, too fast, another address, missing
    # ------------------------------------------------------------------

    def test_embed_token_attacks(self):
        now = time.time()
        good = embed_token(self.env, "127.0.0.1", now=now - 10)
        issued, signature = good.split(".")
        # tokens made just before their request: the machine may be slow
        for label, make_token in [
            ("missing", lambda: None),
            ("empty", lambda: ""),
            ("garbage", lambda: "not-a-token"),
            ("forged signature", lambda: f"{issued}.{'0' * len(signature)}"),
            ("moved issue time", lambda: f"{int(issued) - 1}.{signature}"),
            ("expired", lambda: embed_token(self.env, "127.0.0.1", now=time.time() - 3 * 3600)),
            ("too fast", lambda: embed_token(self.env, "127.0.0.1", now=time.time() + 1)),
            ("another address", lambda: embed_token(self.env, "203.0.113.9", now=time.time() - 10)),
            ("from the future", lambda: embed_token(self.env, "127.0.0.1", now=time.time() + 3600)),
        ]:
            with self.subTest(label):
                token = make_token()
                data = self._form(token)
                if token is None:
                    del data["embed_token"]
                response = self._post_embed(data)
                self.assertEqual(response.status_code, 400)
                self.assertIn("alert-danger", response.text)
                self.assertIn('value="Emma Embed"', response.text, "the visitor's values are kept")
                self.assertFalse(self._tickets())
        # the session's CSRF token is no substitute
        self.url_open("/helpdesk/submit")
        response = self._post_embed({**self._form(None), "csrf_token": "anything"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._tickets())
        # and the public form itself still wants its CSRF token
        response = self.url_open("/helpdesk/submit", data=self._form(good))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._tickets())

    def test_embed_post_creates_with_honeypot_and_rate_limit(self):
        good = embed_token(self.env, "127.0.0.1", now=time.time() - 10)
        response = self._post_embed(self._form(good, website_url="http://spam.example"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you", response.text)
        self.assertFalse(self._tickets(), "the honeypot let a robot through")
        response = self._post_embed(self._form(good))
        self.assertEqual(response.status_code, 200)
        ticket = self._tickets()
        self.assertEqual(len(ticket), 1)
        self.assertIn(ticket.reference, response.text)
        self.assertEqual(ticket.channel, "web")
        self.assertEqual(ticket.submit_ip, "127.0.0.1")
        self.assertEqual(ticket.partner_id.email, "emma@embed.example")
        self.assertEqual(response.headers["Content-Security-Policy"], "frame-ancestors 'self'")
        self.assertIn('href="/helpdesk/embed"', response.text, "another request stays in the iframe")
        # the per-IP limit counts embedded requests too
        self.params.set_param("spid_helpdesk.submit_ip_rate_limit", 1)
        response = self._post_embed(self._form(good, title="One too many", email="other@embed.example"))
        self.assertIn("Too many requests from your network", response.text)
        self.assertFalse(self._tickets("One too many"))

    # ------------------------------------------------------------------
    # Chromium, from another site
    # ------------------------------------------------------------------

    def _open_outer_page(self, allowed):
        """Chromium on the outer site's page, the site allowed or not;
        returns (browser, frames): frames collects the DevTools sessions of
        the cross-site iframes."""
        self.outer_site = OuterSite(self.base_url())
        self.addCleanup(self.outer_site.stop)
        self._set_origins(self.outer_site.origin if allowed else "https://www.example.com")
        self.env.flush_all()
        browser = ChromeBrowser(self)
        self.addCleanup(browser.stop)
        # Odoo's test browser lets through requests to 127.0.0.1 only (and
        # answers the others itself): those to the outer site go to its real
        # server too, so the page comes from the network like any page
        odoo_handler = browser._handlers["Fetch.requestPaused"]

        def request_paused(**params):
            if params["request"]["url"].startswith(self.outer_site.origin + "/"):
                browser._websocket_send("Fetch.continueRequest", params={"requestId": params["requestId"]})
            else:
                odoo_handler(**params)

        browser._handlers["Fetch.requestPaused"] = request_paused
        frames = []

        def attached(sessionId, targetInfo, **kw):
            frames.append(
                {"session": sessionId, "type": targetInfo.get("type"), "url": targetInfo.get("url")}
            )

        browser._handlers["Target.attachedToTarget"] = attached
        browser._websocket_request(
            "Target.setAutoAttach",
            params={"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True},
        )
        browser.navigate_to(f"{self.outer_site.origin}/partner.html", wait_stop=True)
        return browser, frames

    def _evaluate(self, browser, expression, session=None, context_id=None):
        """Runtime.evaluate in the page, an iframe's session or a context."""
        request_id = next(browser._request_id)
        future = browser._responses[request_id] = Future()
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        if context_id:
            params["contextId"] = context_id
        message = {"id": request_id, "method": "Runtime.evaluate", "params": params}
        if session:
            message["sessionId"] = session
        browser.ws.send(json.dumps(message))
        return future.result(timeout=20)["result"].get("value")

    def _in_iframe(self, browser, frames, expression):
        """Evaluate in the embedded form's frame: its own process (a site
        other than the page's) or, if Chromium kept it in the page's, an
        isolated world of that frame."""
        values = []
        for frame in frames:
            try:
                values.append(self._evaluate(browser, expression, session=frame["session"]))
            except Exception:  # a frame gone since: nothing to read there
                values.append(None)
        if frames:
            return values
        tree = browser._websocket_request("Page.getFrameTree")["frameTree"]
        for child in tree.get("childFrames", []):
            world = browser._websocket_request(
                "Page.createIsolatedWorld", params={"frameId": child["frame"]["id"], "worldName": "spid_test"}
            )
            values.append(self._evaluate(browser, expression, context_id=world["executionContextId"]))
        return values

    def _wait_iframe(self, browser, frames, expression, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(self._in_iframe(browser, frames, expression)):
                return True
            time.sleep(0.3)
        return False

    def test_browser_embeds_and_submits_from_an_allowed_site(self):
        browser, frames = self._open_outer_page(allowed=True)
        self.assertEqual(self._evaluate(browser, "location.origin"), self.outer_site.origin)
        self.assertEqual(
            self._evaluate(browser, "document.querySelector('iframe.spid-helpdesk-embed').src"),
            f"{self.base_url()}/helpdesk/embed",
        )
        form = "document.querySelector('form[action=\"/helpdesk/embed\"]')"
        self.assertTrue(
            self._wait_iframe(browser, frames, f"!!{form}"), "the form did not show in the iframe"
        )
        # a person takes a few seconds; the token refuses instant posts
        time.sleep(2.5)
        filled = self._in_iframe(
            browser,
            frames,
            f"""(() => {{
                const form = {form};
                if (!form) return false;
                form.querySelector('[name=name]').value = 'Iris Iframe';
                form.querySelector('[name=email]').value = 'iris@iframe.example';
                form.querySelector('[name=title]').value = 'Sent through the iframe';
                form.querySelector('[name=description]').value = 'From the partner site';
                form.querySelector('button[type=submit]').click();
                return true;
            }})()""",
        )
        self.assertIn(True, filled)
        self.assertTrue(
            self._wait_iframe(
                browser, frames, "document.body.innerText.includes('your request was received as')"
            ),
            "no confirmation in the iframe",
        )
        self._wait_remaining_requests()
        ticket = self._tickets("Sent through the iframe")
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.partner_id.email, "iris@iframe.example")
        self.assertEqual(ticket.channel, "web")
        self.assertFalse(browser.had_failure, "a JavaScript error on the page")
        # the form ran in its own frame process (another site than the page)
        self.assertEqual([frame["type"] for frame in frames], ["iframe"])
        self.assertEqual(
            self._in_iframe(browser, frames, "location.href"), [f"{self.base_url()}/helpdesk/embed"]
        )

    def test_browser_refuses_a_site_not_allowed(self):
        browser, frames = self._open_outer_page(allowed=False)
        self.assertEqual(self._evaluate(browser, "location.origin"), self.outer_site.origin)
        self.assertTrue(self._evaluate(browser, "!!document.querySelector('iframe.spid-helpdesk-embed')"))
        # the browser asked for the form and refused to show it: no form in any frame
        time.sleep(3)
        self.assertFalse(
            self._wait_iframe(browser, frames, "!!document.querySelector('form')", timeout=5),
            "the form showed on a site that is not allowed",
        )
        # the browser asked this server for the form, got it, and replaced
        # it with its error page: the CSP's frame-ancestors refused the site
        self.assertIn(f"{self.base_url()}/helpdesk/embed", [frame["url"] for frame in frames])
        self.assertEqual(self._in_iframe(browser, frames, "location.href"), ["chrome-error://chromewebdata/"])
        self._wait_remaining_requests()
