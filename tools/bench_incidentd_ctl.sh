#!/usr/bin/env bash
# Starts/stops incidentd for the side-by-side benchmark (tools/bench_compare.sh): a bench configuration shaped like
# the peer Alertmanager's (one catch-all route grouping by alertname and cluster), a fresh data directory on every
# restart, durability as always (an alert is acknowledged only after its batch is fsynced).
#   tools/bench_incidentd_ctl.sh restart|stop|pid|addr      env: BENCH_WORK, INCIDENTD_BIN, BENCH_PORT (29797),
#   BENCH_INSTANCE (incidentd: the run directory's name, so two servers can run side by side), BENCH_STORE (a
#   postgres:// URL: the journal goes there, emptied on every restart; unset: SQLite in the data directory)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-${TMPDIR:-/tmp}/incidentd-peer-bench}/${BENCH_INSTANCE:-incidentd}
bin=${INCIDENTD_BIN:-$here/build/incidentd}
port=${BENCH_PORT:-29797}
mkdir -p "$work"
: "${INCIDENTD_TOKEN:?INCIDENTD_TOKEN must be set (the bench token)}"

stop() {
  if [ -f "$work/pid" ] && kill -0 "$(cat "$work/pid")" 2>/dev/null; then
    local p; p=$(cat "$work/pid")
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  fi
  rm -f "$work/pid"
}

start() {
  cat > "$work/bench.yaml" <<YAML
auth:
  tokens:
    - {name: bench, role: admin, token_env: INCIDENTD_TOKEN}
http:
  threads: 2
  max_connections: 4096
engine:
  snapshot_every: 0            # the peer keeps no snapshots either; the journal alone is the durable copy
services:
  - name: prometheus
alertmanager:
  resolve_timeout: 5m
  routes:
    - service: prometheus
      group_by: [alertname, cluster]
YAML
  rm -rf "$work/data" "$work/ready"
  store=()
  if [ -n "${BENCH_STORE:-}" ]; then
    PGOPTIONS='-c client_min_messages=warning' psql -q "$BENCH_STORE" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public' >/dev/null
    store=(--store "$BENCH_STORE")
  fi
  setsid "$bin" serve --config "$work/bench.yaml" --data-dir "$work/data" --listen "127.0.0.1:$port" \
    --ready-file "$work/ready" "${store[@]}" > "$work/server.log" 2>&1 < /dev/null &
  echo $! > "$work/pid"
  for _ in $(seq 200); do [ -s "$work/ready" ] && return 0; sleep 0.05; done
  echo "incidentd did not become ready; see $work/server.log" >&2
  exit 1
}

case "${1:-}" in
  restart) stop; start ;;
  stop) stop ;;
  pid) cat "$work/pid" ;;
  addr) echo "http://127.0.0.1:$port" ;;
  *) echo "usage: $0 restart|stop|pid|addr" >&2; exit 2 ;;
esac
