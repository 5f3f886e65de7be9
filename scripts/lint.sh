#!/usr/bin/env bash
# ruff (lint + format check) and pylint-odoo with OCA's 18.0 rules.
source "$(dirname "$0")/common.sh"
cd "$REPO"
say "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
say "pylint-odoo"
"$VENV/bin/pylint" --rcfile=.pylintrc-mandatory spid_helpdesk spid_helpdesk_invoicing spid_helpdesk_portal \
  spid_helpdesk_maintenance spid_helpdesk_project spid_helpdesk_livechat \
  spid_helpdesk_automation spid_helpdesk_ldap spid_helpdesk_dashboard spid_helpdesk_timesheet
