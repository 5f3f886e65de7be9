import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

EMBED_ORIGINS_PARAM = "spid_helpdesk_portal.embed_origins"
# scheme://host[:port], the host optionally starting with "*." (any
# subdomain): exactly what a CSP source may be, and nothing that could end
# the directive (no space, quote, semicolon, comma or path)
ORIGIN_RE = re.compile(
    r"^https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$"
)


def parse_embed_origins(text):
    """(valid origins, invalid entries) of a list of origins separated by
    spaces, commas or new lines; origins are lower-cased, a final slash is
    dropped, duplicates are removed."""
    valid, invalid = [], []
    for entry in re.split(r"[\s,]+", text or ""):
        if not entry:
            continue
        origin = entry.lower().rstrip("/")
        if ORIGIN_RE.match(origin):
            if origin not in valid:
                valid.append(origin)
        else:
            invalid.append(entry)
    return valid, invalid


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    spid_embed_origins = fields.Char(
        string="Sites allowed to embed the form",
        config_parameter=EMBED_ORIGINS_PARAM,
        help="Origins of the websites that may show the public request form in an iframe"
        " (/helpdesk/embed), separated by spaces, e.g. https://www.example.com"
        " https://*.example.org. Empty: only this server's own pages may embed it.",
    )

    @api.model
    def _spid_check_embed_origins(self, text):
        valid, invalid = parse_embed_origins(text)
        if invalid:
            raise ValidationError(
                _(
                    "Sites allowed to embed the form: %(entries)s is not an origin. Write each site as"
                    " https://www.example.com (scheme and host, an optional port, no path); *.example.com"
                    " allows its subdomains.",
                    entries=", ".join(invalid),
                )
            )
        return " ".join(valid)

    def set_values(self):
        for settings in self:
            normalized = self._spid_check_embed_origins(settings.spid_embed_origins) or False
            if normalized != settings.spid_embed_origins:
                settings.spid_embed_origins = normalized
        return super().set_values()
