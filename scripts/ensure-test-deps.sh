#!/usr/bin/env bash
# Installs or starts what the tests need and this machine lacks: PostgreSQL on
# 127.0.0.1:5432 with trust auth and a `test` database, Debian chromium, litmus and cadaver,
# LibreOffice (headless, for office previews), node, swaks, mbsync, vdirsyncer, rspamd, clamd,
# a Python virtual
# environment with the packages of tests/requirements.txt, cargo-nextest, s3s-fs.
set -euo pipefail

log() { echo "[deps] $*"; }

# Every missing Debian package in one apt-get call.
packages=()
ls /etc/postgresql/*/main >/dev/null 2>&1 || packages+=(postgresql)
command -v chromium >/dev/null || packages+=(chromium fonts-liberation)
# WebDAV clients the protocol tests drive: the litmus compliance suite and cadaver.
command -v litmus >/dev/null || packages+=(litmus)
command -v cadaver >/dev/null || packages+=(cadaver)
command -v curl >/dev/null || packages+=(curl)
command -v soffice >/dev/null || packages+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
command -v node >/dev/null || packages+=(nodejs npm)
# Mail clients the protocol tests drive: swaks (SMTP), mbsync (IMAP sync), Python's venv for
# imaplib/smtplib/aiosmtpd.
command -v swaks >/dev/null || packages+=(swaks)
# swaks speaks TLS (STARTTLS, implicit TLS with --tlsc) through Net::SSLeay.
perl -MNet::SSLeay -e1 2>/dev/null || packages+=(libnet-ssleay-perl)
command -v mbsync >/dev/null || packages+=(isync)
python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
# Calendar and address-book sync client the CalDAV/CardDAV tests drive.
command -v vdirsyncer >/dev/null || packages+=(vdirsyncer)
# Spam filter and virus scanner the mail filtering tests start on loopback.
command -v rspamd >/dev/null || packages+=(rspamd)
command -v clamd >/dev/null || packages+=(clamav-daemon)
# Apache with mod_auth_openidc: a real relying party of the OpenID Connect provider.
[ -e /usr/lib/apache2/modules/mod_auth_openidc.so ] || packages+=(apache2 libapache2-mod-auth-openidc)
# TURN server for the relay-only conference test.
command -v turnserver >/dev/null || packages+=(coturn)
# NATS, the optional event bus between nodes (the tests start their own on a free port).
command -v nats-server >/dev/null || packages+=(nats-server)
if [ ${#packages[@]} -gt 0 ]; then
  log "installing ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! pg_ready; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n1)
  # Tests connect as postgres over TCP without a password, like the CI machines do.
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
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

if ! cargo nextest --version >/dev/null 2>&1; then
  log "installing cargo-nextest"
  cargo install cargo-nextest --locked
fi
# The S3 backend of the blob store is tested against s3s-fs (0.14.1: newer ones need a newer
# rustc). cargo puts it into ~/.cargo/bin, where the tests also look. Unoptimised and without
# debug info: it builds in a third of the CPU time (it runs beside the workspace build) and
# serves the tests' few megabytes well enough.
if ! command -v s3s-fs >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs" ]; then
  log "installing s3s-fs"
  CARGO_PROFILE_DEV_DEBUG=false cargo install s3s-fs@0.14.1 --locked --features binary --debug
fi

# Python packages of the protocol tests, in one virtual environment outside the clone.
venv=${SCHULHOF_VENV:-/var/tmp/schulhof-venv}
if [ ! -x "$venv/bin/python" ] || ! cmp -s tests/requirements.txt "$venv/requirements.txt"; then
  log "preparing the Python environment in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/requirements.txt
  cp tests/requirements.txt "$venv/requirements.txt"
fi
