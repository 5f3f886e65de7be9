"""The analyses read stored figures instead of recomputing them on each
pivot: the ticket keeps its reopenings and its clocks' figures, the work
unit its ticket's category. The columns are created and filled here, in a
few set-based statements, so that Odoo finds them filled and does not
compute them record by record (a million work units)."""

from odoo.tools import SQL

TICKET_COLUMNS = (
    ("reopen_count", "int4"),
    ("sla_done_count", "int4"),
    ("sla_met_count", "int4"),
    ("sla_response_done", "bool"),
    ("sla_response_hours", "float8"),
    ("sla_resolution_done", "bool"),
    ("sla_resolution_hours", "float8"),
)


def migrate(cr, version):
    for name, kind in TICKET_COLUMNS:
        cr.execute(
            SQL("ALTER TABLE spid_ticket ADD COLUMN IF NOT EXISTS %s %s", SQL.identifier(name), SQL(kind))
        )
    # the clocks' figures and the reopenings (tracked changes into a
    # reopening status), as the ticket analysis counted them: one pass over
    # the tickets
    cr.execute(
        """
        UPDATE spid_ticket t
           SET sla_done_count = COALESCE(s.done, 0),
               sla_met_count = COALESCE(s.met, 0),
               sla_response_done = s.response IS NOT NULL,
               sla_response_hours = COALESCE(s.response, 0),
               sla_resolution_done = s.resolution IS NOT NULL,
               sla_resolution_hours = COALESCE(s.resolution, 0),
               reopen_count = COALESCE(r.reopened, 0)
          FROM spid_ticket t2
          LEFT JOIN (
                SELECT ticket_id,
                       COUNT(*) FILTER (WHERE status != 'ongoing') AS done,
                       COUNT(*) FILTER (WHERE status = 'met') AS met,
                       MAX(spent_hours) FILTER (WHERE kind = 'response' AND status != 'ongoing')
                           AS response,
                       MAX(spent_hours) FILTER (WHERE kind = 'resolution' AND status != 'ongoing')
                           AS resolution
                  FROM spid_ticket_sla
                 GROUP BY ticket_id
               ) s ON s.ticket_id = t2.id
          LEFT JOIN (
                SELECT m.res_id AS ticket_id, COUNT(*) AS reopened
                  FROM mail_tracking_value v
                  JOIN mail_message m ON m.id = v.mail_message_id AND m.model = 'spid.ticket'
                  JOIN ir_model_fields f ON f.id = v.field_id
                       AND f.name = 'status_id' AND f.model = 'spid.ticket'
                  JOIN spid_ticket_status st ON st.id = v.new_value_integer AND st.is_reopen
                 GROUP BY m.res_id
               ) r ON r.ticket_id = t2.id
         WHERE t.id = t2.id
        """
    )
    # the work unit's category, as its team and client: its ticket's
    cr.execute("ALTER TABLE spid_workunit ADD COLUMN IF NOT EXISTS category_id int4")
    cr.execute(
        """
        UPDATE spid_workunit w
           SET category_id = t.category_id
          FROM spid_ticket t
         WHERE t.id = w.ticket_id AND t.category_id IS NOT NULL
        """
    )
