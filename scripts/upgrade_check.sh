#!/usr/bin/env bash
# Upgrade safety: installing, upgrading (-u) and uninstalling each addon on a
# database with data keeps the data of the others intact. On a scratch
# database (spid_upgrade_check):
#   1. the core (spid_helpdesk) alone with its demo data, plus seeded data;
#      snapshot of every stored value of the core's models and fields
#   2. install the other addons: the core's values unchanged; snapshot all
#   3. `-u` each addon in turn: every value unchanged
#   4. uninstall the other addons, last first: the core's values unchanged
# (an addon that installs itself with the core alone counts as the core's).
# Any difference, failed step or ERROR in Odoo's log stops with exit 1.
# The addons come from scripts/common.sh's ADDONS (bridges included).
source "$(dirname "$0")/common.sh"
DB=${UPGRADE_DB:-spid_upgrade_check}
WORK=$STATE/upgrade_check
mkdir -p "$WORK"
if [[ -z "${PGHOST:-}" ]] && ! bash "$REPO/scripts/pg.sh" status; then
  trap 'env -u PGHOST -u PGPORT -u PGUSER bash "$REPO/scripts/pg.sh" stop' EXIT
fi
bash "$REPO/scripts/pg.sh" start
eval "$(bash "$REPO/scripts/pg.sh" env)"

IFS=, read -r -a addons <<<"$ADDONS"
core=spid_helpdesk
others=()
for addon in "${addons[@]}"; do [[ $addon == "$core" ]] || others+=("$addon"); done
addons=("$core" "${others[@]}")
started=$SECONDS

step() { say "[$((SECONDS - started)) s] $*"; }
odoo_step() {  # odoo-bin with a log checked for errors
  local log=$WORK/odoo.log
  rm -f "$log"
  bash "$REPO/scripts/odoo.sh" -d "$DB" --stop-after-init --log-level=warn --logfile="$log" "$@" ||
    { tail -50 "$log" >&2; die "odoo-bin $* failed (log: $log)"; }
  if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" >&2; then
    die "odoo-bin $* logged errors (log: $log)"
  fi
}
check() {  # the data checker, on the configuration odoo.sh just wrote
  "$VENV/bin/python" "$REPO/scripts/upgrade_check.py" -c "$STATE/odoo.conf" -d "$DB" "$@" ||
    die "upgrade check failed at: $*"
}

say "Upgrade check on $DB: $core alone, then ${others[*]}"
dropdb --if-exists "$DB"
rm -rf "$STATE/data/filestore/$DB" "$WORK/invoice_locked.json"
odoo_step -i "$core"
# An addon that installs itself with the core alone (auto_install on the
# core's own dependencies: spid_helpdesk_automation) is part of the core's
# installation: upgraded below, never installed or uninstalled apart.
mapfile -t with_core < <(psql -d "$DB" -qtAc "SELECT name FROM ir_module_module
  WHERE state = 'installed' AND name = ANY(string_to_array('$(IFS=,; echo "${others[*]}")', ','))")
if ((${#with_core[@]})); then
  say "Installed with $core: ${with_core[*]}"
  rest=()
  for addon in "${others[@]}"; do [[ " ${with_core[*]} " == *" $addon "* ]] || rest+=("$addon"); done
  others=("${rest[@]}")
fi
check seed snapshot="$WORK/core.json"

step "Install ${others[*]}: the data of $core stays"
odoo_step -i "$(IFS=,; echo "${others[*]}")"
check verify="$WORK/core.json" snapshot="$WORK/all.json"

for addon in "${addons[@]}"; do
  step "Upgrade $addon: every value stays"
  odoo_step -u "$addon"
  check verify="$WORK/all.json"
done

for ((i = ${#others[@]} - 1; i >= 0; i--)); do
  step "Uninstall ${others[$i]}: the data of $core stays"
  check uninstall="${others[$i]}" verify="$WORK/core.json"
done

dropdb "$DB"
rm -rf "$STATE/data/filestore/$DB"
say "Upgrade check passed in $((SECONDS - started)) s"
