#!/usr/bin/env bash
# `make cluster`: the production shape on one machine, proved under load.
#
#   1. two independent Odoo servers (each --workers=2, its own cron thread,
#      its own HTTP and gevent ports) on the same PostgreSQL and the same
#      data_dir (filestore and sessions), proxy_mode on, behind Debian's nginx
#      running the shipped site deploy/nginx.conf (deploy/nginx_local.sh);
#      bench/load.py's customers and agents go through nginx. Before the
#      load, tickets are set to breach an SLA clock and to be auto-closed
#      during the run, with both crons due every minute; afterwards the
#      database must show each breach and each closing handled exactly once,
#      and the logs of both servers must show cron jobs run.
#   2. the same load on ONE server through the same proxy, for comparison;
#   3. the two servers again with a read replica: a second PostgreSQL
#      cluster started as a streaming standby of scripts/pg.sh's cluster
#      (pg_basebackup -R over the Unix socket), given to Odoo as
#      db_replica_host/port; the primary's work per request is measured with
#      and without it (pg_stat_database).
#
# Fails on any error, any stale page, any double or missing cron handling.
# Report: .local/bench/cluster.md (CLUSTER_OUTPUT). Settings: CLUSTER_DB
# (spid_cluster), CLUSTER_DURATION (30 s per run), CLUSTER_CUSTOMERS (20),
# CLUSTER_AGENTS (10), CLUSTER_PORT (nginx; a free port by default),
# REPLICA=0 skips step 3; UPDATE=1 upgrades the addons of an existing
# database first. Every other port is a free one chosen at run time.
source "$(dirname "$0")/../scripts/common.sh"
DB=${CLUSTER_DB:-spid_cluster}
DURATION=${CLUSTER_DURATION:-30}
CUSTOMERS=${CLUSTER_CUSTOMERS:-20}
AGENTS=${CLUSTER_AGENTS:-10}
OUT=${CLUSTER_OUTPUT:-$STATE/bench/cluster.md}
RUN=$STATE/cluster
NGINX_PREFIX=$RUN/nginx
SLA_TICKETS=${CLUSTER_SLA_TICKETS:-5}
CLOSE_TICKETS=${CLUSTER_CLOSE_TICKETS:-5}

