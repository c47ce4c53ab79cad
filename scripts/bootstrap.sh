#!/usr/bin/env bash
# Creates the project environment from the project's own files: a private uv (pinned, from PyPI)
# in .tools/, then the workspace venv in .venv/ from uv.lock. Needs only python3.11 (or python3 >= 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .tools/bin/uv ] || ! .tools/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
  "$PY" -m venv .tools
  .tools/bin/pip install --quiet "uv==$UV_VERSION"
fi
export UV_PYTHON_DOWNLOADS=never
.tools/bin/uv sync --frozen --all-packages --compile-bytecode --quiet --python "$PY"
