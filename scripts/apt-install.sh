#!/usr/bin/env bash
# `apt-install.sh LABEL PACKAGE...`: installs Debian packages as root, or through sudo; says why and exits non-zero
# when it cannot (not root and no sudo, or apt-get fails). Shared by the ensure-*.sh scripts.
set -euo pipefail
label=$1
shift

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "$label: missing $* and not root (no sudo): cannot install" >&2
    exit 1
  fi
fi

echo "$label: installing $* (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "$@"
