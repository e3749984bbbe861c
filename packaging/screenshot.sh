#!/usr/bin/env bash
# Takes the README/AppStream screenshots with the real window under Xvfb, driving real runs:
# main-window.png (mid-run), error-console.png, log.png, results-chart.png, history.png.
# SHOT_W and SHOT_H set the window's size (1280x800 unless given).
# Usage: packaging/screenshot.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
build=${1:-build/release}
out=${2:-resources/screenshots}
home=$(mktemp -d)   # fresh settings and history: the first-start layout
trap 'rm -rf "$home"' EXIT
mkdir -p "$out"
HOME=$home XDG_CONFIG_HOME=$home BRIGADE_HISTORY=$home/history.sqlite \
  BRIGADE_WORKER="$build/bin/brigade-worker" \
  xvfb-run -a -s "-screen 0 ${SHOT_W:-1280}x${SHOT_H:-800}x24" "$build/bin/take_screenshots" "$out"
