"""Cross-addon: what the invoicing addon adds to a ticket never reaches the
customer, neither through the ORM nor on the portal page."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.spid_helpdesk_portal.tests.common import SpidPortalCommon


@tagged("post_install", "-at_install")
class TestInvoicingHiddenFromPortal(SpidPortalCommon):
    def test_customer_sees_no_price(self):
        client = self.client_a
        portal = self._customer("priced_portal", client, name="Paula Priced")
        contact = portal.partner_id
        product = self.env["product.product"].create({"name": "Secret rate", "type": "service"})
        self.env["spid.tariff"].create({"client_id": client.id, "product_id": product.id, "price": 987.0})
        ticket = self.env["spid.ticket"].create(
            {"name": "Priced ticket", "client_id": client.id, "partner_id": contact.id}
        )
        self.env["spid.workunit"].create({"ticket_id": ticket.id, "duration": 1.0, "visibility": "public"})
        self.assertEqual(ticket.amount_to_invoice, 987.0)
        own = ticket.with_user(portal)
        self.assertEqual(own.name, "Priced ticket", "the customer reads their ticket")
        for field in ("amount_to_invoice", "tariff_id", "invoice_quantity", "move_id", "billable_hours"):
            with self.assertRaises(AccessError, msg=field):
                own.read([field])
        self.authenticate("priced_portal", "priced_portal")
        page = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Priced ticket", page.text)
        self.assertNotIn("987", page.text)
        self.assertNotIn("Secret rate", page.text)
