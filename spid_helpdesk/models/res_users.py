from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _spid_agent_domain(self):
        """Users who may own or work tickets: the helpdesk agents."""
        return [("groups_id", "in", self.env.ref("spid_helpdesk.group_spid_agent").id)]

    def _spid_is_requester_only(self):
        """An internal user without a helpdesk group: an employee who asks
        the helpdesk for help (My requests), never one who answers."""
        self.ensure_one()
        return self._is_internal() and not self.has_group("spid_helpdesk.group_spid_agent")
