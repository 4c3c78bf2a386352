#!/usr/bin/env bash
# Writes through a follower next to writes straight to the writer: two incidentd nodes on one throwaway PostgreSQL
# (tools/pg_test_server.sh), the team's peer harness (../shared/bench: wrk + Prometheus-shaped alerts on
# POST /api/v2/alerts, 16 connections) run alternately against the writer and against the follower, which forwards
# every write to the writer. The store is emptied before every run. Prints per-mode medians and the
# follower/writer ratio.
#   env: ROUNDS (2), DURATION (15), MODES ("single_distinct batch_distinct"), PEER_BENCH, BENCH_WORK
set -euo pipefail
. "$(dirname "$0")/bench_peer_env.sh" forward
follower_dir="$BENCH_WORK/follower"
read -r -a modes <<< "${MODES:-single_distinct batch_distinct}"
url=$("$root/tools/pg_test_server.sh" start "$BENCH_WORK/pg")
[ -n "$url" ] || { echo "no PostgreSQL server binaries" >&2; exit 1; }
writer_env="BENCH_INSTANCE=writer BENCH_PORT=29797 BENCH_STORE=$url"

stop_follower() {
  if [ -f "$follower_dir/pid" ]; then kill -TERM "$(cat "$follower_dir/pid")" 2>/dev/null || true; fi
  for _ in $(seq 100); do [ -f "$follower_dir/pid" ] && kill -0 "$(cat "$follower_dir/pid")" 2>/dev/null || break; sleep 0.1; done
  rm -f "$follower_dir/pid"
}
trap 'stop_follower; env $writer_env "$ctl" stop >/dev/null 2>&1 || true;
      "$root/tools/pg_test_server.sh" stop "$BENCH_WORK/pg" >/dev/null 2>&1 || true' EXIT

# Both nodes start afresh before every run: the writer first (it empties the store and takes the lock), then the
# follower on the writer's configuration, ready once its /healthz says so.
restart_both() {
  stop_follower
  env $writer_env "$ctl" restart
  mkdir -p "$follower_dir"
  rm -rf "$follower_dir/data"
  setsid "$INCIDENTD_BIN" serve --config "$BENCH_WORK/writer/bench.yaml" --data-dir "$follower_dir/data" \
    --listen 127.0.0.1:29799 --store "$url" > "$follower_dir/server.log" 2>&1 < /dev/null &
  echo $! > "$follower_dir/pid"
  for _ in $(seq 200); do
    [ "$(curl -s -m 1 http://127.0.0.1:29799/healthz 2>/dev/null)" = "follower" ] && return 0
    sleep 0.05
  done
  echo "the follower did not come up; see $follower_dir/server.log" >&2
  exit 1
}
export -f restart_both stop_follower
export ctl writer_env follower_dir url

restart_both
(cd "$peer" && \
  A_URL=http://127.0.0.1:29797 A_LABEL=writer A_BEFORE="bash -c restart_both" \
  A_PID_CMD="env $writer_env $ctl pid" \
  B_URL=http://127.0.0.1:29799 B_LABEL=follower B_BEFORE="bash -c restart_both" B_PID_CMD="cat $follower_dir/pid" \
  BENCH_TOKEN="$INCIDENTD_TOKEN" RESULTS="$out" ROUNDS="${ROUNDS:-2}" DURATION="${DURATION:-15}" \
  ./compare_targets.sh "${modes[@]}")
echo "raw results: $out"
