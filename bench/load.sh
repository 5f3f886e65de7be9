#!/usr/bin/env bash
# `make load`: the demo database (created like `make run` when missing)
# served with --workers=2, then bench/load.py's loopback load: 20 customers
# on the portal and 10 agents through JSON-RPC for 60 s, and the memory of
# each worker of the server (scripts/odoo.sh execs Odoo: $SERVER is its
# master). Fails on any error. Arguments go to load.py (--duration 10).
# Ports: HTTP_PORT (the server) and GEVENT_PORT (its long-polling worker);
# UPDATE=1 upgrades the addons in an existing demo database first.
source "$(dirname "$0")/../scripts/common.sh"
DB=${LOAD_DB:-spid_demo}
PORT=${HTTP_PORT:-8069}
OUT=${LOAD_OUTPUT:-$STATE/bench/load.md}
bash "$REPO/scripts/install_odoo.sh"
bash "$REPO/scripts/pg.sh" start
eval "$(bash "$REPO/scripts/pg.sh" env)"
installed=$(psql -d "$DB" -qtAc \
  "SELECT count(*) FROM ir_module_module WHERE name IN ('${ADDONS//,/\',\'}') AND state='installed'" 2>/dev/null || echo 0)
addons=(${ADDONS//,/ })
if [[ "$installed" != "${#addons[@]}" ]]; then
  say "Creating the demo database $DB"
  bash "$REPO/scripts/odoo.sh" -d "$DB" -i "$ADDONS" --stop-after-init --log-level=warn
elif [[ -n "${UPDATE:-}" ]]; then  # as `make run`: UPDATE=1 after pulling new code
  say "Updating the addons in $DB"
  bash "$REPO/scripts/odoo.sh" -d "$DB" -u "$ADDONS" --stop-after-init --log-level=warn
fi
mkdir -p "$STATE/bench"
say "Serving $DB with 2 workers on port $PORT"
# A worker waits 2 s for a request to arrive; here the 30 clients share the 2
# cores with the server and may be that slow to send one, which a buffering
# reverse proxy absorbs in production: the proxy's patience, not Odoo's.
ODOO_HTTP_SOCKET_TIMEOUT=${ODOO_HTTP_SOCKET_TIMEOUT:-10} \
  bash "$REPO/scripts/odoo.sh" -d "$DB" --db-filter="^$DB\$" --workers=2 --max-cron-threads=1 \
  --http-port="$PORT" --gevent-port="${GEVENT_PORT:-8072}" --limit-time-real=300 \
  --log-level=warn --logfile="$STATE/bench/load-server.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null' EXIT
for _ in $(seq 120); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/web/login" 2>/dev/null && break
  sleep 1
done
{
  echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} >"$OUT"
status=0
"$VENV/bin/python" "$REPO/bench/load.py" --url "http://127.0.0.1:$PORT" --db "$DB" --server-pid "$SERVER" "$@" \
  --output "$OUT.table" || status=$?
[[ -f "$OUT.table" ]] && cat "$OUT.table" >>"$OUT" && rm -f "$OUT.table"
say "Results in $OUT"
exit $status
