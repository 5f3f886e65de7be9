from odoo import fields, models


class ImLivechatChannel(models.Model):
    _inherit = "im_livechat.channel"

    spid_team_id = fields.Many2one(
        "spid.team",
        string="Helpdesk team",
        ondelete="set null",
        groups="spid_helpdesk.group_spid_agent",
        help="The team of the tickets created from this channel's conversations;"
        " when empty, the operator's first team.",
    )
