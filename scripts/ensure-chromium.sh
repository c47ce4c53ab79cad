#!/usr/bin/env bash
# Installs Debian's chromium and a Chinese font (for the gateway's browser test of the public scan page) when
# missing. Idempotent: installs nothing when /usr/bin/chromium exists and fontconfig knows a Chinese font.
# Never runs `playwright install`: the test drives this system browser through playwright's `executable_path`.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  packages+=(fonts-wqy-microhei)  # small (~5 MB); without a CJK font Chinese renders as boxes
fi

if [ ${#packages[@]} -eq 0 ]; then
  echo "ensure-chromium: present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

bash "$(dirname "$0")/apt-install.sh" ensure-chromium "${packages[@]}"
/usr/bin/chromium --version
