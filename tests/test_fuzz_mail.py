"""Bad input on the email channel: raw RFC 822 messages, as a mail server
hands them to Odoo's gateway, with malformed headers, wrong or unknown
charsets, undecodable bytes, HTML and JavaScript in the subject and body,
and oversized parts. Each one either opens (or answers) a ticket whose
stored HTML is sanitized, or is rejected without leaving anything behind;
the fetch of the next message is never stopped by an exception."""

import base64
import quopri
from unittest.mock import patch

from hardening_common import FUZZ, INJECTIONS, active_content, dirty_text
from hypothesis import event, example, given
from hypothesis import strategies as st

from odoo.tests import tagged

from odoo.addons.spid_helpdesk.tests.common import SpidHelpdeskCommon, run_ticket_jobs

ALIAS_DOMAIN = "fuzzdesk.example.com"
CHARSETS = ("utf-8", "iso-8859-1", "windows-1252", "koi8-r", "utf-16", "utf-7", "x-unknown-42", "", "utf-8'")
ENCODINGS = ("7bit", "8bit", "base64", "quoted-printable", "x-bogus")
SENDERS = (
    "Rita Requester <rita@client.example.com>",
    "rita@client.example.com",
    "<>",
    "Nobody",
    '"Evil <script>alert(1)</script>" <evil@hack.example>',
    "=?utf-8?B?4pyTIFJpdGE=?= <rita2@client.example.com>",
    "=?x-unknown?Q?R=E9ta?= <rita3@client.example.com>",
    "=?utf-8?B?!!!notbase64?= <rita4@client.example.com>",
    "a" * 2000 + "@client.example.com",
    "mailer-daemon@client.example.com",
)
LOGGER = "odoo.addons.spid_helpdesk.models.mail_thread._logger"


def encode_body(text, charset, encoding, garbage):
    """The body's bytes: the text in the charset it claims (or UTF-8 when
    the charset is unknown), random bytes when `garbage` is set, then the
    transfer encoding (a bogus one leaves the bytes as they are)."""
    if garbage is not None:
        payload = garbage
    else:
        try:
            payload = text.encode(charset or "ascii")
        except (LookupError, UnicodeError):
            payload = text.encode("utf-8", "surrogatepass")
    if encoding == "base64":
        return base64.encodebytes(payload)
    if encoding == "quoted-printable":
        return quopri.encodestring(payload)
    return payload


def encode_subject(text, mode):
    if mode == "raw":
        return text.encode("utf-8", "surrogatepass")
    if mode == "b64":
        return b"=?utf-8?B?" + base64.b64encode(text.encode("utf-8", "surrogatepass")) + b"?="
    if mode == "latin":
        return (
            b"=?iso-8859-1?Q?" + quopri.encodestring(text.encode("latin-1", "replace"), header=True) + b"?="
        )
    if mode == "unknown":
        return b"=?x-unknown-42?B?" + base64.b64encode(text.encode("utf-8", "surrogatepass")) + b"?="
    return b"=?utf-8?B?" + text.encode("utf-8", "surrogatepass") + b"?="  # broken encoded-word


