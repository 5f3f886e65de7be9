from odoo import _, api, models


class ReportSpidWorkorder(models.AbstractModel):
    """The work order a technician takes on site and the client signs: what
    the template shows beside the ticket's own fields, prepared per ticket."""

    _name = "report.spid_helpdesk.report_spid_workorder"
    _description = "Work order"

    @api.model
    def _get_report_values(self, docids, data=None):
        tickets = self.env["spid.ticket"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "spid.ticket",
            "docs": tickets,
            # in the language the work order is printed in, the requester's
            "property_rows": {
                ticket.id: self.with_context(
                    lang=ticket.partner_id.lang or self.env.lang
                )._spid_property_rows(ticket)
                for ticket in tickets
            },
            # internal work stays off the paper the client signs
            "public_units": {
                ticket.id: ticket.workunit_ids.filtered(lambda unit: unit.visibility == "public").sorted(
                    "date"
                )
                for ticket in tickets
            },
        }

    @api.model
    def _spid_property_rows(self, ticket):
        """[(label, value as text)] of the ticket's custom fields that are
        set: the fields of every ticket, then those of its type."""
        rows = []
        values = ticket.read(["common_properties", "properties"])[0]
        for prop in (values["common_properties"] or []) + (values["properties"] or []):
            value, kind = prop.get("value"), prop.get("type")
            if value in (False, None, "", []):
                continue
            if kind == "selection":
                value = dict(prop.get("selection") or []).get(value, value)
            elif kind == "many2one" and isinstance(value, list | tuple):
                value = value[1]
            elif kind in ("many2many", "tags") and isinstance(value, list):
                value = ", ".join(str(v[1]) if isinstance(v, list | tuple) else str(v) for v in value)
            elif kind == "boolean":
                value = _("Yes")
            rows.append((prop.get("string") or prop.get("name"), value))
        return rows
