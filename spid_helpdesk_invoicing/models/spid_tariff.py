import math
from bisect import bisect_right
from datetime import datetime, time, timedelta

from pytz import UTC, timezone

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_round

# Weights of the matched criteria: a client's own grid beats the company-wide
# one, then status beats category beats type. A criterion left empty matches
# every ticket and weighs nothing.
SPECIFICITY = (("client_id", 8), ("status_id", 4), ("category_id", 2), ("type_id", 1))
# Kinds of hours of a work unit against the tariff's calendar, from the
# strongest: a public holiday beats a weekend day beats out of hours. The
# normal rate is the tariff's price (working time, rounding and minimums).
RATE_KINDS = ("holiday", "weekend", "out_of_hours", "normal")
RATE_FIELDS = {"holiday": "rate_holiday", "weekend": "rate_weekend", "out_of_hours": "rate_out_of_hours"}


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
    # --- out-of-hours surcharges ------------------------------------------
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working hours",
        check_company=True,
        compute="_compute_calendar_id",
        store=True,
        readonly=False,
        help="By default the working hours of the line's company. Says which hours are surcharged, in its"
        " timezone: its attendances are the working time, a day without attendance is a weekend day, and"
        " its leaves without resource are public holidays.",
    )
    rate_out_of_hours = fields.Float(
        string="Out-of-hours rate",
        default=1.0,
        digits=(16, 2),
        help="Multiplier of the price for time worked outside working hours on a working day,"
        " e.g. 1.25; 1 means no surcharge.",
    )
    rate_weekend = fields.Float(
        string="Weekend rate",
        default=1.0,
        digits=(16, 2),
        help="Multiplier of the price for time worked on a day without working hours (weekend), e.g. 1.5;"
        " 1 means no surcharge.",
    )
    rate_holiday = fields.Float(
        string="Public holiday rate",
        default=1.0,
        digits=(16, 2),
        help="Multiplier of the price for time worked during a public holiday (a leave of the calendar"
        " without resource), e.g. 2; a holiday beats a weekend, which beats out of hours. 1 means no"
        " surcharge.",
    )

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

    @api.depends("company_id")
    def _compute_calendar_id(self):
        """The company's working hours (those its SLA policies use by default),
        unless the line has working hours that the company may use."""
        for tariff in self:
            if not tariff.calendar_id or tariff.calendar_id.company_id not in (
                tariff.company_id,
                self.env["res.company"],
            ):
                tariff.calendar_id = tariff.company_id.resource_calendar_id

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

    @api.constrains("rate_out_of_hours", "rate_weekend", "rate_holiday", "unit", "applies_to", "calendar_id")
    def _check_rates(self):
        """A surcharge multiplies the price by 1 or more: a rate under 1 would be
        a discount, which would also make a prepaid bank draw less than the
        time worked; the minimum and the rounding are billed at the normal
        rate, which must therefore be the lowest."""
        for tariff in self:
            rates = [tariff[name] for name in RATE_FIELDS.values()]
            if min(rates) < 1:
                raise ValidationError(
                    _(
                        "Tariff %s: a surcharge rate is a multiplier of 1 or more (1 = no surcharge,"
                        " 1.5 = the price and a half).",
                        tariff.display_name,
                    )
                )
            if max(rates) > 1 and (tariff.unit == "ticket" or tariff.applies_to == "intervention"):
                raise ValidationError(
                    _(
                        "Tariff %s: surcharges apply to time billed per hour or per day on tickets; set"
                        " the rates back to 1 for a flat price per ticket or a travel fee.",
                        tariff.display_name,
                    )
                )
            if max(rates) > 1 and not tariff.calendar_id:
                raise ValidationError(
                    _(
                        "Tariff %s has surcharges: choose the working hours that say which time is"
                        " surcharged.",
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

    # ------------------------------------------------------------------
    # Surcharges
    # ------------------------------------------------------------------

    def _spid_rates(self):
        """{kind: multiplier} of this line; a flat or travel line has none."""
        self.ensure_one()
        rates = {kind: self[name] for kind, name in RATE_FIELDS.items()}
        if self.unit == "ticket" or self.applies_to == "intervention":
            rates = dict.fromkeys(rates, 1.0)
        return dict(rates, normal=1.0)

    def _spid_has_surcharge(self):
        self.ensure_one()
        return any(rate != 1.0 for rate in self._spid_rates().values())

    def _spid_rate_hours(self, raw, hours):
        """{kind: {"hours", "rate"}} billed for a ticket's time: `raw` are the
        billable hours per kind of hours (split against the calendar), `hours`
        the total to bill before the minimum and the rounding. Each surcharged
        kind bills its hours rounded DOWN to the rounding step; the rest of the
        billed total (the minimum, the rounding up, the fractions of surcharged
        hours) is billed at the normal rate, so that the client never pays a
        surcharge on time nobody worked. A kind at rate 1 is normal time."""
        self.ensure_one()
        billed = self._spid_billed_hours(hours)
        rates = self._spid_rates()
        result = {}
        for kind in RATE_KINDS[:-1]:
            kind_hours = raw.get(kind, 0.0)
            if self.rounding:
                kind_hours = (
                    math.floor(float_round(kind_hours / self.rounding, precision_digits=6)) * self.rounding
                )
            kind_hours = float_round(kind_hours, precision_digits=6)
            if kind_hours > 0 and rates[kind] != 1.0:
                result[kind] = {"hours": kind_hours, "rate": rates[kind]}
        normal = float_round(billed - sum(value["hours"] for value in result.values()), precision_digits=6)
        if normal > 0 or not result:
            result["normal"] = {"hours": max(normal, 0.0), "rate": 1.0}
        return result

    def _spid_kind_quantity(self, hours):
        """Invoiced quantity in the line's unit for billed hours of one kind."""
        self.ensure_one()
        if self.unit == "day":
            return float_round(hours / self.hours_per_day, precision_digits=4)
        return hours

    @api.model
    def _spid_split(self, calendar, company, units):
        """Split work intervals against a calendar, in its timezone:
        `units` is a list of (key, start, hours), start a naive UTC datetime;
        returns {key: {kind: hours}}, the kinds summing to the hours. Reads
        the calendar once (its attendances and its leaves without resource,
        the public holidays, of `company` or of no company) for all units;
        its lunch lines are working time;
        works in UTC timestamps, so that a DST change counts real hours."""
        units = [(key, start, hours) for key, start, hours in units if hours > 0]
        result = {}
        if not units:
            return result
        tz = timezone(calendar.tz or "UTC")
        low = UTC.localize(min(start for _key, start, _hours in units) - timedelta(days=1))
        high = UTC.localize(
            max(start + timedelta(hours=hours) for _key, start, hours in units) + timedelta(days=1)
        )
        # the lunch break is working time, not out of hours: Odoo reads the
        # attendances without their day_period "lunch" lines (the company's
        # standard calendar has 12:00-13:00 ones) unless asked for them
        # alone, so both are read (one more search per calendar, not per unit)
        attendances = (
            calendar._attendance_intervals_batch(low, high, tz=tz)[False]
            | calendar._attendance_intervals_batch(low, high, tz=tz, lunch=True)[False]
        )
        leaves = calendar._leave_intervals_batch(
            low,
            high,
            domain=[("time_type", "=", "leave"), ("company_id", "in", [False, company.id])],
            tz=tz,
        )[False]
        working_days = {start.date() for start, _stop, _attendance in attendances}
        work = _merge((start.timestamp(), stop.timestamp()) for start, stop, _att in attendances)
        holidays = _merge(
            (start.timestamp(), _day_end(stop, tz).timestamp()) for start, stop, _leave in leaves
        )
        weekend = []
        day, last = low.astimezone(tz).date(), high.astimezone(tz).date()
        while day <= last:
            if day not in working_days:
                weekend.append((_midnight(day, tz), _midnight(day + timedelta(days=1), tz)))
            day += timedelta(days=1)
        weekend = _merge(weekend)
        for key, start, hours in units:
            begin = UTC.localize(start).timestamp()
            end = begin + hours * 3600.0
            split = {"holiday": _overlap(holidays, begin, end), "weekend": 0.0, "out_of_hours": 0.0}
            rest = 0.0
            worked = 0.0
            for piece_begin, piece_end in _subtract(holidays, begin, end):
                rest += piece_end - piece_begin
                worked += _overlap(work, piece_begin, piece_end)
                split["weekend"] += _overlap(weekend, piece_begin, piece_end)
            split["out_of_hours"] = max(rest - worked - split["weekend"], 0.0)
            kinds = {kind: round(seconds) / 3600.0 for kind, seconds in split.items() if round(seconds)}
            kinds["normal"] = float_round(hours - sum(kinds.values()), precision_digits=6)
            result[key] = {kind: value for kind, value in kinds.items() if value > 0}
        return result


def _midnight(day, tz):
    """The timestamp of a local day's start (DST: its real instant)."""
    return tz.localize(datetime.combine(day, time.min)).timestamp()


def _day_end(stop, tz):
    """A leave recorded up to 23:59(:59) lasts until midnight."""
    if stop.time() >= time(23, 59):
        return tz.localize(datetime.combine(stop.date() + timedelta(days=1), time.min))
    return stop


class _Intervals(list):
    """Sorted disjoint (begin, end) timestamps, with their ends for bisect."""

    def __init__(self, intervals):
        super().__init__(intervals)
        self.stops = [stop for _start, stop in self]


def _merge(intervals):
    """Sorted, disjoint intervals from any [(begin, end)]."""
    merged = []
    for begin, end in sorted(intervals):
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return _Intervals(merged)


def _overlap(intervals, begin, end):
    """Seconds of [begin, end] covered by sorted disjoint intervals (an
    _Intervals: the search starts at the first one ending after `begin`)."""
    total = 0.0
    index = bisect_right(intervals.stops, begin)
    while index < len(intervals) and intervals[index][0] < end:
        start, stop = intervals[index]
        total += max(0.0, min(stop, end) - max(start, begin))
        index += 1
    return total


def _subtract(intervals, begin, end):
    """The pieces of [begin, end] not covered by sorted disjoint intervals."""
    pieces = []
    cursor = begin
    for start, stop in intervals:
        if stop <= cursor or start >= end:
            continue
        if start > cursor:
            pieces.append((cursor, start))
        cursor = max(cursor, stop)
    if cursor < end:
        pieces.append((cursor, end))
    return pieces
