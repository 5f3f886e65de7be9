#!/usr/bin/env bash
# Installs Odoo 18.0 and the project's Python requirements into a virtualenv.
#   ODOO_SRC=<dir or archive>  use that Odoo 18.0 source
#   otherwise                  reuse $ODOO_DIR, else download Odoo's 18.0 archive
# A second run only checks stamps and returns in a second.
source "$(dirname "$0")/common.sh"

odoo_version() {  # prints the major version of the Odoo tree in $1
  sed -n 's/^version_info = (\([0-9]*\),.*/\1/p' "$1/odoo/release.py" 2>/dev/null
}

install_source() {
  local src=${ODOO_SRC:-}
  if [[ -n "$src" ]]; then
    if [[ -d "$src" ]]; then
      [[ -f "$src/odoo-bin" ]] || die "ODOO_SRC=$src has no odoo-bin: point it at an Odoo 18.0 source tree"
      if [[ "$(cd "$src" && pwd)" != "$(mkdir -p "$ODOO_DIR" && cd "$ODOO_DIR" && pwd)" ]]; then
        say "Copying Odoo from $src to $ODOO_DIR"
        rm -rf "$ODOO_DIR" && mkdir -p "$ODOO_DIR"
        tar -C "$src" --exclude=.git -cf - . | tar -C "$ODOO_DIR" -xf -
      fi
    elif [[ -f "$src" ]]; then
      say "Unpacking Odoo from $src"
      extract "$src"
    else
      die "ODOO_SRC=$src is neither a directory nor an archive"
    fi
  elif [[ ! -f "$ODOO_DIR/odoo-bin" ]]; then
    say "Downloading Odoo 18.0 from $ODOO_ARCHIVE_URL"
    local tmp; tmp=$(mktemp --suffix=.tar.gz)
    if ! curl -fsSL --retry 2 -o "$tmp" "$ODOO_ARCHIVE_URL"; then
      rm -f "$tmp"
      die "Odoo 18.0 is not installed and could not be downloaded.
Provide it with one of:
  ODOO_SRC=/path/to/odoo-18.0-source-tree make test
  ODOO_SRC=/path/to/odoo_18.0.tar.gz make test
  (or unpack it into $ODOO_DIR)"
    fi
    extract "$tmp"; rm -f "$tmp"
  fi
  [[ "$(odoo_version "$ODOO_DIR")" == 18 ]] || die "$ODOO_DIR is not Odoo 18.0"
}

extract() {  # unpacks an archive of an Odoo tree into $ODOO_DIR
  local tmp; tmp=$(mktemp -d)
  case "$1" in
    *.zip) (cd "$tmp" && unzip -q "$1") ;;
    *) tar -xf "$1" -C "$tmp" ;;
  esac
  local root; root=$(dirname "$(find "$tmp" -maxdepth 3 -name odoo-bin -print -quit)")
  [[ -f "$root/odoo-bin" ]] || die "$1 holds no odoo-bin"
  rm -rf "$ODOO_DIR"; mkdir -p "$(dirname "$ODOO_DIR")"; mv "$root" "$ODOO_DIR"; rm -rf "$tmp"
}

# setuptools<72 keeps pkg_resources, which gevent's plugin loader uses when
# Odoo's websocket (gevent) process starts under --workers. That old
# pkg_resources cannot match the underscore-named metadata of zope.event 5.1+
# and zope.interface 7.3+ ("The 'zope.interface' distribution was not found"),
# and the process dies at start: no bus, no live update. Their last releases
# with dotted metadata work.
CONSTRAINTS='setuptools<72
zope.event<5.1
zope.interface<7.3'

install_python() {
  [[ -x "$VENV/bin/python" ]] || { say "Creating virtualenv $VENV"; "$PYTHON" -m venv "$VENV"; }
  local stamp="$VENV/.spid-stamp" want
  want=$(cat "$ODOO_DIR/requirements.txt" "$REPO/requirements.txt" <(echo "$CONSTRAINTS") | sha1sum | cut -c1-12)-$ODOO_DIR
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && return 0
  say "Installing Odoo's and the project's Python requirements into $VENV"
  local reqs; reqs=$(mktemp)
  # pyusb and pyserial serve hardware addons we never load; python-ldap
  # (auth_ldap) is built apart, below, when its C headers are present.
  grep -viE '^(python-ldap|pyusb|pyserial)' "$ODOO_DIR/requirements.txt" >"$reqs"
  local cons; cons=$(mktemp); echo "$CONSTRAINTS" >"$cons"
  PIP_CONSTRAINT=$cons "$VENV/bin/pip" install -q 'setuptools<72' wheel
  PIP_CONSTRAINT=$cons "$VENV/bin/pip" install -q -r "$reqs"
  PIP_CONSTRAINT=$cons "$VENV/bin/pip" install -q --no-build-isolation -e "$ODOO_DIR"
  PIP_CONSTRAINT=$cons "$VENV/bin/pip" install -q -r "$REPO/requirements.txt"
  rm -f "$reqs" "$cons"
  echo "$want" >"$stamp"
}

# --- python-ldap (auth_ldap, directory logins) ---------------------------
# Odoo's pinned python-ldap is a C extension built against OpenLDAP's and
# Cyrus SASL's headers (Debian: libldap2-dev libsasl2-dev, which .ci/run
# installs). Without them it is skipped with a note, never an error: `make
# run` needs no LDAP. Its own stamp: a second run returns at once, and a
# machine that gains the headers installs it on its next run.
LDAP_HEADERS=${LDAP_HEADERS:-/usr/include/ldap.h /usr/include/sasl/sasl.h}
install_python_ldap() {
  local stamp="$VENV/.spid-ldap-stamp" want missing="" header reqs
  reqs=$(grep -iE '^python-ldap' "$ODOO_DIR/requirements.txt" || true)
  [[ -n "$reqs" ]] || return 0
  want=$(echo "$reqs" | sha1sum | cut -c1-12)
  [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && return 0
  for header in $LDAP_HEADERS; do [[ -f "$header" ]] || missing+=" $header"; done
  if [[ -n "$missing" ]]; then
    say "python-ldap skipped (auth_ldap, directory logins unavailable): missing$missing;" \
      "install them (Debian/Ubuntu: apt-get install libldap2-dev libsasl2-dev) and run this again"
    return 0
  fi
  say "Building python-ldap (auth_ldap) against the system's OpenLDAP headers"
  local file cons; file=$(mktemp); cons=$(mktemp); echo "$reqs" >"$file"; echo "$CONSTRAINTS" >"$cons"
  if PIP_CONSTRAINT=$cons "$VENV/bin/pip" install -q -r "$file"; then
    echo "$want" >"$stamp"
  else
    say "python-ldap failed to build (see above): auth_ldap stays unavailable, the rest works"
  fi
  rm -f "$file" "$cons"
}

install_source
install_python
install_python_ldap
say "Odoo 18.0 ready in $VENV ($("$VENV/bin/python" -c 'import odoo.release as r; print(r.version)'))"
