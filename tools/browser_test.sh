#!/usr/bin/env bash
# Runs the browser tests of the web UI (tests/browser): installs playwright-core, pinned by
# tests/browser/package-lock.json, into WORK/node_modules when it is missing or the lock file changed, then runs
# node's test runner. ctest calls this with INCIDENTD_BIN and BROWSER_TEST_WORK set (tests/browser/CMakeLists.txt);
# by hand: INCIDENTD_BIN=build/incidentd tools/browser_test.sh [WORK]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-${BROWSER_TEST_WORK:-$src/build/tests/browser}}
mkdir -p "$work"
work=$(cd "$work" && pwd)
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "browser tests: $tool is missing (make setup installs it)" >&2; exit 1; }
done
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "browser tests: $chromium is missing (make setup installs chromium)" >&2; exit 1; }
lock="$src/tests/browser/package-lock.json"
stamp="$work/node_modules/.incidentd-package-lock.json"
if [ ! -d "$work/node_modules/playwright-core" ] || ! cmp -s "$lock" "$stamp"; then
  cp "$src/tests/browser/package.json" "$lock" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$lock" "$stamp"
fi
if [ -n "${INCIDENTD_BIN:-}" ]; then INCIDENTD_BIN=$(realpath "$INCIDENTD_BIN"); export INCIDENTD_BIN; fi
export BROWSER_TEST_MODULES="$work" BROWSER_TEST_WORK="$work" INCIDENTD_SOURCE_DIR="$src"
cd "$src/tests/browser"
exec node --test --test-reporter=spec ui.test.js
