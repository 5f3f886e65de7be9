import logging

from markupsafe import Markup

from odoo import _, api, models
from odoo.exceptions import AccessDenied, ValidationError

from .res_users import PRIVILEGED_GROUPS

_logger = logging.getLogger(__name__)


def _text(value):
    """An LDAP attribute value (python-ldap gives bytes) as text."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class ResCompanyLdap(models.Model):
    _inherit = "res.company.ldap"

    @api.constrains("user")
    def _check_spid_template_user(self):
        for conf in self.filtered("user"):
            template = conf.user.sudo()
            if any(template.has_group(group) for group in PRIVILEGED_GROUPS):
                raise ValidationError(
                    _(
                        "The template user %(user)s administers Odoo or its users: every directory"
                        " login would become an administrator. Choose a template with the helpdesk"
                        " groups only (e.g. an archived “Support agent (template)”).",
                        user=template.display_name,
                    )
                )

    def _map_ldap_attributes(self, conf, login, ldap_entry):
        values = super()._map_ldap_attributes(conf, login, ldap_entry)
        attributes = ldap_entry[1]
        values["name"] = _text(values["name"])
        if "email" not in values and attributes.get("mail"):
            values["email"] = _text(attributes["mail"][0])
        # the template's signature names the template: the new user signs
        # with their own name, as a user created by hand does
        values["signature"] = Markup("<p>--<br />%s</p>") % values["name"]
        if conf["user"]:
            # a computed field, not copied: the copy would take the default
            # ("Handle by Emails"), whose inverse drops the template's inbox group
            template = self.env["res.users"].sudo().browse(conf["user"][0])
            values["notification_type"] = template.notification_type
        values["spid_ldap_login"] = True
        return values

    def _get_or_create_user(self, conf, login, ldap_entry):
        # auth_ldap lowercases the login here and returns an existing user
        # of that login: "ADMIN" with the password of a directory entry
        # "admin" would open the local administrator's account. Only an
        # account the directory owns may be opened (the refusal rolls back
        # a user created from a template that would not qualify).
        user_id = super()._get_or_create_user(conf, login, ldap_entry)
        user = self.env["res.users"].sudo().browse(user_id)
        if not user._spid_ldap_allowed():
            _logger.warning(
                "Directory login %r refused: it matches the local account %r (uid %s), not a"
                " directory user, or an administrator",
                login,
                user.login,
                user.id,
            )
            raise AccessDenied()
        return user_id
