import base64
import json

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import JsonRpcMixin, SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestWorkunitAttachments(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    """A work unit's files travel with its post: a public unit's to the
    customer (email, portal), an internal one's never, by no route."""

    def _upload(self, name, user=None, content=b"measured 42 V"):
        """A file as the form's widget uploads it before the unit is saved."""
        return (
            self.env["ir.attachment"]
            .with_user(user or self.agent)
            .create({"name": name, "raw": content, "res_model": "spid.workunit", "res_id": 0})
        )

    def _unit(self, ticket, visibility, files, user=None):
        return (
            self.env["spid.workunit"]
            .with_user(user or self.agent)
            .create(
                {
                    "ticket_id": ticket.id,
                    "visibility": visibility,
                    "description": f"<p>{visibility} work</p>",
                    "attachment_ids": [(6, 0, files.ids)],
                }
            )
        )

    def _emails_to(self, partner, message):
        notifications = self.env["mail.notification"].search(
            [("mail_message_id", "=", message.id), ("res_partner_id", "=", partner.id)]
        )
        return notifications.mail_mail_id

    def test_public_unit_files_reach_the_customer(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        report = self._upload("report.txt")
        unit = self._unit(ticket, "public", report)
        self.assertEqual(
            (report.res_model, report.res_id), ("spid.workunit", unit.id), "the unit owns its file"
        )
        post = ticket.message_ids[0]
        self.assertEqual(post.attachment_ids, report, "the file is in the unit's post")
        self.assertFalse(post.subtype_id.internal)
        emails = self._emails_to(self.requester, post)
        self.assertTrue(emails, "the requester is emailed the public work")
        self.assertEqual(emails.attachment_ids, report, "with its file")
        self.assertIn("public work", emails.body_html)

        # on the portal: through the share link only
        files = unit._spid_portal_files()[unit.id]
        self.assertEqual(files, report)
        self.authenticate("hd_portal", "hd_portal")
        response = self.url_open(f"/web/content/{report.id}?access_token={files.access_token}&download=true")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"measured 42 V")

    def test_internal_unit_files_never_reach_the_customer(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.message_subscribe(partner_ids=self.agent_2.partner_id.ids)
        secret = self._upload("firewall.log", content=b"internal secret")
        unit = self._unit(ticket, "internal", secret)
        post = ticket.message_ids[0]
        self.assertEqual(post.attachment_ids, secret, "the file is in the internal note")
        self.assertTrue(post.subtype_id.internal)
        self.assertFalse(self._emails_to(self.requester, post), "no email to the customer")
        self.assertEqual(self._emails_to(self.agent_2.partner_id, post).attachment_ids, secret)
        self.assertEqual(unit._spid_portal_files(), {}, "no share link for internal work")
        self.assertFalse(secret.sudo().access_token)

        # every route a customer could try
        self.authenticate("hd_portal", "hd_portal")
        for url in (
            f"/web/content/{secret.id}",
            f"/web/content/{secret.id}?download=true",
            f"/web/content/{secret.id}?access_token=",
            f"/web/content/{secret.id}?access_token=guess",
            f"/web/content?model=ir.attachment&id={secret.id}&field=datas",
        ):
            response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), url)
            self.assertNotIn(b"internal secret", response.content, url)
        self.assertNotIn(b"internal secret", self.url_open(f"/web/image/{secret.id}").content)
        context = {"spid_system": True, "active_test": False, "bin_size": False, "uid": 1, "su": True}
        for method, args, kwargs in (
            ("read", [[secret.id], ["datas", "raw", "name"]], {"context": context}),
            ("search_read", [[("res_model", "=", "spid.workunit")], ["datas"]], {"context": context}),
            ("web_read", [[secret.id]], {"specification": {"datas": {}}, "context": context}),
        ):
            answer = self._rpc("hd_portal", "ir.attachment", method, args, kwargs)
            self.assertTrue("error" in answer or not answer["result"], f"{method}: {answer}")
            self.assertNotIn("internal secret", json.dumps(answer))
            self.assertNotIn(base64.b64encode(b"internal secret").decode(), json.dumps(answer))
        # nor through the unit or its post
        answer = self._rpc("hd_portal", "spid.workunit", "read", [[unit.id], ["attachment_ids"]], {})
        self.assertIn("error", answer)
        # an employee outside the helpdesk does not read it either
        self.assertFalse(
            self.env["ir.attachment"].with_user(self.agent_other).search([("id", "=", secret.id)]),
            "an agent of another team does not see the ticket's internal files",
        )

    def test_unit_turned_internal_withdraws_its_files(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        photo = self._upload("photo.txt")
        unit = self._unit(ticket, "public", photo)
        token = unit._spid_portal_files()[unit.id].access_token
        post = ticket.message_ids[0]
        self.assertEqual(unit.post_id, post)
        self.assertFalse(post.subtype_id.internal)
        unit.write({"visibility": "internal"})
        self.assertTrue(post.subtype_id.internal, "the post leaves the customer's conversation")
        self.assertTrue(post.is_internal)
        self.assertEqual(post.attachment_ids, photo, "the file stays on the post, an internal note now")
        self.assertFalse(photo.sudo().access_token, "its share link is revoked")
        self.authenticate("hd_portal", "hd_portal")
        response = self.url_open(f"/web/content/{photo.id}?access_token={token}")
        self.assertIn(response.status_code, (403, 404))

    def test_files_added_and_removed_later(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        first = self._upload("first.txt")
        unit = self._unit(ticket, "public", first)
        later = self._upload("later.txt")
        unit.with_user(self.agent).write({"attachment_ids": [(4, later.id)]})
        post = ticket.message_ids[0]
        self.assertEqual(post.attachment_ids, later, "a file added later is posted to the same audience")
        self.assertFalse(post.subtype_id.internal)
        self.assertIn("Files added", post.body)
        self.assertEqual((later.res_model, later.res_id), ("spid.workunit", unit.id))
        first_post = ticket.message_ids[1]
        unit.with_user(self.agent).write({"attachment_ids": [(3, first.id)]})
        self.assertFalse(first.exists(), "a file taken off its unit is deleted")
        self.assertFalse(first_post.attachment_ids, "and leaves the post")
        unit.with_user(self.agent).unlink()
        self.assertFalse(
            later.exists(),
            "a deleted unit takes its files with it (Odoo deletes the files of a deleted record)",
        )

    def test_files_of_other_records_are_refused(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        other = self._ticket(user=self.agent, user_id=self.agent.id, name="Other ticket")
        foreign = self.env["ir.attachment"].create(
            {"name": "contract.pdf", "raw": b"%PDF", "res_model": "spid.ticket", "res_id": other.id}
        )
        with self.assertRaisesRegex(UserError, "belongs to another record"):
            self._unit(ticket, "public", foreign)
        someone_elses = self._upload("agent2.txt", user=self.agent_2)
        with self.assertRaisesRegex(UserError, "belongs to another record"):
            self._unit(ticket, "public", someone_elses)
        # the same over JSON-RPC, with a context that would like to skip the check
        answer = self._rpc(
            "hd_agent",
            "spid.workunit",
            "create",
            [{"ticket_id": ticket.id, "visibility": "public", "attachment_ids": [[6, 0, foreign.ids]]}],
            {"context": {"spid_system": True, "spid_importing": True}},
        )
        self.assertIn("belongs to another record", json.dumps(answer))
        self.assertFalse(ticket.workunit_ids)
        self.assertEqual((foreign.res_model, foreign.res_id), ("spid.ticket", other.id))

    def test_files_of_a_locked_ticket_stay(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        kept = self._upload("kept.txt")
        unit = self._unit(ticket, "public", kept)
        ticket.write(self._close_values(self.st_closed))
        ticket.action_lock()
        self.env.flush_all()
        with self.assertRaisesRegex(UserError, "locked"):
            unit.with_user(self.agent).write({"attachment_ids": [(4, self._upload("late.txt").id)]})
        with self.assertRaisesRegex(UserError, "locked"):
            kept.with_user(self.agent).write({"raw": b"replaced"})
        with self.assertRaisesRegex(UserError, "locked"):
            kept.with_user(self.supervisor).sudo().unlink()
        with self.assertRaisesRegex(UserError, "locked"):
            self.env["ir.attachment"].with_user(self.agent).sudo().create(
                {"name": "sneaked.txt", "raw": b"x", "res_model": "spid.workunit", "res_id": unit.id}
            )
        answer = self._rpc(
            "hd_agent", "ir.attachment", "unlink", [kept.ids], {"context": {"spid_system": True}}
        )
        self.assertIn("error", answer)
        self.assertTrue(kept.exists())
        self.assertEqual(kept.raw, b"measured 42 V")
