from odoo import models
from odoo.exceptions import AccessDenied


class ResUsers(models.Model):
    _inherit = "res.users"

    def _rpc_api_keys_only(self):
        """An integration account reaches the server over RPC with an API key
        only: its password (needed once, to log in and create the key) never
        opens JSON-RPC/XML-RPC, and a revoked or expired key is really the
        end of it."""
        integration = self.has_group("spid_helpdesk_automation.group_spid_integration")
        return integration or super()._rpc_api_keys_only()

    def _check_credentials(self, credential, user_agent_env):
        """Once an integration account has a key, its password opens no web
        session either (a session reaches the whole JSON-RPC API through
        /web/dataset/call_kw): a leaked password alone gives nothing. To make
        a new key, an administrator revokes the old ones (the user's form,
        *API Keys*), and the password opens the web client again."""
        if (
            credential.get("type") == "password"
            and (user_agent_env or {}).get("interactive", True)
            and self.env.user._spid_integration_has_key()
        ):
            raise AccessDenied()
        return super()._check_credentials(credential, user_agent_env)

    def _spid_integration_has_key(self):
        if not self.has_group("spid_helpdesk_automation.group_spid_integration"):
            return False
        # sudo: whether keys exist, never the keys
        return bool(self.env["res.users.apikeys"].sudo().search_count([("user_id", "=", self.id)], limit=1))
