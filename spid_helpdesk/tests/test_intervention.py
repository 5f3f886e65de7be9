import base64
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import JsonRpcMixin, SpidHelpdeskCommon, assert_query_budget
from .test_performance_read import view_spec

# 1x1 transparent PNG: what the portal's signature widget sends, smaller
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()

# Creating one intervention from a ticket (as its agent): the sequence, the
# work order text, the insert, the calendar event with its attendees and the
# technicians as followers, with the tracking precommit.
CREATE_BUDGET = 35


@tagged("post_install", "-at_install")
class TestIntervention(SpidHelpdeskCommon, JsonRpcMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kind = cls.env["spid.ticket.type"].create(
            {
                "name": "On-site repair",
                "workorder_template": "<p>Repair at {{ object.site_id.name }}"
                " for {{ object.client_id.name }}</p>",
            }
        )
        cls.ticket = cls._ticket(user=cls.agent, site_id=cls.site.id, type_id=cls.kind.id)
        cls.ticket.user_id = cls.agent
        cls.when = datetime.now().replace(microsecond=0) + timedelta(days=2)

    def _plan(self, user=None, **values):
        vals = {"ticket_id": self.ticket.id, "date_planned": self.when, "duration_planned": 2.0}
        vals.update(values)
        return self.env["spid.intervention"].with_user(user or self.agent).create(vals)

    def _done(self, intervention, hours=1.5):
        intervention.write({"report": "<p>Replaced the fuser.</p>", "duration_done": hours})
        intervention.action_done()

    # ------------------------------------------------------------------
    # Planning and calendar
    # ------------------------------------------------------------------

    def test_plan_creates_event_in_technicians_calendars(self):
        intervention = self._plan(user_ids=[(6, 0, (self.agent | self.agent_2).ids)])
        self.assertTrue(intervention.name.startswith("INT/"))
        self.assertEqual(intervention.site_id, self.site, "the ticket's site by default")
        self.assertIn("Repair at Plant for Client SA", intervention.instructions)
        event = intervention.sudo().event_id
        self.assertTrue(event)
        self.assertEqual(event.partner_ids, (self.agent | self.agent_2).partner_id)
        self.assertEqual(event.start, self.when)
        self.assertEqual(event.stop, self.when + timedelta(hours=2))
        self.assertEqual((event.res_model, event.res_id), ("spid.intervention", intervention.id))
        self.assertNotIn(self.requester, event.partner_ids, "the customer is no attendee")
        # the technicians follow the intervention; no invitation email
        self.assertLessEqual((self.agent | self.agent_2).partner_id, intervention.message_partner_ids)
        self.env.flush_all()
        invitations = self.env["mail.mail"].search(
            [("model", "=", "calendar.event"), ("res_id", "=", event.id)]
        )
        self.assertFalse(invitations)

        # re-planned: the same event moves; another technician replaces one
        later = self.when + timedelta(days=1)
        intervention.with_user(self.agent).write(
            {"date_planned": later, "duration_planned": 3.0, "user_ids": [(6, 0, self.agent.ids)]}
        )
        self.assertEqual(intervention.sudo().event_id, event)
        self.assertEqual((event.start, event.stop), (later, later + timedelta(hours=3)))
        self.assertEqual(event.partner_ids, self.agent.partner_id)

        # cancelled: the event goes
        intervention.with_user(self.agent).action_cancel()
        self.assertEqual(intervention.state, "cancelled")
        self.assertFalse(intervention.event_id)
        self.assertFalse(event.exists())
        self.assertFalse(intervention.workunit_ids, "a cancelled intervention creates nothing")

    def test_plan_from_the_ticket_form(self):
        """The ticket's button opens the form the agent saves as the web
        client does (onchanges, only the fields it may write), and the
        intervention's views read as the agent."""
        action = self.ticket.with_user(self.agent).action_plan_intervention()
        Intervention = self.env["spid.intervention"].with_user(self.agent).with_context(**action["context"])
        with Form(Intervention) as form:
            self.assertEqual(form.site_id, self.site)
            form.date_planned = self.when
            form.duration_planned = 1.5
        intervention = form.record
        self.assertEqual(intervention.ticket_id, self.ticket)
        self.assertEqual(intervention.user_ids, self.agent)
        self.assertTrue(intervention.sudo().event_id)
        with Form(intervention) as form:
            form.report = "<p>Cleaned.</p>"
            form.duration_done = 1
        intervention.action_done()
        for view_type in ("form", "list", "calendar"):
            spec = view_spec(Intervention, view_type)
            self.assertEqual(Intervention.browse(intervention.id).web_read(spec)[0]["state"], "done")
        answer = self.ticket.with_user(self.agent).action_view_interventions()
        self.assertEqual(
            self.env["spid.intervention"].with_user(self.agent).search(answer["domain"]), intervention
        )
        self.assertEqual(self.ticket.with_user(self.agent).intervention_count, 1)

    def test_batch_plan_each_its_own_technicians(self):
        first, second = (
            self.env["spid.intervention"]
            .with_user(self.agent)
            .create(
                [
                    {
                        "ticket_id": self.ticket.id,
                        "date_planned": self.when,
                        "user_ids": [(6, 0, self.agent.ids)],
                    },
                    {
                        "ticket_id": self.ticket.id,
                        "date_planned": self.when + timedelta(days=1),
                        "user_ids": [(6, 0, self.agent_2.ids)],
                    },
                ]
            )
        )
        self.assertNotEqual(first.name, second.name)
        self.assertEqual(first.sudo().event_id.partner_ids, self.agent.partner_id)
        self.assertEqual(second.sudo().event_id.partner_ids, self.agent_2.partner_id)
        self.assertNotIn(self.agent_2.partner_id, first.message_partner_ids)
        self.assertIn(self.agent_2.partner_id, second.message_partner_ids)
        self.assertEqual(self.ticket.intervention_ids, first | second)

    def test_site_must_belong_to_client(self):
        elsewhere = self.env["res.partner"].create({"name": "Depot", "parent_id": self.other_client.id})
        with self.assertRaisesRegex(ValidationError, "not an address of the client"):
            self._plan(site_id=elsewhere.id)
        with self.assertRaisesRegex(ValidationError, "internal users"):
            self._plan(user_ids=[(6, 0, self.portal_user.ids)])

    def test_create_query_budget(self):
        ticket = self.ticket.with_user(self.agent)

        def plan():
            self.env["spid.intervention"].with_user(self.agent).create(
                {"ticket_id": ticket.id, "date_planned": self.when, "duration_planned": 1.0}
            )

        assert_query_budget(self, CREATE_BUDGET, "an agent planning an intervention from a ticket", plan)

    # ------------------------------------------------------------------
    # Done, reset and work units
    # ------------------------------------------------------------------

    def test_done_logs_work_units(self):
        intervention = self._plan(user_ids=[(6, 0, (self.agent | self.agent_2).ids)])
        with self.assertRaisesRegex(UserError, "Write the report"):
            intervention.with_user(self.agent).action_done()
        self._done(intervention.with_user(self.agent), hours=1.5)
        self.assertEqual(intervention.state, "done")
        self.assertFalse(intervention.event_id, "done: out of the planning")
        units = intervention.workunit_ids
        self.assertEqual(units.user_id, self.agent | self.agent_2, "one unit per technician")
        self.assertEqual(set(units.mapped("duration")), {1.5})
        self.assertEqual(set(units.mapped("visibility")), {"public"})
        self.assertEqual(units.ticket_id, self.ticket)
        self.assertEqual(self.ticket.total_hours, 3.0)

        # its time is frozen while done; reset removes the units
        with self.assertRaisesRegex(UserError, "reset it to planned"):
            intervention.with_user(self.agent).duration_done = 4
        intervention.with_user(self.agent).action_reset()
        self.assertEqual(intervention.state, "planned")
        self.assertFalse(intervention.workunit_ids)
        self.assertFalse(units.exists())
        self.assertTrue(intervention.sudo().event_id, "planned again: back in the calendars")

    def test_cancel_done_removes_its_time(self):
        intervention = self._plan()
        self._done(intervention.with_user(self.agent))
        units = intervention.workunit_ids
        self.assertTrue(units)
        intervention.with_user(self.agent).action_cancel()
        self.assertEqual(intervention.state, "cancelled")
        self.assertFalse(units.exists(), "a cancelled intervention creates nothing")
        self.assertFalse(intervention.sudo().event_id)
        with self.assertRaisesRegex(UserError, "Only a planned intervention"):
            intervention.with_user(self.agent).action_done()

    def test_done_and_reset_refused_on_locked_ticket(self):
        done, planned = self._plan(), self._plan()
        self._done(done.with_user(self.agent))
        planned.write({"report": "<p>Done.</p>", "duration_done": 1})
        self.ticket.sudo().write(self._close_values(self.st_closed))
        self.ticket.sudo().action_lock()
        with self.assertRaisesRegex(UserError, "locked"):
            planned.with_user(self.agent).action_done()
        with self.assertRaisesRegex(UserError, "locked"):
            done.with_user(self.agent).action_reset()
        with self.assertRaisesRegex(UserError, "locked"):
            self._plan()
        self.assertEqual(done.state, "done")
        self.assertTrue(done.workunit_ids)
        # the customer's signature may still come: it changes nothing done
        done.sudo()._spid_sign("Rita Requester", SIGNATURE)
        self.assertEqual((done.state, done.signed_by), ("signed", "Rita Requester"))

    # ------------------------------------------------------------------
    # Signature
    # ------------------------------------------------------------------

    def test_sign_renders_pdf_and_mails_requester(self):
        intervention = self._plan()
        self.env["spid.intervention.material"].with_user(self.agent).create(
            {"intervention_id": intervention.id, "name": "Fuser unit", "quantity": 1, "note": "SN 42"}
        )
        with self.assertRaisesRegex(UserError, "Only a done intervention"):
            intervention._spid_sign("Rita", SIGNATURE)
        self._done(intervention.with_user(self.agent))
        with self.assertRaisesRegex(UserError, "PNG"):
            intervention._spid_sign("Rita", base64.b64encode(b"<svg/>").decode())
        with self.assertRaisesRegex(UserError, "name"):
            intervention._spid_sign("  ", SIGNATURE)
        self.assertEqual(intervention.state, "done", "nothing half-written")

        mails_before = self.env["mail.mail"].search([], order="id desc", limit=1).id or 0
        # as the portal controller calls it, after its own access check
        # (a real PDF: Odoo renders HTML in tests unless forced)
        signer = intervention.with_user(self.portal_user).sudo().with_context(force_report_rendering=True)
        attachment = signer._spid_sign("Rita Requester", SIGNATURE)
        self.env.flush_all()
        self.env.cr.precommit.run()  # what the request's commit sends
        self.assertEqual(intervention.state, "signed")
        self.assertEqual(intervention.signed_by, "Rita Requester")
        self.assertTrue(intervention.signed_on)
        self.assertTrue(intervention.signature)
        self.assertEqual((attachment.res_model, attachment.res_id), ("spid.ticket", self.ticket.id))
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertGreater(attachment.file_size, 1000)
        mails = self.env["mail.mail"].search(
            [("id", ">", mails_before), ("recipient_ids", "in", self.requester.ids)]
        )
        self.assertEqual(len(mails), 1, mails.mapped("subject"))
        self.assertIn(attachment, mails.attachment_ids)
        self.assertIn("signed by Rita Requester", mails.body_html)
        self.assertIn(self.ticket.reference, mails.subject or mails.body_html)
        self.assertNotEqual(mails.author_id, self.requester, "told by the technician, not by the signer")
        with self.assertRaisesRegex(UserError, "Only a done intervention"):
            intervention._spid_sign("Rita", SIGNATURE)

    def test_signed_is_final(self):
        intervention = self._plan()
        material = self.env["spid.intervention.material"].create(
            {"intervention_id": intervention.id, "name": "Cable"}
        )
        self._done(intervention.with_user(self.agent))
        intervention.sudo()._spid_sign("Rita", SIGNATURE)
        values = {
            "report": "<p>Rewritten</p>",
            "instructions": "<p>x</p>",
            "duration_done": 9,
            "duration_planned": 9,
            "date_planned": fields.Datetime.to_string(self.when + timedelta(days=5)),
            "user_ids": [(6, 0, self.agent_2.ids)],
            "site_id": self.client.id,
            "billable": False,
            "material_ids": [(0, 0, {"name": "More"})],
        }
        for field, value in values.items():
            for user in (self.agent, self.supervisor):
                with self.assertRaises(UserError, msg=field):  # AccessError is one too
                    intervention.with_user(user).write({field: value})
        with self.assertRaisesRegex(UserError, "signed"):
            material.with_user(self.agent).write({"quantity": 3})
        with self.assertRaisesRegex(UserError, "signed"):
            material.with_user(self.agent).unlink()
        with self.assertRaisesRegex(UserError, "Only a done or cancelled"):
            intervention.with_user(self.agent).action_reset()
        with self.assertRaisesRegex(UserError, "cancelled"):
            intervention.with_user(self.agent).action_cancel()
        with self.assertRaisesRegex(UserError, "deleted"):
            intervention.with_user(self.supervisor).unlink()
        # over RPC, whatever the context
        context = {"spid_system": True, "tracking_disable": True, "active_test": False}
        for field, value in values.items():
            answer = self._rpc(
                "hd_supervisor",
                "spid.intervention",
                "write",
                [intervention.ids, {field: value}],
                {"context": context},
            )
            self.assertIn("error", answer, field)
        self.assertEqual(intervention.report, "<p>Replaced the fuser.</p>")
        # duplicated (a follow-up visit): a new planned one, nothing of the signature
        follow_up = intervention.with_user(self.agent).copy({"date_planned": self.when + timedelta(days=7)})
        self.assertEqual(follow_up.state, "planned")
        self.assertFalse(follow_up.signature or follow_up.signed_by or follow_up.workunit_ids)
        self.assertNotEqual(follow_up.name, intervention.name)
        self.assertEqual(follow_up.material_ids.mapped("name"), ["Cable"])
        self.assertTrue(follow_up.sudo().event_id)

    def test_system_fields_refused(self):
        intervention = self._plan()
        for field, value in {
            "state": "signed",
            "signed_by": "Forged",
            "signed_on": "2026-01-01 00:00:00",
            "signature": SIGNATURE,
            "event_id": False,
            "name": "INT/forged",
        }.items():
            with self.assertRaises(AccessError, msg=field):
                intervention.with_user(self.agent).write({field: value})
            answer = self._rpc(
                "hd_agent",
                "spid.intervention",
                "write",
                [intervention.ids, {field: value}],
                {"context": {"spid_system": True}},
            )
            self.assertIn("error", answer, field)
            with self.assertRaises(AccessError, msg=field):
                self._plan(**{field: value})
        unit = self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": self.ticket.id})
        with self.assertRaises(AccessError):
            intervention.with_user(self.agent).write({"workunit_ids": [(4, unit.id)]})
        with self.assertRaises(AccessError):
            unit.with_user(self.agent).write({"intervention_id": intervention.id})
        self.assertEqual(intervention.state, "planned")

    @mute_logger("odoo.http")
    def test_sign_not_reachable_over_rpc(self):
        intervention = self._plan()
        self._done(intervention.with_user(self.agent))
        for login in ("hd_agent", "hd_supervisor", "hd_portal"):
            answer = self._rpc(
                login, "spid.intervention", "_spid_sign", [intervention.ids, "Forged", SIGNATURE]
            )
            self.assertIn("error", answer, login)
        self.assertEqual(intervention.state, "done")
        self.assertFalse(intervention.signature)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    @mute_logger("odoo.http")
    def test_other_team_agent_and_portal_refused(self):
        new_test_user(
            self.env, "hd_stranger", groups="base.group_portal", name="Otto", partner_id=self.other_contact.id
        )
        intervention = self._plan()
        with self.assertRaises(AccessError):
            intervention.with_user(self.agent_other).read(["name"])
        with self.assertRaises(AccessError):
            self._plan(user=self.agent_other)
        self.assertFalse(
            self.env["spid.intervention"].with_user(self.agent_other).search([("id", "=", intervention.id)])
        )
        self.assertEqual(intervention.with_user(self.supervisor).read(["name"])[0]["id"], intervention.id)
        for login in ("hd_agent_other", "hd_stranger"):
            answer = self._rpc(login, "spid.intervention", "read", [intervention.ids, ["name", "report"]])
            self.assertIn("error", answer, login)
            answer = self._rpc(
                login,
                "spid.intervention",
                "search_read",
                [[]],
                {"fields": ["name"], "context": {"active_test": False}},
            )
            self.assertTrue("error" in answer or not answer["result"], login)
            answer = self._rpc(
                login, "spid.intervention", "write", [intervention.ids, {"report": "<p>x</p>"}]
            )
            self.assertIn("error", answer, login)
            answer = self._rpc(
                login,
                "spid.intervention",
                "create",
                [{"ticket_id": self.ticket.id, "date_planned": "2030-01-01 10:00:00"}],
            )
            self.assertIn("error", answer, login)
            answer = self._rpc(login, "spid.intervention.material", "search_read", [[]], {"fields": ["name"]})
            self.assertTrue("error" in answer or not answer["result"], login)
        # in core the requester on the portal has no access at all; with the
        # portal addon they may read their own, never write
        for method, args in (
            ("write", [intervention.ids, {"report": "<p>Forged</p>"}]),
            ("create", [{"ticket_id": self.ticket.id, "date_planned": "2030-01-01 10:00:00"}]),
            ("unlink", [intervention.ids]),
            ("action_done", [intervention.ids]),
            ("action_cancel", [intervention.ids]),
        ):
            answer = self._rpc(
                "hd_portal", "spid.intervention", method, args, {"context": {"spid_system": True}}
            )
            self.assertIn("error", answer, method)
        if "spid_helpdesk_portal" not in self.env.registry._init_modules:
            answer = self._rpc("hd_portal", "spid.intervention", "read", [intervention.ids, ["name"]])
            self.assertIn("error", answer)
        self.assertEqual(intervention.state, "planned")
        self.assertFalse(intervention.report)
        # the ticket's agent over RPC works as in the form
        answer = self._rpc("hd_agent", "spid.intervention", "read", [intervention.ids, ["name"]])
        self.assertEqual(answer["result"][0]["name"], intervention.name)

    def test_send_for_signature_needs_portal(self):
        intervention = self._plan()
        self._done(intervention.with_user(self.agent))
        if intervention._spid_signature_url():
            self.skipTest("the portal addon gives the signature page")
        self.assertFalse(intervention.may_send_for_signature)
        with self.assertRaisesRegex(UserError, "portal"):
            intervention.with_user(self.agent).action_send_for_signature()
