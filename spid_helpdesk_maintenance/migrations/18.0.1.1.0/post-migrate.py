from odoo.tools.sql import column_exists


def migrate(cr, version):
    """Each ticket's former equipment (set aside by pre-migrate) becomes its
    first of `equipment_ids`, in one statement for every ticket; then the old
    column goes."""
    if not column_exists(cr, "spid_ticket", "spid_legacy_equipment_id"):
        return
    cr.execute(
        """
        INSERT INTO spid_ticket_maintenance_equipment_rel (ticket_id, equipment_id)
             SELECT id, spid_legacy_equipment_id
               FROM spid_ticket
              WHERE spid_legacy_equipment_id IS NOT NULL
        ON CONFLICT DO NOTHING
        """
    )
    cr.execute("ALTER TABLE spid_ticket DROP COLUMN spid_legacy_equipment_id")
