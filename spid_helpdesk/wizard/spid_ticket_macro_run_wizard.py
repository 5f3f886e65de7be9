from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SpidTicketMacroRunWizard(models.TransientModel):
    """Choose a macro and run it: from the ticket's form (its "Macros"
    button) or on the tickets selected in the list (Actions menu). Thin: the
    macro's `spid_run` does the work and the checks."""

    _name = "spid.ticket.macro.run.wizard"
    _description = "Run a macro on tickets"

    ticket_ids = fields.Many2many("spid.ticket", string="Tickets", required=True)
    ticket_count = fields.Integer(compute="_compute_available_macro_ids")
    available_macro_ids = fields.Many2many("spid.ticket.macro", compute="_compute_available_macro_ids")
    macro_id = fields.Many2one(
        "spid.ticket.macro",
        string="Macro",
        required=True,
        domain="[('id', 'in', available_macro_ids)]",
    )
    # read as the user: a macro outside their record rules is not shown
    preview = fields.Html(related="macro_id.preview", related_sudo=False)
    macro_description = fields.Text(related="macro_id.description", related_sudo=False)

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._spid_check_macro()
        return wizards

    def write(self, vals):
        res = super().write(vals)
        if "macro_id" in vals:
            self._spid_check_macro()
        return res

    def _spid_check_macro(self):
        """The chosen macro is one the user may read (its teams', its
        company's: the record rules), whatever id the caller sends: else
        the dialog would show another team's or company's macro."""
        if self.env.su:
            return
        macros = self.macro_id
        if macros:
            macros.check_access("read")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "ticket_ids" in fields_list
            and not values.get("ticket_ids")
            and context.get("active_model") == "spid.ticket"
            and context.get("active_ids")
        ):
            values["ticket_ids"] = [(6, 0, context["active_ids"])]
        return values

    @api.depends("ticket_ids")
    def _compute_available_macro_ids(self):
        Macro = self.env["spid.ticket.macro"]
        for wizard in self:
            wizard.ticket_count = len(wizard.ticket_ids)
            wizard.available_macro_ids = (
                Macro.search(Macro._spid_available_domain(wizard.ticket_ids)) if wizard.ticket_ids else Macro
            )

    def action_run(self):
        self.ensure_one()
        result = self.macro_id.spid_run(self.ticket_ids.ids)
        if len(self.ticket_ids) == 1:
            return {"type": "ir.actions.act_window_close"}
        Ticket = self.env["spid.ticket"]
        failed = result["failed"]
        message = _(
            "Macro %(macro)s ran on %(count)s ticket(s).", macro=self.macro_id.name, count=len(result["done"])
        )
        if failed:
            refs = {ticket.id: ticket.reference for ticket in Ticket.browse([i for i, _msg in failed])}
            message += (
                " "
                + _("Refused on %s:", len(failed))
                + " "
                + "; ".join(f"{refs.get(ticket_id, ticket_id)}: {error}" for ticket_id, error in failed)
            )
        if not result["done"] and failed:
            raise UserError(message)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Macro"),
                "message": message,
                "type": "warning" if failed else "success",
                "sticky": bool(failed),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