@tagged("post_install", "-at_install")
class TestFuzzMail(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        alias_domain = cls.env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        cls.env.company.alias_domain_id = alias_domain
        cls.team.write({"alias_name": "fuzz", "alias_domain_id": alias_domain.id})
        cls.env["ir.config_parameter"].sudo().set_param("spid_helpdesk.mail_rate_limit", "0")
        # the acknowledgement quotes the subject: it is checked with the rest
        cls.st_new.mail_template_id = cls.env.ref("spid_helpdesk.mail_template_ticket_ack")
        cls.counter = 0

    def _counts(self):
        """What an email may write, the failed emails kept (#20) aside."""
        counts = {
            model: self.env[model].sudo().with_context(active_test=False).search_count([])
            for model in ("spid.ticket", "res.partner", "mail.message")
        }
        counts["ir.attachment"] = (
            self.env["ir.attachment"]
            .sudo()
            .search_count(["|", ("res_model", "=", False), ("res_model", "!=", "spid.mail.failure")])
        )
        return counts

    def _process(self, raw):
        """Hand the raw bytes to the gateway as the mail server would: what
        it returns, or the exception that would stop the fetch."""
        with patch(LOGGER):  # the gateway logs each rejection: keep the output short
            try:
                return self.env["mail.thread"].message_process(None, raw), None
            except Exception as error:
                return None, error

    def _raw(
        self,
        sender=SENDERS[0],
        subject="Hello",
        subject_mode="raw",
        body="",
        content_type="text/plain",
        charset="utf-8",
        encoding="8bit",
        garbage=None,
        extra=b"",
    ):
        type(self).counter += 1
        charset_param = f'; charset="{charset}"' if charset else ""
        head = (
            b"From: " + sender.encode("utf-8", "surrogatepass") + b"\r\n"
            b"To: fuzz@" + ALIAS_DOMAIN.encode() + b"\r\n"
            b"Subject: " + encode_subject(subject, subject_mode).replace(b"\n", b" ") + b"\r\n"
            b"Message-ID: <fuzz-" + str(self.counter).encode() + b"@client.example.com>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: " + content_type.encode() + charset_param.encode() + b"\r\n"
            b"Content-Transfer-Encoding: " + encoding.encode() + b"\r\n"
        )
        return head + extra + b"\r\n" + encode_body(body, charset, encoding, garbage)

    def _check(self, raw):
        before = self._counts()
        last_failure = self.env["spid.mail.failure"].search([], limit=1, order="id desc").id or 0
        thread_id, error = self._process(raw)
        self.assertIsNone(error, f"the gateway raised {error!r}: the fetch of the next email would stop")
        self.env.flush_all()
        if not thread_id:
            self.env.invalidate_all()
            self.assertEqual(self._counts(), before, "a rejected email leaves nothing behind")
            # but the raw email, when it failed, for a manager to read or retry
            for failure in self.env["spid.mail.failure"].search([("id", ">", last_failure)]):
                self.assertEqual(
                    failure.raw_attachment_id.raw, self.env["mail.thread"]._spid_strip_header_nul(raw)
                )
            return None
        self.env.cr.precommit.run()
        run_ticket_jobs(self.env)  # the acknowledgement goes out by the cron, after the commit
        ticket = self.env["spid.ticket"].browse(thread_id)
        self.assertTrue(ticket.exists())
        self.assertTrue(ticket.name)
        self.assertFalse(active_content(ticket.description), "the description is sanitized")
        for message in ticket.message_ids:
            self.assertFalse(active_content(message.body), "the posted email is sanitized")
        return ticket

    @FUZZ
    @given(
        sender=st.sampled_from(SENDERS),
        subject=dirty_text(),
        subject_mode=st.sampled_from(["raw", "b64", "latin", "unknown", "broken"]),
        body=dirty_text(300),
        content_type=st.sampled_from(["text/plain", "text/html", "text/html", "application/x-weird", "text"]),
        charset=st.sampled_from(CHARSETS),
        encoding=st.sampled_from(ENCODINGS),
        garbage=st.one_of(st.none(), st.binary(max_size=200)),
        extra=st.sampled_from(
            [
                b"",
                b"X-Garbage-Without-Colon\r\n",
                b"Cc: , ,,<>, =?utf-8?B?!!?= <x@y>\r\n",
                b"In-Reply-To: <\x00\xff@x>\r\nReferences: " + b"<r@x> " * 500 + b"\r\n",
                b"Date: yesterday at noon\r\n",
                b"Content-Disposition: attachment; filename*=x-unknown''%E9%00.exe\r\n",
                b"X-Long: " + b"a" * 20000 + b"\r\n",
                b"\xff\xfe: bytes as a header name\r\n",
            ]
        ),
    )
    @example(
        sender=SENDERS[0], subject=INJECTIONS[0], subject_mode="raw", body=INJECTIONS[1],
        content_type="text/html", charset="utf-8", encoding="8bit", garbage=None, extra=b"",
    )  # fmt: skip
    @example(
        sender=SENDERS[0], subject="nul\x00 in subject", subject_mode="b64", body="nul\x00 in body",
        content_type="text/plain", charset="utf-8", encoding="base64", garbage=None, extra=b"",
    )  # fmt: skip
    @example(
        sender=SENDERS[0], subject="unknown charset", subject_mode="unknown", body="Ré",
        content_type="text/plain", charset="x-unknown-42", encoding="8bit", garbage=b"\xe9\xff\x00",
        extra=b"",
    )  # fmt: skip
    def test_any_email_opens_a_clean_ticket_or_nothing(self, **parts):
        event("ticket" if self._check(self._raw(**parts)) else "rejected")

    def test_oversized_email(self):
        body = ("<p>" + "x" * 1000 + "</p>\n") * 1000  # 1 MB of HTML
        raw = self._raw(
            subject="Big " + INJECTIONS[1],
            body=body + INJECTIONS[0],
            content_type="text/html",
            extra=b"X-Long: " + b"b" * 100000 + b"\r\n",
        )
        ticket = self._check(raw)
        self.assertTrue(ticket, "a big email still opens its ticket")

    def test_multipart_with_hostile_parts(self):
        boundary = b"==BOUNDARY=="
        parts = [
            b"Content-Type: text/html; charset=utf-8\r\n\r\n" + INJECTIONS[1].encode(),
            b"Content-Type: text/plain; charset=x-nope\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!***",
            b"Content-Type: text/html\r\n"
            b'Content-Disposition: attachment; filename="<img src=x onerror=1>.html"\r\n'
            b"\r\n<script>alert(1)</script>",
            b"Content-Type: message/rfc822\r\n\r\nFrom: x\r\nSubject: nested\r\n\r\n"
            + INJECTIONS[0].encode(),
        ]
        body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts) + b"--" + boundary
        raw = self._raw(subject="Multipart", content_type="multipart/mixed", charset="", encoding="7bit")
        raw = raw.replace(b"multipart/mixed", b'multipart/mixed; boundary="' + boundary + b'"', 1) + body
        ticket = self._check(raw)
        self.assertTrue(ticket)
        self.assertTrue(ticket.message_ids.attachment_ids, "the HTML file stays an attachment, not the body")

    def test_reply_with_hostile_content_into_an_existing_ticket(self):
        ticket = self._check(self._raw(subject=INJECTIONS[1], body="hello"))
        ack = ticket.message_ids.filtered(lambda m: ticket.reference in (m.subject or ""))
        self.assertTrue(ack, "the acknowledgement quoting the hostile subject was checked too")
        for payload in INJECTIONS[:6]:
            subject = f"Re: [{ticket.reference}] {payload}"
            answer = self._check(
                self._raw(subject=subject, subject_mode="b64", body=payload, content_type="text/html")
            )
            self.assertEqual(answer, ticket, "the reference in the subject threads the answer")

    def test_nul_characters_neither_stop_the_gateway_nor_disable_the_alias(self):
        raw = self._raw(
            subject="Scanner\x00 jammed",
            subject_mode="b64",
            body="Paper\x00 stuck",
            encoding="base64",
            extra=b"In-Reply-To: <\x00nowhere@x>\r\n",
        )
        ticket = self._check(raw)
        self.assertEqual(ticket.name, "Scanner jammed")
        self.assertIn("Paper stuck", ticket.description)
        self.assertNotEqual(self.team.alias_id.alias_status, "invalid", "the alias still works")
