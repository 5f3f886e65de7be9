import logging

from odoo import SUPERUSER_ID, fields, models
from odoo.exceptions import AccessDenied

_logger = logging.getLogger(__name__)

# Who never signs in through the directory, whatever it answers: whoever
# administers Odoo (Settings) or its users (Access Rights) keeps a local
# password (and its two-factor authentication).
PRIVILEGED_GROUPS = ("base.group_system", "base.group_erp_manager")


class ResUsers(models.Model):
    _inherit = "res.users"

    spid_ldap_login = fields.Boolean(
        string="Signs in through the directory",
        copy=False,
        help="Set on the users created at their first directory (LDAP) login: their directory"
        " password opens their account. Odoo's auth_ldap also tries the directory for every other"
        " user whose local password fails, so that a directory entry with the same login would"
        " open a local account: only the users marked here may sign in with the directory's"
        " password, and never an administrator (Settings or Access Rights), who keeps a local"
        " password. Tick it for an existing local user who should now use the directory.",
    )

    def _spid_ldap_allowed(self):
        """Whether the directory's password may open this account."""
        self.ensure_one()
        user = self.sudo()
        return bool(
            user.spid_ldap_login
            and user.id != SUPERUSER_ID
            and not any(user.has_group(group) for group in PRIVILEGED_GROUPS)
        )

    @classmethod
    def _login(cls, db, credential, user_agent_env):
        # The login form leaves out an empty field: auth_ldap then reads
        # credential["password"] (and Odoo credential["login"]) and the form
        # answers a 500 instead of "Wrong login/password"
        if credential.get("type", "password") == "password":
            credential = dict(
                credential, login=credential.get("login") or "", password=credential.get("password") or ""
            )
        return super()._login(db, credential, user_agent_env=user_agent_env)

    def _check_credentials(self, credential, env):
        # auth_ldap answers for an existing user whose local password fails
        # by binding to the directory with their login: refused here for an
        # account the directory does not own, or an administrator's
        result = super()._check_credentials(credential, env)
        if (result or {}).get("auth_method") == "ldap" and not self.env.user._spid_ldap_allowed():
            _logger.warning(
                "Directory login refused for the local account %r (uid %s): not a directory user,"
                " or an administrator",
                self.env.user.login,
                self.env.user.id,
            )
            raise AccessDenied()
        return result
