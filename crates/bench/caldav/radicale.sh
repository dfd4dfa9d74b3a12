#!/usr/bin/env bash
# Radicale for the calendar benchmarks only (docs/benchmarks.md, "Calendars"): Debian's
# radicale with its own configuration in $DIR, on loopback, no TLS, htpasswd plain auth
# (user bench, password bench-pass), file storage under $DIR/collections.
#
#   apt-get install radicale                       # not part of the test dependencies
#   bash crates/bench/caldav/radicale.sh start      # http://127.0.0.1:5232/
#   bash crates/bench/caldav/radicale.sh stop
set -euo pipefail
DIR=${DIR:-/tmp/radbench}
PORT=${PORT:-5232}

start() {
  rm -rf "$DIR" && mkdir -p "$DIR/collections"
  echo "bench:bench-pass" >"$DIR/users"
  cat >"$DIR/config" <<CFG
[server]
hosts = 127.0.0.1:$PORT
[auth]
type = htpasswd
htpasswd_filename = $DIR/users
htpasswd_encryption = plain
[storage]
filesystem_folder = $DIR/collections
[logging]
level = warning
CFG
  nohup setsid ${NICE:+nice -n $NICE} radicale --config "$DIR/config" >"$DIR/radicale.log" 2>&1 &
  echo $! >"$DIR/pid"
  for _ in $(seq 50); do
    curl -fsS -o /dev/null -u bench:bench-pass "http://127.0.0.1:$PORT/" && return 0
    sleep 0.2
  done
  echo "radicale did not start; see $DIR/radicale.log" >&2
  exit 1
}

stop() {
  [ -f "$DIR/pid" ] && kill "$(cat "$DIR/pid")" 2>/dev/null || true
  rm -f "$DIR/pid"
}

"${1:-start}"
