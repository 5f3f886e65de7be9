#!/usr/bin/env bash
# A private PostgreSQL cluster under .local/pg, reached by a Unix socket only.
#   pg.sh start | stop | status | env
# When PGHOST is already set, the server it names is used and nothing starts.
# `env` prints the PG* variables for Odoo and psql (eval "$(scripts/pg.sh env)").
source "$(dirname "$0")/common.sh"

PGROOT=$STATE/pg
# As root the cluster runs as `postgres`, which must reach it: a checkout in a
# private directory (mktemp -d) keeps its cluster under /var/tmp instead.
if [[ $(id -u) == 0 ]] && ! runuser -u postgres -- test -x "$REPO" 2>/dev/null; then
  PGROOT=/var/tmp/spid-pg-$(printf %s "$REPO" | sha1sum | cut -c1-12)
fi
PGDATA=$PGROOT/data
SOCKDIR=$PGROOT/run
ROLE=${PGUSER_SPID:-spid}

as_owner() {  # PostgreSQL refuses to run as root: use the postgres account then
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  command -v initdb >/dev/null || die "PostgreSQL's initdb is not on the PATH (Debian: apt-get install postgresql)"
  mkdir -p "$PGROOT"
  if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
    say "Creating a PostgreSQL cluster in $PGDATA"
    mkdir -p "$PGDATA" "$SOCKDIR"
    [[ $(id -u) == 0 ]] && chown -R postgres: "$PGROOT"
    as_owner initdb -D "$PGDATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCKDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 512MB
CONF
  fi
  if ! as_owner pg_ctl -D "$PGDATA" status >/dev/null 2>&1; then
    # PostgreSQL as shipped (JIT on): the agent's rules must stay cheap on it
    as_owner pg_ctl -D "$PGDATA" -l "$PGROOT/server.log" -w -t 60 start >/dev/null ||
      die "PostgreSQL did not start; see $PGROOT/server.log"
  fi
  psql -h "$SOCKDIR" -U postgres -d postgres -qtAc \
    "SELECT 1 FROM pg_roles WHERE rolname='$ROLE'" | grep -q 1 ||
    psql -h "$SOCKDIR" -U postgres -d postgres -qc "CREATE ROLE $ROLE LOGIN SUPERUSER" >/dev/null
}

stop() {
  [[ -f "$PGDATA/PG_VERSION" ]] || return 0
  as_owner pg_ctl -D "$PGDATA" status >/dev/null 2>&1 || return 0
  as_owner pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
}

case "${1:-}" in
  status) [[ -f "$PGDATA/PG_VERSION" ]] && as_owner pg_ctl -D "$PGDATA" status >/dev/null 2>&1 ;;
  start) [[ -n "${PGHOST:-}" ]] || start ;;
  stop) [[ -n "${PGHOST:-}" ]] || stop ;;
  env)
    if [[ -n "${PGHOST:-}" ]]; then
      echo "export PGHOST=$PGHOST PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-$USER}"
      [[ -n "${PGPASSWORD:-}" ]] && echo "export PGPASSWORD=$PGPASSWORD"
    else
      echo "export PGHOST=$SOCKDIR PGPORT=5432 PGUSER=$ROLE"
    fi ;;
  *) die "usage: pg.sh start|stop|status|env" ;;
esac
