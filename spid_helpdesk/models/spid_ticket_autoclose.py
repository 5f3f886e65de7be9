from datetime import timedelta

from odoo import _, api, fields, models
from odoo.osv import expression
from odoo.tools import is_html_empty

from ..internal import SLA_SYSTEM, with_switch


class SpidTicketAutoClose(models.Model):
    """Closing feedback and the automatic closing of tickets waiting for the requester."""

    _inherit = "spid.ticket"

    # ------------------------------------------------------------------
    # Closing feedback and auto-close
    # ------------------------------------------------------------------

    def _spid_post_closing_feedback(self):
        for ticket in self:
            mode = ticket.team_id.closing_feedback
            if mode in ("public", "note") and not is_html_empty(ticket.epilogue):
                with_switch(ticket, SLA_SYSTEM).message_post(
                    body=ticket.epilogue,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment" if mode == "public" else "mail.mt_note",
                )

    @api.model
    def _cron_auto_close(self, batch_size=500):
        """Warn, then close with resolution `expired`, the tickets waiting in
        an auto-close status whose last public message came from an agent.
        One batch per call: ir.cron runs it again at once while tickets
        remain (its progress API) and commits between batches."""
        due = self._spid_auto_close_due()
        batch = due[:batch_size]
        batch._spid_auto_close_batch()
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(due) - len(batch))

    @api.model
    def _spid_auto_close_due(self):
        """The tickets the auto-close acts on now, by id: waiting in an
        auto-close status for longer than their company's delay, neither type
        nor category excluded, not warned yet or warned before the grace
        period, and last answered publicly by an agent (a ticket it only
        warned is not due again until the grace period ends)."""
        now = fields.Datetime.now()
        per_company = [
            [
                ("company_id", "=", company.id),
                ("date_status", "<=", now - timedelta(days=company.spid_auto_close_days)),
                "|",
                ("auto_close_warned_date", "=", False),
                ("auto_close_warned_date", "<=", now - timedelta(days=company.spid_auto_close_grace_days)),
            ]
            for company in self.env["res.company"].sudo().search([("spid_auto_close_days", ">", 0)])
        ]
        if not per_company:
            return self.sudo().browse()
        tickets = self.sudo().search(
            expression.AND([
                expression.OR(per_company),
                [
                    ("is_closed", "=", False),
                    ("status_id.auto_close", "=", True),
                    "|", ("type_id", "=", False), ("type_id.auto_close_excluded", "=", False),
                    "|", ("category_id", "=", False), ("category_id.auto_close_excluded", "=", False),
                ],
            ]),
            order="id",
        )  # fmt: skip
        return tickets._spid_waiting_for_requester()

    def _spid_waiting_for_requester(self):
        """The tickets that wait for their requester: warned ones (any public
        message but the warning clears the warning) and those whose last
        public message came from an internal user."""
        authors = self.filtered(lambda t: not t.auto_close_warned_date)._spid_last_public_authors()
        agents = set(
            self.env["res.users"]
            .sudo()
            .search([("partner_id", "in", [a for a in authors.values() if a]), ("share", "=", False)])
            .partner_id.ids
        )
        return self.filtered(lambda t: t.auto_close_warned_date or authors.get(t.id) in agents)

    def _spid_last_public_authors(self):
        """{ticket id: author partner id} of each ticket's last public message."""
        if not self:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (m.res_id) m.res_id, m.author_id
              FROM mail_message m
              LEFT JOIN mail_message_subtype st ON st.id = m.subtype_id
             WHERE m.model = %s AND m.res_id = ANY(%s)
               AND m.message_type IN ('comment', 'email')
               AND NOT COALESCE(st.internal, FALSE)
             ORDER BY m.res_id, m.id DESC
            """,
            [self._name, self.ids],
        )
        return dict(self.env.cr.fetchall())

    def _spid_auto_close_batch(self):
        """Warn or close these due tickets, once each: another worker
        handling the same tickets (a manual run beside the cron) skips them
        rather than warning the customer twice."""
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM spid_ticket WHERE id = ANY(%s) FOR UPDATE SKIP LOCKED", [self.ids]
        )
        tickets = self.browse([row[0] for row in self.env.cr.fetchall()])
        if tickets:
            tickets._spid_auto_close_locked()

    def _spid_auto_close_locked(self):
        """Warn or close these locked tickets; what changed since they were
        found due (a customer's answer) is read again first."""
        waiting = self._spid_waiting_for_requester()
        now = fields.Datetime.now()
        to_warn = waiting.filtered(lambda t: not t.auto_close_warned_date)
        to_close = waiting.filtered(
            lambda t: t.auto_close_warned_date
            and t.auto_close_warned_date <= now - timedelta(days=t.company_id.spid_auto_close_grace_days)
        )
        template = self.env.ref("spid_helpdesk.mail_template_auto_close_warning")
        for ticket in to_warn:
            with_switch(ticket, SLA_SYSTEM).message_post_with_source(
                template, subtype_xmlid="mail.mt_comment"
            )
        to_warn.write({"auto_close_warned_date": now})
        status = self.env["spid.ticket.status"].search([("is_closed", "=", True)], limit=1)
        if to_close and status:
            with_switch(to_close, SLA_SYSTEM).write(
                {
                    "status_id": status.id,
                    "resolution": "expired",
                    "epilogue": _("Closed automatically: we received no answer to our last message."),
                }
            )

    def rating_apply(
        self, rate, token=None, rating=None, feedback=None, subtype_xmlid=None, notify_delay_send=False
    ):
        """Keep the customer's rating on `rating.rating` only: supervisors and
        the requester read it there, while Odoo's default chatter message would
        show it to the rated owner too."""
        if rate < 0 or rate > 5:
            raise ValueError(_("A rating goes from 0 to 5 (got %s).", rate))
        if token:
            rating = self.env["rating.rating"].sudo().search([("access_token", "=", token)], limit=1)
        if not rating:
            raise ValueError(_("Invalid token or rating."))
        rating.write({"rating": rate, "feedback": feedback, "consumed": True})
        return rating
