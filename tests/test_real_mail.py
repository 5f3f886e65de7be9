"""Real mail servers (#20): an agent's answer goes out over SMTP to a local
aiosmtpd and is checked as received on the wire; the customer's emails come
in over IMAP from a throwaway dovecot, fetched by Odoo's own Incoming Mail
Server, into tickets, the reply into the same ticket. No email, however
broken, raises out of the gateway: it is kept (spid.mail.failure, the raw
email attached), marked seen, and the fetch goes on.

Odoo skips SMTP while a test runs: the tests that send lift that guard
(mail_servers.smtp_for_real), since they are about what goes out."""

import email.utils

from attack_common import HOSTILE_CONTEXT, JsonRpcAttacker, RefusalAsserts
from mail_servers import ImapServer, SmtpServer, fetch, fetchmail_server, smtp_for_real

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.spid_helpdesk.tests.common import SpidHelpdeskCommon, run_ticket_jobs

ALIAS_DOMAIN = "desk.example.com"
ALIAS = f"support@{ALIAS_DOMAIN}"
SENDER = "help@desk.example.com"
FOOTER = "Call us on 555-0100"
NOTE = "INTERNAL-NOTE-7f3a the customer must never read this"

# A delivery report (multipart/report) whose parts are not there: the body
# does not hold its boundary. Odoo's bounce parser takes the report itself
# for the returned email and reads its first "part", a character of the
# text: AttributeError from _get_bounced_message_data (decode_message_header
# on a str). Fetched over IMAP it failed again at every fetch.
BROKEN_DSN = (
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
    f"To: {ALIAS}\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Message-ID: <broken-dsn@mx.example.net>\n"
    "Date: Wed, 02 Dec 2026 09:00:00 +0000\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/report; report-type=delivery-status; boundary="not-in-the-body"\n'
    "\n"
    "This is the mail system at host mx.example.net.\n"
    "I'm sorry to have to inform you that your message could not be delivered.\n"
)

# Other shapes a mailbox receives: each is processed or kept, never raises.
BROKEN_SHAPES = {
    "dsn_without_parts": BROKEN_DSN.encode(),
    "no_headers": b"\n\nJust a body and no header at all.\n",
    "binary_junk": bytes(range(256)) * 64,
    "broken_charset": (
        f"From: Rita Requester <rita@client.example.com>\nTo: {ALIAS}\n"
        "Subject: =?x-no-such-charset?B?w6l0w6k=?=\nMessage-ID: <charset@client.example.com>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n'
        '--b1\nContent-Type: text/plain; charset="x-no-such-charset"\n'
        "Content-Transfer-Encoding: 8bit\n\n"
    ).encode()
    + b"\xe9t\xe9 \xff\xfe\n--b1--\n",
    "huge_header": (
        f"From: Rita Requester <rita@client.example.com>\nTo: {ALIAS}\n"
        f"Subject: {'A' * 300000}\nMessage-ID: <huge@client.example.com>\n\nBody\n"
    ).encode(),
    "empty_rfc822": (
        f"From: Rita Requester <rita@client.example.com>\nTo: {ALIAS}\n"
        "Subject: Forwarded nothing\nMessage-ID: <empty-rfc822@client.example.com>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b2"\n\n'
        "--b2\nContent-Type: text/plain\n\nSee the attached email.\n"
        "--b2\nContent-Type: message/rfc822\n\n--b2--\n"
    ).encode(),
    "dsn_empty_rfc822": (
        f"From: MAILER-DAEMON@mx.example.net\nTo: {ALIAS}\n"
        "Subject: Delivery Status Notification\nMessage-ID: <dsn-empty@mx.example.net>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b3"\n\n'
        "--b3\nContent-Type: text/plain\n\nFailed.\n"
        "--b3\nContent-Type: message/delivery-status\n\n"
        "--b3\nContent-Type: message/rfc822\n\n--b3--\n"
    ).encode(),
}


def customer_email(sender, subject, message_id, body, extra=""):
    return (
        f"From: {sender}\nTo: {ALIAS}\nSubject: {subject}\nMessage-ID: {message_id}\n"
        f"Date: Wed, 02 Dec 2026 09:00:00 +0000\n{extra}"
        'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n\n'
        f"{body}\n"
    )


def body_of(message, kinds=("html", "plain")):
    part = message.get_body(kinds)
    return part.get_content() if part is not None else ""


def crlf(raw):
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


