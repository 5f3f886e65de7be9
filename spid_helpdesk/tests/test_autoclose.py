from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import SpidHelpdeskCommon

DAY0 = datetime(2026, 11, 2, 10, 0)


@tagged("post_install", "-at_install")
class TestAutoClose(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"spid_auto_close_days": 5, "spid_auto_close_grace_days": 2})
        cls.st_customer.auto_close = True

    def _waiting_ticket(self, **values):
        """A ticket the agent answered publicly, then put in Pending customer."""
        with freeze_time(DAY0):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id, **values)
            ticket.with_user(self.agent).message_post(
                body="Could you restart the printer?", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            ticket.with_user(self.agent).write({"status_id": self.st_customer.id})
        return ticket

    def _cron(self, when):
        with freeze_time(when):
            self.env["spid.ticket"]._cron_auto_close()

    def test_warn_then_close_as_expired(self):
        ticket = self._waiting_ticket()
        self._cron(DAY0 + timedelta(days=4))
        self.assertFalse(ticket.auto_close_warned_date, "too early")
        self._cron(DAY0 + timedelta(days=5, hours=1))
        self.assertEqual(ticket.auto_close_warned_date, DAY0 + timedelta(days=5, hours=1))
        warning = ticket.message_ids.filtered(lambda m: "waiting for your answer" in (m.subject or ""))
        self.assertEqual(len(warning), 1)
        self.assertIn(self.requester, warning.notified_partner_ids | warning.partner_ids)
        self._cron(DAY0 + timedelta(days=6))
        self.assertFalse(ticket.is_closed, "the grace period runs")
        self.assertEqual(
            len(ticket.message_ids.filtered(lambda m: "waiting for your" in (m.subject or ""))), 1
        )
        self._cron(DAY0 + timedelta(days=7, hours=2))
        self.assertTrue(ticket.is_closed)
        self.assertEqual(ticket.resolution, "expired")

    def test_customer_answer_keeps_it_open(self):
        ticket = self._waiting_ticket()
        self._cron(DAY0 + timedelta(days=5, hours=1))
        self.assertTrue(ticket.auto_close_warned_date)
        with freeze_time(DAY0 + timedelta(days=6)):
            ticket.message_post(
                body="Still broken",
                message_type="comment",
                author_id=self.requester.id,
                subtype_xmlid="mail.mt_comment",
            )
        self.assertFalse(ticket.auto_close_warned_date)
        self._cron(DAY0 + timedelta(days=9))
        self.assertFalse(ticket.is_closed, "the last public message is the customer's")

    def test_excluded_types_and_categories_and_disabled(self):
        kind = self.env["spid.ticket.type"].create({"name": "Contract", "auto_close_excluded": True})
        by_type = self._waiting_ticket(type_id=kind.id)
        self.category_other.auto_close_excluded = True
        self.team_other.member_ids |= self.agent
        by_category = self._waiting_ticket(category_id=self.category_other.id)
        normal = self._waiting_ticket()
        self._cron(DAY0 + timedelta(days=5, hours=1))
        self.assertFalse(by_type.auto_close_warned_date)
        self.assertFalse(by_category.auto_close_warned_date)
        self.assertTrue(normal.auto_close_warned_date)
        self.env.company.spid_auto_close_days = 0
        self._cron(DAY0 + timedelta(days=9))
        self.assertFalse(normal.is_closed, "0 days disables auto-closing")

    def test_internal_note_does_not_count_as_answer(self):
        with freeze_time(DAY0):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
            ticket.with_user(self.agent).write({"status_id": self.st_customer.id})
            ticket.with_user(self.agent).message_post(body="note", subtype_xmlid="mail.mt_note")
        self._cron(DAY0 + timedelta(days=8))
        self.assertFalse(ticket.auto_close_warned_date)


@tagged("post_install", "-at_install")
class TestClosingQuality(SpidHelpdeskCommon):
    def test_closing_feedback_per_team(self):
        self.team.closing_feedback = "public"
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.with_user(self.agent).write(
            {"status_id": self.st_closed.id, "resolution": "solved", "epilogue": "<p>Toner replaced</p>"}
        )
        message = ticket.message_ids.filtered(lambda m: "Toner replaced" in m.body)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn(self.requester, message.notified_partner_ids)

        self.team.closing_feedback = "note"
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        ticket.with_user(self.agent).write(
            {"status_id": self.st_closed.id, "resolution": "solved", "epilogue": "<p>Driver updated</p>"}
        )
        message = ticket.message_ids.filtered(lambda m: "Driver updated" in m.body)
        self.assertTrue(message.subtype_id.internal)
        self.assertNotIn(self.requester, message.notified_partner_ids)

    def test_closing_sends_rating_request_and_rating_is_recorded(self):
        self.st_closed.mail_template_id = self.env.ref("spid_helpdesk.mail_template_ticket_closed_rating")
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self.env.flush_all()
        self.env.cr.precommit.run()
        ticket.with_user(self.agent).write(self._close_values(self.st_closed))
        self.env.flush_all()
        self.env.cr.precommit.run()
        ticket.invalidate_recordset()
        request = ticket.message_ids.filtered(lambda m: "how did we do" in (m.subject or ""))
        self.assertEqual(len(request), 1)
        token = ticket.sudo().rating_ids.access_token
        self.assertTrue(token)
        self.assertIn(f"/rate/{token}/5", request.body)
        self.assertIn(f"/rate/{token}/1", request.body)
        ticket.sudo().rating_apply(1, token=token, feedback="Took too long")
        self.assertEqual(ticket.sudo().rating_ids.rating, 1)
        self.assertEqual(ticket.sudo().rating_ids.feedback, "Took too long")
        Rating = self.env["rating.rating"]
        domain = [("res_model", "=", "spid.ticket"), ("res_id", "=", ticket.id)]
        self.assertFalse(Rating.with_user(self.agent).search(domain), "the rated owner does not see it")
        self.assertFalse(Rating.with_user(self.agent_2).search(domain), "nor does a colleague")
        self.assertTrue(Rating.with_user(self.supervisor).search(domain))
        self.assertFalse(ticket.message_ids.filtered("rating_id"), "no chatter message for the owner to read")
        self.assertEqual(ticket.sudo().rating_last_value, 1)
