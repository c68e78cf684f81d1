#!/usr/bin/env bash
# Debian's OpenSSH client (sftp, ssh-keygen) for the test of the simulator's SFTP channel: a participant's own client.
# Idempotent; needs root (or sudo) and Debian's package registry.
set -euo pipefail
if command -v sftp >/dev/null && command -v ssh-keygen >/dev/null; then echo "openssh-client: $(ssh -V 2>&1)"; exit 0; fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
command -v apt-get >/dev/null || { echo "error: apt-get not found: install the OpenSSH client (sftp, ssh-keygen) by hand" >&2; exit 1; }
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openssh-client >/dev/null
echo "openssh-client: $(ssh -V 2>&1)"
