#!/usr/bin/env bash
# Renders a TwoTower HTML report to PNG with headless Chromium (Debian's `chromium` package), so
# a report can be looked at without a desktop.
#   scripts/report-png.sh REPORT.html OUT.png [WIDTH [HEIGHT]]
# WIDTH defaults to 1100 px (desktop; try 420 for a phone), HEIGHT to 6000 px (the whole page).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH [HEIGHT]]" >&2
  exit 2
fi
report=$1 out=$2 width=${3:-1100} height=${4:-6000}
[ -f "$report" ] || { echo "$0: $report: no such file" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "$0: chromium not found (apt-get install -y chromium)" >&2; exit 1; }
abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
outabs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars \
  --window-size="$width,$height" --screenshot="$outabs" "file://$abs" >/dev/null 2>&1
[ -s "$outabs" ] || { echo "$0: chromium wrote no $out" >&2; exit 1; }
echo "wrote $out (${width}x${height})"
