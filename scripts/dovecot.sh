#!/usr/bin/env bash
# A throwaway IMAP server for the tests (Debian's dovecot, never its service):
#
#   scripts/dovecot.sh start DIR PORT [USER [PASSWORD]]
#   scripts/dovecot.sh stop DIR
#
# Everything lives under DIR: its own configuration (dovecot -c DIR/dovecot.conf),
# base_dir, logs, a passwd-file with one user (default helpdesk / helpdesk) and
# that user's Maildir. It listens on 127.0.0.1:PORT only, plain IMAP with
# plaintext authentication (loopback, no SSL). `stop` stops it and waits.
set -euo pipefail

usage() { echo "usage: $0 start DIR PORT [USER [PASSWORD]] | stop DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
conf=$dir/dovecot.conf

case $action in
start)
  [[ $# -ge 3 ]] || usage
  port=$3 user=${4:-helpdesk} password=${5:-helpdesk}
  command -v dovecot >/dev/null || { echo "dovecot is not installed (apt-get install dovecot-imapd)" >&2; exit 1; }
  mkdir -p "$dir/run" "$dir/mail"
  uid=$(id -u) gid=$(id -g)
  if [[ $uid == 0 ]]; then
    # as root dovecot drops its login and internal processes to these
    # unprivileged users, which the Debian package creates
    id dovenull >/dev/null && id dovecot >/dev/null || {
      echo "the dovenull and dovecot users are missing (apt-get install dovecot-core)" >&2; exit 1; }
    login_user=dovenull internal_user=dovecot
    # nor does it deliver to a mailbox of uid 0: the mailbox is the dovecot user's
    uid=$(id -u dovecot) gid=$(id -g dovecot)
    chown "$uid:$gid" "$dir/mail"
    chmod 755 "$dir"
  else
    login_user=$(id -un) internal_user=$(id -un)
  fi
  echo "$user:{PLAIN}$password:$uid:$gid::$dir/mail/$user::" >"$dir/passwd"
  cat >"$conf" <<CONF
# written by scripts/dovecot.sh: a throwaway server for the tests
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/run
instance_name = spid-test-$port
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = $login_user
default_internal_user = $internal_user
first_valid_uid = 0
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/passwd
}
userdb {
  driver = passwd-file
  args = $dir/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
CONF
  # its output to a file: the caller's pipes would stay open in the daemon
  dovecot -c "$conf" </dev/null >"$dir/start.log" 2>&1 || { cat "$dir/start.log" >&2; exit 1; }
  # ready when the port answers
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      exit 0
    fi
    sleep 0.1
  done
  echo "dovecot did not start listening on 127.0.0.1:$port; see $dir/dovecot.log" >&2
  cat "$dir/start.log" "$dir/dovecot.log" >&2 || true
  exit 1
  ;;
stop)
  [[ -f $conf ]] || exit 0
  pidfile=$dir/run/master.pid
  if [[ -f $pidfile ]]; then
    pid=$(cat "$pidfile")
    doveadm -c "$conf" stop 2>/dev/null || kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || exit 0
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  ;;
*) usage ;;
esac
