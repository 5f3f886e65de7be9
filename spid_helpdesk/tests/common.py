import email
import email.policy
import json
import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path
from unittest.mock import patch

from odoo import modules
from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

# Two chained selections: the brands offered depend on the hardware type.
HARDWARE_FIELDS = [
    {
        "name": "hw_kind",
        "string": "Hardware type",
        "type": "selection",
        "selection": [["printer", "Printer"], ["laptop", "Laptop"]],
    },
    {
        "name": "hw_brand",
        "string": "Brand",
        "type": "selection",
        "selection": [["hp", "HP"], ["canon", "Canon"], ["dell", "Dell"]],
    },
]


def form_csrf_token(html):
    """The CSRF token of the first form of an HTML page, as a browser sends it."""
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _counted(case, precommit):
    """Flush what is pending (uncounted), then count until the context ends;
    yields a list that receives the count."""
    env = case.env
    env.flush_all()
    env.cr.flush()
    env.invalidate_all()
    with patch("random.random", lambda: 1):  # no garbage collection of the bus at random
        before = env.cr.sql_log_count
        result = []
        yield result
        env.flush_all()
        if precommit:
            env.cr.flush()
        result.append(env.cr.sql_log_count - before)


def count_queries(case, func, *args, precommit=False):
    """The queries of `func(*args)` on the test's cursor (an HttpCase's
    requests run on it too), from empty record caches, with the ORM's writes
    flushed; with `precommit`, the precommit hooks too (tracking values,
    followers' notifications), as a commit would run them."""
    counter = contextmanager(_counted)(case, precommit)
    with counter as result:
        func(*args)
    return result[0]


def assert_query_budget(case, budget, what, action, warmups=2):
    """`action()` makes exactly `budget` queries, precommit hooks included
    (count_queries), once steady: after `warmups` runs and until two runs in
    a row cost the same (3 more at most), so that what earlier tests left in
    the registry's caches does not change the count. Odoo's assertQueryCount
    outside @warmup only caps the count: here fewer queries fail too, so that
    an improvement is seen and the budget tightened to it, and no new query
    hides in an old margin. Returns the count."""
    counts = [count_queries(case, action, precommit=True) for _i in range(warmups + 1)]
    while counts[-1] != counts[-2] and len(counts) < warmups + 4:
        counts.append(count_queries(case, action, precommit=True))  # not steady yet
    count = counts[-1]
    case.assertLessEqual(
        count,
        budget,
        f"{what}: {count} queries, over its budget of {budget}: remove them or raise it",
    )
    case.assertEqual(
        count, budget, f"{what}: {count} queries, under its budget of {budget}: tighten the budget to {count}"
    )
    return count


def assert_queries_flat(case, make_data, action, sizes=(1, 10, 50), slack=0, warmup=True):
    """The queries of `action` do not grow with the data: for each size n
    (ascending), `data = make_data(n)` builds the data of that size (or adds
    to it), then `action(data)` is measured (count_queries) after one
    unmeasured run (`warmup`: caches, sequences). The counts of all sizes
    may differ by `slack` at most (0: equal). Returns {size: count}."""
    counts = {}
    for size in sizes:
        data = make_data(size)
        if warmup:
            count_queries(case, action, data)
        counts[size] = count_queries(case, action, data)
    case.assertTrue(all(counts.values()), f"nothing was counted: {counts}")
    case.assertLessEqual(
        max(counts.values()) - min(counts.values()),
        slack,
        f"queries per data size {counts}: they grow with the data",
    )
    return counts


def run_ticket_jobs(env):
    """What the cron does once new tickets are committed: the commit first
    (flush and precommit hooks: a ticket's tracking starts after the request
    that created it), then their queued jobs (service-level clocks, creation
    message, assignment notice, acknowledgement), batch after batch as
    ir.cron runs them, then the cron's own commit."""
    env.flush_all()
    env.cr.precommit.run()
    while env["spid.ticket.job"]._cron_run():
        env.flush_all()
    env.flush_all()
    env.cr.precommit.run()


