#!/usr/bin/env bash
# Takes the README/AppStream screenshot: the real window under Xvfb, after a run on the bundled sample.
# Needs xvfb, xdotool and imagemagick. Usage: packaging/screenshot.sh [BUILD_DIR] [OUT.png]
set -euo pipefail
build=${1:-build/release}
out=${2:-resources/screenshots/main-window.png}
if [ -z "${INSIDE_XVFB:-}" ]; then
  INSIDE_XVFB=1 exec xvfb-run -a -s "-screen 0 1100x700x24" "$0" "$build" "$out"
fi
home=$(mktemp -d)   # a fresh settings file: the first-start layout
HOME=$home XDG_CONFIG_HOME=$home "$build/bin/brigade" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$home"' EXIT
for _ in $(seq 50); do
  wid=$(xdotool search --name '^Brigade$' 2>/dev/null | head -1) && [ -n "$wid" ] && break
  sleep 0.1
done
xdotool windowsize "$wid" 1100 700
xdotool windowmove "$wid" 0 0
sleep 1
xdotool mousemove 87 430 click 1   # Run
sleep 2
import -window root -crop 1100x700+0+0 "$out"
echo "wrote $out"
