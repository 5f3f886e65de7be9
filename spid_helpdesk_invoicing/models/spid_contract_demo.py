"""Demo only: Acme buys 20 prepaid hours, closed tickets draw half of them.
Called by the demo data, never by a request."""

from odoo import Command, api, fields, models


class SpidContractDemo(models.Model):
    _inherit = "spid.contract"

    @api.model
    def _spid_demo_hour_bank(self):
        company = self.env.company
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        client = self.env.ref("spid_helpdesk.partner_client_acme_demo", raise_if_not_found=False)
        pack = self.env.ref("spid_helpdesk_invoicing.product_prepaid_pack_demo", raise_if_not_found=False)
        if not (journal and client and pack):
            return
        client.spid_invoice_partner_id = self.env.ref("spid_helpdesk.partner_acme_alice_demo")
        today = fields.Date.context_today(self)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": client.id,
                "journal_id": journal.id,
                "invoice_date": today.replace(day=1),
                "invoice_line_ids": [
                    Command.create({"product_id": pack.id, "quantity": 2.0, "price_unit": 600.0})
                ],
            }
        )
        invoice.action_post()
        bank = self.search([("client_id", "=", client.id), ("state", "=", "running")], limit=1)
        bank.write({"description": "Support 20 h", "threshold_hours": 4.0, "rollover": True})
        team = self.env.ref("spid_helpdesk.team_support_demo")
        agent = self.env.ref("spid_helpdesk.user_agent_demo")
        tickets = self.env["spid.ticket"].create(
            [
                {
                    "name": name,
                    "client_id": client.id,
                    "partner_id": self.env.ref("spid_helpdesk.partner_acme_alice_demo").id,
                    "team_id": team.id,
                }
                for name in ("Mail client migration", "Shared drive permissions", "New laptops set up")
            ]
        )
        # named records of the demo, not part of its generated history
        self.env["ir.model.data"].create(
            [
                {
                    "module": "spid_helpdesk_invoicing",
                    "name": f"ticket_hour_bank_{index}_demo",
                    "model": "spid.ticket",
                    "res_id": ticket.id,
                    "noupdate": True,
                }
                for index, ticket in enumerate(tickets, 1)
            ]
        )
        self.env["spid.workunit"].create(
            [
                {
                    "ticket_id": ticket.id,
                    "duration": hours,
                    "user_id": agent.id,
                    "description": "<p>Done.</p>",
                }
                for ticket, hours in zip(tickets, (2.5, 3.0, 4.5))
            ]
        )
        tickets.write(
            {
                "status_id": self.env.ref("spid_helpdesk.status_closed").id,
                "resolution": "solved",
                "epilogue": "<p>Done.</p>",
            }
        )
