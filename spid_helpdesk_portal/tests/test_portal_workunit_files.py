"""Files of work units on the customer's ticket (issue #18): a public
unit's are listed under Work done and in the conversation, downloadable;
an internal unit's appear nowhere and download by no route."""

import json
import re

from odoo.tests import tagged

from .common import SpidPortalCommon


@tagged("post_install", "-at_install")
class TestPortalWorkunitFiles(SpidPortalCommon):
    login_prefix = "files_"
    email_domain = "files.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = cls._customer("files_anna", cls.client_a)
        cls.bert = cls._customer("files_bert", cls.client_b)
        cls.ticket = cls._portal_ticket(cls.anna, "Scanner is slow")
        Attachment = cls.env["ir.attachment"].with_user(cls.agent)
        cls.public_file = Attachment.create(
            {"name": "scan-test.txt", "raw": b"public measure", "res_model": "spid.workunit", "res_id": 0}
        )
        cls.internal_file = Attachment.create(
            {"name": "vendor-notes.txt", "raw": b"internal secret", "res_model": "spid.workunit", "res_id": 0}
        )
        Unit = cls.env["spid.workunit"].with_user(cls.agent)
        for visibility, file in (("public", cls.public_file), ("internal", cls.internal_file)):
            Unit.create(
                {
                    "ticket_id": cls.ticket.id,
                    "visibility": visibility,
                    "description": f"<p>{visibility} scan work</p>",
                    "attachment_ids": [(6, 0, file.ids)],
                }
            )

    def test_work_done_lists_public_files_only(self):
        page = self.get(f"/my/tickets/{self.ticket.id}", login="files_anna")
        self.assertEqual(page.status_code, 200)
        work_done = page.text[page.text.index('id="spid_public_workunits"') :]
        self.assertIn("scan-test.txt", work_done)
        self.assertNotIn("vendor-notes.txt", page.text)
        self.assertNotIn("internal scan work", page.text)
        link = re.search(rf'href="(/web/content/{self.public_file.id}\?access_token=[^"]+)"', page.text)
        self.assertTrue(link, "the file is downloadable from the page")
        download = self.url_open(link.group(1).replace("&amp;", "&"))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, b"public measure")

        # the conversation carries the public file, never the internal one
        response = self.url_open(
            "/mail/chatter_fetch",
            data=json.dumps(
                {"jsonrpc": "2.0", "params": {"thread_model": "spid.ticket", "thread_id": self.ticket.id}}
            ),
            headers={"Content-Type": "application/json"},
        )
        conversation = json.dumps(response.json())
        self.assertIn("scan-test.txt", conversation)
        self.assertNotIn("vendor-notes.txt", conversation)
        self.assertNotIn("internal scan work", conversation)

    def test_internal_files_download_by_no_route(self):
        self.authenticate("files_anna", "files_anna")
        for url in (
            f"/web/content/{self.internal_file.id}?download=true",
            f"/web/content/{self.internal_file.id}?access_token=x",
            f"/web/content/ir.attachment/{self.internal_file.id}/datas",
        ):
            response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), url)
            self.assertNotIn(b"internal secret", response.content, url)
        # another client's customer does not see the page at all
        self.assertEqual(self.get(f"/my/tickets/{self.ticket.id}", login="files_bert").status_code, 404)
