from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SpidHelpdeskCommon


@tagged("post_install", "-at_install")
class TestSettings(SpidHelpdeskCommon):
    def _settings(self, **values):
        admin = self.env.ref("base.user_admin")
        return self.env["res.config.settings"].with_user(admin).create(values)

    def test_reference_prefix_and_padding(self):
        before = self._ticket(user=self.agent).reference
        self._settings(spid_ticket_prefix="HD-", spid_ticket_padding=7).execute()
        after = self._ticket(user=self.agent).reference
        self.assertRegex(after, r"^HD-\d{7}$")
        self.assertGreater(int(after[3:]), int(before.lstrip("T")), "numbering goes on")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual((settings.spid_ticket_prefix, settings.spid_ticket_padding), ("HD-", 7))

    def test_prefix_is_per_company(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        self._settings(spid_ticket_prefix="B-", spid_ticket_padding=4, company_id=company_b.id).execute()
        ticket_b = self._ticket(company_id=company_b.id, category_id=False)
        ticket_a = self._ticket()
        self.assertTrue(ticket_b.reference.startswith("B-"))
        self.assertFalse(ticket_a.reference.startswith("B-"), "the other company keeps its prefix")

    def test_bad_padding_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 1 and 12 digits"):
            self._settings(spid_ticket_prefix="X", spid_ticket_padding=40).execute()

    def test_default_duration(self):
        self._settings(spid_default_duration=0.5).execute()
        ticket = self._ticket(user=self.agent)
        unit = self.env["spid.workunit"].with_user(self.agent).create({"ticket_id": ticket.id})
        self.assertEqual(unit.duration, 0.5)
