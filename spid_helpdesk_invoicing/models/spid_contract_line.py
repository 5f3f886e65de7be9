from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.spid_helpdesk.internal import SYSTEM, switched

LINE_KINDS = [
    ("purchase", "Purchase"),
    ("manual", "Entered by hand"),
    ("rollover", "Rollover"),
    ("draw", "Ticket"),
    ("expiry", "Expiry"),
]
INTERNAL = "base.group_user"
# What a client's portal user reads of a ledger entry: what /my/contracts/<id>
# shows. Not the reason of a correction entered by hand (`name`: internal
# words), only `portal_name`; not the ticket's worth, nor the invoice line.
PORTAL_READABLE_FIELDS = frozenset(
    {"id", "display_name", "contract_id", "date", "kind", "portal_name", "hours", "balance"}
)


class SpidContractLine(models.Model):
    """One entry of an hour bank's ledger: a credit (hours bought, entered
    by hand, carried over) or a debit (a ticket's draw, hours carried to the
    next bank or expired). Entries are never edited: the system writes them,
    billing users add hours by hand with a reason."""

    _name = "spid.contract.line"
    _description = "Hour bank entry"
    _inherit = ["spid.readable.fields.mixin"]
    _order = "date, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "spid.contract", string="Bank", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    kind = fields.Selection(LINE_KINDS, required=True, default="manual", string="Type")
    name = fields.Char(string="Reason", required=True)
    hours = fields.Float(
        required=True, help="Positive: hours credited. Negative: hours drawn or written off."
    )
    is_credit = fields.Boolean(compute="_compute_is_credit", store=True)
    ticket_hours = fields.Float(
        string="Ticket's hours",
        readonly=True,
        help="What the ticket's time was worth when it drew: the hours beyond the draw are its overage.",
    )
    ticket_id = fields.Many2one("spid.ticket", string="Ticket", index="btree_not_null", ondelete="restrict")
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Invoice line",
        index="btree_not_null",
        ondelete="set null",
        groups=INTERNAL,
        help="The invoice line that bought these hours, or the consumption line that billed this draw.",
    )
    move_id = fields.Many2one(related="move_line_id.move_id", string="Invoice", groups=INTERNAL)
    balance = fields.Float(compute="_compute_balance", string="Balance after")
    portal_name = fields.Char(
        compute="_compute_portal_name",
        string="Entry",
        help="The entry as the client reads it on the portal: the reason of a correction entered "
        "by hand stays internal, its type is shown instead.",
    )

    @api.depends("hours")
    def _compute_is_credit(self):
        for line in self:
            line.is_credit = line.hours > 0

    # on "kind" only: an entry is never edited, and a portal read must not
    # prefetch `name` (what the portal may not read) as a dependency
    @api.depends("kind")
    def _compute_portal_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for line in self:
            internal = line.sudo()
            line.portal_name = kinds.get(internal.kind) if internal.kind == "manual" else internal.name

    @api.depends("kind")
    @api.depends_context("uid")
    def _compute_display_name(self):
        portal = self._spid_readable_fields() is not False
        for line in self:
            line.display_name = line.portal_name if portal else line.sudo().name

    def _determine_fields_to_fetch(self, field_names, ignore_when_in_cache=False):
        # the ORM adds the dependencies of computed fields (display_name's
        # `name`, from BaseModel): a portal read keeps to the readable ones
        fields_to_fetch = super()._determine_fields_to_fetch(field_names, ignore_when_in_cache)
        readable = self._spid_readable_fields()
        if readable is not False:
            fields_to_fetch = [field for field in fields_to_fetch if field.name in readable]
        return fields_to_fetch

    def _spid_readable_fields(self):
        if not self.env.su and self.env.user.share:
            return PORTAL_READABLE_FIELDS
        return super()._spid_readable_fields()

    def _compute_balance(self):
        """The bank's balance after each entry, in ledger order (one query)."""
        contracts = self.contract_id
        running = {}
        if contracts:
            self.env.cr.execute(
                """SELECT id, SUM(hours) OVER (PARTITION BY contract_id ORDER BY date, id)
                     FROM spid_contract_line WHERE contract_id IN %s""",
                (tuple(contracts.ids),),
            )
            running = dict(self.env.cr.fetchall())
        for line in self:
            line.balance = running.get(line.id, 0.0)

    @api.constrains("hours", "kind")
    def _check_hours(self):
        for line in self:
            if line.kind == "manual" and not line.hours:
                raise ValidationError(_("Enter a number of hours (negative to correct a balance)."))

    @api.model_create_multi
    def create(self, vals_list):
        # draws, purchases, rollovers and expiries are the system's; by hand, only "manual"
        if not (self.env.su or switched(self.env, SYSTEM)):
            for vals in vals_list:
                if (
                    vals.get("kind", "manual") != "manual"
                    or vals.get("ticket_id")
                    or vals.get("move_line_id")
                ):
                    raise AccessError(
                        _("Only the helpdesk itself records tickets' draws and invoices' hours.")
                    )
        lines = super().create(vals_list)
        manual = lines.filtered(lambda line: line.kind == "manual")
        if manual:
            manual.contract_id._spid_lock()
            for contract, left in manual.contract_id._spid_balances().items():
                if left < 0:
                    raise ValidationError(
                        _(
                            "This correction would leave bank %s with a negative balance.",
                            self.env["spid.contract"].browse(contract).name,
                        )
                    )
        lines.contract_id._spid_check_warning()
        return lines

    def write(self, vals):
        if not (self.env.su or switched(self.env, SYSTEM)):
            raise AccessError(_("A ledger entry is never edited: add a correcting entry instead."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_system_only(self):
        if not (self.env.su or switched(self.env, SYSTEM)):
            raise AccessError(_("A ledger entry is never deleted: add a correcting entry instead."))
