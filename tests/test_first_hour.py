"""The first hour of an evaluator (#15): French that is really in the
database, and emails that arrive somewhere one can read them.

The test database is built as `make run` builds the demo (scripts/test.sh:
base first, then the addons with French active), so these tests read what a
French customer of the demo reads. The mail test starts the project's own
mail catcher (scripts/mailcatcher.py, aiosmtpd) and sends through Odoo's real
SMTP client to it."""

from odoo.tests import TransactionCase, tagged

from odoo.addons.spid_helpdesk.tests.common import MailCatcherMixin, run_ticket_jobs


@tagged("post_install", "-at_install")
class TestFrenchData(TransactionCase):
    """Data files are `noupdate`: their French must land at installation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="fr_FR"))
        cls.client = cls.env["res.partner"].create(
            {"name": "Boulangerie Martin", "is_company": True, "spid_is_client": True}
        )
        cls.requester = cls.env["res.partner"].create(
            {
                "name": "Claire Martin",
                "email": "claire@boulangerie.test",
                "lang": "fr_FR",
                "parent_id": cls.client.id,
            }
        )

    def test_french_is_active(self):
        self.assertIn("fr_FR", dict(self.env["res.lang"].get_installed()))

    def test_statuses_in_french(self):
        new = self.env.ref("spid_helpdesk.status_new")
        self.assertEqual(new.name, "Nouveau")
        self.assertEqual(new.portal_name, "Reçu")
        self.assertEqual(
            self.env.ref("spid_helpdesk.status_closed").with_context(lang="en_US").name, "Closed"
        )

    def test_subtypes_in_french(self):
        self.assertEqual(self.env.ref("spid_helpdesk.mt_ticket_new").name, "Ticket ouvert")
        self.assertEqual(self.env.ref("mail.mt_note").name, "Note")
        self.assertEqual(self.env.ref("mail.mt_comment").name, "Discussions")

    def test_acknowledgement_in_french(self):
        """The requester's language decides the email's: a French customer
        gets the acknowledgement in French, subject and body."""
        ticket = self.env["spid.ticket"].create(
            {"name": "Four en panne", "partner_id": self.requester.id, "client_id": self.client.id}
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        run_ticket_jobs(self.env)  # the acknowledgement goes out by the cron, after the commit
        mail = ticket.message_ids.filtered(lambda m: m.subject and ticket.reference in m.subject)
        self.assertEqual(len(mail), 1, "one acknowledgement, to the requester")
        self.assertIn(self.requester, mail.notified_partner_ids | mail.partner_ids)
        template = self.env.ref("spid_helpdesk.mail_template_ticket_ack")
        body_fr = template.with_context(lang="fr_FR").body_html
        body_en = template.with_context(lang="en_US").body_html
        self.assertNotEqual(body_fr, body_en, "the template has French terms")
        self.assertIn("Bonjour", mail.body)
        self.assertNotIn("Hello", mail.body)
        # shown in the customer's portal conversation too: nothing internal
        self.assertNotIn("Priorité", mail.body, "the priority is the technicians' (not on the portal)")
        # and a subject with words: the closing email's, rendered as it is sent
        closing = self.env.ref("spid_helpdesk.mail_template_ticket_closed_rating")
        subject = closing._render_field("subject", ticket.ids, compute_lang=True)[ticket.id]
        # (French typography: no-break spaces before the colon and the question mark)
        self.assertEqual(subject, f"{ticket.reference} clôturé\xa0: qu'en avez-vous pensé\xa0?")


@tagged("post_install", "-at_install")
class TestMailCatcher(MailCatcherMixin, TransactionCase):
    """`make run` points Odoo at scripts/mailcatcher.py: what Odoo sends is a
    file the evaluator can open, and nothing shows a delivery failure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_mail_catcher("mailcatcher-test")
        client = cls.env["res.partner"].create(
            {"name": "Garage Petit", "is_company": True, "spid_is_client": True}
        )
        cls.requester = cls.env["res.partner"].create(
            {"name": "Paul Petit", "email": "paul@garage.test", "lang": "fr_FR", "parent_id": client.id}
        )
        # queued, as the mail cron of a running server would find it
        cls.ticket = (
            cls.env["spid.ticket"]
            .with_context(mail_notify_force_send=False)
            .create({"name": "Pont élévateur bloqué", "partner_id": cls.requester.id, "client_id": client.id})
        )

    def test_acknowledgement_lands_in_the_catcher(self):
        self.env.flush_all()
        self.env.cr.precommit.run()
        # the acknowledgement is written by the cron after the commit; queued
        # (no immediate sending), as the mail cron of a running server finds it
        self.env["ir.config_parameter"].sudo().set_param("mail.mail.force.send.limit", 0)
        run_ticket_jobs(self.env)
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "spid.ticket"), ("res_id", "=", self.ticket.id)])
        )
        self.assertEqual(len(mails), 1)
        self._send_for_real(mails)
        (message,) = self._received(1)
        self.assertIn("paul@garage.test", message["To"])
        self.assertIn(self.ticket.reference, message["Subject"])
        body = message.get_body(("html", "plain")).get_content()
        self.assertIn("Bonjour", body)
        # sent, not failed: no red envelope in the chatter
        notifications = (
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("mail_message_id.res_id", "=", self.ticket.id),
                    ("mail_message_id.model", "=", "spid.ticket"),
                ]
            )
        )
        self.assertFalse(notifications.filtered(lambda n: n.notification_status in ("exception", "bounce")))
        self.assertFalse(self.ticket.message_has_error)
