from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestMergeSplit(SpidHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kept = cls._ticket(user=cls.agent, name="Printer down", user_id=cls.agent.id)
        cls.dup = cls._ticket(user=cls.agent, name="Printer down again", user_id=cls.agent.id)
        cls.dup.with_user(cls.agent).message_post(body="Customer detail", message_type="comment")
        cls.follower = cls.env["res.partner"].create({"name": "Third party", "email": "tp@example.com"})
        cls.dup.message_subscribe(partner_ids=cls.follower.ids)
        Unit = cls.env["spid.workunit"]
        cls.units = Unit.with_user(cls.agent).create(
            [{"ticket_id": cls.dup.id, "duration": 1.0}, {"ticket_id": cls.kept.id, "duration": 0.5}]
        )
        # a unit of another agent: the rules would not let our agent move it alone
        cls.units |= Unit.with_user(cls.agent_2).create({"ticket_id": cls.dup.id, "duration": 2.0})

    def _messages(self, tickets):
        return self.env["mail.message"].search([("model", "=", "spid.ticket"), ("res_id", "in", tickets.ids)])

    def test_merge_keeps_every_message_and_work_unit(self):
        messages = self._messages(self.kept | self.dup)
        wizard = Form(
            self.env["spid.ticket.merge.wizard"]
            .with_user(self.agent)
            .with_context(active_model="spid.ticket", active_ids=(self.dup | self.kept).ids)
        )
        self.assertEqual(wizard.target_id, self.kept, "the oldest ticket is kept by default")
        wizard.save().action_merge()
        self.assertEqual(self.units.ticket_id, self.kept)
        self.assertEqual(self.kept.total_hours, 3.5)
        self.assertEqual(self.dup.total_hours, 0.0)
        self.assertLessEqual(messages, self._messages(self.kept), "every message is on the kept ticket")
        self.assertIn(self.follower, self.kept.message_partner_ids)
        self.assertTrue(self.dup.is_closed)
        self.assertEqual(self.dup.resolution, "duplicate")
        self.assertEqual(self.dup.merged_into_id, self.kept)
        self.assertIn(self.kept, self.dup.related_ticket_ids)
        self.assertIn(self.kept.reference, self.dup.epilogue)
        self.assertFalse(self.kept.is_closed)
        self.env.flush_all()
        self.env.cr.precommit.run()
        rate_us = self.env["mail.message"].search(
            [
                ("model", "=", "spid.ticket"),
                ("res_id", "=", self.dup.id),
                ("subject", "like", "how did we do"),
            ]
        )
        self.assertFalse(rate_us, "no rating request for a duplicate")
        # while a ticket closed the usual way gets one
        solved = self._ticket(user=self.agent, name="Solved", user_id=self.agent.id)
        solved.with_user(self.agent).write(self._close_values(self.st_closed))
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertTrue(
            self.env["mail.message"].search(
                [
                    ("model", "=", "spid.ticket"),
                    ("res_id", "=", solved.id),
                    ("subject", "like", "how did we do"),
                ]
            )
        )

    def test_merge_respects_the_rules(self):
        # only the owner or a supervisor closes: agent_2 owns neither ticket
        self.env["spid.ticket"].browse(self.dup.id).write({"user_id": self.agent_2.id})
        with self.assertRaisesRegex(AccessError, "Only the owner"):
            (self.kept | self.dup).with_user(self.agent)._spid_merge_into(self.kept)
        self.assertEqual(self.units.filtered(lambda u: u.duration > 0.5).ticket_id, self.dup, "nothing moved")
        # a stranger to both tickets cannot merge them
        with self.assertRaises(AccessError):
            (self.kept | self.dup).with_user(self.agent_other)._spid_merge_into(self.kept)
        closed = self._ticket(name="Closed", user_id=self.agent.id)
        closed.write(self._close_values(self.st_closed))
        closed.action_lock()
        with self.assertRaisesRegex(UserError, "is locked"):
            (self.kept | closed).with_user(self.supervisor)._spid_merge_into(self.kept)
        with self.assertRaisesRegex(UserError, "at least one other ticket"):
            self.kept._spid_merge_into(self.kept)

    def test_split_moves_the_chosen_work_and_messages(self):
        customer_message = self._messages(self.dup).filtered(lambda m: m.body and "Customer detail" in m.body)
        before = self._messages(self.dup)
        wizard = Form(
            self.env["spid.ticket.split.wizard"]
            .with_user(self.agent)
            .with_context(default_ticket_id=self.dup.id)
        )
        wizard.name = "Second printer"
        moved_unit = self.units.filtered(lambda u: u.duration == 2.0)
        wizard.workunit_ids.add(moved_unit)
        wizard.message_ids.add(customer_message)
        action = wizard.save().action_split()
        child = self.env["spid.ticket"].browse(action["res_id"])
        self.assertEqual(child.parent_id, self.dup)
        self.assertEqual((child.partner_id, child.client_id), (self.dup.partner_id, self.dup.client_id))
        self.assertEqual(moved_unit.ticket_id, child)
        self.assertEqual(child.total_hours, 2.0)
        self.assertEqual(self.dup.total_hours, 1.0)
        self.assertIn(customer_message, self._messages(child))
        kept_here = self._messages(self.dup)
        self.assertEqual(before - customer_message, before & kept_here, "the other messages stay")
        all_units = self.env["spid.workunit"].search([("ticket_id", "in", (self.dup | child).ids)])
        self.assertEqual(all_units, self.units.filtered(lambda u: u.ticket_id != self.kept), "no unit lost")

    def test_split_refuses_what_is_not_its_own(self):
        with self.assertRaisesRegex(UserError, "Only work units and messages of ticket"):
            self.dup.with_user(self.agent)._spid_split(
                "X", self.units.filtered(lambda u: u.ticket_id == self.kept)
            )
        with self.assertRaisesRegex(UserError, "Choose the work units or messages"):
            self.dup.with_user(self.agent)._spid_split("X")
