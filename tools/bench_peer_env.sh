# Sourced by the peer-harness benchmarks (tools/bench_store_compare.sh, tools/bench_forward.sh): finds the project and
# the peer harness, and sets what both need. Call with the run's name; sets root, peer, out (the results file) and
# ctl, and exports BENCH_WORK, INCIDENTD_TOKEN and INCIDENTD_BIN.
#   . "$(dirname "$0")/bench_peer_env.sh" NAME
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peer=$(cd "${PEER_BENCH:-$root/../shared/bench}" && pwd) || { echo "peer harness not found (PEER_BENCH)" >&2; exit 1; }
export BENCH_WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/incidentd-$1-bench}
export INCIDENTD_TOKEN=${INCIDENTD_TOKEN:-bench-compare-token-0123456789}
export INCIDENTD_BIN=${INCIDENTD_BIN:-$root/build/incidentd}
mkdir -p "$BENCH_WORK/results"
out="$BENCH_WORK/results/$1-$(date +%Y%m%d-%H%M%S).jsonl"
ctl="$root/tools/bench_incidentd_ctl.sh"
