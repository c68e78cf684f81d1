#!/usr/bin/env bash
# Debian's Chromium, and a CJK font, for the browser tests of the portal and the console (playwright-core drives it; it downloads no browser).
# Idempotent; needs root (or sudo) and Debian's package registry.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi wqy; then echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"; exit 0; fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
command -v apt-get >/dev/null || { echo "error: apt-get not found: install Chromium at /usr/bin/chromium by hand" >&2; exit 1; }
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
