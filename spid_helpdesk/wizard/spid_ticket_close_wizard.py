from odoo import api, fields, models

from ..internal import QUIET_CLOSE, with_switch
from ..models.spid_ticket import RESOLUTIONS


class SpidTicketCloseWizard(models.TransientModel):
    _name = "spid.ticket.close.wizard"
    _description = "Close a ticket"

    ticket_id = fields.Many2one("spid.ticket", required=True, ondelete="cascade")
    status_id = fields.Many2one(
        "spid.ticket.status",
        string="Closing status",
        required=True,
        domain=[("is_closed", "=", True)],
        default=lambda self: self.env["spid.ticket.status"].search([("is_closed", "=", True)], limit=1),
    )
    resolution = fields.Selection(RESOLUTIONS, required=True, default="solved")
    epilogue = fields.Html(required=True, help="How the ticket ended, for the requester.")
    lock = fields.Boolean(string="Lock the ticket", help="A locked ticket can never be reopened.")
    notify_customer = fields.Boolean(
        string="Notify the customer",
        compute="_compute_notify_customer",
        store=True,
        readonly=False,
        help="Send the closing email (and its rating request) and the closing updates to the requester"
        " and the addresses in copy. Unchecked, the ticket is closed without emailing them.",
    )

    @api.depends("ticket_id", "status_id")
    def _compute_notify_customer(self):
        """On when closing writes to the customer: the closing status sends an
        email to this ticket (its team's own or the status's) or the team
        posts the epilogue to the requester; never for a ticket that does not
        notify its customer."""
        for wizard in self:
            ticket = wizard.ticket_id
            team = ticket.team_id
            template = (
                team._spid_status_template(wizard.status_id) if team else wizard.status_id.mail_template_id
            )
            writes = bool(template) or team.closing_feedback == "public"
            wizard.notify_customer = writes and ticket.notify_customer

    @api.onchange("ticket_id")
    def _onchange_ticket_id(self):
        if self.ticket_id.epilogue:
            self.epilogue = self.ticket_id.epilogue

    def action_confirm(self):
        self.ensure_one()
        ticket = self.ticket_id
        if not self.notify_customer:
            # no context key: a request cannot carry this switch
            ticket = with_switch(ticket, QUIET_CLOSE, frozenset(ticket.ids))
        ticket.write(
            {"resolution": self.resolution, "epilogue": self.epilogue, "status_id": self.status_id.id}
        )
        if self.lock:
            ticket.action_lock()
        if not self.notify_customer:
            # the tracking messages and the status's email are posted just
            # before the commit: post them now, while the switch is on
            ticket._track_finalize()
        return {"type": "ir.actions.act_window_close"}
