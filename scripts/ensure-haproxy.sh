#!/usr/bin/env bash
# Installs Debian's HAProxy (the proxy `make run-cluster` puts in front of the gateway replicas) when missing.
# Idempotent: installs nothing when haproxy is on the PATH or in /usr/sbin. Exits non-zero, saying why, when it
# cannot be installed (not root and no sudo, or apt-get fails).
set -euo pipefail

for candidate in "$(command -v haproxy 2>/dev/null || true)" /usr/sbin/haproxy; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "ensure-haproxy: present: $("$candidate" -v 2>/dev/null | head -1)"
    exit 0
  fi
done

bash "$(dirname "$0")/apt-install.sh" ensure-haproxy haproxy
/usr/sbin/haproxy -v | head -1
