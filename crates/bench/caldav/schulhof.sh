#!/usr/bin/env bash
# Schulhof for the calendar benchmarks (docs/benchmarks.md, "Calendars"): the release binary
# with the demo school in a fresh data directory on loopback (SQLite), the teacher `lehrer`
# logged in once (terms accepted) and an empty calendar "Bench" made for dav_load.py.
# DATABASE=postgres://… runs it on that (empty) PostgreSQL database instead.
#
#   cargo build --release -p schulhof
#   bash crates/bench/caldav/schulhof.sh start    # prints the dav_load.py arguments
#   python3 crates/bench/caldav/dav_load.py $(bash crates/bench/caldav/schulhof.sh args) ...
#   bash crates/bench/caldav/schulhof.sh stop
set -euo pipefail
DIR=${DIR:-/tmp/schulhof-calbench}
PORT=${PORT:-8089}
BIN=${BIN:-/var/tmp/schulhof-target/release/schulhof}
URL="http://127.0.0.1:$PORT"
USER_PASS="lehrer@100000:schulhof-demo"

start() {
  rm -rf "$DIR" && mkdir -p "$DIR/data"
  nohup setsid ${NICE:+nice -n $NICE} "$BIN" ${DATABASE:+--database "$DATABASE"} serve --demo --data "$DIR/data" --listen "127.0.0.1:$PORT" \
    --smtp-listen "" --submission-listen "" --imap-listen "" >"$DIR/schulhof.log" 2>&1 &
  echo $! >"$DIR/pid"
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$URL/" && break
    sleep 0.3
  done
  local jar="$DIR/jar"
  curl -fsS -c "$jar" -o /dev/null -H 'Content-Type: application/json' \
    -d '{"instance":"100000","login":"lehrer","password":"schulhof-demo"}' "$URL/api/v1/session"
  curl -fsS -b "$jar" -o /dev/null -H 'Content-Type: application/json' \
    -d '{"terms":true,"privacy":true}' "$URL/api/v1/consent"
  curl -fsS -b "$jar" -o /dev/null --data-urlencode 'name=Bench' --data-urlencode 'farbe=#3366cc' \
    "$URL/kalender/neu"
  args
}

args() {
  local seg
  seg=$(curl -fsS -u "$USER_PASS" -X PROPFIND -H 'Depth: 1' "$URL/dav/calendars/lehrer/" |
    grep -oE '/dav/calendars/lehrer/[0-9a-f]{32}/' | head -1)
  echo "--home $URL/dav/calendars/lehrer/ --user lehrer@100000 --password schulhof-demo --calendar $seg"
}

stop() {
  [ -f "$DIR/pid" ] && kill "$(cat "$DIR/pid")" 2>/dev/null || true
  rm -f "$DIR/pid"
}

"${1:-start}"