free_port() { "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

bash "$REPO/scripts/install_odoo.sh"
bash "$REPO/scripts/pg.sh" start
eval "$(bash "$REPO/scripts/pg.sh" env)"
PRIMARY_HOST=$PGHOST PRIMARY_PORT=$PGPORT
q() { psql -d "$DB" -qtAX -v ON_ERROR_STOP=1 -c "$1"; }

installed=$(psql -d "$DB" -qtAc \
  "SELECT count(*) FROM ir_module_module WHERE name IN ('${ADDONS//,/\',\'}') AND state='installed'" 2>/dev/null || echo 0)
addons=(${ADDONS//,/ })
if [[ "$installed" != "${#addons[@]}" ]]; then
  say "Creating the demo database $DB"
  HTTP_PORT=$(free_port) bash "$REPO/scripts/odoo.sh" -d "$DB" -i "$ADDONS" --stop-after-init --log-level=warn
elif [[ -n "${UPDATE:-}" ]]; then
  say "Updating the addons in $DB"
  HTTP_PORT=$(free_port) bash "$REPO/scripts/odoo.sh" -d "$DB" -u "$ADDONS" --stop-after-init --log-level=warn
fi
rm -rf "$RUN"
mkdir -p "$RUN" "$STATE/bench" "$STATE/data"

# ---------------------------------------------------------------------------
# Processes: every one started here is stopped on exit, also on failure
# ---------------------------------------------------------------------------
SERVER_PIDS=()
REPLICA_DATA=""
CRON_SAVED=""
as_owner() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  SERVER_PIDS=()
}
cleanup() {
  stop_servers
  bash "$REPO/deploy/nginx_local.sh" stop "$NGINX_PREFIX" || true
  if [[ -n $CRON_SAVED ]]; then  # the crons' own schedule back
    PGHOST=$PRIMARY_HOST PGPORT=$PRIMARY_PORT psql -d "$DB" -qtAX -c "$CRON_SAVED" >/dev/null || true
  fi
  PGHOST=$PRIMARY_HOST PGPORT=$PRIMARY_PORT psql -d postgres -qtAX \
    -c "ALTER SYSTEM RESET synchronous_standby_names" -c "ALTER SYSTEM RESET synchronous_commit" \
    -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
  if [[ -n $REPLICA_DATA ]]; then
    as_owner pg_ctl -D "$REPLICA_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# One Odoo server: its own configuration, ports, log and cron thread; the
# database, data_dir and addons of the others.
start_server() {  # name http_port gevent_port [replica_host replica_port]
  local name=$1 http=$2 gevent=$3 conf=$RUN/$1.conf
  cat >"$conf" <<CONF
[options]
addons_path = $ODOO_DIR/odoo/addons,$ODOO_DIR/addons,$REPO
data_dir = $STATE/data
db_host = $PRIMARY_HOST
db_port = $PRIMARY_PORT
db_user = $PGUSER
db_password = ${PGPASSWORD:-False}
db_name = $DB
dbfilter = ^$DB\$
list_db = False
admin_passwd = ${SPID_ADMIN_PASSWD:-spid-admin}
proxy_mode = True
http_interface = 127.0.0.1
http_port = $http
gevent_port = $gevent
workers = 2
max_cron_threads = 1
db_maxconn = 16
limit_time_real = 300
logfile = $RUN/$name.log
log_level = warn
log_handler = odoo.addons.base.models.ir_cron:INFO
CONF
  if [[ -n ${4:-} ]]; then
    printf 'db_replica_host = %s\ndb_replica_port = %s\n' "$4" "$5" >>"$conf"
  fi
  # Odoo's 2 s socket timeout, raised as bench/load.sh does: nginx buffers
  # requests, but here 30 clients, nginx, two servers and PostgreSQL share
  # the cores, and a starved worker hit 10 s mid-request (502 from nginx)
  ODOO_HTTP_SOCKET_TIMEOUT=${ODOO_HTTP_SOCKET_TIMEOUT:-30} \
    "$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$conf" &
  SERVER_PIDS+=($!)
  local _
  for _ in $(seq 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$http/web/login" 2>/dev/null && return 0
    kill -0 "${SERVER_PIDS[-1]}" 2>/dev/null || die "Odoo server $name died at start; see $RUN/$name.log"
    sleep 1
  done
  die "Odoo server $name did not answer on port $http; see $RUN/$name.log"
}

start_proxy() {  # "http ports" "gevent ports"
  bash "$REPO/deploy/nginx_local.sh" stop "$NGINX_PREFIX"
  bash "$REPO/deploy/nginx_local.sh" start "$NGINX_PREFIX" "$PROXY_PORT" "$1" "$2" >/dev/null
  curl -fsS -o /dev/null "http://127.0.0.1:$PROXY_PORT/web/login" || die "nginx does not answer; see $NGINX_PREFIX/logs"
}

# ---------------------------------------------------------------------------
# Crons: breaches and closings to handle during the run, exactly once
# ---------------------------------------------------------------------------
NOW_UTC="(now() AT TIME ZONE 'UTC')"
cron_ids="SELECT res_id FROM ir_model_data WHERE module = 'spid_helpdesk' AND model = 'ir.cron'
          AND name IN ('ir_cron_spid_sla_breaches', 'ir_cron_spid_auto_close')"
prepare_crons() {
  RUN_START=$(q "SELECT $NOW_UTC")
  # SLA: running response or resolution clocks (an update of the ticket
  # during the run would restart an inactivity clock, due again tomorrow),
  # one per ticket with an owner (who gets the breach
  # activity), whose other clocks are moved past the run below; old tickets
  # (the agents of the load work on the first page: newest first)
  SLA_LINES=$(q "
    WITH candidate AS (
      SELECT DISTINCT ON (l.ticket_id) l.id, l.ticket_id
        FROM spid_ticket_sla l JOIN spid_ticket t ON t.id = l.ticket_id
       WHERE l.status = 'ongoing' AND l.running_since IS NOT NULL AND t.user_id IS NOT NULL
         AND l.kind IN ('response', 'resolution')
         AND t.is_closed IS NOT TRUE AND t.priority <> '3'
       ORDER BY l.ticket_id, l.id)
    SELECT string_agg(id::text, ',') FROM (SELECT id FROM candidate ORDER BY ticket_id LIMIT $SLA_TICKETS) s")
  [[ -n $SLA_LINES ]] || die "no running SLA clock to breach in $DB"
  # the other clocks of those tickets due later than the run: one breach per ticket
  q "UPDATE spid_ticket_sla SET deadline = GREATEST(deadline, $NOW_UTC + interval '2 days')
      WHERE status = 'ongoing' AND id NOT IN ($SLA_LINES)
        AND ticket_id IN (SELECT ticket_id FROM spid_ticket_sla WHERE id IN ($SLA_LINES))" >/dev/null
  # due a few seconds into the load, one after the other
  # (their count of breaches from zero: the check wants exactly one)
  q "UPDATE spid_ticket_sla l SET breach_count = 0, deadline = $NOW_UTC + (10 + 3 * s.n) * interval '1 second'
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM spid_ticket_sla WHERE id IN ($SLA_LINES)) s
      WHERE l.id = s.id" >/dev/null
  # Auto-close: open tickets moved to a status that auto-closes, waiting for
  # longer than the company's delay and warned before its grace period:
  # the cron's next run closes them (resolution "expired")
  local status
  status=$(q "SELECT id FROM spid_ticket_status WHERE auto_close AND is_closed IS NOT TRUE ORDER BY sequence, id LIMIT 1")
  [[ -n $status ]] || die "no status that auto-closes in $DB"
  q "UPDATE res_company SET spid_auto_close_days = 7 WHERE COALESCE(spid_auto_close_days, 0) = 0" >/dev/null
  CLOSE_TICKETS_IDS=$(q "
    SELECT string_agg(id::text, ',') FROM (
      SELECT t.id FROM spid_ticket t
        LEFT JOIN spid_ticket_type ty ON ty.id = t.type_id
        LEFT JOIN spid_ticket_category c ON c.id = t.category_id
       WHERE t.is_closed IS NOT TRUE AND t.is_locked IS NOT TRUE AND t.priority <> '3'
         AND NOT COALESCE(ty.auto_close_excluded, false) AND NOT COALESCE(c.auto_close_excluded, false)
         AND t.id NOT IN (SELECT ticket_id FROM spid_ticket_sla WHERE id IN ($SLA_LINES))
       ORDER BY t.id LIMIT $CLOSE_TICKETS) s")
  [[ -n $CLOSE_TICKETS_IDS ]] || die "no open ticket to auto-close in $DB"
  q "UPDATE spid_ticket SET status_id = $status, is_closed = false,
            date_status = $NOW_UTC - interval '90 days', auto_close_warned_date = $NOW_UTC - interval '60 days'
      WHERE id IN ($CLOSE_TICKETS_IDS)" >/dev/null
  # both crons due now and every minute; their own schedule back on exit
  CRON_SAVED=$(q "SELECT string_agg(format('UPDATE ir_cron SET interval_number = %s, interval_type = %L,
                    nextcall = %L WHERE id = %s;', interval_number, interval_type, nextcall, id), ' ')
                  FROM ir_cron WHERE id IN ($cron_ids)")
  q "UPDATE ir_cron SET interval_number = 1, interval_type = 'minutes', active = true,
            nextcall = $NOW_UTC + interval '15 seconds' WHERE id IN ($cron_ids)" >/dev/null
}

# Each prepared breach and closing handled exactly once; waits for the crons
# (each server's cron worker wakes at least every minute) up to 3 minutes.
check_crons() {  # report lines on stdout; fails on a double or missing one
  local breaches closings deadline=$((SECONDS + 180))
  while :; do
    breaches=$(q "SELECT count(*) FROM spid_ticket_sla WHERE id IN ($SLA_LINES) AND breach_count > 0")
    closings=$(q "SELECT count(*) FROM spid_ticket WHERE id IN ($CLOSE_TICKETS_IDS) AND is_closed")
    [[ $breaches == "$(tr ',' '\n' <<<"$SLA_LINES" | wc -l)" && \
       $closings == "$(tr ',' '\n' <<<"$CLOSE_TICKETS_IDS" | wc -l)" ]] && break
    ((SECONDS < deadline)) || break
    sleep 5
  done
  local bad
  BREACH_TYPE=$(q "SELECT res_id FROM ir_model_data WHERE module = 'spid_helpdesk'
                    AND name = 'mail_activity_type_sla_breach'")
  bad=$(q "
    SELECT string_agg(format('clock %s: status %s, breaches %s, activities %s', l.id, l.status, l.breach_count,
             (SELECT count(*) FROM mail_activity a WHERE a.res_model = 'spid.ticket' AND a.res_id = l.ticket_id
                 AND a.activity_type_id = $BREACH_TYPE AND a.create_date >= '$RUN_START')), '; ')
      FROM spid_ticket_sla l
     WHERE l.id IN ($SLA_LINES)
       AND (l.breach_count <> 1
            OR (SELECT count(*) FROM mail_activity a WHERE a.res_model = 'spid.ticket' AND a.res_id = l.ticket_id
                  AND a.activity_type_id = $BREACH_TYPE AND a.create_date >= '$RUN_START') <> 1)")
  bad+=$(q "
    SELECT string_agg(format('ticket %s: closed %s, resolution %s, status changes %s', t.id, t.is_closed,
             t.resolution, c.n), '; ')
      FROM spid_ticket t, LATERAL (
        SELECT count(*) AS n FROM mail_tracking_value v
          JOIN mail_message m ON m.id = v.mail_message_id
          JOIN ir_model_fields f ON f.id = v.field_id
         WHERE m.model = 'spid.ticket' AND m.res_id = t.id AND f.name = 'status_id'
           AND m.create_date >= '$RUN_START') c
     WHERE t.id IN ($CLOSE_TICKETS_IDS)
       AND (NOT t.is_closed OR t.resolution IS DISTINCT FROM 'expired' OR c.n <> 1)")
  local name jobs line="" failed=0
  for name in "$@"; do
    jobs=$(grep -c "Job '.*' ([0-9]*) done in" "$RUN/$name.log" || true)
    line+="$name ran $jobs cron jobs; "
    ((jobs > 0)) || failed=1
  done
  # (an inactivity clock breached, then restarted by an update of its
  # ticket, is ongoing again: the breach is counted, not the status)
  echo "Crons: $(tr ',' '\n' <<<"$SLA_LINES" | wc -l) SLA clocks breached during the run, each handled once"
  echo "(one breach counted, one breach activity); $(tr ',' '\n' <<<"$CLOSE_TICKETS_IDS" | wc -l) tickets auto-closed, each with one"
  echo "status change; ${line%; } (their logs: \`Job ... done\`)."
  if [[ -n $bad ]]; then
    echo "Crons: FAILED: $bad"
    return 1
  fi
  ((failed == 0)) || { echo "Crons: FAILED: a server ran no cron job"; return 1; }
}

# ---------------------------------------------------------------------------
# The primary's work during a run (pg_stat_database), and the standby's
# ---------------------------------------------------------------------------
db_stats() {  # host port -> "xact_commit tup_returned tup_fetched blks"
  PGHOST=$1 PGPORT=$2 psql -d postgres -qtAX -F' ' -c "
    SELECT xact_commit + xact_rollback, tup_returned, tup_fetched, blks_hit + blks_read
      FROM pg_stat_database WHERE datname = '$DB'"
}

STATUS=0
run_load() {  # title websocket? -> appends its table to the report
  local title=$1 extra=()
  [[ ${2:-} == ws ]] && extra+=(--websocket)
  say "Load: $title"
  "$VENV/bin/python" "$REPO/bench/load.py" --url "http://127.0.0.1:$PROXY_PORT" --db "$DB" \
    --customers "$CUSTOMERS" --agents "$AGENTS" --duration "$DURATION" --title "$title" \
    --output "$RUN/load.table" "${extra[@]}" || STATUS=1
  cat "$RUN/load.table" >>"$OUT"
  sleep 2  # PostgreSQL publishes its backends' statistics within a second
  echo >>"$OUT"
  REQUESTS=$(grep -o '^| \*\*all\*\* | [0-9]*' "$RUN/load.table" | grep -o '[0-9]*$' || echo 1)
}

stats_delta() {  # before after requests -> markdown cells per request
  "$VENV/bin/python" - "$1" "$2" "$3" <<'PY'
import sys
before, after, requests = sys.argv[1].split(), sys.argv[2].split(), max(int(sys.argv[3]), 1)
delta = [int(a) - int(b) for a, b in zip(after, before)]
print(" | ".join(f"{d:,} ({d / requests:,.0f})" for d in delta))
PY
}

PROXY_PORT=${CLUSTER_PORT:-$(free_port)}
A_HTTP=$(free_port) A_GEVENT=$(free_port) B_HTTP=$(free_port) B_GEVENT=$(free_port)
{
  echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg);"
  echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), PostgreSQL $(q 'SHOW server_version'), database $DB."
  echo "Each Odoo server: --workers=2, --max-cron-threads=1, proxy_mode; same PostgreSQL and data_dir."
  echo
} >"$OUT"

# 1. two servers behind nginx, crons of both
say "Two Odoo servers ($A_HTTP, $B_HTTP) behind nginx on port $PROXY_PORT"
prepare_crons
start_server a "$A_HTTP" "$A_GEVENT"
start_server b "$B_HTTP" "$B_GEVENT"
start_proxy "$A_HTTP $B_HTTP" "$A_GEVENT $B_GEVENT"
before=$(db_stats "$PRIMARY_HOST" "$PRIMARY_PORT")
run_load "Two servers behind nginx" ws
after=$(db_stats "$PRIMARY_HOST" "$PRIMARY_PORT")
PRIMARY_TWO=$(stats_delta "$before" "$after" "$REQUESTS")
check_crons a b >>"$OUT" || STATUS=1
echo >>"$OUT"
stop_servers

# 2. one server, same proxy
say "One Odoo server behind the same nginx"
start_server a "$A_HTTP" "$A_GEVENT"
start_proxy "$A_HTTP" "$A_GEVENT"
run_load "One server behind nginx (for comparison)"
stop_servers

# 3. a streaming replica
if [[ ${REPLICA:-1} != 0 ]]; then
  PGROOT=$(dirname "$PRIMARY_HOST")
  REPLICA_ROOT=$PGROOT/replica
  REPLICA_SOCK=$REPLICA_ROOT/run
  REPLICA_PORT=$(free_port)
  say "A streaming standby of the primary: socket $REPLICA_SOCK, port $REPLICA_PORT"
  as_owner rm -rf "$REPLICA_ROOT"
  mkdir -p "$REPLICA_ROOT"
  [[ $(id -u) == 0 ]] && chown postgres: "$REPLICA_ROOT"
  as_owner mkdir -p "$REPLICA_SOCK"
  as_owner pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$REPLICA_ROOT/data" -R -X stream -c fast
  REPLICA_DATA=$REPLICA_ROOT/data
  as_owner tee -a "$REPLICA_DATA/postgresql.conf" >/dev/null <<CONF
# the standby of make cluster: its own socket and port
port = $REPLICA_PORT
unix_socket_directories = '$REPLICA_SOCK'
hot_standby = on
# no query of the replica cancelled by the primary's vacuum
hot_standby_feedback = on
CONF
  as_owner pg_ctl -D "$REPLICA_DATA" -l "$REPLICA_ROOT/server.log" -w -t 60 start >/dev/null ||
    die "the standby did not start; see $REPLICA_ROOT/server.log"
  [[ $(PGHOST=$REPLICA_SOCK PGPORT=$REPLICA_PORT psql -d postgres -qtAX -c 'SELECT pg_is_in_recovery()') == t ]] ||
    die "the replica is not a standby"
  # read-your-writes: a commit returns once the standby has applied it, so
  # the page a user reads right after their own write shows it
  psql -d postgres -qtAX -c "ALTER SYSTEM SET synchronous_standby_names = '*'" \
    -c "ALTER SYSTEM SET synchronous_commit = 'remote_apply'" -c "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 30); do
    [[ $(q "SELECT sync_state FROM pg_stat_replication LIMIT 1") == sync ]] && break
    sleep 1
  done
  say "Two Odoo servers with the replica behind nginx"
  prepare_crons
  start_server a "$A_HTTP" "$A_GEVENT" "$REPLICA_SOCK" "$REPLICA_PORT"
  start_server b "$B_HTTP" "$B_GEVENT" "$REPLICA_SOCK" "$REPLICA_PORT"
  start_proxy "$A_HTTP $B_HTTP" "$A_GEVENT $B_GEVENT"
  before=$(db_stats "$PRIMARY_HOST" "$PRIMARY_PORT")
  before_replica=$(db_stats "$REPLICA_SOCK" "$REPLICA_PORT")
  run_load "Two servers behind nginx, reads on a streaming replica" ws
  after=$(db_stats "$PRIMARY_HOST" "$PRIMARY_PORT")
  after_replica=$(db_stats "$REPLICA_SOCK" "$REPLICA_PORT")
  PRIMARY_REPLICA=$(stats_delta "$before" "$after" "$REQUESTS")
  STANDBY=$(stats_delta "$before_replica" "$after_replica" "$REQUESTS")
  check_crons a b >>"$OUT" || STATUS=1
  retried=$(cat "$RUN"/a.log "$RUN"/b.log | grep -c "retrying with a read/write cursor" || true)
  {
    echo
    echo "Read-only routes that wrote and were retried on the primary: $retried."
    echo
    echo "PostgreSQL's work during the two-server runs (pg_stat_database of $DB; per request in brackets):"
    echo
    echo "| Run, server | Transactions | Rows returned | Rows fetched | Blocks read or hit |"
    echo "|---|---:|---:|---:|---:|"
    echo "| no replica, primary | $PRIMARY_TWO |"
    echo "| with replica, primary | $PRIMARY_REPLICA |"
    echo "| with replica, standby | $STANDBY |"
    echo
    echo "With the replica, commits wait until the standby applied them (synchronous_commit = remote_apply):"
    echo "a user's next page, read on the standby, shows their own write."
  } >>"$OUT"
  stop_servers
fi
cat "$OUT"
say "Results in $OUT"
exit $STATUS
