"""Attacks on what issue #18 added: copies and followers by role, the
team's voice, the team's status emails and the quiet close, the response
clocks, work-unit files, work-order templates and the chat bridge. Each
attack is made as a real attacker would: a raw email handed to the gateway,
or the web client's own JSON-RPC call as the customer or an agent of
another team with a hostile context; each checks that the refusal leaves
the target as it was and that nothing of another client leaks."""

import json

from attack_common import PDF, RefusalAsserts, raw_email
from redteam_common import RedTeamOneCommon

from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAttackH18(RefusalAsserts, RedTeamOneCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team_a.email_from = "Support A <support-a@rt.example>"
        cls.team_b.email_from = "Support B <support-b@rt.example>"
        cls.env.flush_all()

    def _notified(self, partner, before_message_ids, ticket):
        self._sync()
        messages = self.env["mail.message"].search(
            [("model", "=", "spid.ticket"), ("res_id", "=", ticket.id), ("id", "not in", before_message_ids)]
        )
        return self.env["mail.notification"].search(
            [("mail_message_id", "in", messages.ids), ("res_partner_id", "=", partner.id)]
        )

    # ------------------------------------------------------------------
    # Copies and followers
    # ------------------------------------------------------------------

    def test_stranger_cc_never_follows_by_subject_or_reply_headers(self):
        for target, extra, n in (
            (self.ticket_a, "", 1),
            (
                self.ticket_b,
                f"In-Reply-To: {self.message_b.message_id}\nReferences: {self.message_b.message_id}\n",
                2,
            ),
        ):
            before, cc_before = self._state(target), target.sudo().email_cc
            self._receive(
                raw_email(
                    "Mallory <mallory@evil.example>",
                    f"Re: [{target.reference}] {target.name}",
                    f"h18-cc-{n}",
                    to=target.team_id.alias_email,
                    cc=f"eve@evil.example, {self.requester_b.email}, {self.requester_a.email}",
                    extra=extra,
                )
            )
            self.assertEqual(self._state(target), before, f"the stranger changed {target.reference}")
            target.invalidate_recordset()
            self.assertEqual(target.sudo().email_cc, cc_before)
            followers = target.sudo().message_partner_ids
            self.assertFalse(followers.filtered(lambda p: "evil.example" in (p.email or "")))

    def test_customer_cannot_write_copies_participants_or_reporter(self):
        self._login(self.portal_a)
        before = self._state(self.ticket_a)
        for values in (
            {"email_cc": "eve@evil.example"},
            {"participant_ids": [[6, 0, [self.agent_b.id]]]},
            {"reporter_id": self.requester_b.id},
        ):
            self.assertRefusedRpc("spid.ticket", "write", [[self.ticket_a.id], values])
        self.assertEqual(self._state(self.ticket_a), before)
        self.assertFalse(self._row(self.ticket_a, ["email_cc"])["email_cc"])

    def test_nobody_follows_a_ticket_they_cannot_read(self):
        followers_b = self._followers(self.ticket_b)

        def refused_or_ignored(ticket, partner):
            # Odoo answers False (nothing done) to a self-subscription
            # without read access, an error otherwise
            result, error = self._call_kw(
                "spid.ticket", "message_subscribe", [[ticket.id]], {"partner_ids": [partner.id]}
            )
            self.assertTrue(error or result is False, f"subscribed {partner.name} to {ticket.name}: {result}")

        self._login(self.portal_a)
        refused_or_ignored(self.ticket_b, self.requester_a)
        self.assertRefusedRpc(
            "spid.ticket", "_message_subscribe", [[self.ticket_b.id]], {"partner_ids": [self.requester_a.id]}
        )
        # on their own ticket, another client's customer is not subscribed either
        refused_or_ignored(self.ticket_a, self.requester_b)
        self.assertRefusedRpc(
            "mail.followers",
            "create",
            [{"res_model": "spid.ticket", "res_id": self.ticket_b.id, "partner_id": self.requester_a.id}],
        )
        self._login(self.agent)
        refused_or_ignored(self.ticket_b, self.agent.partner_id)
        refused_or_ignored(self.ticket_a, self.requester_b)
        self.assertRefusedRpc(
            "mail.followers",
            "create",
            [
                {
                    "res_model": "spid.ticket",
                    "res_id": self.ticket_b.id,
                    "partner_id": self.agent.partner_id.id,
                }
            ],
        )
        self.assertEqual(self._followers(self.ticket_b), followers_b)
        self.assertNotIn(self.requester_b.id, self._followers(self.ticket_a))

    def test_posts_naming_outsiders_do_not_reach_them(self):
        before = self._messages(self.ticket_a)
        self._login(self.agent)
        _result, error = self._call_kw(
            "spid.ticket",
            "message_post",
            [[self.ticket_a.id]],
            {
                "body": "RT-H18-AGENT",
                "message_type": "comment",
                "subtype_xmlid": "mail.mt_comment",
                "partner_ids": [self.requester_b.id, self.agent_b.partner_id.id],
            },
        )
        self.assertFalse(error, error)
        self._login(self.portal_a)
        _result, error = self._call_kw(
            "spid.ticket",
            "message_post",
            [[self.ticket_a.id]],
            {"body": "RT-H18-CUSTOMER", "partner_ids": [self.requester_b.id, self.agent_b.partner_id.id]},
        )
        self.assertFalse(error, error)
        for outsider in (self.requester_b, self.agent_b.partner_id):
            self.assertFalse(
                self._notified(outsider, before, self.ticket_a), f"{outsider.name} was sent ticket A"
            )
        self.assertNotIn(self.requester_b.id, self._followers(self.ticket_a))

    def test_customer_reads_neither_recipients_nor_others_followers(self):
        self._login(self.portal_a)
        self.assertRefusedRpc("spid.ticket", "read", [[self.ticket_a.id], ["public_recipient_ids"]])
        self.assertRefusedRpc("spid.ticket", "read", [[self.ticket_b.id], ["message_partner_ids"]])
        result, error = self._call_kw(
            "mail.followers",
            "search_read",
            [[("res_model", "=", "spid.ticket"), ("res_id", "=", self.ticket_b.id)]],
            {"fields": ["partner_id"]},
        )
        self.assertFalse(result, "a customer lists the followers of another client's ticket")
        self._login(self.agent)
        self.assertRefusedRpc("spid.ticket", "read", [[self.ticket_b.id], ["public_recipient_ids"]])

    def test_customer_reads_no_tracking_of_internal_fields(self):
        """Copies, participants and priority are tracked for the agents:
        the customer's chatter and the messages read over RPC do not show
        their changes."""
        self.ticket_a.with_user(self.agent).write(
            {
                "email_cc": "rt-h18-hidden-copy@hidden.example",
                "participant_ids": [(4, self.supervisor.id)],
                "description": "<p>RT-H18-PUBLIC-DESCRIPTION</p>",
            }
        )
        self._sync()
        self._login(self.portal_a)
        result, error = self._rpc(
            "/mail/thread/messages", {"thread_model": "spid.ticket", "thread_id": self.ticket_a.id}
        )
        answers = [json.dumps([result, error])]
        for fields in (["body", "tracking_value_ids"], ["body"]):
            result, error = self._call_kw(
                "mail.message",
                "search_read",
                [[("model", "=", "spid.ticket"), ("res_id", "=", self.ticket_a.id)]],
                {"fields": fields},
            )
            answers.append(json.dumps([result, error]))
        result, error = self._call_kw(
            "mail.tracking.value", "search_read", [[]], {"fields": ["old_value_char", "new_value_char"]}
        )
        answers.append(json.dumps([result, error]))
        for answer in answers:
            self.assertNotIn("rt-h18-hidden-copy", answer)
            self.assertNotIn("rt_supervisor", answer)
            self.assertNotIn("RT-NOTE-A", answer)

    # ------------------------------------------------------------------
    # The team's voice, status emails, quiet close
    # ------------------------------------------------------------------

    def test_customer_reply_keeps_its_own_from(self):
        self._login(self.portal_a)
        for kwargs in (
            {"body": "RT-H18-FROM-1", "email_from": self.team_a.email_from},
            {"body": "RT-H18-FROM-2", "email_layout_xmlid": "spid_helpdesk.mail_notification_team"},
        ):
            result, error = self._call_kw("spid.ticket", "message_post", [[self.ticket_a.id]], kwargs)
            if error:
                continue  # refused outright: fine
            message = self.env["mail.message"].browse(result)
            self.assertNotIn("support-a@", message.email_from or "")
            self.assertIn(self.requester_a.email, message.email_from)
            self.assertEqual(message.author_id, self.requester_a)

    def test_agent_cannot_write_in_another_team_voice(self):
        """An agent of team A answering their ticket cannot put team B's
        sender address on it (the customer would read team B wrote)."""
        before = self._messages(self.ticket_a)
        self._login(self.agent)
        for email_from in (self.team_b.email_from, "Support B <SUPPORT-B@rt.example>"):
            result, error = self._call_kw(
                "spid.ticket",
                "message_post",
                [[self.ticket_a.id]],
                {
                    "body": "RT-H18-SPOOF",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                    "email_from": email_from,
                },
            )
            self.assertTrue(error, f"posted from {email_from}: {result}")
        self.assertEqual(self._messages(self.ticket_a), before)

    def test_full_composer_answers_in_the_team_voice(self):
        """The chatter's full composer (mail.compose.message) gives the
        agent's own address as From: the answer still goes out in the
        team's voice, as a message_post does."""
        self._login(self.agent)
        composer, error = self._call_kw(
            "mail.compose.message",
            "create",
            [{"body": "<p>RT-H18-COMPOSER</p>", "composition_mode": "comment"}],
            context={"default_model": "spid.ticket", "default_res_ids": [self.ticket_a.id]},
        )
        self.assertFalse(error, error)
        _result, error = self._call_kw("mail.compose.message", "action_send_mail", [[composer]])
        self.assertFalse(error, error)
        self._sync()
        message = self.env["mail.message"].search(
            [
                ("model", "=", "spid.ticket"),
                ("res_id", "=", self.ticket_a.id),
                ("body", "ilike", "RT-H18-COMPOSER"),
            ]
        )
        self.assertEqual(len(message), 1)
        self.assertIn("support-a@rt.example", message.email_from)
        self.assertEqual(message.author_id, self.agent.partner_id)

    def test_agents_cannot_edit_team_voice_or_status_emails(self):
        status = self.env.ref("spid_helpdesk.status_closed")
        template = self.env["mail.template"].search([("model", "=", "spid.ticket")], limit=1)
        self._login(self.agent)
        self.assertRefusedRpc(
            "spid.team",
            "write",
            [
                [self.team_a.id],
                {"email_from": "x@evil.example", "mail_footer": "<p>evil</p>", "rating_enabled": True},
            ],
        )
        self.assertRefusedRpc(
            "spid.team.status.template",
            "create",
            [{"team_id": self.team_a.id, "status_id": status.id, "mail_template_id": template.id}],
        )
        self.assertEqual(
            self._row(self.team_a, ["email_from"])["email_from"], "Support A <support-a@rt.example>"
        )
        # a manager: a template of another model, or a team of another company, is refused
        partner_template = self.env["mail.template"].create(
            {
                "name": "RT H18 partner",
                "model_id": self.env.ref("base.model_res_partner").id,
                "body_html": "<p>x</p>",
            }
        )
        Line = self.env["spid.team.status.template"].with_user(self.manager)
        with self.assertRefused("template of tickets"):
            Line.create(
                {"team_id": self.team_a.id, "status_id": status.id, "mail_template_id": partner_template.id}
            )
        team_c = self.env["spid.team"].create({"name": "RT H18 team C", "company_id": self.company_b.id})
        with self.assertRefused():
            Line.create({"team_id": team_c.id, "status_id": status.id, "mail_template_id": template.id})
        self.assertFalse(
            self.env["spid.team.status.template"].search([("team_id", "in", [self.team_a.id, team_c.id])])
        )

    def test_close_wizard_on_another_team_ticket_is_refused(self):
        before = self._state(self.ticket_b)
        closed = self.env.ref("spid_helpdesk.status_closed")
        self._login(self.agent)
        result, error = self._call_kw(
            "spid.ticket.close.wizard",
            "create",
            [
                {
                    "ticket_id": self.ticket_b.id,
                    "status_id": closed.id,
                    "epilogue": "<p>x</p>",
                    "notify_customer": False,
                }
            ],
        )
        if not error:
            _result, error = self._call_kw("spid.ticket.close.wizard", "action_confirm", [[result]])
        self.assertTrue(error, "an agent of team A closed ticket B")
        self.assertEqual(self._state(self.ticket_b), before)

    def test_old_rating_link_of_a_team_without_ratings_records_nothing(self):
        """A team that turns rating requests off takes no rating, also
        through the link of an email sent before."""
        self.team_a.rating_enabled = True
        token = self.ticket_a.sudo()._rating_get_access_token()
        self.assertTrue(token)
        self.team_a.rating_enabled = False
        self._sync()
        self.authenticate(None, None)
        self.url_open(f"/rate/{token}/5")
        self.url_open(f"/rate/{token}/submit_feedback", data={"rate": 5, "feedback": "RT-H18-FEEDBACK"})
        self._sync()
        rating = self.env["rating.rating"].sudo().search([("access_token", "=", token)])
        self.assertFalse(rating.consumed, "a rating was recorded for a team without ratings")
        self.assertNotEqual(rating.feedback, "RT-H18-FEEDBACK")

    # ------------------------------------------------------------------
    # Response clocks
    # ------------------------------------------------------------------

    def test_clocks_neither_written_nor_read_by_outsiders(self):
        line = {"ticket_id": self.ticket_a.id, "kind": "response", "target_hours": 100}
        figures = {"sla_responses_done_count": 9, "sla_responses_met_count": 9, "sla_response_done": True}
        self._login(self.portal_a)
        self.assertRefusedRpc("spid.ticket.sla", "create", [line])
        self.assertRefusedRpc("spid.ticket.sla", "search_read", [[]], {"fields": ["ticket_id"]})
        self.assertRefusedRpc("spid.ticket", "read", [[self.ticket_a.id], ["sla_timeline_html"]])
        self.assertRefusedRpc("spid.ticket", "write", [[self.ticket_a.id], figures])
        self._login(self.agent)
        self.assertRefusedRpc("spid.ticket.sla", "create", [line])
        self.assertRefusedRpc("spid.ticket", "write", [[self.ticket_a.id], figures])
        self.assertRefusedRpc("spid.ticket", "read", [[self.ticket_b.id], ["sla_timeline_html"]])
        self.assertFalse(self.env["spid.ticket.sla"].search([("ticket_id", "=", self.ticket_a.id)]))
        self.assertEqual(
            self._row(self.ticket_a, ["sla_responses_done_count"])["sla_responses_done_count"], 0
        )

    # ------------------------------------------------------------------
    # Work-unit files
    # ------------------------------------------------------------------

    def test_internal_unit_file_reaches_no_customer(self):
        Attachment = self.env["ir.attachment"]
        upload = Attachment.with_user(self.agent).create(
            {"name": "rt-h18-internal.pdf", "raw": PDF, "res_model": "spid.workunit", "res_id": 0}
        )
        self.unit_a.with_user(self.agent).write({"attachment_ids": [(4, upload.id)]})
        public_unit = (
            self.env["spid.workunit"]
            .with_user(self.agent)
            .create(
                {
                    "ticket_id": self.ticket_a.id,
                    "visibility": "public",
                    "duration": 1,
                    "description": "<p>pub</p>",
                }
            )
        )
        public_file = Attachment.with_user(self.agent).create(
            {"name": "rt-h18-public.pdf", "raw": PDF, "res_model": "spid.workunit", "res_id": 0}
        )
        public_unit.with_user(self.agent).write({"attachment_ids": [(4, public_file.id)]})
        self._sync()
        token = public_file.sudo().access_token or public_file.sudo().generate_access_token()[0]
        internal_token = upload.sudo().access_token
        self._login(self.portal_a)
        for url in (
            f"/web/content/{upload.id}",
            f"/web/content/{upload.id}?download=true&access_token={token}",
            f"/web/content/{upload.id}?access_token={internal_token or 'x'}",
            f"/web/image/{upload.id}",
            f"/web/content/ir.attachment/{upload.id}/datas?access_token={token}",
        ):
            response = self.url_open(url)
            if url.startswith("/web/content"):
                self.assertNotEqual(response.status_code, 200, url)
            # /web/image answers a placeholder image to whoever may not read the file
            self.assertNotIn(b"%PDF", response.content, url)
        for method, args, kwargs in (
            ("read", [[upload.id], ["name", "datas"]], {}),
            ("web_read", [[upload.id]], {"specification": {"name": {}, "datas": {}}}),
        ):
            self.assertRefusedRpc("ir.attachment", method, args, kwargs)
        result, _error = self._call_kw(
            "ir.attachment", "search_read", [[("name", "like", "rt-h18")]], {"fields": ["name"]}
        )
        self.assertNotIn("rt-h18-internal.pdf", json.dumps(result or []))

    def test_files_of_others_cannot_be_put_on_a_unit(self):
        file_b = self.env["ir.attachment"].create(
            {"name": "rt-h18-b.pdf", "raw": PDF, "res_model": "spid.ticket", "res_id": self.ticket_b.id}
        )
        upload_b = (
            self.env["ir.attachment"]
            .with_user(self.agent_b)
            .create({"name": "rt-h18-upload-b.pdf", "raw": PDF, "res_model": "spid.workunit", "res_id": 0})
        )
        self._login(self.agent)
        for file in (file_b, upload_b):
            self.assertRefusedRpc(
                "spid.workunit", "write", [[self.unit_a.id], {"attachment_ids": [[4, file.id]]}]
            )
            self.assertRefusedRpc(
                "ir.attachment",
                "write",
                [[file.id], {"res_model": "spid.workunit", "res_id": self.unit_a.id}],
            )
        own = (
            self.env["ir.attachment"]
            .with_user(self.agent)
            .create(
                {"name": "rt-h18-a.pdf", "raw": PDF, "res_model": "spid.ticket", "res_id": self.ticket_a.id}
            )
        )
        self.assertRefusedRpc(
            "ir.attachment", "write", [[own.id], {"res_model": "spid.workunit", "res_id": self.unit_b.id}]
        )
        self._sync()
        self.assertFalse(self.unit_a.attachment_ids)
        self.assertEqual((file_b.res_model, file_b.res_id), ("spid.ticket", self.ticket_b.id))
        self.assertEqual((own.res_model, own.res_id), ("spid.ticket", self.ticket_a.id))

    # ------------------------------------------------------------------
    # Work-order templates
    # ------------------------------------------------------------------

    def _no_template_editor(self):
        editor = self.env.ref("mail.group_mail_template_editor")
        self.env.ref("base.group_user").write({"implied_ids": [(3, editor.id)]})
        editor.write({"users": [(3, self.manager.id), (3, self.agent.id)]})
        self.assertFalse(self.manager.has_group("mail.group_mail_template_editor"))

    def test_workorder_template_takes_no_code_from_non_editors(self):
        self._no_template_editor()
        kind = self.env["spid.ticket.type"].create({"name": "RT H18 type"})
        self.ticket_a.sudo().type_id = kind
        self._login(self.agent)
        self.assertRefusedRpc(
            "spid.ticket.type", "write", [[kind.id], {"workorder_template": "<p>{{ object.name }}</p>"}]
        )
        self._login(self.manager)
        for code in (
            "{{ object.env['res.users'].sudo().search([]).mapped('login') }}",
            "{{ object.sudo().partner_id.email }}",
            "{{ object.env.cr.dbname }}",
            "{{ custom_fields['x'] + object.env.cr.dbname }}",
        ):
            self.assertRefusedRpc(
                "spid.ticket.type", "write", [[kind.id], {"workorder_template": f"<p>{code}</p>"}]
            )
            self.assertRefusedRpc(
                "spid.ticket.type",
                "create",
                [{"name": "RT H18 evil", "workorder_template": f"<p>{code}</p>"}],
            )
        # QWeb directives in the HTML are accepted as text but never run
        markup = (
            '<p><t t-out="object.env.cr.dbname"/><span t-esc="object.env.user.login">s</span>'
            '<span t-att-title="object.env.cr.dbname">{{ object.name }}</span>'
            "<b>{{</b> object.env.cr.dbname }}</p>"
        )
        _result, error = self._call_kw(
            "spid.ticket.type", "write", [[kind.id], {"workorder_template": markup}]
        )
        if not error:
            self._sync()
            report = self.env["report.spid_helpdesk.report_spid_workorder"].with_user(self.agent)
            rendered = str(
                report._spid_render_workorder(
                    kind.sudo().workorder_template, self.ticket_a.with_user(self.agent), {}, []
                )
            )
            self.assertNotIn(self.env.cr.dbname, rendered)
            self.assertNotIn(self.agent.login, rendered)
            self.assertIn("RT-A", rendered)

    def test_workorder_preview_leaks_no_other_ticket(self):
        self._no_template_editor()
        kind = self.env["spid.ticket.type"].create({"name": "RT H18 preview"})
        template = "<p>{{ object.name }} {{ object.partner_id.email }} {{ work_done }}</p>"
        for user in (self.agent, self.portal_a):
            self._login(user)
            result, error = self._call_kw(
                "spid.ticket.type",
                "onchange",
                [
                    [],
                    {"workorder_template": template, "workorder_preview_ticket_id": self.ticket_b.id},
                    ["workorder_preview_ticket_id"],
                    {
                        "workorder_template": {},
                        "workorder_preview_ticket_id": {"fields": {"display_name": {}}},
                        "workorder_preview": {},
                    },
                ],
                context={"id": kind.id},
            )
            answer = json.dumps([result, error])
            self.assertFalse(error, answer)
            for secret in ("RT-B-SECRET", "RT-UNIT-B-SECRET", self.requester_b.email):
                self.assertNotIn(secret, answer, f"{user.login} read {secret} through the preview")
            # the same in-process, on the type itself
            preview = (
                self.env["spid.ticket.type"]
                .with_user(user)
                .new({"workorder_template": template, "workorder_preview_ticket_id": self.ticket_b.id})
                .workorder_preview
            )
            for secret in ("RT-B-SECRET", "RT-UNIT-B-SECRET", self.requester_b.email):
                self.assertNotIn(secret, str(preview or ""))

    def test_work_order_of_another_client_is_not_printed(self):
        """The type's template fills the work order of the tickets the user
        may read only: another team's ticket prints nothing of it."""
        kind = self.env["spid.ticket.type"].create(
            {"name": "RT H18 print", "workorder_template": "<p>{{ object.name }} {{ work_done }}</p>"}
        )
        self.ticket_b.sudo().type_id = kind
        self._sync()
        for user in (self.agent, self.portal_a):
            self._login(user)
            response = self.url_open(f"/report/html/spid_helpdesk.report_spid_workorder/{self.ticket_b.id}")
            self.assertNotIn("RT-B-SECRET", response.text, user.login)
            self.assertNotIn("RT-UNIT-B-SECRET", response.text, user.login)

    # ------------------------------------------------------------------
    # Chat to ticket: the links are the system's
    # ------------------------------------------------------------------

    def test_chat_links_are_not_written_by_hand(self):
        channel = self.env["discuss.channel"].create(
            {
                "name": "RT H18 chat",
                "channel_type": "livechat",
                "livechat_operator_id": self.agent.partner_id.id,
            }
        )
        channel.add_members(partner_ids=self.agent.partner_id.ids)
        self._login(self.agent)
        self.assertRefusedRpc(
            "spid.ticket", "write", [[self.ticket_a.id], {"livechat_channel_id": channel.id}]
        )
        self.assertRefusedRpc(
            "discuss.channel", "write", [[channel.id], {"spid_ticket_id": self.ticket_b.id}]
        )
        self._login(self.portal_a)
        self.assertRefusedRpc(
            "discuss.channel", "execute_command_ticket", [[channel.id]], {"body": "/ticket x"}
        )
        self._sync()
        self.assertFalse(channel.spid_ticket_id)
        self.assertFalse(self.ticket_a.livechat_channel_id)
