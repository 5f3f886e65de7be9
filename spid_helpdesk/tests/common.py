from contextlib import contextmanager

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
    def _ticket(cls, user=None, **values):
        vals = {
            "name": "Printer is down",
            "partner_id": cls.requester.id,
            "category_id": cls.category.id,
        }
        vals.update(values)
        env = cls.env(user=user) if user else cls.env
        return env["spid.ticket"].create(vals)

    @staticmethod
    def _close_values(status):
        return {"status_id": status.id, "resolution": "solved", "epilogue": "<p>Fixed.</p>"}
