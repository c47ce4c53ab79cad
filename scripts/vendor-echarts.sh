#!/usr/bin/env bash
# Vendors ECharts (Apache-2.0) into the gateway's dashboard package: the dashboard never loads a script from a CDN.
# Fetches the npm package tarball with `npm pack` in a temporary directory and copies dist/echarts.min.js and the
# LICENSE/NOTICE next to the page. Re-run to update (change ECHARTS_VERSION); commit the copied files.
set -euo pipefail

ECHARTS_VERSION="${ECHARTS_VERSION:-5.6.0}"
DEST="$(cd "$(dirname "$0")/.." && pwd)/gateway/src/yishe_gateway/dashboard/static/vendor/echarts"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "echarts@${ECHARTS_VERSION}" >/dev/null && tar xzf "echarts-${ECHARTS_VERSION}.tgz")
mkdir -p "$DEST"
cp "$TMP/package/dist/echarts.min.js" "$DEST/echarts.min.js"
cp "$TMP/package/LICENSE" "$DEST/LICENSE"
[ -f "$TMP/package/NOTICE" ] && cp "$TMP/package/NOTICE" "$DEST/NOTICE"
printf 'echarts %s\nfrom: npm pack echarts@%s (registry.npmjs.org), dist/echarts.min.js\nby: scripts/vendor-echarts.sh\n' \
  "$ECHARTS_VERSION" "$ECHARTS_VERSION" > "$DEST/VERSION"
echo "vendored echarts ${ECHARTS_VERSION} → ${DEST}"
