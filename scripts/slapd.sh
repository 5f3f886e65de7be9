#!/usr/bin/env bash
# A throwaway OpenLDAP directory for the LDAP tests (tests/test_ldap.py):
#   scripts/slapd.sh start DIR PORT [LDIF]   config + mdb database under DIR,
#                                            listening on ldap://127.0.0.1:PORT only
#   scripts/slapd.sh stop DIR                stops it (DIR stays; the caller removes it)
# Debian's slapd (package slapd, with ldap-utils) and its schemas, but none
# of its service configuration: its own slapd.conf (-f), suffix dc=spid,dc=test,
# the admin cn=admin,dc=spid,dc=test, a read-only service account
# cn=odoo,ou=services,dc=spid,dc=test (the bind DN Odoo uses), ou=people, and
# the entries of LDIF (e.g. people with {SSHA} passwords from slappasswd),
# loaded with slapadd before the start. Passwords: SLAPD_ADMIN_PASSWORD,
# SLAPD_BIND_PASSWORD (defaults "admin" and "odoo"). Runs as the current user.
set -euo pipefail
say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

SLAPD=${SLAPD:-/usr/sbin/slapd}
SLAPADD=${SLAPADD:-/usr/sbin/slapadd}
SLAPPASSWD=${SLAPPASSWD:-/usr/sbin/slappasswd}
MODULES=${SLAPD_MODULES:-/usr/lib/ldap}
SCHEMAS=${SLAPD_SCHEMAS:-/etc/ldap/schema}
SUFFIX=dc=spid,dc=test

start() {
  local dir=$1 port=$2 ldif=${3:-}
  [[ -x "$SLAPD" && -x "$SLAPADD" && -x "$SLAPPASSWD" ]] ||
    die "slapd not found: install Debian's slapd and ldap-utils (apt-get install slapd ldap-utils)"
  [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$port'"
  [[ -z "$ldif" || -f "$ldif" ]] || die "no LDIF file $ldif"
  [[ -f "$dir/slapd.pid" ]] && kill -0 "$(cat "$dir/slapd.pid")" 2>/dev/null &&
    die "a slapd already runs from $dir"
  mkdir -p "$dir/data"
  dir=$(cd "$dir" && pwd)
  local admin_hash bind_hash
  admin_hash=$("$SLAPPASSWD" -s "${SLAPD_ADMIN_PASSWORD:-admin}")
  bind_hash=$("$SLAPPASSWD" -s "${SLAPD_BIND_PASSWORD:-odoo}")
  cat >"$dir/slapd.conf" <<CONF
include $SCHEMAS/core.schema
include $SCHEMAS/cosine.schema
include $SCHEMAS/nis.schema
include $SCHEMAS/inetorgperson.schema
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath $MODULES
moduleload back_mdb
database mdb
maxsize 10485760
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw $admin_hash
directory $dir/data
# a password is only ever compared (bind), never read; everything else is
# read by bound users (Odoo's service account, the people themselves)
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by * none
CONF
  cat >"$dir/base.ldif" <<LDIF
dn: $SUFFIX
objectClass: top
objectClass: dcObject
objectClass: organization
o: SpiD test directory
dc: spid

dn: ou=people,$SUFFIX
objectClass: organizationalUnit
ou: people

dn: ou=services,$SUFFIX
objectClass: organizationalUnit
ou: services

dn: cn=odoo,ou=services,$SUFFIX
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: odoo
userPassword: $bind_hash
LDIF
  "$SLAPADD" -q -f "$dir/slapd.conf" -l "$dir/base.ldif"
  [[ -n "$ldif" ]] && "$SLAPADD" -q -f "$dir/slapd.conf" -l "$ldif"
  "$SLAPD" -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/" 2>"$dir/slapd.log" ||
    die "slapd did not start: $(cat "$dir/slapd.log")"
  local i
  for i in $(seq 100); do  # up to 10 s for the listening socket
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { say "slapd on ldap://127.0.0.1:$port ($dir)"; return 0; }
    sleep 0.1
  done
  stop "$dir"
  die "slapd did not listen on 127.0.0.1:$port"
}

stop() {
  local dir=$1 pid i
  [[ -f "$dir/slapd.pid" ]] || return 0
  pid=$(cat "$dir/slapd.pid")
  kill "$pid" 2>/dev/null || { rm -f "$dir/slapd.pid"; return 0; }
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$dir/slapd.pid"
}

case "${1:-}" in
  start) [[ $# -ge 3 ]] || die "usage: $0 start DIR PORT [LDIF]"; start "$2" "$3" "${4:-}" ;;
  stop) [[ $# -ge 2 ]] || die "usage: $0 stop DIR"; stop "$2" ;;
  *) die "usage: $0 start DIR PORT [LDIF] | stop DIR" ;;
esac
