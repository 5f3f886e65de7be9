"""Red team, customers over JSON-RPC: tracking of internal fields, emails,
followers, relational paths and exports, internal mail data, the gateway
and admin methods; a colleague of an *independent* client; properties set
from the portal; sorting and grouping on fields outside the portal's
allowlist. Each attack is refused and changes nothing."""

import json

from redteam_common import RedTeamOneCommon, RedTeamTwoCommon

from odoo.tests import tagged

from odoo.addons.spid_helpdesk.tests.common import form_csrf_token


@tagged("post_install", "-at_install")
class TestRedTeamCustomers(RedTeamOneCommon):
    """What a customer reads and calls over RPC."""

    # -- customers -----------------------------------------------------------

    def test_customer_sees_no_tracking_of_internal_fields(self):
        """A status change posts a public message (customers follow the
        status subtype); tracking values of fields outside the portal
        allowlist (priority, deadline, team, parent) ride along with it."""
        ticket = self.ticket_a
        in_progress = self.env.ref("spid_helpdesk.status_in_progress")
        ticket.with_user(self.agent).write(
            {
                "status_id": in_progress.id,
                "priority": "3",
                "date_deadline": "2031-07-14 10:00:00",
                "parent_id": self.ticket_b.id,
            }
        )
        self._sync()
        self._login(self.portal_a)
        texts = []
        for route, params in (
            ("/mail/thread/messages", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
            ("/mail/chatter_fetch", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
            ("/portal/chatter_init", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
        ):
            result, _error = self._rpc(route, params)
            texts.append(json.dumps(result))
        text = "\n".join(texts)
        for secret in (
            "Critical",
            "2031-07-14",
            "RT-B-SECRET",
            '"Priority"',
            '"Deadline"',
            '"Parent ticket"',
        ):
            self.assertNotIn(secret, text, f"the customer reads tracking of {secret}")

    def test_customer_emails_carry_no_internal_tracking(self):
        ticket = self.ticket_a
        in_progress = self.env.ref("spid_helpdesk.status_in_progress")
        self._sync()
        before = self.env["mail.mail"].search([]).ids
        ticket.with_user(self.agent).write(
            {"status_id": in_progress.id, "priority": "3", "date_deadline": "2031-07-14 10:00:00"}
        )
        self._sync()
        mails = self.env["mail.mail"].search(
            [
                ("id", "not in", before),
                "|",
                ("recipient_ids", "in", self.requester_a.ids),
                ("email_to", "ilike", self.requester_a.email),
            ]
        )
        for mail in mails:
            self.assertNotIn(
                "Critical", mail.body_html or "", "the customer is emailed the technician's priority"
            )
            self.assertNotIn("2031", mail.body_html or "", "the customer is emailed the internal deadline")

    def test_customer_reads_no_followers_of_the_ticket(self):
        third = self.env["res.partner"].create({"name": "RT Third", "email": "rt-third@third.example"})
        self.ticket_a.message_subscribe(partner_ids=third.ids)
        self._sync()
        self._login(self.portal_a)
        result, _error = self._rpc(
            "/mail/thread/data",
            {
                "thread_model": "spid.ticket",
                "thread_id": self.ticket_a.id,
                "request_list": ["followers", "suggestedRecipients", "attachments", "activities"],
            },
        )
        text = json.dumps(result)
        self.assertNotIn("rt-third@third.example", text)
        self.assertNotIn("rt_agent@staff.example", text)
        result, _error = self._call_kw("mail.followers", "search_read", [[("res_model", "=", "spid.ticket")]])
        self.assertNotIn("rt-third", json.dumps(result))
        result, _error = self._call_kw("spid.ticket", "message_get_followers", [self.ticket_a.ids])
        self.assertNotIn("rt-third@third.example", json.dumps(result))

    def test_customer_relational_paths_and_exports(self):
        """Readable many2ones lead to other models: the owner's user, the
        category's team, the status's templates, other tickets of the
        partner. Nothing internal comes back."""
        self.ticket_a.sudo().write({"parent_id": self.ticket_b.id})
        self._sync()
        self._login(self.portal_a)
        probes = (
            (
                "export_data",
                [self.ticket_a.ids, ["user_id/login", "category_id/team_id/name", "partner_id/email"]],
                {},
            ),
            ("export_data", [self.ticket_a.ids, ["parent_id/name"]], {}),
            (
                "web_read",
                [self.ticket_a.ids],
                {"specification": {"user_id": {"fields": {"login": {}, "email": {}}}}},
            ),
            (
                "web_read",
                [self.ticket_a.ids],
                {"specification": {"status_id": {"fields": {"mail_template_id": {}}}}},
            ),
            (
                "web_read",
                [self.ticket_a.ids],
                {
                    "specification": {
                        "partner_id": {
                            "fields": {
                                "spid_ticket_count": {},
                                "commercial_partner_id": {
                                    "fields": {"spid_open_ticket_limit": {}, "spid_tariff_ids": {}}
                                },
                            }
                        }
                    }
                },
            ),
            ("search_count", [[("user_id.partner_id.email", "=", "rt_agent@staff.example")]], {}),
            ("search_count", [[("user_id.login", "=", "rt_agent")]], {}),
            ("search_count", [[("client_id.child_ids.email", "=", "rt_portal_b@beta.example")]], {}),
            ("search_count", [[("status_id.mail_template_id.body_html", "ilike", "a")]], {}),
            ("search_count", [[("category_id.team_id.member_ids.login", "=", "rt_agent")]], {}),
        )
        wrong = []
        for method, args, kwargs in probes:
            result, error = self._call_kw("spid.ticket", method, args, kwargs)
            text = json.dumps(result)
            for secret in ("rt_agent@staff.example", "RT-B-SECRET", "rt_agent", "RT team"):
                if secret in text:
                    wrong.append(f"{method}{args[1:]} {kwargs} shows {secret}: {text[:200]}")
            if method == "search_count" and not error and result:
                wrong.append(f"{args} answered about internal data: {result}")
        self.assertFalse(wrong, "\n".join(wrong))

    def test_customer_reads_no_internal_mail_data(self):
        """RT-NOTE-A is posted as `message_post(subtype_xmlid="mail.mt_note")`
        with Odoo's default message_type (notification): what an agent's
        message_post over RPC, or base_automation's "log a note"
        (message_post_with_source), produce. The customer must not read it,
        by search or by id."""
        self._sync()
        note = self.env["mail.message"].search(
            [("model", "=", "spid.ticket"), ("res_id", "=", self.ticket_a.id), ("body", "ilike", "RT-NOTE-A")]
        )
        self.assertTrue(note)
        self._login(self.portal_a)
        wrong = []
        for model, method, args, kwargs in (
            (
                "mail.message",
                "search_read",
                [[("res_id", "=", self.ticket_a.id), ("model", "=", "spid.ticket")]],
                {"fields": ["body", "tracking_value_ids", "subtype_id"]},
            ),
            ("mail.message", "search_count", [[("body", "ilike", "RT-NOTE-A")]], {}),
            ("mail.message", "read", [note.ids, ["body"]], {}),
            ("mail.tracking.value", "search_read", [[]], {}),
            ("mail.activity", "search_read", [[("res_model", "=", "spid.ticket")]], {}),
            ("rating.rating", "search_read", [[("res_model", "=", "spid.ticket")]], {"fields": ["feedback"]}),
            ("spid.workunit", "search_read", [[]], {"fields": ["description"]}),
            ("spid.ticket.sla", "search_read", [[]], {}),
            ("spid.ticket.link", "search_read", [[]], {}),
            ("ir.attachment", "search_read", [[("res_model", "=", "spid.ticket")]], {"fields": ["name"]}),
        ):
            result, error = self._call_kw(model, method, args, kwargs)
            text = json.dumps(result)
            for secret in ("RT-NOTE-A", "RT-UNIT-A", "RT-LINK-A"):
                if secret in text:
                    wrong.append(f"{model}.{method} shows {secret}: {text[:200]}")
            if method == "search_count" and not error and result:
                wrong.append(f"{model}.{method} counts internal notes: {result}")
        self.assertFalse(wrong, "\n".join(wrong))

    def test_customer_gateway_and_admin_methods(self):
        self._login(self.portal_a)
        state = (
            self._messages(self.ticket_a),
            self._row(self.ticket_a, ["status_id", "user_id", "priority"]),
        )
        for method, args, kwargs in (
            ("write", [self.ticket_a.ids, {"priority": "3"}], {}),
            ("action_take", [self.ticket_a.ids], {}),
            ("action_lock", [self.ticket_a.ids], {}),
            ("_spid_split", [self.ticket_a.ids, "x"], {}),
            ("_spid_merge_into", [self.ticket_a.ids, self.ticket_a.id], {}),
            ("_spid_escalate", [self.ticket_a.ids, self.portal_a.id, "x"], {}),
            ("message_subscribe", [self.ticket_a.ids], {"partner_ids": self.requester_b.ids}),
            ("message_unsubscribe", [self.ticket_a.ids], {"partner_ids": self.agent.partner_id.ids}),
            ("copy", [self.ticket_a.ids], {}),
            ("activity_schedule", [self.ticket_a.ids], {"act_type_xmlid": "mail.mail_activity_data_todo"}),
            ("_message_log", [self.ticket_a.ids], {"body": "x"}),
            ("message_post", [self.ticket_b.ids], {"body": "into bob's"}),
        ):
            _result, error = self._call_kw("spid.ticket", method, args, kwargs)
            self.assertTrue(error, f"a customer called {method}")
        self.assertEqual(
            (self._messages(self.ticket_a), self._row(self.ticket_a, ["status_id", "user_id", "priority"])),
            state,
        )
        self.assertNotIn(self.requester_b.id, self._followers(self.ticket_a))


@tagged("post_install", "-at_install")
class TestRedTeam2Customers(RedTeamTwoCommon):
    """An independent colleague, properties from the portal, sorting and grouping."""

    # -- a colleague of an independent client --------------------------------

    def test_independent_colleague_reads_nothing_of_the_others_ticket(self):
        """client_a is independent: Carl sees his own tickets only, not Ann's,
        whatever the route."""
        ticket = self.ticket_a
        state = self._state(ticket)
        self._login(self.portal_a2)
        wrong = []
        for model, method, args, kwargs in (
            ("spid.ticket", "search_read", [[]], {"fields": ["name", "description"]}),
            ("spid.ticket", "read", [ticket.ids, ["name", "description"]], {}),
            ("spid.ticket", "web_read", [ticket.ids], {"specification": {"name": {}, "description": {}}}),
            ("spid.ticket", "name_search", ["RT2"], {}),
            ("spid.ticket", "read_group", [[], ["name"], ["client_id"]], {"lazy": False}),
            ("spid.ticket", "search_count", [[("name", "ilike", "RT2-A-PRIVATE")]], {}),
            ("mail.message", "search_read", [[("model", "=", "spid.ticket")]], {"fields": ["body"]}),
            ("mail.message", "read", [self.message_a.ids, ["body"]], {}),
            ("spid.ticket", "message_post", [ticket.ids], {"body": "RT2-COLLEAGUE"}),
            ("spid.ticket", "message_subscribe", [ticket.ids], {"partner_ids": self.colleague_a.ids}),
        ):
            result, error = self._call_kw(model, method, args, kwargs)
            text = json.dumps(result)
            if "RT2-A-PRIVATE" in text or "RT2-A-MESSAGE" in text or "RT2-A-DESCRIPTION" in text:
                wrong.append(f"{model}.{method} shows Ann's ticket: {text[:200]}")
            if method == "search_count" and result:
                wrong.append(f"{model}.{method}{args} answered {result}")
        for route, params in (
            ("/mail/thread/messages", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
            (
                "/mail/thread/data",
                {"thread_model": "spid.ticket", "thread_id": ticket.id, "request_list": ["followers"]},
            ),
            ("/portal/chatter_init", {"thread_model": "spid.ticket", "thread_id": ticket.id}),
            (
                "/mail/message/post",
                {
                    "thread_model": "spid.ticket",
                    "thread_id": ticket.id,
                    "post_data": {"body": "RT2-COLLEAGUE", "message_type": "comment"},
                },
            ),
            ("/mail/message/reaction", {"message_id": self.message_a.id, "content": "👍", "action": "add"}),
        ):
            result, _error = self._rpc(route, params)
            if "RT2-A-MESSAGE" in json.dumps(result) or "RT2-A-PRIVATE" in json.dumps(result):
                wrong.append(f"{route} shows Ann's ticket")
        page = self.url_open(f"/my/tickets/{ticket.id}")
        if "RT2-A-PRIVATE" in page.text:
            wrong.append("the ticket page shows Ann's ticket")
        if "RT2-A-PRIVATE" in self.url_open("/my/tickets?filterby=all").text:
            wrong.append("the list shows Ann's ticket")
        self.assertFalse(wrong, "\n".join(wrong))
        self.assertEqual(self._state(ticket), state)
        self.assertFalse(self.env["mail.message.reaction"].search([("message_id", "=", self.message_a.id)]))

    # -- properties from the portal ----------------------------------------

    def test_properties_from_the_portal(self):
        kind = self.env["spid.ticket.type"].create(
            {
                "name": "RT2 kind",
                "portal_selectable": True,
                "properties_definition": [
                    {"name": "rt2_count", "string": "Count", "type": "integer"},
                    {"name": "rt2_internal", "string": "Internal partner", "type": "many2one",
                     "comodel": "res.partner"},
                    {"name": "rt2_tags", "string": "Tags", "type": "tags",
                     "tags": [["a", "A", 1]]},
                ],
            }
        )  # fmt: skip
        self.ticket_a.sudo().write({"type_id": kind.id, "properties": {"rt2_count": 3}})
        self._sync()
        before = self._row(self.ticket_a, ["properties"])
        self._login(self.portal_a)
        wrong = []
        for method, args, kwargs in (
            ("read", [self.ticket_a.ids, ["properties"]], {}),
            ("web_read", [self.ticket_a.ids], {"specification": {"properties": {}}}),
            ("write", [self.ticket_a.ids, {"properties": {"rt2_count": 99}}], {}),
            ("search_count", [[("properties.rt2_count", "=", 3)]], {}),
            ("read_group", [[], ["name"], ["properties.rt2_count"]], {}),
        ):
            result, error = self._call_kw("spid.ticket", method, args, kwargs)
            if not error:
                wrong.append(f"{method}{args[1:]} {kwargs}: {json.dumps(result)[:150]}")
        self.assertEqual(self._row(self.ticket_a, ["properties"]), before)
        # the portal form: values of kinds the portal does not offer are dropped
        csrf = form_csrf_token(self.url_open("/my/tickets/new").text)
        self.url_open(
            "/my/tickets/new",
            data={
                "csrf_token": csrf,
                "name": "RT2-PROPS",
                "type_id": kind.id,
                "prop_rt2_count": "7",
                "prop_rt2_internal": str(self.requester_b.id),
                "prop_rt2_tags": "a",
                "properties": json.dumps({"rt2_internal": self.requester_b.id}),
            },
        )
        ticket = self.env["spid.ticket"].search([("name", "=", "RT2-PROPS")])
        if ticket:
            values = dict(ticket.properties or {})
            if values.get("rt2_internal"):
                wrong.append(f"the form set a many2one property: {values}")
            if values.get("rt2_tags"):
                wrong.append(f"the form set a tags property: {values}")
        self.assertFalse(wrong, "\n".join(wrong))

    # -- sorting and grouping as a customer ----------------------------------

    def test_customer_group_and_sort_variants(self):
        self._login(self.portal_a)
        wrong = []
        for method, args, kwargs in (
            ("read_group", [[], ["name"], ["user_id"]], {"lazy": False, "orderby": "priority desc"}),
            ("read_group", [[], ["__count"], ["status_id"]], {"orderby": "sla_deadline"}),
            ("read_group", [[], ["name"], ["date_deadline:day"]], {}),
            ("read_group", [[], ["name"], ["team_id"]], {"lazy": False}),
            ("read_group", [[], ["priority:max"], ["user_id"]], {}),
            ("read_group", [[], ["total_hours:sum"], []], {}),
            ("web_read_group", [[], ["total_hours:sum"], ["status_id"]], {}),
            ("web_read_group", [[], ["name"], ["status_id"]], {"orderby": "total_hours desc"}),
            ("search", [[]], {"order": "date_deadline desc"}),
            ("search", [[]], {"order": "team_id"}),
            ("search_read", [[]], {"fields": ["name"], "order": "user_id.login"}),
            ("search_count", [[("user_id", "not any", [("login", "=", "rt2_agent")])]], {}),
            ("search_count", [["!", ("priority", "=", "3")]], {}),
            ("search_count", [["&", ("name", "!=", False), ("total_hours", ">", 0)]], {}),
            ("search_count", [[("status_id", "any", [("pause_sla", "=", False)])]], {}),
            ("search_count", [[("category_id.team_id.name", "ilike", "RT2")]], {}),
            ("read", [self.ticket_a.ids, ["name", "priority"]], {"load": None}),
            ("search_read", [[]], {"fields": ["name", "team_id"], "load": ""}),
            ("web_search_read", [[]], {"specification": {"name": {}, "team_id": {"fields": {}}}}),
            (
                "web_search_read",
                [[]],
                {
                    "specification": {
                        "user_id": {"fields": {"partner_id": {"fields": {"email": {}, "phone": {}}}}}
                    }
                },
            ),
        ):
            result, error = self._call_kw("spid.ticket", method, args, kwargs)
            text = json.dumps(result)
            if not error and (
                "team_id" in str(kwargs)
                or "team_id" in str(args)
                or "priority" in str(args) + str(kwargs)
                or "total_hours" in str(args) + str(kwargs)
                or "date_deadline" in str(args) + str(kwargs)
                or "sla_deadline" in str(kwargs)
            ):
                wrong.append(f"{method}{args} {kwargs}: {text[:150]}")
            for secret in ("RT2 team", "rt2_agent@staff.example"):
                if secret in text:
                    wrong.append(f"{method}{args} {kwargs} shows {secret}")
        self.assertFalse(wrong, "\n".join(wrong))
