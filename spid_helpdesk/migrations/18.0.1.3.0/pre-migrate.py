"""Response clocks per customer message: each clock gets its measure number
(1, the first response, for every existing clock) and its start; the
tickets get their response figures for the ticket analysis. The columns
are created and filled here in a few set-based statements, so that Odoo
finds them filled and does not compute every ticket's clocks again. The
pauses of existing clocks were not kept: their timeline shows none."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute("ALTER TABLE spid_ticket_sla ADD COLUMN IF NOT EXISTS number int4")
    cr.execute("ALTER TABLE spid_ticket_sla ADD COLUMN IF NOT EXISTS start_date timestamp")
    cr.execute(
        """UPDATE spid_ticket_sla
              SET number = COALESCE(number, 1), start_date = COALESCE(start_date, create_date)
            WHERE number IS NULL OR start_date IS NULL"""
    )
    for name in ("sla_responses_done_count", "sla_responses_met_count"):
        cr.execute(SQL("ALTER TABLE spid_ticket ADD COLUMN IF NOT EXISTS %s int4", SQL.identifier(name)))
    cr.execute(
        """UPDATE spid_ticket t
              SET sla_responses_done_count = COALESCE(r.done, 0),
                  sla_responses_met_count = COALESCE(r.met, 0)
             FROM spid_ticket t2
             LEFT JOIN (
                   SELECT ticket_id,
                          COUNT(*) FILTER (WHERE status != 'ongoing') AS done,
                          COUNT(*) FILTER (WHERE status = 'met') AS met
                     FROM spid_ticket_sla
                    WHERE kind = 'response'
                    GROUP BY ticket_id
                  ) r ON r.ticket_id = t2.id
            WHERE t.id = t2.id"""
    )
