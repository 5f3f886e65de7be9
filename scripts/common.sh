# Shared settings for the project's scripts; sourced, never run.
# Every path can be overridden from the environment.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
# Odoo and its virtualenv live outside the repository, shared by every clone
# on this machine, so that a fresh clone (CI) does not reinstall Odoo.
SPID_HOME=${SPID_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/spid-helpdesk}
ODOO_DIR=${ODOO_DIR:-$SPID_HOME/odoo}
PYVER=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV=${VENV:-$SPID_HOME/venv-py$PYVER}
ODOO_ARCHIVE_URL=${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}
# Local state (database cluster, filestore, logs) stays under the repository.
STATE=${STATE:-$REPO/.local}
# The bridges pull in Odoo's maintenance, project and im_livechat (they would
# install themselves, auto_install, wherever both sides are present).
ADDONS="spid_helpdesk,spid_helpdesk_invoicing,spid_helpdesk_portal,spid_helpdesk_maintenance,spid_helpdesk_project"
ADDONS+=",spid_helpdesk_livechat"
# The integration user and group, and the webhook rule on critical tickets.
ADDONS+=",spid_helpdesk_automation"
# The supervisor's dashboard in Odoo's Dashboards app (pulls spreadsheet_dashboard).
ADDONS+=",spid_helpdesk_dashboard"
# Helpdesk work units as Odoo timesheets (pulls hr_timesheet, hr, project).
ADDONS+=",spid_helpdesk_timesheet"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The demo's mail catcher (scripts/mailcatcher.py) needs aiosmtpd; it is kept
# out of requirements.txt so that adding it does not reinstall Odoo's stack.
AIOSMTPD=${AIOSMTPD:-aiosmtpd==1.4.6}
ensure_aiosmtpd() {
  "$VENV/bin/python" -c 'import aiosmtpd' 2>/dev/null || "$VENV/bin/pip" install -q "$AIOSMTPD"
}
