import math

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_round

# Weights of the matched criteria: a client's own grid beats the company-wide
# one, then status beats category beats type. A criterion left empty matches
# every ticket and weighs nothing.
SPECIFICITY = (("client_id", 8), ("status_id", 4), ("category_id", 2), ("type_id", 1))


class SpidTariff(models.Model):
    _name = "spid.tariff"
    _inherit = ["spid.system.fields.mixin"]
    _description = "Helpdesk tariff line"
    _order = "company_id, client_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(
        string="Label", help="Optional; by default the line is named after what it applies to."
    )
    sequence = fields.Integer(default=10, help="Among lines equally specific, the first one wins.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    client_id = fields.Many2one(
        "res.partner",
        string="Client",
        index=True,
        domain="[('spid_is_client', '=', True)]",
        check_company=True,
        help="Leave empty for the company-wide grid; set for a client's own grid.",
    )
    status_id = fields.Many2one(
        "spid.ticket.status", string="Status", help="Only tickets closed in this status, when set."
    )
    category_id = fields.Many2one(
        "spid.ticket.category",
        string="Category",
        help="Only tickets of this category or of its subcategories, when set.",
    )
    type_id = fields.Many2one("spid.ticket.type", string="Type", help="Only tickets of this type, when set.")
    applies_to = fields.Selection(
        [("ticket", "Work on tickets"), ("intervention", "Interventions")],
        required=True,
        default="ticket",
        help="Work on tickets: prices the billable time of a ticket (one line per ticket). Interventions:"
        " a travel flat fee (product and price) billed once per billable intervention done or signed,"
        " and a minimum time on site for each technician of such an intervention.",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        required=True,
        check_company=True,
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="The service product of the invoice line: its accounts and taxes apply.",
    )
    unit = fields.Selection(
        [("hour", "Per hour"), ("day", "Per day"), ("ticket", "Flat per ticket")],
        required=True,
        default="hour",
    )
    price = fields.Monetary(required=True, help="Price of one unit, in the company's currency.")
    min_duration = fields.Float(
        string="Minimum billed hours",
        help="A ticket with less billable time is billed this many hours. On an interventions line: the"
        " minimum time on site, each technician of a billable intervention being billed at least this"
        " many hours for it.",
    )
    rounding = fields.Float(
        string="Rounding (hours)",
        default=0.25,
        help="Billable time is rounded up to a multiple of this, e.g. 00:15 for quarters of an hour.",
    )
    hours_per_day = fields.Float(
        string="Hours per day",
        default=lambda self: self.env.company.spid_hours_per_day or 8.0,
        help="Hours that make one billed day, for the per-day unit.",
    )
    specificity = fields.Integer(compute="_compute_specificity", store=True)

    @api.depends("name", "client_id", "status_id", "category_id", "type_id", "unit", "applies_to")
    def _compute_display_name(self):
        units = dict(self._fields["unit"]._description_selection(self.env))
        units_intervention = _("Per intervention")
        general = _("General")
        for tariff in self:
            scope = [
                record.display_name
                for record in (tariff.client_id, tariff.status_id, tariff.category_id, tariff.type_id)
                if record
            ]
            unit = units_intervention if tariff.applies_to == "intervention" else units.get(tariff.unit)
            tariff.display_name = tariff.name or f"{' / '.join(scope) or general} ({unit})"

    @api.depends(*(name for name, _weight in SPECIFICITY))
    def _compute_specificity(self):
        for tariff in self:
            tariff.specificity = sum(weight for name, weight in SPECIFICITY if tariff[name])

    @api.constrains("price", "rounding", "min_duration")
    def _check_positive(self):
        for tariff in self:
            if min(tariff.price, tariff.rounding, tariff.min_duration) < 0:
                raise ValidationError(
                    _(
                        "Tariff %s: the price, the rounding and the minimum time cannot be negative.",
                        tariff.display_name,
                    )
                )

    @api.constrains("unit", "hours_per_day")
    def _check_hours_per_day(self):
        for tariff in self:
            if tariff.unit == "day" and tariff.hours_per_day <= 0:
                raise ValidationError(
                    _("Tariff %s bills per day: set how many hours make a day.", tariff.display_name)
                )

    @api.constrains("client_id")
    def _check_client(self):
        for tariff in self:
            if tariff.client_id and not tariff.client_id.spid_is_client:
                raise ValidationError(
                    _(
                        "%s is not a helpdesk client: a tariff grid belongs to a client.",
                        tariff.client_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        tariffs = super().create(vals_list)
        self.env["spid.ticket"]._spid_recompute_billing(tariffs.company_id)
        return tariffs

    def write(self, vals):
        companies = self.company_id
        res = super().write(vals)
        self.env["spid.ticket"]._spid_recompute_billing(companies | self.company_id)
        return res

    def unlink(self):
        companies = self.company_id
        res = super().unlink()
        self.env["spid.ticket"]._spid_recompute_billing(companies)
        return res

    # ------------------------------------------------------------------
    # Resolution and pricing
    # ------------------------------------------------------------------

    def _spid_matches(self, ticket, category_ids):
        """Whether this line applies to the ticket; `category_ids` are the
        ids of the ticket's category and of its parents."""
        self.ensure_one()
        return (
            (not self.client_id or self.client_id == ticket.client_id)
            and (not self.status_id or self.status_id == ticket.status_id)
            and (not self.category_id or self.category_id.id in category_ids)
            and (not self.type_id or self.type_id == ticket.type_id)
        )

    @api.model
    def _spid_resolve(self, tickets, applies_to="ticket"):
        """{ticket id: tariff line} for the tickets, the most specific active
        line of each ticket's company winning; one query for all tickets.
        `applies_to`: the lines for the tickets' work, or those for their
        interventions (travel fee and minimum time on site)."""
        lines = self.sudo().search(
            [("company_id", "in", tickets.company_id.ids), ("applies_to", "=", applies_to)],
            order="specificity desc, sequence, id",
        )
        by_company = {}
        for line in lines:
            by_company.setdefault(line.company_id.id, []).append(line)
        result = {}
        for ticket in tickets:
            category_ids = {int(i) for i in (ticket.category_id.parent_path or "").split("/") if i}
            for line in by_company.get(ticket.company_id.id, ()):
                if line._spid_matches(ticket, category_ids):
                    result[ticket.id] = line
                    break
        return result

    def _spid_billed_hours(self, hours):
        """Billable hours after the minimum and the rounding up."""
        self.ensure_one()
        hours = max(hours, self.min_duration)
        if self.rounding:
            # a hair under the next step is not a new step (float noise)
            hours = math.ceil(float_round(hours / self.rounding, precision_digits=6)) * self.rounding
        return hours

    def _spid_onsite_hours(self, technicians_hours):
        """Hours of an intervention's technicians (a list, one per technician)
        after this interventions line's minimum time on site, each apart."""
        self.ensure_one()
        return sum(max(hours, self.min_duration) for hours in technicians_hours)

    def _spid_quantity(self, hours):
        """Invoiced quantity in the line's unit for that many billable hours."""
        self.ensure_one()
        if self.unit == "ticket":
            return 1.0
        billed = self._spid_billed_hours(hours)
        if self.unit == "day":
            return float_round(billed / self.hours_per_day, precision_digits=4)
        return billed
