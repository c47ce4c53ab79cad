#!/usr/bin/env bash
# Installs Debian's wrk (the HTTP load generator `make bench` drives the gateway's held and cold lookups with: a C
# client costs ~15 µs a request where the Python one costs ~130 µs, and both share the servers' 2 cores) when
# missing. Idempotent: installs nothing when wrk is on the PATH. Exits non-zero, saying why, when it cannot.
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then
  echo "ensure-wrk: present: $(wrk --version 2>&1 | head -1)"
  exit 0
fi

bash "$(dirname "$0")/apt-install.sh" ensure-wrk wrk
wrk --version 2>&1 | head -1 || true
