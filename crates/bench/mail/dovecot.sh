#!/usr/bin/env bash
# Dovecot for the mail benchmarks only (docs/benchmarks.md, "Mail"): Debian's dovecot-imapd and
# dovecot-lmtpd with their own configuration in $DIR, on loopback, no TLS, plain auth from a
# passwd-file (users u1…u20, bench1, bench2; password bench-pass), maildir under $DIR/mail.
# It runs in the foreground of a background job; `stop` ends exactly that process.
#
#   apt-get install dovecot-imapd dovecot-lmtpd     # not part of the test dependencies
#   bash crates/bench/mail/dovecot.sh start          # IMAP 127.0.0.1:10143, LMTP 127.0.0.1:10024
#   bash crates/bench/mail/dovecot.sh stop
set -euo pipefail
DIR=${DIR:-/tmp/dcbench}
IMAP_PORT=${IMAP_PORT:-10143}
LMTP_PORT=${LMTP_PORT:-10024}
MAIL_UID=$(id -u mail)
MAIL_GID=$(id -g mail)

start() {
  # Every run starts from empty mailboxes, as Schulhof's side does (a new database): mail
  # left from an earlier run's deliveries would make Dovecot's folders larger than ours.
  rm -rf "$DIR/mail"
  mkdir -p "$DIR/run" "$DIR/state" "$DIR/mail"
  chown "$MAIL_UID:$MAIL_GID" "$DIR/mail"
  : >"$DIR/passwd"
  for u in bench1 bench2 $(seq -f 'u%g' 1 20); do
    echo "$u:{PLAIN}bench-pass:$MAIL_UID:$MAIL_GID::$DIR/mail/$u" >>"$DIR/passwd"
  done
  cat >"$DIR/dovecot.conf" <<EOF
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = $MAIL_UID
mail_location = maildir:$DIR/mail/%u
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $DIR/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service anvil {
  chroot =
}
protocol lmtp {
  postmaster_address = postmaster@bench.test
}
EOF
  dovecot -F -c "$DIR/dovecot.conf" >"$DIR/foreground.log" 2>&1 &
  echo $! >"$DIR/dovecot.pid"
  sleep 1
  echo "dovecot pid $(cat "$DIR/dovecot.pid"), IMAP 127.0.0.1:$IMAP_PORT, LMTP 127.0.0.1:$LMTP_PORT"
}

stop() {
  kill "$(cat "$DIR/dovecot.pid")"
  rm -f "$DIR/dovecot.pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
