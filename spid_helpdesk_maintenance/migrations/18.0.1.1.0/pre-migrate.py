from odoo.tools.sql import column_exists, rename_column


def migrate(cr, version):
    """`equipment_id` becomes a computed field over the new many2many
    `equipment_ids`: its column is set aside before the update, so that the
    ORM finds nothing of it, and post-migrate copies it into the new table."""
    if column_exists(cr, "spid_ticket", "equipment_id") and not column_exists(
        cr, "spid_ticket", "spid_legacy_equipment_id"
    ):
        rename_column(cr, "spid_ticket", "equipment_id", "spid_legacy_equipment_id")
