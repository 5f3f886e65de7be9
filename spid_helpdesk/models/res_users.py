from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _spid_agent_domain(self):
        """Users who may own or work tickets: the helpdesk agents."""
        return [("groups_id", "in", self.env.ref("spid_helpdesk.group_spid_agent").id)]
