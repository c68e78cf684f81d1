#!/usr/bin/env bash
# The HTTP load generator of the portal benchmark: vegeta (Go), built with `go install` into .tools/bin
# (pinned; idempotent; about 20 s). Its latencies are in nanoseconds, where autocannon's are whole
# milliseconds — too coarse for a p99 goal of 5 ms. Without Go, the benchmark falls back to autocannon and
# says so in its results.
set -euo pipefail
VEGETA_VERSION=v12.12.0
root=$(cd "$(dirname "$0")/.." && pwd)
bin_dir="$root/.tools/bin"
stamp="$bin_dir/.vegeta.version"
mkdir -p "$bin_dir"
if [[ -x "$bin_dir/vegeta" && "$(cat "$stamp" 2>/dev/null)" == "$VEGETA_VERSION" ]]; then exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  echo "vegeta not installed: no Go toolchain (install Go to build it); the portal benchmark will use autocannon" >&2
  exit 0
fi
GOBIN="$bin_dir" go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
echo "$VEGETA_VERSION" > "$stamp"
echo "vegeta $VEGETA_VERSION in $bin_dir"
