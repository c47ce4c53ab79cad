#!/usr/bin/env bash
# The whole suite on one backend: YISHE_TEST_BACKEND=sqlite (default, the embedded default) or postgres.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== yishe tests on ${YISHE_TEST_BACKEND:-sqlite} =="
# Shared code never imports a service or the gateway (STYLE §2).
if grep -rnE "^\s*(from|import) yishe_(registry|credit|procurement|party|gateway)" libs contracts/src; then
  echo "kit/contracts import a service: not allowed"; exit 1
fi
.venv/bin/python scripts/contracts.py check
# A vN event schema stays compatible with every version of it ever committed (no base branch needed in CI).
.venv/bin/python scripts/contracts.py compat --base history
.venv/bin/python scripts/rules.py check
exec .venv/bin/python -m pytest -q "$@"
