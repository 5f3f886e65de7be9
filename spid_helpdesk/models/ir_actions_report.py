import functools
import subprocess

from odoo import api, models

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin


@functools.cache
def _wkhtmltopdf_prints_letterhead():
    """Whether this server's wkhtmltopdf is built with patched Qt, the only
    build that prints Odoo's header and footer (Debian's is not): it says so
    in its version line."""
    try:
        version = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"], capture_output=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return b"patched qt" in version.lower()


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _spid_prints_letterhead(self):
        """False when PDFs come out without the company's header and footer:
        our reports then name their issuer in the page body."""
        return _wkhtmltopdf_prints_letterhead()
