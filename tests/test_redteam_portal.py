"""Red team, the portal's routes: another client's ticket by id, POSTs
without CSRF and GETs, the anonymous visitor; uploads relinked to another
client's ticket, files and posts with the token of another ticket, edits
and reactions on others' messages; the public form's confirmation link.
Each attack is refused and changes nothing."""

import json

from attack_common import PDF
from redteam_common import RedTeamOneCommon, RedTeamTwoCommon

from odoo.tests import tagged

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token


@tagged("post_install", "-at_install")
class TestRedTeamPortal(RedTeamOneCommon):
    """Portal routes and the anonymous visitor."""

    # -- portal routes -------------------------------------------------------

    def test_portal_routes_with_another_clients_ticket(self):
        closed = self.env.ref("spid_helpdesk.status_closed")
        other = self.env["spid.ticket"].create(
            {
                "name": "RT-B-CLOSED",
                "partner_id": self.requester_b.id,
                "team_id": self.team_b.id,
                "user_id": self.agent_b.id,
            }
        )
        other.write({"status_id": closed.id, "resolution": "solved", "epilogue": "<p>done</p>"})
        self._sync()
        state = (
            self._messages(self.ticket_b),
            self._row(self.ticket_b, ["status_id"]),
            self._messages(other),
            self._row(other, ["status_id"]),
        )
        self._login(self.portal_a)
        csrf = form_csrf_token(self.url_open("/my/tickets/new").text)
        for url, data in (
            (f"/my/tickets/{self.ticket_b.id}/reply", {"message": "RT-INTRUDER"}),
            (f"/my/tickets/{self.ticket_b.id}/close", {}),
            (f"/my/tickets/{other.id}/reopen", {"reason": "RT-INTRUDER"}),
        ):
            response = self.url_open(url, data=dict(data, csrf_token=csrf), allow_redirects=False)
            self.assertIn(response.status_code, (303, 302, 404, 403, 400), url)
        page = self.url_open(f"/my/tickets/{self.ticket_b.id}")
        self.assertNotIn("RT-B-SECRET", page.text)
        page = self.url_open(f"/my/tickets/{self.ticket_b.id}?access_token=x")
        self.assertNotIn("RT-B-SECRET", page.text)
        self.assertEqual(
            state,
            (
                self._messages(self.ticket_b),
                self._row(self.ticket_b, ["status_id"]),
                self._messages(other),
                self._row(other, ["status_id"]),
            ),
        )

    def test_portal_posts_need_csrf_and_post(self):
        ticket = self.ticket_a
        state = (
            self._messages(ticket),
            self._row(ticket, ["status_id"]),
            self.env["spid.ticket"].search_count([]),
        )
        self._login(self.portal_a)
        for url, data in (
            (f"/my/tickets/{ticket.id}/reply", {"message": "RT-NO-CSRF"}),
            (f"/my/tickets/{ticket.id}/close", {}),
            ("/my/tickets/new", {"name": "RT-NO-CSRF"}),
        ):
            response = self.url_open(url, data=data, allow_redirects=False)
            self.assertGreaterEqual(response.status_code, 400, f"{url} accepted a POST without CSRF token")
            response = self.url_open(f"{url}?message=RT-GET&name=RT-GET", allow_redirects=False)
            self.assertNotEqual(response.status_code, 303, f"{url} acted on a GET")
        self.logout()
        response = self.url_open(
            "/helpdesk/submit",
            data={"name": "Eve", "email": "eve@evil.example", "title": "RT-NO-CSRF"},
            allow_redirects=False,
        )
        self.assertGreaterEqual(response.status_code, 400)
        response = self.url_open("/helpdesk/submit?name=Eve&email=eve@evil.example&title=RT-GET")
        self.assertEqual(
            state,
            (
                self._messages(ticket),
                self._row(ticket, ["status_id"]),
                self.env["spid.ticket"].search_count([]),
            ),
        )

    def test_anonymous_visitor(self):
        for model, method, args in (
            ("spid.ticket", "search_read", [[]]),
            ("spid.ticket.category", "search_read", [[]]),
            ("spid.team", "search_read", [[]]),
            ("spid.ticket", "message_post", [self.ticket_a.ids]),
        ):
            result, _error = self._call_kw(model, method, args)
            self.assertNotIn("RT-A", json.dumps(result))
            self.assertNotIn("RT team", json.dumps(result))
        for url in (
            f"/my/tickets/{self.ticket_a.id}",
            f"/web/content/spid.ticket/{self.ticket_a.id}/signed_workorder",
            f"/report/html/spid_helpdesk.report_spid_workorder/{self.ticket_a.id}",
            f"/helpdesk/confirm/{self.ticket_a.id}/0",
        ):
            page = self.url_open(url)
            self.assertNotIn("Ann RT", page.text, url)


