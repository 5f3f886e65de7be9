"""Workflow options and faithful migrations.

The new columns of existing tickets are created and filled here, in a few
set-based statements, before Odoo updates the schema: Odoo then finds them
filled and does not write its default (now) into every ticket.

- date_reported (when the problem was signalled) and date_opened (when the
  helpdesk received the ticket, which the statistics count) are the
  ticket's creation date: nothing older was kept before;
- is_read is true: existing tickets are not news for their owners;
- statuses get is_history (false); the new statuses Unconfirmed and History
  and their transitions are records of a noupdate data file, which Odoo's
  update creates when their external id does not exist yet (a record of a
  noupdate file is skipped only when it exists), so nothing is created here.
"""


def migrate(cr, version):
    cr.execute("ALTER TABLE spid_ticket ADD COLUMN IF NOT EXISTS date_reported timestamp")
    cr.execute("ALTER TABLE spid_ticket ADD COLUMN IF NOT EXISTS date_opened timestamp")
    cr.execute("ALTER TABLE spid_ticket ADD COLUMN IF NOT EXISTS is_read boolean")
    cr.execute(
        """UPDATE spid_ticket
              SET date_reported = COALESCE(date_reported, create_date),
                  date_opened = COALESCE(date_opened, create_date),
                  is_read = COALESCE(is_read, true)
            WHERE date_reported IS NULL OR date_opened IS NULL OR is_read IS NULL"""
    )
    cr.execute("ALTER TABLE spid_ticket_status ADD COLUMN IF NOT EXISTS is_history boolean")
    cr.execute("UPDATE spid_ticket_status SET is_history = false WHERE is_history IS NULL")
