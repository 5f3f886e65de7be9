from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestInvoicingUi(HttpCase):
    """The finance screens in Chromium, as a billing user, on a desktop."""

    def test_finance_invoices_closed_tickets(self):
        company = self.env.ref("base.main_company")
        if not self.env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)]):
            self.skipTest("the main company has no sales journal (database without accounting)")
        new_test_user(
            self.env,
            "tour_billing",
            groups="base.group_user,spid_helpdesk_invoicing.group_spid_billing",
            name="Tour Billing",
        )
        client = self.env["res.partner"].create(
            {"name": "Tour Billed Client", "is_company": True, "spid_is_client": True}
        )
        product = self.env["product.product"].create({"name": "Tour service", "type": "service"})
        self.env["spid.tariff"].create({"client_id": client.id, "product_id": product.id, "price": 80.0})
        ticket = self.env["spid.ticket"].create({"name": "Tour billable repair", "client_id": client.id})
        self.env["spid.workunit"].create({"ticket_id": ticket.id, "duration": 1.5})
        # an open ticket with billable work: not what the wizard bills
        still_open = self.env["spid.ticket"].create({"name": "Tour open repair", "client_id": client.id})
        self.env["spid.workunit"].create({"ticket_id": still_open.id, "duration": 2.0})
        ticket.write(
            {
                "status_id": self.env.ref("spid_helpdesk.status_closed").id,
                "resolution": "solved",
                "epilogue": "<p>Repaired.</p>",
                "date_closed": fields.Datetime.now() - timedelta(days=1),
            }
        )
        # the wizard invoices every client: only this one has tickets to bill
        others = self.env["spid.ticket"].search(
            [("invoice_state", "=", "to_invoice"), ("id", "not in", (ticket | still_open).ids)]
        )
        others.workunit_ids.write({"billable": False})
        self.start_tour("/odoo", "spid_invoicing_tour", login="tour_billing")
        self.assertEqual(ticket.invoice_state, "invoiced")
        self.assertRecordValues(
            ticket.move_id,
            [
                {
                    "state": "draft",
                    "partner_id": client.id,
                    "amount_untaxed": 120.0,
                    "move_type": "out_invoice",
                }
            ],
        )
        self.assertEqual(ticket.move_id.invoice_line_ids.spid_ticket_id, ticket)
        self.assertEqual(ticket.move_id.invoice_line_ids.quantity, 1.5, "a number of hours")
        self.assertEqual(still_open.invoice_state, "to_invoice", "left for when it is closed")
        self.assertFalse(still_open.move_id)


@tagged("post_install", "-at_install")
class TestInvoicingUiPhone(TestInvoicingUi):
    """The same journey on a phone."""

    browser_size = "375x667"
    touch_enabled = True
