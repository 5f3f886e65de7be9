import threading
from datetime import timedelta

from odoo import _, api, fields, models
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
        """Warn, then close with resolution `expired`, the tickets waiting in an
        auto-close status whose last public message came from an agent.
        Batches are committed one by one."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        for company in self.env["res.company"].search([("spid_auto_close_days", ">", 0)]):
            last_id = 0
            while True:
                tickets = self._spid_auto_close_candidates(company, last_id, batch_size)
                if not tickets:
                    break
                last_id = tickets[-1].id
                tickets._spid_auto_close_batch(company)
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                if len(tickets) < batch_size:
                    break

    @api.model
    def _spid_auto_close_candidates(self, company, last_id, limit):
        since = fields.Datetime.now() - timedelta(days=company.spid_auto_close_days)
        return self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("id", ">", last_id),
                ("is_closed", "=", False),
                ("status_id.auto_close", "=", True),
                ("date_status", "<=", since),
                "|", ("type_id", "=", False), ("type_id.auto_close_excluded", "=", False),
                "|", ("category_id", "=", False), ("category_id.auto_close_excluded", "=", False),
            ],
            order="id",
            limit=limit,
        )  # fmt: skip

    def _spid_last_public_authors(self):
        """{ticket id: author partner id} of each ticket's last public message."""
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

    def _spid_auto_close_batch(self, company):
        # Another worker handling the same tickets (a manual run beside the
        # cron) skips them rather than warning the customer twice.
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM spid_ticket WHERE id = ANY(%s) FOR UPDATE SKIP LOCKED", [self.ids]
        )
        tickets = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not tickets:
            return
        authors = tickets._spid_last_public_authors()
        agents = set(
            self.env["res.users"]
            .sudo()
            .search([("partner_id", "in", [a for a in authors.values() if a]), ("share", "=", False)])
            .partner_id.ids
        )
        waiting = tickets.filtered(lambda t: authors.get(t.id) in agents)
        now = fields.Datetime.now()
        grace_end = now - timedelta(days=company.spid_auto_close_grace_days)
        to_warn = waiting.filtered(lambda t: not t.auto_close_warned_date)
        to_close = waiting.filtered(
            lambda t: t.auto_close_warned_date and t.auto_close_warned_date <= grace_end
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
