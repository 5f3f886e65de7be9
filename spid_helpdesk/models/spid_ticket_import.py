from odoo import Command, api, fields, models

from ..internal import IMPORTING, with_switch
from .spid_ticket import HISTORICAL_DATES


class SpidTicketImport(models.Model):
    """Odoo's import of tickets: updates by external reference, whole-file checks."""

    _inherit = "spid.ticket"

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------

    @api.model
    def load(self, fields, data):
        """Odoo's import, plus: a row whose `external_ref` is already known
        updates that ticket instead of creating another, and a file imported
        in batches is checked whole before its first batch is written, so
        that a bad row anywhere imports nothing. Work units of the rows are
        logged as history (IMPORTING), without notifications."""
        importing = with_switch(self, IMPORTING)
        limit = self.env.context.get("_import_limit")
        if limit and len(data) > limit and self.env.context.get("import_file"):
            # a trial run of the whole file, rolled back like Odoo's own
            # savepoints roll back (caches and pending hooks included)
            savepoint = self.env.cr.savepoint()
            try:
                check = super(SpidTicketImport, importing.with_context(_import_limit=None)).load(
                    *self._spid_import_match(fields, data)
                )
            finally:
                savepoint.close(rollback=True)
                self.pool.reset_changes()
            if any(message["type"] == "error" for message in check["messages"]):
                return {"ids": False, "messages": check["messages"], "nextrow": 0}
        return super(SpidTicketImport, importing).load(*self._spid_import_match(fields, data))

    @api.model
    def _spid_import_match(self, fields, data):
        """Give rows whose external reference names a ticket of the current
        company that ticket's database id, so that the import updates it."""
        paths = [field.split("/") if isinstance(field, str) else field for field in fields]
        if ["external_ref"] not in paths or any(p in (["id"], [".id"]) for p in paths):
            return fields, data
        column = paths.index(["external_ref"])
        refs = {row[column] for row in data if len(row) > column and row[column]}
        if not refs:
            return fields, data
        known = dict(
            self.with_context(active_test=False)
            .search_fetch(
                [("external_ref", "in", list(refs)), ("company_id", "=", self.env.company.id)],
                ["external_ref"],
            )
            .mapped(lambda ticket: (ticket.external_ref, ticket.id))
        )
        if not known:
            return fields, data
        fields = [*fields, ".id"]
        data = [
            [*row, str(known[row[column]]) if len(row) > column and row[column] in known else ""]
            for row in data
        ]
        return fields, data

    def _load_records_write(self, values):
        """On re-import, the work units of the file that the ticket already
        has (same date, agent and hours) are updated, not added again, and
        its opening and closing dates, when the file gives them unchanged,
        are left alone (write() refuses any change to them)."""
        for name in HISTORICAL_DATES:
            if (
                name in values
                and len(self) == 1
                and (fields.Datetime.to_datetime(values[name]) == self.sudo()[name])
            ):
                values = {key: value for key, value in values.items() if key != name}
        commands = values.get("workunit_ids")
        if commands:
            existing = {
                (unit.date, unit.user_id.id, round(unit.duration, 4)): unit.id
                for unit in self.sudo().workunit_ids
            }
            rewritten = []
            for command in commands:
                if command[0] == Command.CREATE:
                    unit = command[2]
                    key = (
                        fields.Datetime.to_datetime(unit.get("date")),
                        unit.get("user_id") or self.env.uid,
                        round(float(unit.get("duration") or 0.0), 4),
                    )
                    if key in existing:
                        rewritten.append(Command.update(existing.pop(key), unit))
                        continue
                rewritten.append(command)
            values = dict(values, workunit_ids=rewritten)
        return super()._load_records_write(values)