class RealMailCommon(SpidHelpdeskCommon, JsonRpcAttacker, RefusalAsserts):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._team_alias(ALIAS_DOMAIN, "support")
        cls.team.write({"email_from": f"Support <{SENDER}>", "mail_footer": f"<p>{FOOTER}</p>"})
        # emails stay queued until the test sends them for real
        cls.env["ir.config_parameter"].sudo().set_param("mail.mail.force.send.limit", "0")
        cls.env["fetchmail.server"].search([]).active = False
        cls.Failure = cls.env["spid.mail.failure"]

    def setUp(self):
        super().setUp()
        self.imap = ImapServer()
        self.addCleanup(self.imap.stop)  # also when the start fails half-way
        self.imap.start()
        self.fetchmail = fetchmail_server(self.env, self.imap)

    def _fetch(self):
        fetch(self.env, self.fetchmail)

    def _message(self, message_id):
        return self.env["mail.message"].search([("message_id", "=", message_id)])

    def _ticket_of(self, message_id):
        message = self._message(message_id)
        self.assertEqual(len(message), 1, f"one message {message_id}")
        self.assertEqual(message.model, "spid.ticket")
        return self.env["spid.ticket"].browse(message.res_id)


@tagged("post_install", "-at_install")
class TestRealMail(RealMailCommon, HttpCase):
    def _smtp(self):
        smtp = SmtpServer().start()
        self.addCleanup(smtp.stop)
        self.env["ir.mail_server"].search([]).active = False
        self.env["ir.mail_server"].create(
            {
                "name": "Test SMTP",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_encryption": "none",
                # the relay lets us send as our domain (else Odoo sends as
                # its notifications@ address, the agent's name kept)
                "from_filter": ALIAS_DOMAIN,
            }
        )
        return smtp

    def _send_queue(self, ticket):
        self.env.flush_all()
        self.env.cr.precommit.run()
        mails = (
            self.env["mail.mail"].sudo().search([("model", "=", "spid.ticket"), ("res_id", "=", ticket.id)])
        )
        self.assertTrue(mails)
        with smtp_for_real():
            mails.send(raise_exception=True)
        return len(mails)

    def test_email_round_trip_smtp_out_imap_in_same_ticket(self):
        smtp = self._smtp()
        first_id = "<first-1@client.example.com>"
        self.imap.deliver(
            customer_email(
                "Rita Requester <rita@client.example.com>", "Printer on fire", first_id, "It smokes."
            )
        )
        self.assertEqual(len(self.imap.unseen()), 1)
        self._fetch()
        ticket = self._ticket_of(first_id)
        self.assertEqual(ticket.partner_id, self.requester)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.channel, "email")
        self.assertFalse(self.imap.unseen(), "the fetched email is marked seen")
        run_ticket_jobs(self.env)

        # the agent answers publicly and writes an internal note
        reply = ticket.with_user(self.agent).message_post(
            body="Please unplug it.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        ticket.with_user(self.agent).message_post(
            body=NOTE, message_type="comment", subtype_xmlid="mail.mt_note"
        )
        count = self._send_queue(ticket)
        received = smtp.wait_for(count)
        self.assertEqual(len(received), count, "every queued email arrived on the wire")

        to_rita = [
            (rcpts, msg)
            for _from, rcpts, msg, _raw in received
            if "rita@client.example.com" in rcpts and "Please unplug it." in body_of(msg)
        ]
        self.assertEqual(len(to_rita), 1, "the answer reaches the customer once")
        rcpts, msg = to_rita[0]
        self.assertEqual(rcpts, ["rita@client.example.com"])
        self.assertEqual(email.utils.parseaddr(msg["To"])[1], "rita@client.example.com")
        self.assertEqual(email.utils.parseaddr(msg["From"]), ("Agent Alpha (Support)", SENDER))
        self.assertIn(ALIAS, msg["Reply-To"], "answers go to the team's alias")
        self.assertEqual(msg["Message-Id"], reply.message_id)
        references = msg["References"].split()
        self.assertEqual(references[-1], reply.message_id, "References end with the email itself")
        self.assertIn(first_id, references, "and name the customer's email")
        ticket_ids = set(ticket.message_ids.mapped("message_id"))
        self.assertIn(
            msg["In-Reply-To"], ticket_ids - {reply.message_id}, "In-Reply-To names a message of it"
        )
        self.assertIn(FOOTER, body_of(msg, ("html",)), "the team's footer")
        self.assertIn(ticket.reference, msg["Subject"])

        # the internal note never goes to the customer side
        customers = {"rita@client.example.com", "carl@client.example.com"}
        for _from, rcpts, _msg, raw in received:
            if NOTE.encode() in raw or b"INTERNAL-NOTE-7f3a" in raw:
                self.assertFalse(customers & set(rcpts), f"the internal note was sent to {rcpts}")
        for _from, rcpts, _msg, raw in received:
            if customers & set(rcpts):
                self.assertNotIn(b"INTERNAL-NOTE-7f3a", raw)

        # the customer answers the email she received: it comes back by IMAP
        answer_id = "<answer-1@client.example.com>"
        self.imap.deliver(
            customer_email(
                "Rita Requester <rita@client.example.com>",
                f"Re: {msg['Subject']}",
                answer_id,
                "Unplugged, it stopped.",
                extra=f"In-Reply-To: {msg['Message-Id']}\nReferences: {msg['References']}\n",
            )
        )
        tickets_before = self.env["spid.ticket"].search_count([])
        self._fetch()
        self.assertEqual(self._ticket_of(answer_id), ticket, "the reply lands in the same ticket")
        self.assertEqual(self.env["spid.ticket"].search_count([]), tickets_before, "no new ticket")
        answer = self._message(answer_id)
        self.assertEqual(answer.author_id, self.requester)
        self.assertEqual(answer.parent_id.res_id, ticket.id, "threaded in the ticket")
        flags = self.imap.flags()
        self.assertEqual(len(flags), 2)
        self.assertTrue(all("\\Seen" in value for value in flags.values()), flags)

    def test_broken_email_between_two_good_ones(self):
        good_1 = "<good-1@client.example.com>"
        good_2 = "<good-2@client.example.com>"
        self.imap.deliver(
            customer_email("Rita Requester <rita@client.example.com>", "Scanner", good_1, "Jam.")
        )
        self.imap.deliver(BROKEN_DSN)
        self.imap.deliver(
            customer_email("Carl Colleague <carl@client.example.com>", "Screen", good_2, "Dark.")
        )
        tickets_before = self.env["spid.ticket"].search_count([])
        with mute_logger("odoo.addons.spid_helpdesk.models.mail_thread"):
            self._fetch()
        self.assertEqual(self._ticket_of(good_1).partner_id, self.requester)
        self.assertEqual(self._ticket_of(good_2).partner_id, self.requester_2)
        self.assertEqual(self.env["spid.ticket"].search_count([]), tickets_before + 2)
        failure = self.Failure.search([("message_id", "=", "<broken-dsn@mx.example.net>")])
        self.assertEqual(len(failure), 1, "the broken email is kept")
        self.assertEqual(failure.error_type, "AttributeError")
        self.assertEqual(failure.state, "failed")
        self.assertEqual(failure.fetchmail_server_id, self.fetchmail)
        self.assertEqual(failure.email_from, "Mail Delivery System <MAILER-DAEMON@mx.example.net>")
        self.assertEqual(crlf(failure.raw_attachment_id.raw), crlf(BROKEN_DSN.encode()), "kept as received")
        self.assertFalse(self._message("<broken-dsn@mx.example.net>"), "nothing of it half-written")
        flags = self.imap.flags()
        self.assertEqual(len(flags), 3)
        self.assertTrue(all("\\Seen" in value for value in flags.values()), flags)
        # a second fetch finds nothing: the broken email does not loop
        self._fetch()
        self.assertEqual(self.env["spid.ticket"].search_count([]), tickets_before + 2)
        self.assertEqual(self.Failure.search_count([("message_id", "=", "<broken-dsn@mx.example.net>")]), 1)

    def test_every_broken_shape_over_imap(self):
        """Each broken shape, fetched: no exception out of the fetch, every
        email seen, each either processed or kept, never half of both."""
        for raw in BROKEN_SHAPES.values():
            # IMAP carries no NUL byte in a message (dovecot refuses it)
            self.imap.deliver(raw.replace(b"\x00", b""))
        last = self.Failure.search([], limit=1, order="id desc").id or 0
        with mute_logger(
            "odoo.addons.spid_helpdesk.models.mail_thread", "odoo.addons.mail.models.mail_thread"
        ):
            self._fetch()
        self.assertFalse(self.imap.unseen(), "every email is marked seen")
        kept = self.Failure.search([("id", ">", last)])
        self.assertIn("<broken-dsn@mx.example.net>", kept.mapped("message_id"))
        for failure in kept:
            self.assertTrue(failure.raw_attachment_id.raw, failure.subject)
            if failure.message_id:
                self.assertFalse(self._message(failure.message_id), f"{failure.subject}: half-written")


