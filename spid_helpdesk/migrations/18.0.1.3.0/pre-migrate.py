"""Response clocks per customer message: each clock gets its measure number
(1, the first response, for every existing clock) and its start; the
tickets get their response figures for the ticket analysis. The columns
are created and filled here in a few set-based statements, so that Odoo
finds them filled and does not compute every ticket's clocks again. The
pauses of existing clocks were not kept: their timeline shows none.

The team's voice: three email templates changed (their sender is the
team's, the acknowledgement no longer adds the header and footer that the
layout now adds, the closing email asks for a rating only when the team
does). They are data that administrators may edit (noupdate), so only those
never edited since they were installed are reloaded (post-migrate puts
their noupdate back); an edited one is kept and the log says what to
change."""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# name -> what an edited copy needs by hand
CHANGED_TEMPLATES = {
    "mail_template_ticket_ack": "remove its own team header and footer (the layout adds them)",
    "mail_template_ticket_closed_rating": "show the rating links only if object._spid_rating_enabled()",
    "mail_template_auto_close_warning": "send from object._spid_email_from()",
}


def migrate(cr, version):
    _reload_unedited_templates(cr)
    cr.execute("ALTER TABLE spid_ticket_sla ADD COLUMN IF NOT EXISTS number int4")
    cr.execute("ALTER TABLE spid_ticket_sla ADD COLUMN IF NOT EXISTS start_date timestamp")
    cr.execute(
        """UPDATE spid_ticket_sla
              SET number = COALESCE(number, 1), start_date = COALESCE(start_date, create_date)
            WHERE number IS NULL OR start_date IS NULL"""
    )
    # A response clock the SLA cron failed never got its answer's date
    # before: it gets the date of the first public answer of an agent since
    # it started (else it waits for one), so that the requester's next
    # message starts a new measure and a late answer does not move it.
    cr.execute(
        """UPDATE spid_ticket_sla s
              SET reached_date = a.date, running_since = NULL
             FROM (SELECT s2.id, MIN(m.date) AS date
                     FROM spid_ticket_sla s2
                     JOIN mail_message m ON m.model = 'spid.ticket' AND m.res_id = s2.ticket_id
                                        AND m.message_type IN ('comment', 'email') AND m.date >= s2.start_date
                     JOIN mail_message_subtype st ON st.id = m.subtype_id AND NOT st.internal
                     JOIN res_users u ON u.partner_id = m.author_id AND NOT u.share
                    WHERE s2.kind = 'response' AND s2.status = 'failed' AND s2.reached_date IS NULL
                    GROUP BY s2.id) a
            WHERE s.id = a.id"""
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


def _reload_unedited_templates(cr):
    cr.execute(
        """SELECT d.name, t.write_date > t.create_date + interval '1 second'
             FROM ir_model_data d
             JOIN mail_template t ON t.id = d.res_id
            WHERE d.module = 'spid_helpdesk' AND d.model = 'mail.template' AND d.name = ANY(%s)""",
        [list(CHANGED_TEMPLATES)],
    )
    unedited = []
    for name, edited in cr.fetchall():
        if edited:
            _logger.warning(
                "Template spid_helpdesk.%s was edited and is kept: %s.", name, CHANGED_TEMPLATES[name]
            )
        else:
            unedited.append(name)
    cr.execute(
        "UPDATE ir_model_data SET noupdate = false WHERE module = 'spid_helpdesk' AND name = ANY(%s)",
        [unedited],
    )
