import logging

import psycopg2
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL, groupby

from ..internal import CREATION_RECIPIENTS, with_switch

_logger = logging.getLogger(__name__)

BATCH_SIZE = 500
CRON_XMLID = "spid_helpdesk.ir_cron_spid_ticket_jobs"


class SpidTicketJob(models.Model):
    """What a new ticket still needs once it is saved: its service-level
    clocks and, for a ticket created alone, its creation message to the
    followers it had, the "you have been assigned" notice and the
    acknowledgement of its status. Queued in the transaction that creates
    the ticket (nothing is lost if the server stops), run right after the
    commit by a cron, for all pending tickets at once (_cron_run). Written
    by the helpdesk only: no access right lets a user create or change one."""

    _name = "spid.ticket.job"
    _description = "Pending ticket notifications"
    _order = "id"

    ticket_id = fields.Many2one("spid.ticket", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Saved by", ondelete="set null", readonly=True, help="Author of the emails."
    )
    status_id = fields.Many2one(
        "spid.ticket.status",
        string="Status at creation",
        ondelete="set null",
        readonly=True,
        help="The acknowledgement is this status's email, sent while the ticket is still in it.",
    )
    owner_id = fields.Many2one("res.users", string="Owner at creation", ondelete="set null", readonly=True)
    date_queued = fields.Datetime(
        string="Queued on", required=True, readonly=True, help="When the service-level clocks start."
    )
    send_emails = fields.Boolean(
        string="Emails", readonly=True, help="Creation message, assignment notice and acknowledgement."
    )
    # partners who followed the ticket once it was created: the creation
    # message goes to them, not to those who followed it afterwards
    # (the requester, addresses in copy), as when it was posted at once
    follower_partner_ids = fields.Json(string="Followers at creation", readonly=True)

    # ------------------------------------------------------------------
    # Queueing (from spid.ticket's create, in its transaction)
    # ------------------------------------------------------------------

    @api.model
    def _spid_queue(self, tickets, send_emails):
        """Queue the jobs of new `tickets` and wake the cron up after the
        commit. With `send_emails`, the followers the tickets have now are
        kept for their creation message (one query)."""
        if not tickets:
            return self.browse()
        followers = {}
        if send_emails:
            self.env.cr.execute(
                SQL(
                    "SELECT res_id, array_agg(partner_id) FROM mail_followers"
                    " WHERE res_model = %s AND res_id IN %s GROUP BY res_id",
                    tickets._name,
                    tuple(tickets.ids),
                )
            )
            followers = dict(self.env.cr.fetchall())
        now = fields.Datetime.now()
        jobs = self.sudo().create(
            [
                {
                    "ticket_id": ticket.id,
                    "company_id": ticket.company_id.id,
                    "user_id": self.env.uid,
                    "status_id": ticket.status_id.id,
                    "owner_id": ticket.user_id.id,
                    "date_queued": now,
                    "send_emails": send_emails,
                    "follower_partner_ids": followers.get(ticket.id, []) if send_emails else False,
                }
                for ticket in tickets
            ]
        )
        if not self.env.registry.ready:
            # installing (demo data, imports of an upgrade): done at once,
            # as no cron runs before the registry is ready
            jobs._spid_run()
            return self.browse()
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(CRON_XMLID, raise_if_not_found=False)
        if cron_id:
            self.env["ir.cron"].sudo().browse(cron_id)._trigger()
        return jobs

    # ------------------------------------------------------------------
    # Running (the cron)
    # ------------------------------------------------------------------

    @api.model
    def _cron_run(self, batch_size=BATCH_SIZE):
        """Run the pending jobs, oldest first, `batch_size` at a time: each
        batch is locked (SKIP LOCKED: two workers or two crons never take
        the same job) and deleted in the transaction that sends its emails.
        ir.cron runs it again at once while jobs remain."""
        jobs = self._spid_lock_batch(batch_size)
        jobs._spid_run()
        remaining = self.sudo().search_count([]) if len(jobs) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(jobs), remaining=remaining)
        return len(jobs)

    @api.model
    def _spid_lock_batch(self, batch_size):
        self.env.cr.execute(
            SQL(
                "SELECT id FROM spid_ticket_job ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                batch_size,
            )
        )
        return self.sudo().browse(row[0] for row in self.env.cr.fetchall())

    def _spid_run(self):
        """Clocks of all the tickets at once, then the emails per author."""
        if not self:
            return
        jobs = self.sudo()
        jobs.fetch(["ticket_id", "user_id", "status_id", "owner_id", "date_queued", "send_emails"])
        tickets = jobs.ticket_id.exists()  # one query
        jobs = jobs.filtered(lambda job: job.ticket_id in tickets)
        jobs._spid_start_clocks()
        for user, user_jobs in groupby(jobs, key=lambda job: job.user_id):
            user_jobs = self.browse().concat(*user_jobs)
            user_jobs.filtered("send_emails")._spid_send(user)
        # done in the transaction of what was sent (a ticket deleted
        # meanwhile took its job with it); a plain DELETE: a job has no
        # attachment, external id or default to clean up
        self.env.cr.execute(SQL("DELETE FROM spid_ticket_job WHERE id IN %s", tuple(self.ids)))
        self.invalidate_model()

    def _spid_start_clocks(self):
        """The service-level clocks of the tickets that have none yet (a
        change of the ticket may have started them already), from the
        moment the ticket was queued."""
        Line = self.env["spid.ticket.sla"].sudo()
        tickets = self.ticket_id
        started = {
            ticket.id for [ticket] in Line._read_group([("ticket_id", "in", tickets.ids)], ["ticket_id"])
        }
        jobs = self.filtered(lambda job: job.ticket_id.id not in started)
        if jobs:
            Line._spid_start(
                jobs.ticket_id, new=True, since={job.ticket_id.id: job.date_queued for job in jobs}
            )

    def _spid_send(self, user):
        """The emails of tickets created by `user`, as `user` would have sent
        them when saving: creation message to the followers of that moment,
        assignment notice to an owner other than `user`, acknowledgement of
        the status while the ticket is still in it."""
        user = user.exists() or self.env["res.users"].browse(SUPERUSER_ID)
        env = self.env(user=user.id, su=True, context={"lang": user.lang})
        subtype_id = env["ir.model.data"]._xmlid_to_res_id("spid_helpdesk.mt_ticket_new")
        template = "mail.message_user_assigned"
        for job in self.with_env(env):
            try:
                with self.env.cr.savepoint():
                    job._spid_send_one(user, subtype_id, template)
            except psycopg2.Error:
                raise  # a conflict with another transaction: the batch runs again
            except Exception:
                # one ticket whose emails cannot be written (a template that
                # fails on its data) must not hold back every ticket queued
                # after it; its clocks are started all the same
                _logger.exception(
                    "Ticket %s: its creation emails could not be written and were skipped.",
                    job.ticket_id.reference,
                )

    def _spid_send_one(self, user, subtype_id, template):
        self.ensure_one()
        job, ticket = self, self.ticket_id
        with_switch(ticket, CREATION_RECIPIENTS, frozenset(job.follower_partner_ids or ())).message_post(
            subtype_id=subtype_id,
            author_id=user.partner_id.id,
            body=Markup('<div summary="o_mail_notification"><p>%s</p></div>') % ticket._creation_message(),
        )
        owner = job.owner_id
        if owner and owner == ticket.user_id and owner != user and owner.active:
            ticket.with_context(lang=owner.partner_id.lang)._message_auto_subscribe_notify(
                owner.partner_id.ids, template
            )
        if job.status_id and ticket.status_id == job.status_id:
            ticket._message_track_post_template(["status_id"])
