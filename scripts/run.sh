#!/usr/bin/env bash
# `make run`: Odoo 18 + a private PostgreSQL + a demo database, served on
# http://localhost:8069. A second run reuses everything (set UPDATE=1 to
# upgrade the addons after pulling new code).
source "$(dirname "$0")/common.sh"
DB=${DB:-spid_demo}
bash "$REPO/scripts/install_odoo.sh"
bash "$REPO/scripts/pg.sh" start
eval "$(bash "$REPO/scripts/pg.sh" env)"
installed=$(psql -d "$DB" -qtAc \
  "SELECT count(*) FROM ir_module_module WHERE name IN ('${ADDONS//,/\',\'}') AND state='installed'" 2>/dev/null || echo 0)
if [[ "$installed" != $(tr ',' '\n' <<<"$ADDONS" | wc -l) ]]; then
  say "Creating (or completing) the demo database $DB with the addons and their demo data"
  bash "$REPO/scripts/odoo.sh" -d "$DB" -i "$ADDONS" --stop-after-init --log-level=warn
  # French beside English (given at creation, it would replace English).
  bash "$REPO/scripts/odoo.sh" -d "$DB" --load-language=fr_FR --stop-after-init --log-level=warn
elif [[ -n "${UPDATE:-}" ]]; then
  say "Updating the addons in $DB"
  bash "$REPO/scripts/odoo.sh" -d "$DB" -u "$ADDONS" --stop-after-init --log-level=warn
fi
cat >&2 <<MSG

  SpiD Helpdesk demo: http://localhost:${HTTP_PORT:-8069}/web/login
    administrator   admin / admin
    supervisor      supervisor / supervisor
    agent           agent / agent
    technician      technician / technician
    customer        customer / customer   (portal: /my/tickets)
  Stop with Ctrl-C; \`make stop\` also stops PostgreSQL.

MSG
exec bash "$REPO/scripts/odoo.sh" -d "$DB" --db-filter="^$DB\$" --pidfile="$STATE/odoo.pid" "$@"
