"""Service-level clocks: `failed_count` (how many times one clock was
breached) is now `breach_count`, and `failed_total` (1 for a failed clock,
summed by the SLA analysis beside `met_count`) is now `failed_count`. The
columns, fields and their external ids are renamed in that order, so that
no value is recomputed or lost."""

from odoo.tools import SQL

RENAMES = (("failed_count", "breach_count"), ("failed_total", "failed_count"))


def migrate(cr, version):
    for old, new in RENAMES:
        cr.execute(
            SQL(
                "ALTER TABLE spid_ticket_sla RENAME COLUMN %s TO %s", SQL.identifier(old), SQL.identifier(new)
            )
        )
        cr.execute(
            "UPDATE ir_model_fields SET name = %s WHERE model = 'spid.ticket.sla' AND name = %s", [new, old]
        )
        cr.execute(
            "UPDATE ir_model_data SET name = %s WHERE module = 'spid_helpdesk' AND model = 'ir.model.fields'"
            " AND name = %s",
            [f"field_spid_ticket_sla__{new}", f"field_spid_ticket_sla__{old}"],
        )