@tagged("post_install", "-at_install")
class TestRedTeam2Portal(RedTeamTwoCommon):
    """Files, others' messages, tokens and the confirmation link."""

    # -- files -------------------------------------------------------------

    def test_pending_upload_relinked_to_another_clients_ticket(self):
        files_b = self._files(self.ticket_b)
        self._login(self.portal_a)
        csrf = form_csrf_token(self.url_open("/my/tickets/new").text)
        wrong = []
        uploaded = []
        for thread in (self.ticket_a, self.ticket_b):
            response = self.url_open(
                "/mail/attachment/upload",
                data={
                    "csrf_token": csrf,
                    "thread_id": thread.id,
                    "thread_model": "spid.ticket",
                    "is_pending": "true",
                },
                files={"ufile": ("rt2.pdf", PDF, "application/pdf")},
            )
            if response.status_code == 200 and thread == self.ticket_b:
                wrong.append("uploaded on another client's ticket")
            try:
                data = response.json()
            except ValueError:
                data = {}
            attachment = (data.get("data") or {}).get("ir.attachment") or data.get("ir.attachment") or []
            uploaded += [a["id"] for a in attachment if isinstance(a, dict) and "id" in a]
        uploaded = uploaded or self.env["ir.attachment"].search([("create_uid", "=", self.portal_a.id)]).ids
        for attachment_id in uploaded:
            for model, method, args in (
                (
                    "ir.attachment",
                    "write",
                    [[attachment_id], {"res_model": "spid.ticket", "res_id": self.ticket_b.id}],
                ),
                (
                    "ir.attachment",
                    "create",
                    [{"name": "rt2.txt", "raw": "x", "res_model": "spid.ticket", "res_id": self.ticket_b.id}],
                ),
            ):
                _result, error = self._call_kw(model, method, args)
                if not error:
                    wrong.append(f"{model}.{method}{args}")
            # posting on her own ticket the file that another thread's upload made
            self._rpc(
                "/mail/message/post",
                {
                    "thread_model": "spid.ticket",
                    "thread_id": self.ticket_b.id,
                    "post_data": {"body": "RT2-FILE", "attachment_ids": [attachment_id]},
                },
            )
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(self._files(self.ticket_b), files_b)

    def test_files_of_another_ticket_by_id_and_token(self):
        """Another client's file, by id, through /web/content and /web/image,
        with the access token of one's own file."""
        own = self.env["ir.attachment"].create(
            {"name": "rt2-a.pdf", "raw": PDF, "res_model": "spid.ticket", "res_id": self.ticket_a.id}
        )
        own_token = own.generate_access_token()[0]
        self._sync()
        self._login(self.portal_a)
        wrong = []
        for url in (
            f"/web/content/{self.file_b.id}",
            f"/web/content/{self.file_b.id}?access_token={own_token}",
            f"/web/image/{self.file_b.id}",
            f"/web/content/ir.attachment/{self.file_b.id}/datas",
            f"/web/content/{self.file_b.id}?access_token=&download=true",
        ):
            if b"%PDF" in self.url_open(url).content:
                wrong.append(url)
        result, _error = self._call_kw("ir.attachment", "read", [self.file_b.ids, ["name", "datas"]])
        if result:
            wrong.append("ir.attachment.read")
        self.assertFalse(wrong, "\n".join(wrong))

    # -- messages of others --------------------------------------------------

    def test_edits_and_reactions_on_others_messages(self):
        message = self.message_b
        body = message.body
        wrong = []
        for user in (self.portal_a, self.agent, self.user):
            self._login(user)
            for route, params in (
                (
                    "/mail/message/update_content",
                    {"message_id": message.id, "body": "RT2-EDITED", "attachment_ids": []},
                ),
                ("/mail/message/reaction", {"message_id": message.id, "content": "👎", "action": "add"}),
            ):
                result, _error = self._rpc(route, params)
                if "RT2-B" in json.dumps(result):
                    wrong.append(f"{user.login} {route} answered with ticket B's data")
            _result, error = self._call_kw("mail.message", "write", [message.ids, {"body": "RT2-EDITED"}])
            if not error:
                wrong.append(f"{user.login} mail.message.write")
        message.invalidate_recordset()
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(message.body, body)
        self.assertFalse(self.env["mail.message.reaction"].search([("message_id", "=", message.id)]))

    def test_customer_edit_of_her_own_message_notifies_nobody_new(self):
        """Editing one's own message may not add recipients from another client
        nor attach another ticket's file."""
        self._login(self.portal_a)
        before = self._all_mail_ids()
        self._rpc(
            "/mail/message/update_content",
            {
                "message_id": self.message_a.id,
                "body": "RT2-EDIT",
                "attachment_ids": self.file_b.ids,
                "partner_ids": self.requester_b.ids,
            },
        )
        self.message_a.invalidate_recordset()
        self.assertNotIn(self.requester_b, self.message_a.partner_ids)
        self.assertNotIn(self.file_b, self.message_a.attachment_ids)
        self.assertFalse(self._mails_to(self.requester_b.email, before))
        self.assertEqual(self.file_b.sudo().res_id, self.ticket_b.id)

    def test_post_with_the_token_of_another_ticket(self):
        """The access token of one's own ticket opens no other ticket, for a
        visitor nor for a customer."""
        token_a = self.ticket_a.sudo()._portal_ensure_token()
        self._sync()
        state = self._state(self.ticket_b)
        for login in (None, self.portal_a):
            if login:
                self._login(login)
            else:
                self._anonymous()
            for route, params in (
                (
                    "/mail/message/post",
                    {
                        "thread_model": "spid.ticket",
                        "thread_id": self.ticket_b.id,
                        "post_data": {"body": "RT2-TOKEN", "message_type": "comment"},
                        "token": token_a,
                    },
                ),
                (
                    "/mail/thread/messages",
                    {"thread_model": "spid.ticket", "thread_id": self.ticket_b.id, "token": token_a},
                ),
                (
                    "/portal/chatter_init",
                    {"thread_model": "spid.ticket", "thread_id": self.ticket_b.id, "token": token_a},
                ),
            ):
                result, _error = self._rpc(route, params)
                self.assertNotIn("RT2-B", json.dumps(result), route)
            page = self.url_open(f"/my/tickets/{self.ticket_b.id}?access_token={token_a}")
            self.assertNotIn("RT2-B-SECRET", page.text)
        self.assertEqual(self._state(self.ticket_b), state)

    # -- the public form's confirmation link -----------------------------------

    def _anonymous(self):
        self.authenticate(None, None)

    def _submit(self, email, title):
        self._anonymous()
        csrf = form_csrf_token(self.url_open("/helpdesk/submit").text)
        self.url_open(
            "/helpdesk/submit",
            data={"name": "Someone", "email": email, "title": title, "csrf_token": csrf},
        )
        return self.env["spid.ticket"].search([("name", "=", title)])

    def test_confirmation_link_of_another_ticket_and_replay(self):
        victim = self._submit(self.requester_b.email, "RT2-VICTIM-REQUEST")
        own = self._submit(self.requester_a.email, "RT2-OWN-REQUEST")
        self.assertTrue(victim and own)
        self.assertFalse(victim.portal_confirmed)
        own_token = own._spid_confirmation_token()
        state = self._state(victim)
        wrong = []
        for login in (None, self.portal_a, self.portal_b):
            if login:
                self._login(login)
            else:
                self._anonymous()
            for token in (own_token, own_token.upper(), "0", own_token[:-1]):
                url = f"/helpdesk/confirm/{victim.id}/{token}"
                page = self.url_open(url)
                if "RT2-VICTIM-REQUEST" in page.text:
                    wrong.append(f"GET {url} as {login and login.login}")
                csrf = form_csrf_token(self.url_open("/helpdesk/submit").text)
                response = self.url_open(url, data={"csrf_token": csrf})
                if response.status_code == 200 and "RT2-VICTIM-REQUEST" in response.text:
                    wrong.append(f"POST {url} as {login and login.login}")
            # the other ticket's id with one's own ticket's path segment
            response = self.url_open(f"/helpdesk/confirm/{victim.id}/{own.id}-{own_token}")
            if "RT2-VICTIM-REQUEST" in response.text:
                wrong.append("mixed path")
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(self._state(victim), state)
        # replay of one's own link: the second confirmation changes nothing
        self._anonymous()
        path = f"/helpdesk/confirm/{own.id}/{own_token}"
        page = self.url_open(path)
        self.url_open(path, data={"csrf_token": form_csrf_token(page.text)})
        own.invalidate_recordset()
        self.assertTrue(own.portal_confirmed)
        after_first = (self._state(own), self._all_mail_ids())
        self.url_open(path)  # the page of a confirmed request may offer no button
        self.url_open(path, data={"csrf_token": form_csrf_token(self.url_open("/helpdesk/submit").text)})
        self.assertEqual((self._state(own), self._all_mail_ids()), after_first, "a replayed link acted again")

    def test_customer_cannot_confirm_over_rpc(self):
        victim = self._submit(self.requester_b.email, "RT2-VICTIM-RPC")
        self._login(self.portal_a)
        for method, args in (
            ("_spid_portal_confirm", [victim.ids, "x"]),
            ("write", [victim.ids, {"portal_confirmed": True}]),
            ("_spid_send_confirmation_request", [victim.ids]),
            ("_spid_confirmation_token", [victim.ids]),
        ):
            result, error = self._call_kw("spid.ticket", method, args)
            self.assertTrue(error, method)
            self.assertFalse(result)
        victim.invalidate_recordset()
        self.assertFalse(victim.portal_confirmed)
