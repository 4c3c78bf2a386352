#!/usr/bin/env bash
# `make bench-compare`: incidentd against the real Alertmanager (Debian prometheus-alertmanager 0.25) on this
# machine, alternated in one run with the team's peer harness (PEER_BENCH, default ../shared/bench), and the ratio
# table written into docs/performance.md between the bench-compare markers.
#   env: ROUNDS (3), DURATION (20), PEER_BENCH, BENCH_WORK, MODES ("batch_distinct single_distinct batch_dedup
#        single_dedup"), WRITE_DOCS (1)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peer=$(cd "${PEER_BENCH:-$root/../shared/bench}" && pwd) || { echo "peer harness not found (PEER_BENCH)" >&2; exit 1; }
export BENCH_WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/incidentd-peer-bench}
export INCIDENTD_TOKEN=${INCIDENTD_TOKEN:-bench-compare-token-0123456789}
export INCIDENTD_BIN=${INCIDENTD_BIN:-$root/build/incidentd}
mkdir -p "$BENCH_WORK/results"
out="$BENCH_WORK/results/compare-$(date +%Y%m%d-%H%M%S).jsonl"
ctl="$root/tools/bench_incidentd_ctl.sh"
read -r -a modes <<< "${MODES:-batch_distinct single_distinct batch_dedup single_dedup}"
trap '"$ctl" stop >/dev/null 2>&1 || true; (cd "$peer" && ./am_ctl.sh stop >/dev/null 2>&1) || true' EXIT

(cd "$peer" && ./am_ctl.sh start)
"$ctl" restart
(cd "$peer" && \
  A_URL=http://127.0.0.1:29093 A_LABEL=alertmanager A_BEFORE='./am_ctl.sh restart' A_PID_CMD='./am_ctl.sh pid' \
  B_URL="$("$ctl" addr)" B_LABEL=incidentd B_BEFORE="$ctl restart" B_PID_CMD="$ctl pid" \
  BENCH_TOKEN="$INCIDENTD_TOKEN" RESULTS="$out" ROUNDS="${ROUNDS:-3}" DURATION="${DURATION:-20}" \
  ./compare_targets.sh "${modes[@]}")
python3 "$root/tools/bench_compare_report.py" "$out" > "$BENCH_WORK/results/compare-table.md"
cat "$BENCH_WORK/results/compare-table.md"
if [ "${WRITE_DOCS:-1}" = 1 ]; then
  python3 "$root/tools/bench_compare_report.py" "$out" --into "$root/docs/performance.md"
  echo "wrote the table into docs/performance.md (raw results: $out)"
fi
