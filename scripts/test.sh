#!/usr/bin/env bash
# All tests: unit, storage and service tests on SQLite and PostgreSQL, API tests, and the
# browser tests in Debian chromium. Installs or starts what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

# The compile needs only the toolchain, so it runs while the packages install (on a fresh
# machine both take minutes). Its errors, if any, show again in the test run below.
cargo build --workspace --tests --examples >/dev/null 2>&1 &
build=$!
bash scripts/ensure-test-deps.sh || { kill "$build" 2>/dev/null; exit 1; }
wait "$build" || echo "== the early build failed; the test run below shows why"
export SCHULHOF_TEST_PG_URL=${SCHULHOF_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
# Protocol tests run the Python clients of this environment.
export SCHULHOF_PYTHON=${SCHULHOF_PYTHON:-${SCHULHOF_VENV:-/var/tmp/schulhof-venv}/bin/python}

# Each PostgreSQL test drops its database when it ends; a crashed or killed run leaves some
# behind, and over many runs they fill the server's disk. Clear them (and old templates) first.
if command -v psql >/dev/null 2>&1; then
  psql "$SCHULHOF_TEST_PG_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'schulhof\_t\_%' OR datname LIKE 'schulhof\_tpl\_%'" 2>/dev/null |
    while read -r stale; do
      psql "$SCHULHOF_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS \"$stale\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
fi

# The property tests (fuzzing of parsers and inputs) draw their cases from one fixed seed, so
# this run and CI's try the same cases; set PROPTEST_RNG_SEED to another number to explore
# further (a failure found that way is kept as a named test).
export PROPTEST_RNG_SEED=${PROPTEST_RNG_SEED:-20261206}
echo "== Rust tests (SQLite and PostgreSQL)"
# A Rust failure does not hide the browser results: both run, the script fails at the end.
rust=0
cargo nextest run --workspace --no-fail-fast || rust=$?

if [ -f tests/browser/package.json ]; then
  echo "== Browser tests (chromium, axe-core)"
  # The same command as the build above (nothing left to do): `-p schulhof` alone would
  # unify features differently and rebuild the web crate and the binary.
  cargo build -q --workspace --tests --examples
  target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  export SCHULHOF_BIN="$target_dir/debug/schulhof"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error && npm test)
fi
if [ "$rust" -ne 0 ]; then
  echo "== Rust tests failed (exit $rust; see above)"
  exit "$rust"
fi
