from contextlib import contextmanager
from datetime import datetime, timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class SpidInvoicingCommon(AccountTestInvoicingCommon):
    """A billing user, an agent, two clients and a company-wide hourly
    tariff, on the accounting test company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the fixtures' author (the accounting tests' user) configures the helpdesk too
        cls.env.user.groups_id |= cls.env.ref("spid_helpdesk.group_spid_manager") | cls.env.ref(
            "spid_helpdesk_invoicing.group_spid_billing"
        )
        cls.env["spid.sla.policy"].search([]).active = False
        cls.company = cls.company_data["company"]
        cls.journal = cls.company_data["default_journal_sale"]
        cls.billing = cls._spid_user("hd_billing", "spid_helpdesk_invoicing.group_spid_billing", cls.company)
        cls.agent = cls._spid_user("hd_inv_agent", "spid_helpdesk.group_spid_agent", cls.company)
        Partner = cls.env["res.partner"]
        cls.client_a = Partner.create(
            {"name": "Alpha SA", "is_company": True, "spid_is_client": True, "ref": "C-ALPHA"}
        )
        cls.client_b = Partner.create({"name": "Beta SARL", "is_company": True, "spid_is_client": True})
        cls.team = cls.env["spid.team"].create(
            {"name": "Billing desk", "member_ids": [Command.set(cls.agent.ids)], "assignment": "none"}
        )
        cls.st_closed = cls.env.ref("spid_helpdesk.status_closed")
        cls.service = cls._create_product(name="Support hour", type="service")
        cls.general = cls.env["spid.tariff"].create(
            {
                "company_id": cls.company.id,
                "product_id": cls.service.id,
                "unit": "hour",
                "price": 60.0,
                "rounding": 0.25,
                "min_duration": 0.5,
            }
        )
        cls.today = fields.Date.context_today(cls.env["spid.ticket"])

    @classmethod
    def _spid_user(cls, login, group, company, companies=None):
        return new_test_user(
            cls.env,
            login,
            groups="base.group_user," + group,
            company_id=company.id,
            company_ids=[Command.set((companies or company).ids)],
            name=login,
        )

    @classmethod
    def _tickets(cls, client, hours, count=1, closed=-1, company=None, **vals):
        """`count` tickets of `client`, each with one billable work unit of
        `hours`, closed `closed` days from today (None: left open)."""
        company = company or cls.company
        Ticket = cls.env["spid.ticket"].with_company(company)
        tickets = Ticket.create(
            [
                dict(
                    {"name": f"Issue {index}", "client_id": client.id, "team_id": cls.team.id},
                    company_id=company.id,
                    **vals,
                )
                for index in range(count)
            ]
        )
        cls.env["spid.workunit"].create(
            [{"ticket_id": ticket.id, "duration": hours, "user_id": cls.agent.id} for ticket in tickets]
        )
        if closed is not None:
            tickets.write({"status_id": cls.st_closed.id, "resolution": "solved", "epilogue": "<p>Done.</p>"})
            # backdated as the system would have recorded it (a system field)
            tickets.sudo().write(
                {
                    "date_closed": datetime.combine(cls.today, datetime.min.time())
                    + timedelta(days=closed, hours=12)
                }
            )
        return tickets

    @classmethod
    def _invoice(cls, user=None, **vals):
        """Run the invoicing wizard as the billing user; the created invoices."""
        wizard = (
            cls.env["spid.ticket.invoice.wizard"]
            .with_user(user or cls.billing)
            .with_company(vals.pop("company", cls.company))
            .create(dict({"invoice_date": cls.today, "journal_id": cls.journal.id}, **vals))
        )
        action = wizard.action_create_invoices()
        return cls.env["account.move"].browse(action["domain"][0][2])

    @classmethod
    def _credit_note(cls, move, user=None):
        """Reverse a posted invoice with a posted credit note."""
        reversal = (
            cls.env["account.move.reversal"]
            .with_user(user or cls.billing)
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": cls.today})
        )
        reversal.refund_moves()
        refund = move.reversal_move_ids
        refund.filtered(lambda m: m.state == "draft").action_post()
        return refund


class CommittedCase(TransactionCase):
    """Tests of concurrency: transactions of their own on the registry,
    committed for real (the test cleans up what it committed)."""

    @contextmanager
    def _env(self, commit=False):
        """A superuser environment on a new cursor, committed at the end
        when `commit`, else rolled back."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})
            if commit:
                cr.commit()  # pylint: disable=invalid-commit
            else:
                cr.rollback()
