#!/usr/bin/env bash
# The README's main job: provision Temporal (once), then run `ecp-cutover demo` on the embedded stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision-temporal.sh
exec node bin/ecp-cutover.mjs demo "$@"
