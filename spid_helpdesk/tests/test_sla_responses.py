from datetime import datetime

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import JsonRpcMixin, SpidHelpdeskCommon, form_csrf_token, run_ticket_jobs
from .test_mail_gateway import EMAIL

MONDAY = datetime(2026, 11, 23)


def at(hour, minute=0, day=MONDAY):
    return day.replace(hour=hour, minute=minute)


class ResponseClockCommon(SpidHelpdeskCommon):
    """A ticket of the first team under a policy of 4 working hours to
    respond (9:00-18:00, UTC), opened by Rita, whose emails reach it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar, cls.policy = cls._standard_sla()
        cls._team_alias("desk.example.com", "support")
        cls.msg_count = 0

    def _receive(self, ticket, sender="Rita Requester <rita@client.example.com>", extra=""):
        type(self).msg_count += 1
        raw = EMAIL.format(
            sender=sender,
            subject=f"Re: [{ticket.reference}] Printer broken",
            body="Some more detail.",
            msgid=f"resp{self.msg_count}",
            cc="",
            extra=extra,
        )
        self.env["mail.thread"].message_process(None, raw.encode())
        self.env.flush_all()
        self.env.cr.precommit.run()
        run_ticket_jobs(self.env)

    def _answer(self, ticket, user=None, internal=False):
        ticket.with_user(user or self.agent).message_post(
            body="An answer",
            message_type="comment",
            subtype_xmlid="mail.mt_note" if internal else "mail.mt_comment",
        )

    def _responses(self, ticket):
        return ticket.sla_line_ids.filtered(lambda line: line.kind == "response").sorted("number")


@tagged("post_install", "-at_install")
class TestResponseClocks(ResponseClockCommon):
    def test_each_message_after_an_answer_starts_a_response_measure(self):
        with freeze_time(at(9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with freeze_time(at(10)):
            self._answer(ticket)
        first = self._responses(ticket)
        self.assertEqual((first.number, first.status), (1, "met"))
        with freeze_time(at(11)):
            self._receive(ticket)  # Rita writes again: a new measure
        second = self._responses(ticket) - first
        self.assertEqual(len(second), 1)
        self.assertEqual((second.number, second.status), (2, "ongoing"))
        self.assertEqual(second.label, "Response 2")
        self.assertEqual(second.start_date, at(11))
        self.assertEqual(second.deadline, at(15), "4 working hours on the policy's calendar")
        with freeze_time(at(11, 30)):
            self._receive(ticket)  # a response is already awaited: nothing more
        self.assertEqual(len(self._responses(ticket)), 2)
        with freeze_time(at(12)):
            self._answer(ticket, internal=True)
        self.assertEqual(second.status, "ongoing", "an internal note is no answer")
        with freeze_time(at(16)):
            self._answer(ticket, user=self.agent_2)
        self.assertEqual((second.status, second.reached_date), ("failed", at(16)))
        self.assertAlmostEqual(second.spent_hours, 5.0)
        # the first response keeps its figures; the response figures count both
        figures = ticket.sudo().read(
            ["sla_response_done", "sla_response_hours", "sla_responses_done_count", "sla_responses_met_count"]
        )[0]
        self.assertTrue(figures["sla_response_done"])
        self.assertAlmostEqual(figures["sla_response_hours"], 1.0)
        self.assertEqual((figures["sla_responses_done_count"], figures["sla_responses_met_count"]), (2, 1))
        self.assertIn("First response (working hours)</td><td class='text-end'>1.00", ticket.statistics_html)
        with freeze_time(at(17)):
            self._receive(ticket)
        self.assertEqual(self._responses(ticket).mapped("number"), [1, 2, 3])

    def test_breached_response_ends_at_the_answer_and_the_next_message_starts_another(self):
        with freeze_time(at(9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with freeze_time(at(14)):
            self.env["spid.ticket.sla"]._cron_check_breaches()
        first = self._responses(ticket)
        self.assertEqual((first.status, first.reached_date), ("failed", False))
        with freeze_time(at(14, 30)):
            self._receive(ticket)
        self.assertEqual(len(self._responses(ticket)), 1, "the first response is still awaited")
        with freeze_time(at(15)):
            self._answer(ticket)
        self.assertEqual((first.status, first.reached_date), ("failed", at(15)), "failed, answered at 15:00")
        with freeze_time(at(16)):
            self._receive(ticket)
        self.assertEqual(self._responses(ticket).mapped("status"), ["failed", "ongoing"])

    def test_only_the_requesters_own_public_messages_count(self):
        with freeze_time(at(9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
            ticket.message_subscribe(partner_ids=self.requester_2.ids)  # Carl, in copy
        with freeze_time(at(10)):
            self._answer(ticket)
            self._receive(ticket, sender="Carl Colleague <carl@client.example.com>")
            self._receive(ticket, sender="Mallory <mallory@elsewhere.example.org>")
            self._receive(ticket, extra="Auto-Submitted: auto-replied\n")  # Rita's out-of-office
            self._answer(ticket)  # an agent's answer is no customer message
        self.assertEqual(len(self._responses(ticket)), 1, "a Cc, a stranger, an auto-reply: no new measure")
        self.assertTrue(ticket.message_ids.filtered(lambda m: m.author_id == self.requester_2))
        with freeze_time(at(10, 30)):
            self._receive(ticket)
        self.assertEqual(len(self._responses(ticket)), 2, "Rita's own email does")

    def test_a_closed_ticket_starts_no_measure_and_an_archived_policy_neither(self):
        with freeze_time(at(9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
            self._answer(ticket)
            ticket.with_user(self.agent).write(self._close_values(self.st_closed))
            self._receive(ticket)  # "thanks!"
        self.assertTrue(ticket.is_closed)
        self.assertEqual(len(self._responses(ticket)), 1)
        with freeze_time(at(10)):
            ticket.with_user(self.supervisor).write({"status_id": self.st_reopened.id})
            self.policy.active = False
            self._receive(ticket)
        self.assertEqual(len(self._responses(ticket)), 1)

    def test_pauses_are_kept_and_drawn_on_the_timeline(self):
        with freeze_time(at(9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id, status_id=self.st_assigned.id)
        with freeze_time(at(10)):
            self._answer(ticket)
        with freeze_time(at(11)):
            ticket.with_user(self.agent).write({"status_id": self.st_third.id})  # pauses the SLA
            self._receive(ticket)  # Rita: a new measure, paused from its start
        second = self._responses(ticket)[1:]
        self.assertFalse(second.running_since)
        self.assertEqual(second.paused_periods, [["2026-11-23 11:00:00", None]])
        resolution = ticket.sla_line_ids.filtered(lambda line: line.kind == "resolution")
        self.assertEqual(resolution.paused_periods, [["2026-11-23 11:00:00", None]])
        with freeze_time(at(13)):
            ticket.with_user(self.agent).write({"status_id": self.st_progress.id})
        self.assertEqual(second.paused_periods, [["2026-11-23 11:00:00", "2026-11-23 13:00:00"]])
        self.assertEqual(second.deadline, at(17), "4 working hours from 13:00")
        with freeze_time(at(14)):
            self._answer(ticket)
        self.assertEqual((second.status, second.spent_hours), ("met", 1.0))
        self.policy.name = "Gold <b>& co</b>"
        with freeze_time(at(15)):
            html = ticket.with_user(self.agent).sla_timeline_html
        self.assertEqual(html.count("o_spid_sla_row"), 3, "a row per clock: two responses, the resolution")
        self.assertIn('data-status="met"', html)
        self.assertIn("bg-success", html)
        self.assertIn("o_spid_sla_paused", html)
        self.assertIn("Gold &lt;b&gt;&amp; co&lt;/b&gt;", html, "names are escaped")
        self.assertNotIn("<b>&", html)

    def test_sla_analysis_over_all_responses_and_first_ones(self):
        with freeze_time(at(9)):
            ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        with freeze_time(at(10)):
            self._answer(ticket)
        with freeze_time(at(11)):
            self._receive(ticket)
        with freeze_time(at(17)):
            self._answer(ticket)  # 6 working hours: failed
        Line = self.env["spid.ticket.sla"].with_user(self.supervisor)
        done = [("ticket_id", "=", ticket.id), ("status", "!=", "ongoing"), ("kind", "=", "response")]
        [[every]] = Line._read_group(done, [], ["met_percent:avg"])
        [[first]] = Line._read_group([*done, ("number", "=", 1)], [], ["met_percent:avg"])
        self.assertEqual((every, first), (50.0, 100.0))
        self.env.flush_all()
        row = (
            self.env["spid.ticket.report"]
            .with_user(self.supervisor)
            .search_read(
                [("ticket_id", "=", ticket.id)],
                ["responses_done", "responses_met", "response_met_percent", "response_working_hours"],
            )[0]
        )
        self.assertEqual((row["responses_done"], row["responses_met"]), (2, 1))
        self.assertEqual(row["response_met_percent"], 50.0)
        self.assertAlmostEqual(row["response_working_hours"], 1.0, msg="still the first response")


@tagged("post_install", "-at_install")
class TestResponseClocksHttp(ResponseClockCommon, JsonRpcMixin, HttpCase):
    """The customer on the portal, the agent's form, and the same calls over
    JSON-RPC with whatever context an attacker sends."""

    def _answered_ticket(self):
        ticket = self._ticket(user=self.agent, user_id=self.agent.id)
        self._answer(ticket)
        self.assertEqual(self._responses(ticket).status, "met")
        return ticket

    def test_portal_reply_starts_a_response_measure(self):
        if self.env["ir.module.module"]._get("spid_helpdesk_portal").state != "installed":
            self.skipTest("the portal addon is not installed")
        ticket = self._answered_ticket()
        self.authenticate("hd_portal", "hd_portal")
        token = form_csrf_token(self.url_open(f"/my/tickets/{ticket.id}").text)
        response = self.url_open(
            f"/my/tickets/{ticket.id}/reply",
            data={"message": "It is back", "csrf_token": token},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        self.assertEqual(self._responses(ticket).mapped("number"), [1, 2])
        self.assertEqual(self._responses(ticket)[1].status, "ongoing")

    def test_the_form_shows_the_measures_and_timeline_to_who_may_read_them(self):
        ticket = self._answered_ticket()
        self._receive(ticket)
        form = self._rpc("hd_agent", "spid.ticket", "get_views", [[[False, "form"]]], {})
        self.assertIn("sla_timeline_html", form["result"]["views"]["form"]["arch"])
        read = self._rpc(
            "hd_agent",
            "spid.ticket",
            "web_read",
            [ticket.ids],
            {
                "specification": {
                    "sla_timeline_html": {},
                    "sla_line_ids": {"fields": {"label": {}, "status": {}}},
                }
            },
        )
        record = read["result"][0]
        self.assertEqual(
            sorted((line["label"], line["status"]) for line in record["sla_line_ids"]),
            [("First response", "met"), ("Resolution", "ongoing"), ("Response 2", "ongoing")],
        )
        self.assertEqual(record["sla_timeline_html"].count("o_spid_sla_row"), 3)
        # an agent of another team, and the customer, read none of it
        for login in ("hd_agent_other", "hd_portal"):
            denied = self._rpc(
                login, "spid.ticket", "web_read", [ticket.ids], {"specification": {"sla_timeline_html": {}}}
            )
            self.assertIn("error", denied, login)
            self.assertFalse(
                self._rpc(login, "spid.ticket.sla", "search_read", [[("ticket_id", "=", ticket.id)]]).get(
                    "result"
                ),
                login,
            )

    def test_the_timeline_in_the_agents_form(self):
        """In Chromium: the agent opens the ticket, its Service levels tab
        lists the measures and draws one timeline row per clock."""
        ticket = self._answered_ticket()
        self._receive(ticket)
        code = """
            const wait = async (selector) => {
                for (let i = 0; i < 300; i++) {
                    const element = document.querySelector(selector);
                    if (element) { return element; }
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                throw new Error(`nothing matches ${selector}`);
            };
            (async () => {
                await wait(".o_form_view .o_notebook");
                const tab = [...document.querySelectorAll(".o_notebook .nav-link")].find(
                    (link) => link.textContent.trim() === "Service levels"
                );
                tab.click();
                const timeline = await wait(".o_spid_sla_timeline");
                const rows = [...timeline.querySelectorAll(".o_spid_sla_row")].map(
                    (row) => row.dataset.status
                );
                if (rows.sort().join() !== "met,ongoing,ongoing") {
                    throw new Error(`timeline rows: ${rows}`);
                }
                if (!timeline.querySelector(".bg-success") || !timeline.querySelector(".bg-info")) {
                    throw new Error("the met and running clocks are not drawn");
                }
                const labels = [...document.querySelectorAll(".o_field_one2many .o_data_row")].map(
                    (row) => row.textContent
                );
                if (!labels.some((text) => text.includes("Response 2"))) {
                    throw new Error(`measures listed: ${labels}`);
                }
                console.log("test successful");
            })().catch((error) => console.error(error.message));
        """
        self.browser_js(
            f"/odoo/spid.ticket/{ticket.id}",
            code,
            ready="odoo.isReady === true",
            login="hd_agent",
            timeout=120,
        )

    def test_nobody_writes_the_clocks_or_their_figures(self):
        ticket = self._answered_ticket()
        self._receive(ticket)
        second = self._responses(ticket)[1]
        attacker_context = {"spid_sla_system": True, "spid_system": True, "tracking_disable": True}
        attempts = [
            ("hd_agent", "spid.ticket.sla", "write", [second.ids, {"status": "met"}]),
            (
                "hd_agent",
                "spid.ticket.sla",
                "create",
                [{"ticket_id": ticket.id, "policy_id": self.policy.id}],
            ),
            ("hd_agent", "spid.ticket.sla", "unlink", [second.ids]),
            (
                "hd_agent",
                "spid.ticket",
                "write",
                [ticket.ids, {"sla_line_ids": [(1, second.id, {"status": "met"})]}],
            ),
            ("hd_agent", "spid.ticket", "write", [ticket.ids, {"sla_line_ids": [(2, second.id)]}]),
            ("hd_agent", "spid.ticket", "write", [ticket.ids, {"sla_responses_met_count": 9}]),
            ("hd_supervisor", "spid.ticket", "write", [ticket.ids, {"sla_responses_done_count": 0}]),
            ("hd_portal", "spid.ticket", "write", [ticket.ids, {"sla_responses_met_count": 9}]),
            ("hd_portal", "spid.ticket.sla", "write", [second.ids, {"status": "met"}]),
        ]
        for login, model, method, args in attempts:
            result = self._rpc(login, model, method, args, {"context": attacker_context})
            self.assertIn("error", result, (login, model, method, args))
        second.invalidate_recordset()
        self.assertEqual((second.status, second.exists()), ("ongoing", second))
        figures = ticket.sudo().read(["sla_responses_done_count", "sla_responses_met_count"])[0]
        self.assertEqual((figures["sla_responses_done_count"], figures["sla_responses_met_count"]), (1, 1))
