#!/usr/bin/env bash
# `make bench`: two fresh databases on the private PostgreSQL (ours with the
# floor addon, OCA's helpdesk_mgmt with the floor addon), data in batches,
# then bench/bench.py measures both in one run and prints the table.
#   BENCH_SCALE=0.01 make bench   # a short run for development
#   BENCH_DB=x BENCH_PEER_DB=y    # other database names
# Ports: HTTP_PORT (our server) and TEST_HTTP_PORT (the peer's server).
source "$(dirname "$0")/../scripts/common.sh"
SCALE=${BENCH_SCALE:-1}
OURS=${BENCH_DB:-spid_bench}
PEER=${BENCH_PEER_DB:-spid_bench_peer}
OUT=${BENCH_OUTPUT:-$STATE/bench/result.md}
bash "$REPO/scripts/install_odoo.sh"
if ! "$VENV/bin/pip" show odoo-addon-helpdesk_mgmt >/dev/null 2>&1; then
  say "Installing OCA's helpdesk_mgmt 18.0 (the peer, without dependencies)"
  "$VENV/bin/pip" install --no-deps -r "$REPO/bench/requirements.txt"
fi
bash "$REPO/scripts/pg.sh" start
eval "$(bash "$REPO/scripts/pg.sh" env)"
ADDONS_PATH=$ODOO_DIR/odoo/addons,$ODOO_DIR/addons,$REPO,$REPO/bench/addons
install_db() {  # install_db <db> <modules>
  dropdb --if-exists "$1"
  rm -rf "$STATE/data/filestore/$1"
  bash "$REPO/scripts/odoo.sh" --addons-path="$ADDONS_PATH" -d "$1" -i "$2" --without-demo=all \
    --stop-after-init --log-level=warn --http-port="${HTTP_PORT:-8069}"
}
say "Fresh databases $OURS (SpiD Helpdesk) and $PEER (helpdesk_mgmt)"
# Like for like: the peer gets no Live Chat, so neither do we (im_livechat
# adds its own overrides of the chatter to every ticket operation).
install_db "$OURS" "${ADDONS/,spid_helpdesk_livechat/},spid_bench_floor" &
OURS_PID=$!
install_db "$PEER" "helpdesk_mgmt,spid_bench_floor"
wait "$OURS_PID"
# Stock PostgreSQL compiles expensive queries (JIT on, as shipped); our
# private cluster starts with jit=off (scripts/pg.sh). The main columns run
# as shipped: every connection to the bench databases (ORM cursors, HTTP
# servers) gets jit=on; the "jit off" columns turn it off per transaction.
for db in "$OURS" "$PEER"; do
  psql -d postgres -qc "ALTER DATABASE \"$db\" SET jit = on"
done
jit_settings() {
  psql -d "$1" -tAc "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) || ', available='
    || pg_jit_available() FROM pg_settings WHERE name IN ('jit', 'jit_above_cost', 'jit_inline_above_cost',
    'jit_optimize_above_cost', 'jit_provider')"
}
sed "s|^addons_path = .*|addons_path = $ADDONS_PATH|" "$STATE/odoo.conf" >"$STATE/bench.conf"
mkdir -p "$(dirname "$OUT")"
{
  echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC'), scale $SCALE"
  echo
  echo "- CPU: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "- RAM: $(free -g | awk '/^Mem:/ {print $2}') GB"
  echo "- $(psql -d postgres -tAc 'SHOW server_version' | sed 's/^/PostgreSQL /')"
  echo "- JIT of the bench databases (main columns): $(jit_settings "$OURS")"
  echo "- JIT of the cluster (scripts/pg.sh): $(psql -d postgres -tAc 'SHOW jit')"
  echo "- $("$VENV/bin/python" --version)"
  echo "- Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} >"$OUT"
say "Measuring (scale $SCALE)"
"$VENV/bin/python" "$REPO/bench/bench.py" --conf "$STATE/bench.conf" --ours "$OURS" --peer "$PEER" \
  --scale "$SCALE" --state "$STATE" --http-port "${HTTP_PORT:-8069}" \
  --peer-http-port "${TEST_HTTP_PORT:-8169}" --output "$OUT.table" "$@"
{
  echo "- Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Disk at the end: $(psql -d postgres -tAc "SELECT string_agg(datname || ' '
    || pg_size_pretty(pg_database_size(datname)), ', ') FROM pg_database WHERE datname IN ('$OURS', '$PEER')")"
} >>"$OUT"
echo >>"$OUT"
cat "$OUT.table" >>"$OUT"
rm -f "$OUT.table"
say "Results in $OUT"
