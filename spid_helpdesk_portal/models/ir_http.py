from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        """The portal's conversation is mail's component ("The conversation is
        empty.", the day separators): the frontend loads only web's and
        portal's JS translations, so a French customer read mail's words in
        English. Mail's and ours are loaded with them."""
        return [*super()._get_translation_frontend_modules_name(), "mail", "spid_helpdesk_portal"]
