from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _rpc_api_keys_only(self):
        """An integration account reaches the server over RPC with an API key
        only: its password (needed once, to log in and create the key) never
        opens JSON-RPC/XML-RPC, so a leaked password alone gives no API access,
        and a revoked or expired key is really the end of it."""
        integration = self.has_group("spid_helpdesk_automation.group_spid_integration")
        return integration or super()._rpc_api_keys_only()
