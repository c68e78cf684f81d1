#!/usr/bin/env bash
# Makes the real Temporal server (not `start-dev`) available under .tools/bin, for `dev up --temporal server`,
# the server-profile drills and benchmark:
#   temporal-server     go.temporal.io/server/cmd/server      (frontend, history, matching and worker services)
#   temporal-sql-tool   go.temporal.io/server/cmd/tools/sql   (creates and migrates its PostgreSQL schemas)
# and copies the module's versioned PostgreSQL schemas to .tools/temporal-server/schema/ for the sql tool.
# Built with `go install` from the Go module proxy at the version docker-compose.yml runs (dev/tools.ts
# TEMPORAL_SERVER_VERSION). That release needs Go >= 1.26.10: GOTOOLCHAIN=go1.27.3 lets the machine's go
# command (any >= 1.21) fetch that toolchain from the proxy. About 6 minutes on 2 cores the first time;
# idempotent after. Prefers what the environment names: $TEMPORAL_SERVER_BIN, $TEMPORAL_SQL_TOOL_BIN and
# $TEMPORAL_SCHEMA_DIR (the module's schema/postgresql/v12 folder), all three or none.
set -euo pipefail

VERSION=1.32.0
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}

root=$(cd "$(dirname "$0")/.." && pwd)
bin_dir="$root/.tools/bin"
schema_dir="$root/.tools/temporal-server/schema"
stamp="$bin_dir/.temporal-server.version"
mkdir -p "$bin_dir"

fail() { echo "error: $1" >&2; exit 1; }

if [ -n "${TEMPORAL_SERVER_BIN:-}" ] || [ -n "${TEMPORAL_SQL_TOOL_BIN:-}" ]; then
  for v in TEMPORAL_SERVER_BIN TEMPORAL_SQL_TOOL_BIN TEMPORAL_SCHEMA_DIR; do
    [ -n "${!v:-}" ] || fail "set all of TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL_BIN and TEMPORAL_SCHEMA_DIR (the server module's schema/postgresql/v12), or none"
  done
  [ -x "$TEMPORAL_SERVER_BIN" ] || fail "TEMPORAL_SERVER_BIN=$TEMPORAL_SERVER_BIN is not an executable file"
  [ -x "$TEMPORAL_SQL_TOOL_BIN" ] || fail "TEMPORAL_SQL_TOOL_BIN=$TEMPORAL_SQL_TOOL_BIN is not an executable file"
  [ -d "$TEMPORAL_SCHEMA_DIR/temporal/versioned" ] || fail "TEMPORAL_SCHEMA_DIR=$TEMPORAL_SCHEMA_DIR has no temporal/versioned folder"
  echo "temporal-server: using $TEMPORAL_SERVER_BIN and $TEMPORAL_SQL_TOOL_BIN (from the environment)"
  exit 0
fi

if [ -x "$bin_dir/temporal-server" ] && [ -x "$bin_dir/temporal-sql-tool" ] && [ -d "$schema_dir/temporal/versioned" ] \
  && [ "$(cat "$stamp" 2>/dev/null)" = "$VERSION" ]; then
  echo "temporal-server: $bin_dir/temporal-server ($VERSION, already installed)"
  exit 0
fi

need_go="Go >= 1.21 is needed to build the Temporal server $VERSION (it fetches go1.27.3 itself): install it from your distribution's backports or go.dev, or set TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL_BIN and TEMPORAL_SCHEMA_DIR"
command -v go >/dev/null 2>&1 || fail "$need_go"
# An older go ignores GOTOOLCHAIN and would fail later with a confusing message.
local_go=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null | sed 's/^go//')
case "$local_go" in 1.2[1-9]*|1.[3-9][0-9]*|[2-9].*) ;; *) fail "found go $local_go. $need_go" ;; esac

# Built next to where the binaries go, so that the final mv is a rename on the same file system.
tmp=$(mktemp -d "$bin_dir/.build.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
echo "temporal-server: building go.temporal.io/server@v$VERSION with $GOTOOLCHAIN (a few minutes the first time)"
GOBIN="$tmp" GOFLAGS="${GOFLAGS:-} -modcacherw" go install "go.temporal.io/server/cmd/server@v$VERSION" "go.temporal.io/server/cmd/tools/sql@v$VERSION" \
  || fail "go install of go.temporal.io/server@v$VERSION failed (is the Go module proxy reachable?)"
module="$(go env GOMODCACHE)/go.temporal.io/server@v$VERSION"
[ -d "$module/schema/postgresql/v12/temporal/versioned" ] || fail "the module source has no schema/postgresql/v12 under $module"
# Copied (the module cache is read-only) into a fresh folder, made writable, then renamed into place.
cp -R "$module/schema/postgresql/v12" "$tmp/schema"
chmod -R u+w "$tmp/schema"
[ -d "$schema_dir" ] && chmod -R u+w "$schema_dir" && rm -rf "$schema_dir"
mkdir -p "$(dirname "$schema_dir")" && mv "$tmp/schema" "$schema_dir"
mv "$tmp/server" "$bin_dir/temporal-server"
mv "$tmp/sql" "$bin_dir/temporal-sql-tool"
echo "$VERSION" > "$stamp"
echo "temporal-server: installed $VERSION at $bin_dir/temporal-server and $bin_dir/temporal-sql-tool"
