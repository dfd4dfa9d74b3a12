#!/usr/bin/env bash
# IMAP side by side with Dovecot (docs/benchmarks.md, "Mail"): the same client script
# (imap_load.py, 20 clients) against Dovecot (dovecot.sh) and `schulhof serve --demo` on
# SQLite or PostgreSQL, one after the other, each `ROUNDS` (or `IMAP_ROUNDS`) times
# alternating; then delivery (SMTP MX vs Dovecot LMTP, 1 recipient), `DELIVER_ROUNDS` times;
# with IDLE=1 then the time from a delivery to an idling client's EXISTS. Prints one JSON line per run into $OUT.
#
#   apt-get install dovecot-imapd dovecot-lmtpd                 # not a test dependency
#   bash crates/bench/mail/side_by_side.sh [postgres://…/db]     # no URL: SQLite
set -euo pipefail
cd "$(dirname "$0")/../../.."
PG=${1:-}
BIN=${BIN:-/var/tmp/schulhof-target/release/schulhof}
PY=${PY:-/var/tmp/schulhof-venv/bin/python}
L=crates/bench/mail/imap_load.py
ROUNDS=${ROUNDS:-2}
IMAP_ROUNDS=${IMAP_ROUNDS:-$ROUNDS}       # 0: delivery only
DELIVER_ROUNDS=${DELIVER_ROUNDS:-1}
OUT=${OUT:-$(mktemp -d /tmp/imapbench.XXXX)}
DATA=$(mktemp -d /tmp/imapbench-data.XXXX)
mkdir -p "$OUT"

python3 crates/bench/mail/dns_stub.py --port 15353 >/dev/null 2>&1 &
DNS=$!
bash crates/bench/mail/dovecot.sh start >/dev/null
DOVECOT=$(cat /tmp/dcbench/dovecot.pid)
db=()
if [ -n "$PG" ]; then
  psql "${PG%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${PG##*/} WITH (FORCE)" -c "CREATE DATABASE ${PG##*/}"
  db=(--database "$PG")
fi
"$BIN" --data "$DATA" "${db[@]}" serve --demo --listen 127.0.0.1:28080 \
  --imap-listen 127.0.0.1:21143 --smtp-listen 127.0.0.1:22525 --submission-listen '' \
  --dns-server 127.0.0.1:15353 --mail-limit-staff 100000000 >"$OUT/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" "$DNS" 2>/dev/null || true
  bash crates/bench/mail/dovecot.sh stop 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
  curl -fs http://127.0.0.1:28080/healthz >/dev/null && break
  sleep 0.2
done
"$PY" $L accounts-file --password bench-pass --out "$OUT/dc.json" $(seq -f 'u%g' 1 20)
"$PY" $L accounts-schulhof --http http://127.0.0.1:28080 --count 20 --out "$OUT/sh.json"
for i in $(seq 1 "$IMAP_ROUNDS"); do
  echo "== round $i: load $(cut -d' ' -f1 /proc/loadavg)"
  "$PY" $L imap --port 21143 --accounts "$OUT/sh.json" --pid "$SERVER" --duration 20 \
    --label schulhof --json "$OUT/imap-schulhof-$i.json"
  "$PY" $L imap --port 10143 --accounts "$OUT/dc.json" --pid "$DOVECOT" --duration 20 \
    --label dovecot --json "$OUT/imap-dovecot-$i.json"
done
for i in $(seq 1 "$DELIVER_ROUNDS"); do
  echo "== delivery round $i: load $(cut -d' ' -f1 /proc/loadavg)"
  "$PY" $L deliver --proto smtp --port 22525 --accounts "$OUT/sh.json" --rcpts 1 --duration 15 \
    --pid "$SERVER" --label schulhof --json "$OUT/deliver-schulhof-$i.json"
  "$PY" $L deliver --proto lmtp --port 10024 --accounts "$OUT/dc.json" --rcpts 1 --duration 15 \
    --pid "$DOVECOT" --label dovecot --json "$OUT/deliver-dovecot-$i.json"
done
# A delivery reaching an idling client (IDLE=1): from the 250 of SMTP to `* n EXISTS`.
if [ "${IDLE:-0}" = 1 ]; then
  echo "== idle latency: load $(cut -d' ' -f1 /proc/loadavg)"
  "$PY" $L idle-latency --port 21143 --deliver-port 22525 --accounts "$OUT/sh.json" \
    | tee "$OUT/idle-latency.txt"
fi
echo "results in $OUT"
