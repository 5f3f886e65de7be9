#!/usr/bin/env bash
# Writes .local/odoo.conf and runs odoo-bin with it: scripts/odoo.sh [odoo args]
source "$(dirname "$0")/common.sh"
eval "$(bash "$REPO/scripts/pg.sh" env)"
CONF=$STATE/odoo.conf
mkdir -p "$STATE/data"
cat >"$CONF" <<CONF
[options]
addons_path = $ODOO_DIR/odoo/addons,$ODOO_DIR/addons,$REPO
data_dir = $STATE/data
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = ${PGPASSWORD:-False}
admin_passwd = ${SPID_ADMIN_PASSWD:-spid-admin}
list_db = False
http_interface = ${HTTP_INTERFACE:-127.0.0.1}
http_port = ${HTTP_PORT:-8069}
CONF
exec "$VENV/bin/python" "$ODOO_DIR/odoo-bin" -c "$CONF" "$@"
