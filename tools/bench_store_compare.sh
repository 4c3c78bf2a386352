#!/usr/bin/env bash
# incidentd on SQLite against incidentd on PostgreSQL, alternated in one run with the team's peer harness
# (PEER_BENCH, default ../shared/bench: wrk + Prometheus-shaped alerts on POST /api/v2/alerts), both servers
# restarted on an empty store before every run. PostgreSQL is a throwaway local server (tools/pg_test_server.sh:
# fsync on, synchronous_commit on) on the same machine. Prints per-mode medians and the PostgreSQL/SQLite ratio.
#   env: ROUNDS (3), DURATION (20), MODES ("batch_distinct single_distinct batch_dedup single_dedup"), PEER_BENCH,
#        BENCH_WORK
set -euo pipefail
. "$(dirname "$0")/bench_peer_env.sh" store
pg_dir="$BENCH_WORK/pg"
read -r -a modes <<< "${MODES:-batch_distinct single_distinct batch_dedup single_dedup}"
sqlite_env="BENCH_INSTANCE=sqlite BENCH_PORT=29797"
trap 'env $sqlite_env "$ctl" stop >/dev/null 2>&1 || true; env $pg_env "$ctl" stop >/dev/null 2>&1 || true;
      "$root/tools/pg_test_server.sh" stop "$pg_dir" >/dev/null 2>&1 || true' EXIT

url=$("$root/tools/pg_test_server.sh" start "$pg_dir")
[ -n "$url" ] || { echo "no PostgreSQL server binaries" >&2; exit 1; }
pg_env="BENCH_INSTANCE=postgres BENCH_PORT=29798 BENCH_STORE=$url"
env $sqlite_env "$ctl" restart
env $pg_env "$ctl" restart
(cd "$peer" && \
  A_URL=http://127.0.0.1:29797 A_LABEL=sqlite A_BEFORE="env $sqlite_env $ctl restart" \
  A_PID_CMD="env $sqlite_env $ctl pid" \
  B_URL=http://127.0.0.1:29798 B_LABEL=postgres B_BEFORE="env $pg_env $ctl restart" B_PID_CMD="env $pg_env $ctl pid" \
  BENCH_TOKEN="$INCIDENTD_TOKEN" RESULTS="$out" ROUNDS="${ROUNDS:-3}" DURATION="${DURATION:-20}" \
  ./compare_targets.sh "${modes[@]}")
echo "raw results: $out"
