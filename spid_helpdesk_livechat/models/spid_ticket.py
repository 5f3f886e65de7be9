from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError


class SpidTicket(models.Model):
    _inherit = "spid.ticket"

    livechat_channel_id = fields.Many2one(
        "discuss.channel",
        string="Live Chat conversation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups="spid_helpdesk.group_spid_agent",
        help="The Live Chat conversation this ticket was created from.",
    )

    def action_spid_open_livechat(self):
        """The conversation in Discuss, for those who may read it (its
        members and Live Chat's users)."""
        self.ensure_one()
        channel = self.livechat_channel_id
        if not channel:
            raise UserError(_("This ticket was not created from a Live Chat conversation."))
        if not channel.has_access("read"):
            raise AccessError(_("Only the conversation's members and Live Chat users read it."))
        return {
            "type": "ir.actions.client",
            "tag": "mail.action_discuss",
            "name": channel.display_name,
            "context": {"active_id": channel.id},
        }