class SpidHelpdeskCommon(TransactionCase):
    """Own fixtures: two teams, agents with only the groups they need, a
    client with two contacts and a site. Nothing here reads demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_create_nolog=False))
        # Service levels of the demo data would apply to every ticket here.
        cls.env["spid.sla.policy"].search([]).active = False
        agent = "base.group_user,spid_helpdesk.group_spid_agent"
        cls.agent = new_test_user(cls.env, "hd_agent", groups=agent, name="Agent Alpha")
        cls.agent_2 = new_test_user(cls.env, "hd_agent2", groups=agent, name="Agent Beta")
        cls.agent_other = new_test_user(cls.env, "hd_agent_other", groups=agent, name="Agent Other")
        cls.supervisor = new_test_user(
            cls.env,
            "hd_supervisor",
            groups="base.group_user,spid_helpdesk.group_spid_supervisor",
            name="Supervisor",
        )
        cls.manager = new_test_user(
            cls.env, "hd_manager", groups="base.group_user,spid_helpdesk.group_spid_manager", name="Manager"
        )
        Partner = cls.env["res.partner"]
        cls.client = Partner.create({"name": "Client SA", "is_company": True, "spid_is_client": True})
        cls.requester = Partner.create(
            {"name": "Rita Requester", "parent_id": cls.client.id, "email": "rita@client.example.com"}
        )
        cls.requester_2 = Partner.create(
            {"name": "Carl Colleague", "parent_id": cls.client.id, "email": "carl@client.example.com"}
        )
        cls.site = Partner.create({"name": "Plant", "parent_id": cls.client.id, "type": "other"})
        cls.other_client = Partner.create({"name": "Other Co", "is_company": True})
        cls.other_contact = Partner.create({"name": "Otto", "parent_id": cls.other_client.id})
        cls.portal_user = new_test_user(
            cls.env,
            "hd_portal",
            groups="base.group_portal",
            name="Rita Requester",
            partner_id=cls.requester.id,
            email=cls.requester.email,
        )

        cls.team = cls.env["spid.team"].create(
            {
                "name": "Support",
                "member_ids": [(6, 0, (cls.agent | cls.agent_2).ids)],
                "leader_id": cls.agent.id,
                "assignment": "none",
            }
        )
        cls.team_other = cls.env["spid.team"].create(
            {"name": "Elsewhere", "member_ids": [(6, 0, cls.agent_other.ids)], "assignment": "none"}
        )
        cls.category = cls.env["spid.ticket.category"].create({"name": "Software", "team_id": cls.team.id})
        cls.category_other = cls.env["spid.ticket.category"].create(
            {"name": "Plumbing", "team_id": cls.team_other.id}
        )
        ref = cls.env.ref
        cls.st_new = ref("spid_helpdesk.status_new")
        cls.st_assigned = ref("spid_helpdesk.status_assigned")
        cls.st_progress = ref("spid_helpdesk.status_in_progress")
        cls.st_third = ref("spid_helpdesk.status_pending_third_party")
        cls.st_customer = ref("spid_helpdesk.status_pending_customer")
        cls.st_closed = ref("spid_helpdesk.status_closed")
        cls.st_reopened = ref("spid_helpdesk.status_reopened")

    @contextmanager
    def assertRaisesRegex(self, exception, regex):
        """As unittest's, plus what Odoo's assertRaises does: the failed
        operation is rolled back, so the test goes on with clean data."""
        with super().assertRaisesRegex(exception, regex), self.env.cr.savepoint():
            yield
        self.env.invalidate_all()

    @classmethod
    def _run_jobs(cls):
        """The queued jobs of the new tickets, run as the cron runs them."""
        run_ticket_jobs(cls.env)

    @classmethod
    def _team_alias(cls, domain, alias_name):
        """Emails to `alias_name`@`domain` (the company's alias domain) open
        tickets of `cls.team`, in `cls.category` by default."""
        cls.alias_domain = cls.env["mail.alias.domain"].create({"name": domain})
        cls.env.company.alias_domain_id = cls.alias_domain
        cls.team.write(
            {
                "alias_name": alias_name,
                "alias_domain_id": cls.alias_domain.id,
                "default_category_id": cls.category.id,
            }
        )

    @classmethod
    def _standard_sla(cls):
        """A calendar of 9:00-18:00 Monday to Friday (no lunch break, UTC)
        and a policy on the first team: 4 working hours to respond, 8 to
        resolve."""
        calendar = cls.env["resource.calendar"].create(
            {
                "name": "9-18",
                "tz": "UTC",
                "attendance_ids": [
                    (0, 0, {"name": f"Day {d}", "dayofweek": str(d), "hour_from": 9, "hour_to": 18})
                    for d in range(5)
                ],
            }
        )
        policy = cls.env["spid.sla.policy"].create(
            {
                "name": "Standard",
                "team_ids": [(6, 0, cls.team.ids)],
                "response_hours": 4,
                "resolution_hours": 8,
                "calendar_id": calendar.id,
            }
        )
        return calendar, policy

    @classmethod
    def _ticket(cls, user=None, run_jobs=True, **values):
        """A ticket saved by `user`, then (`run_jobs`) what the cron does
        right after the commit: its clocks and emails (run_ticket_jobs)."""
        vals = {
            "name": "Printer is down",
            "partner_id": cls.requester.id,
            "category_id": cls.category.id,
        }
        vals.update(values)
        env = cls.env(user=user) if user else cls.env
        ticket = env["spid.ticket"].create(vals)
        if run_jobs:
            run_ticket_jobs(cls.env)
        return ticket

    @staticmethod
    def _close_values(status):
        return {"status_id": status.id, "resolution": "solved", "epilogue": "<p>Fixed.</p>"}


class JsonRpcMixin:
    """For HttpCase tests: a call as the web client makes it, to
    /web/dataset/call_kw as `login` (the tests' password is the login), with
    whatever args and kwargs, the context an attacker would send included.
    Returns the JSON answer (its "result" or its "error")."""

    def _rpc(self, login, model, method, args, kwargs=None):
        self.authenticate(login, login)
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        return response.json()


REPO = Path(__file__).resolve().parents[2]


def free_port():
    """A TCP port free on this machine now, for a server a test starts."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailCatcherMixin:
    """Odoo's real SMTP client sending to scripts/mailcatcher.py (the server
    `make run` uses), started on a free port for the test class and stopped
    after it; each message it receives is an .eml file of `cls.folder`."""

    @classmethod
    def _start_mail_catcher(cls, folder_name):
        cls.folder = Path(cls.env["ir.attachment"]._filestore()).parent / folder_name
        cls.folder.mkdir(parents=True, exist_ok=True)
        for old in cls.folder.glob("*.eml"):
            old.unlink()
        cls.port = free_port()
        command = [sys.executable, str(REPO / "scripts/mailcatcher.py"), "--port", str(cls.port)]
        cls.catcher = subprocess.Popen(
            [*command, "--dir", str(cls.folder)], stdout=subprocess.PIPE, text=True
        )
        cls.addClassCleanup(cls.catcher.wait, 10)
        cls.addClassCleanup(cls.catcher.terminate)
        assert "mail catcher:" in cls.catcher.stdout.readline()
        cls.env["ir.mail_server"].search([]).active = False
        cls.env["ir.mail_server"].create(
            {
                "name": "Mail catcher",
                "smtp_host": "127.0.0.1",
                "smtp_port": cls.port,
                "smtp_encryption": "none",
            }
        )

    def _send_for_real(self, mails):
        """Odoo skips SMTP while a test runs; this test is about SMTP."""
        current, modules.module.current_test = modules.module.current_test, None
        try:
            mails.send(raise_exception=True)
        finally:
            modules.module.current_test = current

    def _received(self, count):
        """The messages the catcher received, once it has `count` of them."""
        deadline = time.monotonic() + 10
        files = []
        while time.monotonic() < deadline:
            files = sorted(self.folder.glob("*.eml"))
            if len(files) >= count:
                return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
            time.sleep(0.05)
        self.fail("the catcher received %d message(s), expected %d" % (len(files), count))