@tagged("post_install", "-at_install")
class TestGatewayNeverRaises(SpidHelpdeskCommon):
    """Each broken shape handed to message_process as the mail server does
    (superuser): it returns, and the email is processed or kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._team_alias(ALIAS_DOMAIN, "support")

    def test_broken_shapes(self):
        Thread = self.env["mail.thread"].sudo()
        Failure = self.env["spid.mail.failure"].sudo()
        for name, raw in BROKEN_SHAPES.items():
            with self.subTest(name):
                last = Failure.search([], limit=1, order="id desc").id or 0
                messages = self.env["mail.message"].search_count([])
                with mute_logger(
                    "odoo.addons.spid_helpdesk.models.mail_thread", "odoo.addons.mail.models.mail_thread"
                ):
                    result = Thread.message_process("spid.ticket", raw)
                kept = Failure.search([("id", ">", last)])
                if kept:
                    self.assertEqual(len(kept), 1)
                    self.assertFalse(result)
                    self.assertEqual(kept.raw_attachment_id.raw, raw)
                    self.assertEqual(kept.raw_attachment_id.res_model, "spid.mail.failure")
                    self.assertEqual(kept.raw_attachment_id.res_id, kept.id)
                    self.assertEqual(
                        self.env["mail.message"].search_count([]), messages, "nothing half-written"
                    )

    def test_the_delivery_report_is_the_attribute_error(self):
        """Without the gateway's safety, Odoo's bounce parser raises on it."""
        result, error = self.env["mail.thread"].sudo()._spid_message_process_safe("spid.ticket", BROKEN_DSN)
        self.assertFalse(result)
        self.assertIsInstance(error, AttributeError)

    def test_other_callers_still_get_the_exception(self):
        """Only the mail server gets the safety net: a user handing an email
        over RPC is refused, not quietly kept."""
        agent_thread = self.env["mail.thread"].with_user(self.agent)
        with self.assertRaises(AttributeError):
            agent_thread.message_process("spid.ticket", BROKEN_DSN)
        self.assertFalse(
            self.env["spid.mail.failure"].search([("message_id", "=", "<broken-dsn@mx.example.net>")])
        )

    def test_a_good_email_is_not_kept(self):
        raw = customer_email(
            "Rita Requester <rita@client.example.com>", "Fine", "<fine@client.example.com>", "Ok"
        )
        ticket_id = self.env["mail.thread"].sudo().message_process("spid.ticket", raw)
        self.assertTrue(ticket_id)
        self.assertFalse(
            self.env["spid.mail.failure"].search([("message_id", "=", "<fine@client.example.com>")])
        )


@tagged("post_install", "-at_install")
class TestMailFailureAccess(RealMailCommon, HttpCase):
    """The failure records hold customers' mail: only helpdesk managers read
    them (and their raw email), nobody writes them, and Retry applies the
    gateway's rules as for a fetched email."""

    hostile_context = HOSTILE_CONTEXT

    def setUp(self):
        super().setUp()
        self.stranger = new_test_user(self.env, "hd_stranger", groups="base.group_user", name="Stranger")
        self.original = self._ticket(user=self.agent)
        run_ticket_jobs(self.env)
        self.original_message = self.original.message_ids.filtered("message_id")[-1:]
        # a stranger's "reply" to the ticket, kept after a failure
        self.raw = customer_email(
            "Mallory <mallory@evil.example>",
            f"Re: [{self.original.reference}] Printer is down",
            "<mallory-1@evil.example>",
            "Send me the invoices.",
            extra=f"In-Reply-To: {self.original_message.message_id}\n",
        ).encode()
        self.failure = self.Failure._spid_keep("spid.ticket", self.raw, RuntimeError("database hiccup"))
        self.assertTrue(self.failure)
        self.attachment = self.failure.raw_attachment_id

    def test_nobody_but_managers_reads_them(self):
        for user in (self.agent, self.supervisor, self.stranger, self.portal_user):
            with self.subTest(user.login):
                failure = self.failure.with_user(user)
                self.assertFalse(failure.has_access("read"))
                with self.assertRaises(AccessError):
                    failure.search([])
                with self.assertRaises(AccessError):
                    failure.read(["subject"])
                with self.assertRaises(AccessError):
                    failure.action_retry()
                with self.assertRaises(AccessError):
                    failure.action_download()
                # (ir.attachment's has_access checks its model only: not asked)
                attachment = self.attachment.with_user(user)
                if not user.share:  # (a portal user may not search files at all)
                    self.assertFalse(attachment.search([("id", "=", self.attachment.id)]))
                with self.assertRaises(AccessError):
                    attachment.read(["raw"])
                self._login(user)
                for method, args, kwargs in (
                    ("search_read", [[]], {"fields": ["subject", "error"]}),
                    ("read", [self.failure.ids, ["subject", "email_from"]], {}),
                    ("web_search_read", [], {"domain": [], "specification": {"subject": {}}}),
                    ("action_retry", [self.failure.ids], {}),
                    ("action_download", [self.failure.ids], {}),
                ):
                    result, error = self._call_kw("spid.mail.failure", method, args, kwargs)
                    self.assertTrue(error, f"{user.login} {method} answered {result!r}")
                result, error = self._call_kw(
                    "ir.attachment",
                    "search_read",
                    [[("res_model", "=", "spid.mail.failure")]],
                    {"fields": ["raw"]},
                )
                self.assertFalse(result, f"{user.login} found the raw emails")
                result, error = self._call_kw(
                    "ir.attachment", "read", [self.attachment.ids, ["raw", "datas"]]
                )
                self.assertTrue(error, f"{user.login} read the raw email")
                response = self.url_open(f"/web/content/{self.attachment.id}?download=true")
                self.assertIn(response.status_code, (403, 404))
                self.assertNotIn(b"Send me the invoices", response.content)
        self.env.invalidate_all()
        self.assertEqual(self.failure.state, "failed", "nothing retried")

    def test_managers_read_and_download_but_never_write(self):
        self._login(self.manager)
        result, error = self._call_kw("spid.mail.failure", "read", [self.failure.ids, ["subject", "error"]])
        self.assertFalse(error)
        self.assertEqual(result[0]["error"], "database hiccup")
        result, error = self._call_kw("spid.mail.failure", "action_download", [self.failure.ids])
        self.assertFalse(error)
        response = self.url_open(result["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(crlf(response.content), crlf(self.raw))
        before = self._row(self.failure, ["model", "state", "error", "ticket_id"])
        for method, args in (
            ("write", [self.failure.ids, {"model": "res.users", "state": "done"}]),
            ("create", [{"subject": "forged", "model": "res.users"}]),
        ):
            self.assertRefusedRpc("spid.mail.failure", method, args)
        self.assertRefusedRpc("ir.attachment", "write", [self.attachment.ids, {"raw": b"forged".hex()}])
        self.assertEqual(self._row(self.failure, ["model", "state", "error", "ticket_id"]), before)

    def test_retry_applies_the_gateway_rules(self):
        self._login(self.manager)
        result, error = self._call_kw("spid.mail.failure", "action_retry", [self.failure.ids])
        self.assertFalse(error, error)
        self._sync()
        self.assertEqual(self.failure.state, "done")
        self.assertEqual(self.failure.retry_count, 1)
        new_ticket = self.failure.ticket_id
        self.assertTrue(new_ticket)
        self.assertNotEqual(new_ticket, self.original, "a stranger's email does not join the ticket")
        self.assertNotIn("Send me the invoices", "".join(self.original.message_ids.mapped("body")))
        self.assertEqual(self._ticket_of("<mallory-1@evil.example>"), new_ticket)
        # retried once: a second Retry does nothing
        self._call_kw("spid.mail.failure", "action_retry", [self.failure.ids])
        self._sync()
        self.assertEqual(self.failure.retry_count, 1)

    def test_retry_of_a_still_broken_email_keeps_it(self):
        with mute_logger("odoo.addons.spid_helpdesk.models.mail_thread"):
            failure = self.Failure._spid_keep("spid.ticket", BROKEN_DSN.encode(), AttributeError("x"))
            failure.with_user(self.manager).action_retry()
        self.assertEqual(failure.state, "failed")
        self.assertEqual(failure.retry_count, 1)
        self.assertEqual(failure.error_type, "AttributeError")
        self.assertFalse(self._message("<broken-dsn@mx.example.net>"))

    def test_menu_and_views_for_managers_only(self):
        menu = self.env.ref("spid_helpdesk.menu_spid_config_mail_failures")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.manager)._visible_menu_ids())
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.agent)._visible_menu_ids())
        views = (
            self.env["spid.mail.failure"]
            .with_user(self.manager)
            .get_views([(False, "list"), (False, "form"), (False, "search")])
        )
        form = views["views"]["form"]["arch"]
        self.assertIn('name="action_retry"', form)
        self.assertIn('name="action_download"', form)
        self.assertIn('name="error"', form)
        self.assertIn('name="email_from"', views["views"]["list"]["arch"])
