#!/usr/bin/env bash
# Installs schemathesis (PyPI), the outside fuzzer `.ci/run` points at the control API's OpenAPI document, into
# a project-local virtualenv under .tools/schemathesis (git-ignored). Pinned; idempotent; prefers
# $SCHEMATHESIS_BIN when it names an existing `st` binary.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
# Its fuzzing engine, pinned too: a fresh install otherwise takes the newest, and what CI runs is then not what was
# tried here.
HYPOTHESIS_VERSION=6.170.17
MARKER="$SCHEMATHESIS_VERSION hypothesis $HYPOTHESIS_VERSION"

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.tools/schemathesis"
bin_dir="$root/.tools/bin"
mkdir -p "$bin_dir"

if [ -n "${SCHEMATHESIS_BIN:-}" ]; then
  [ -x "$SCHEMATHESIS_BIN" ] || { echo "error: SCHEMATHESIS_BIN=$SCHEMATHESIS_BIN is not an executable file" >&2; exit 1; }
  ln -sf "$SCHEMATHESIS_BIN" "$bin_dir/st"; echo "schemathesis: using $SCHEMATHESIS_BIN"; exit 0
fi
if [ -x "$venv/bin/st" ] && [ "$(cat "$venv/.version" 2>/dev/null)" = "$MARKER" ]; then
  ln -sf "$venv/bin/st" "$bin_dir/st"; echo "schemathesis: $venv/bin/st ($SCHEMATHESIS_VERSION, already installed)"; exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "error: python3 is needed for schemathesis: apt-get install -y python3 python3-venv" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv" || { echo "error: python3 -m venv failed: apt-get install -y python3-venv (or set SCHEMATHESIS_BIN)" >&2; exit 1; }
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" "hypothesis==$HYPOTHESIS_VERSION" \
  || { echo "error: could not install schemathesis==$SCHEMATHESIS_VERSION (hypothesis==$HYPOTHESIS_VERSION) from PyPI (or set SCHEMATHESIS_BIN)" >&2; exit 1; }
echo "$MARKER" > "$venv/.version"
ln -sf "$venv/bin/st" "$bin_dir/st"
echo "schemathesis: installed $SCHEMATHESIS_VERSION at $venv/bin/st"
