#!/usr/bin/env bash
# Starts incidentd with the example configuration. The admin token comes from INCIDENTD_TOKEN; when it is unset a
# fresh one is generated and printed, so you can paste it into curl or export it for incidentctl.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
if [ -z "${INCIDENTD_TOKEN:-}" ]; then
  INCIDENTD_TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  export INCIDENTD_TOKEN
  echo "incidentd: generated an admin token for this run:"
  echo
  echo "    export INCIDENTD_TOKEN=$INCIDENTD_TOKEN"
  echo
fi
exec "$build/incidentd" serve --config examples/incidentd.yaml "${@:2}"
