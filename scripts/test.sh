#!/usr/bin/env bash
# `make test`: lint, then a fresh database with the three addons installed,
# then every test of the repository through pytest-odoo (HttpCase and tours
# included). Extra arguments go to pytest (e.g. -k transition).
source "$(dirname "$0")/common.sh"
DB=${TEST_DB:-spid_test}
bash "$REPO/scripts/install_odoo.sh"
ensure_aiosmtpd  # tests/test_first_hour.py sends through the demo's mail catcher
bash "$REPO/scripts/lint.sh"
# A cluster this run starts is stopped at the end; one already running stays.
if [[ -z "${PGHOST:-}" ]] && ! bash "$REPO/scripts/pg.sh" status; then
  # (the PG* variables exported below would make pg.sh leave the server alone)
  trap 'env -u PGHOST -u PGPORT -u PGUSER bash "$REPO/scripts/pg.sh" stop' EXIT
fi
bash "$REPO/scripts/pg.sh" start
eval "$(bash "$REPO/scripts/pg.sh" env)"
# --- directory logins (LDAP) ---------------------------------------------
# Odoo's auth_ldap and our bridge spid_helpdesk_ldap go into the TEST
# database only (tests/test_ldap.py starts its own slapd), and only when
# python-ldap imports (scripts/install_odoo.sh builds it when its headers are
# present); `make run`'s demo stays without them (README: Directory logins).
TEST_EXTRA_ADDONS=${TEST_EXTRA_ADDONS-}
if "$VENV/bin/python" -c 'import ldap' 2>/dev/null; then
  TEST_EXTRA_ADDONS+=",auth_ldap,spid_helpdesk_ldap"
else
  say "python-ldap is missing: auth_ldap not installed, tests/test_ldap.py will be skipped"
fi
ADDONS+=$TEST_EXTRA_ADDONS
# --- end directory logins -------------------------------------------------
say "Fresh database $DB with $ADDONS"
dropdb --if-exists "$DB"
rm -rf "$STATE/data/filestore/$DB"
bash "$REPO/scripts/odoo.sh" -d "$DB" -i base --stop-after-init \
  --log-level=warn --http-port="${TEST_HTTP_PORT:-8169}"
# French active before the addons install, exactly as `make run` builds the
# demo, so that noupdate data (statuses, subtypes, templates) get their terms.
bash "$REPO/scripts/odoo.sh" -d "$DB" -i "$ADDONS" --load-language=fr_FR --stop-after-init \
  --log-level=warn --http-port="${TEST_HTTP_PORT:-8169}"
# pytest-odoo reads this configuration; HttpCase tests reach the server that
# --odoo-http starts on the test port.
sed -i "s/^http_port = .*/http_port = ${TEST_HTTP_PORT:-8169}/" "$STATE/odoo.conf"
command -v chromium >/dev/null || say "warning: chromium is not installed; browser tours will fail"
cd "$REPO"
say "Running the tests"
"$VENV/bin/python" -m pytest --odoo-config="$STATE/odoo.conf" --odoo-database="$DB" \
  --odoo-http "$@"
# Upgrade safety on its own scratch database (about 3 minutes): on a full
# run, or when asked with UPGRADE_CHECK=1; UPGRADE_CHECK=0 skips it.
if [[ ${UPGRADE_CHECK:-$(($# == 0))} == 1 ]]; then
  bash "$REPO/scripts/upgrade_check.sh"
fi
