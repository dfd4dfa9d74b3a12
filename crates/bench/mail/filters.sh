#!/usr/bin/env bash
# rspamd and clamd for the mail delivery benchmark (docs/benchmarks.md, "Mail"), configured as
# crates/server/tests/filter_support does: rspamd's controller on 127.0.0.1:$RSPAMD_PORT with a
# minimal configuration (test patterns, bayes on sqlite, no DNS leaving the machine), clamd on
# a unix socket with the test signature database of tests/mail/clamav (no download here).
# Each runs in the background; `stop` ends exactly those processes (their pid files).
#
#   bash crates/bench/mail/filters.sh start   # then: serve --spam-filter http://127.0.0.1:11334
#                                             #             --virus-scanner $DIR/clamd.sock
#   bash crates/bench/mail/filters.sh stop
set -euo pipefail
DIR=${DIR:-/tmp/filterbench}
RSPAMD_PORT=${RSPAMD_PORT:-11334}
HERE=$(cd "$(dirname "$0")" && pwd)

start() {
  mkdir -p "$DIR/db"
  cp "$HERE"/../../../tests/mail/clamav/*.ndb "$DIR/db/"
  cat >"$DIR/clamd.conf" <<EOF
LocalSocket $DIR/clamd.sock
DatabaseDirectory $DIR/db
Foreground yes
PidFile $DIR/clamd.pid
LogFile $DIR/clamd.log
MaxThreads 8
StreamMaxLength 40M
EOF
  cat >"$DIR/rspamd.conf" <<EOF
options {
  pidfile = "$DIR/rspamd.pid";
  dbdir = "$DIR";
  enable_test_patterns = true;
  dns { nameserver = ["127.0.0.1:1"]; timeout = 0.2s; retransmits = 1; }
}
logging { type = "console"; level = "error"; }
worker "controller" { bind_socket = "127.0.0.1:$RSPAMD_PORT"; count = 1; secure_ip = "127.0.0.1"; }
actions { reject = 15; add_header = 6; greylist = 4; }
classifier "bayes" {
  backend = "sqlite3";
  tokenizer { name = "osb"; }
  min_learns = 1;
  cache { path = "$DIR/learn_cache.sqlite"; }
  statfile { symbol = "BAYES_HAM"; spam = false; path = "$DIR/bayes.ham.sqlite"; }
  statfile { symbol = "BAYES_SPAM"; spam = true; path = "$DIR/bayes.spam.sqlite"; }
}
EOF
  clamd -c "$DIR/clamd.conf" >"$DIR/clamd.out" 2>&1 &
  echo $! >"$DIR/clamd.job"
  local as_root=()
  [ "$(id -u)" = 0 ] && as_root=(-u root -g root)
  TMPDIR=$DIR rspamd -f -c "$DIR/rspamd.conf" --var "DBDIR=$DIR" "${as_root[@]}" >"$DIR/rspamd.out" 2>&1 &
  echo $! >"$DIR/rspamd.job"
  for _ in $(seq 1 120); do
    if [ -S "$DIR/clamd.sock" ] && curl -fs "http://127.0.0.1:$RSPAMD_PORT/ping" | grep -q pong; then
      echo "rspamd http://127.0.0.1:$RSPAMD_PORT, clamd $DIR/clamd.sock"
      return
    fi
    sleep 0.5
  done
  echo "filters did not come up; see $DIR/*.out" >&2
  exit 1
}

stop() {
  for f in "$DIR/rspamd.job" "$DIR/clamd.job"; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
}

"${1:-start}"
