import re

from odoo import api, models

ORDER_TERM = re.compile(r"^\s*(?P<spec>[\w:]+)(?:\s+(?P<direction>asc|desc))?\s*$", re.IGNORECASE)
# groupings whose values Python orders as PostgreSQL does (no collation)
ORDERED_TYPES = ("many2one", "date", "datetime", "boolean", "integer")


class SpidReportGroups(models.AbstractModel):
    """Analyses group their rows first and name the groups after.

    Ordered by a many-to-one (agent, client, team, status), Odoo's grouping
    joins the other table to every row, to order by its name, and groups by
    that name too: a million work units were joined to the users and
    partners and sorted on disk before being summed into 30 groups. Here the
    rows are grouped on their own columns and the groups, a few hundred at
    most, are ordered afterwards by the other model's order, as Odoo would
    have ordered them. Paged groupings (limit, offset), orders on figures and
    groupings on text keep Odoo's own query."""

    _name = "spid.report.groups"
    _description = "Analysis grouped before its groups are named"

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        terms = self._spid_group_order(groupby, order)
        if terms is None or limit or offset:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        rows = super()._read_group(domain, groupby, aggregates, having, order=None)
        position = {spec: index for index, spec in enumerate(groupby)}
        # stable sorts, the last term first: the first term orders the groups
        for spec, descending in reversed(terms):
            rows.sort(key=self._spid_group_key(spec, position[spec], rows), reverse=descending)
        return rows

    @api.model
    def _spid_group_order(self, groupby, order):
        """[(groupby spec, descending)] when `order` orders only by groupings
        that Python can order (the default: the groupings themselves), else
        None."""
        groupby = list(groupby)
        if not groupby:
            return None
        terms = []
        for part in (order or ",".join(groupby)).split(","):
            match = ORDER_TERM.match(part)
            if not match or match["spec"] not in groupby:
                return None
            field = self._fields.get(match["spec"].split(":")[0])
            if not field or field.type not in ORDERED_TYPES:
                return None
            terms.append((match["spec"], (match["direction"] or "asc").lower() == "desc"))
        return terms

    @api.model
    def _spid_group_key(self, spec, index, rows):
        """Sort key of the groups on `spec`: a many-to-one by its model's
        order, other values as they are; empty values last (first when
        descending, as PostgreSQL orders them)."""
        field = self._fields[spec.split(":")[0]]
        if field.type == "many2one":
            ids = {row[index].id for row in rows if row[index]}
            # the order only: the groups' names are read with the user's rights
            comodel = self.env[field.comodel_name].sudo().with_context(active_test=False)
            rank = {
                record_id: rank
                for rank, record_id in enumerate(comodel.search([("id", "in", list(ids))]).ids)
            }

            def value(row):
                return rank.get(row[index].id) if row[index] else None
        else:

            def value(row):
                return row[index]

        def key(row):
            current = value(row)
            return (1, 0) if current is None else (0, current)

        return key
