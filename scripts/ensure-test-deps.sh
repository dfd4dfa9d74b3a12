#!/usr/bin/env bash
# Installs or starts what the tests need and this machine lacks: PostgreSQL on
# 127.0.0.1:5432 with trust auth and a `test` database, Debian chromium, litmus and cadaver,
# cargo-nextest.
set -euo pipefail

log() { echo "[deps] $*"; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! pg_ready; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt_install postgresql
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n1)
    # Tests connect as postgres over TCP without a password, like the CI machines do.
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  log "starting PostgreSQL"
  version=$(ls /etc/postgresql | head -n1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  # The package may have started the cluster itself, before the trust lines were added.
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
fi
pg_ready || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -Atqc "$1"; }
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = 'test'")" != 1 ]; then
  psql_admin "CREATE DATABASE test" >/dev/null
fi
# Databases left by earlier test runs (one per test, cloned from a template).
for db in $(psql_admin "SELECT datname FROM pg_database WHERE datname LIKE 'schulhof\_t\_%'"); do
  psql_admin "DROP DATABASE IF EXISTS \"$db\"" >/dev/null || true
done

if ! command -v chromium >/dev/null; then
  log "installing chromium"
  apt_install chromium
fi
# WebDAV clients the protocol tests drive: the litmus compliance suite and cadaver.
if ! command -v litmus >/dev/null || ! command -v cadaver >/dev/null; then
  log "installing litmus and cadaver"
  apt_install litmus cadaver curl
fi
if ! command -v node >/dev/null; then
  log "installing node"
  apt_install nodejs npm
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  log "installing cargo-nextest"
  cargo install cargo-nextest --locked
fi
# The S3 backend of the blob store is tested against s3s-fs (0.14.1: newer ones need a newer
# rustc). cargo puts it into ~/.cargo/bin, where the tests also look.
if ! command -v s3s-fs >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs" ]; then
  log "installing s3s-fs"
  cargo install s3s-fs@0.14.1 --locked --features binary
fi
