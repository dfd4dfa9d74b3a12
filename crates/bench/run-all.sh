#!/usr/bin/env bash
# The full benchmark set behind docs/benchmarks.md: me, login and storm on SQLite and on
# PostgreSQL, idle on both. Writes one JSON file per run into $OUT (default: a new temp dir).
# REPEAT (default 3) repeats me and login, which vary most between runs on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/../.."

PG=${SCHULHOF_BENCH_PG:-postgres://postgres@127.0.0.1:5432/schulhof_bench}
OUT=${OUT:-$(mktemp -d /tmp/schulhof-bench.XXXX)}
REPEAT=${REPEAT:-3}
mkdir -p "$OUT"

cargo build --release -q -p schulhof-bench -p schulhof
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bench="$target_dir/release/schulhof-bench"

run() { # name, args…
  local name=$1
  shift
  echo "== $name"
  "$bench" --json --wait-quiet 300 "$@" >"$OUT/$name.json" || echo "   (exit status $?)"
}

for i in $(seq 1 "$REPEAT"); do
  run "me-sqlite-$i" me
  run "me-postgres-$i" --database "$PG" me
  run "login-sqlite-$i" login
  run "login-postgres-$i" --database "$PG" login
done
run storm-sqlite storm
run storm-postgres --database "$PG" storm
run storm-sqlite-all-at-once storm --all-at-once
run storm-postgres-all-at-once --database "$PG" storm --all-at-once
run home-page-sqlite me --path / --rate 0
run healthz-sqlite me --path /healthz --rate 0
run idle-sqlite idle
run idle-postgres --database "$PG" idle
echo "results in $OUT"
