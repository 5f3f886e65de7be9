#!/usr/bin/env bash
# `make run`: Odoo 18 + a private PostgreSQL + a local mail catcher + a demo
# database, served on http://localhost:8069. A second run reuses everything
# (set UPDATE=1 to upgrade the addons after pulling new code).
source "$(dirname "$0")/common.sh"
DB=${DB:-spid_demo}
MAIL_PORT=${MAIL_PORT:-8025}
MAIL_DIR=${MAIL_DIR:-$STATE/mail}
bash "$REPO/scripts/install_odoo.sh"
bash "$REPO/scripts/pg.sh" start
eval "$(bash "$REPO/scripts/pg.sh" env)"

# Every email Odoo sends (acknowledgements, status changes, notifications)
# lands in $MAIL_DIR as one .eml file instead of failing for want of a server.
ensure_aiosmtpd
mkdir -p "$MAIL_DIR"
if [[ -f "$STATE/mailcatcher.pid" ]] && kill -0 "$(cat "$STATE/mailcatcher.pid")" 2>/dev/null; then
  say "Mail catcher already running (pid $(cat "$STATE/mailcatcher.pid"))"
else
  "$VENV/bin/python" "$REPO/scripts/mailcatcher.py" --port "$MAIL_PORT" --dir "$MAIL_DIR" \
    >>"$STATE/mailcatcher.log" 2>&1 &
  echo $! >"$STATE/mailcatcher.pid"
  for _ in $(seq 50); do
    grep -q "mail catcher:" "$STATE/mailcatcher.log" 2>/dev/null && break
    kill -0 "$(cat "$STATE/mailcatcher.pid")" 2>/dev/null || die "the mail catcher did not start: see $STATE/mailcatcher.log"
    sleep 0.1
  done
fi
SMTP=(--smtp=127.0.0.1 --smtp-port="$MAIL_PORT" --email-from="helpdesk@example.com")

installed=$(psql -d "$DB" -qtAc \
  "SELECT count(*) FROM ir_module_module WHERE name IN ('${ADDONS//,/\',\'}') AND state='installed'" 2>/dev/null || echo 0)
if [[ "$installed" != $(tr ',' '\n' <<<"$ADDONS" | wc -l) ]]; then
  say "Creating (or completing) the demo database $DB with the addons and their demo data"
  # English first (the database's default language), then the addons with
  # French active, so that their data (statuses, subtypes, email templates)
  # are installed with their French terms. Odoo's --load-language on an
  # existing database only reaches base's own records.
  bash "$REPO/scripts/odoo.sh" -d "$DB" -i base --stop-after-init --log-level=warn
  bash "$REPO/scripts/odoo.sh" -d "$DB" -i "$ADDONS" --load-language=fr_FR "${SMTP[@]}" \
    --stop-after-init --log-level=warn
elif [[ -n "${UPDATE:-}" ]]; then
  say "Updating the addons in $DB"
  bash "$REPO/scripts/odoo.sh" -d "$DB" -u "$ADDONS" "${SMTP[@]}" --stop-after-init --log-level=warn
fi
cat >&2 <<MSG

  SpiD Helpdesk demo: http://localhost:${HTTP_PORT:-8069}/web/login
    administrator   admin / admin
    supervisor      supervisor / supervisor
    agent           agent / agent
    technician      technician / technician            (French)
    finance         finance / finance
    customer        customer / customer   (portal: /my/tickets, French)
  Emails: every message Odoo sends is kept in $MAIL_DIR
    (one .eml per message; a line per message in $STATE/mailcatcher.log).
  Stop with Ctrl-C; \`make stop\` also stops PostgreSQL and the mail catcher.

MSG
exec bash "$REPO/scripts/odoo.sh" -d "$DB" --db-filter="^$DB\$" --pidfile="$STATE/odoo.pid" "${SMTP[@]}" "$@"
