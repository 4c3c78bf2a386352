#!/usr/bin/env bash
# Measures incidentd: in-process benchmarks (Google Benchmark) and HTTP ingest with wrk against the real binary on
# loopback, durability on (every 202 after its batch is fdatasynced). Prints the figures docs/performance.md quotes.
#   tools/bench.sh [BUILD_DIR]      env: DURATION (10s), CONNECTIONS (16), THREADS (2)
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}
threads=${THREADS:-2}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "== in-process: engine"
"$build/engine_benchmark" --benchmark_min_time=1 2>/dev/null
if [ -x "$build/store_benchmark" ]; then
  echo "== in-process: SQLite store, durable appends (Append + Sync per batch)"
  "$build/store_benchmark" 2>/dev/null
fi

dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
export INCIDENTD_TOKEN=bench-token-0123456789abcdef
cat > "$dir/bench.yaml" <<YAML
auth:
  tokens:
    - {name: bench, role: admin, token_env: INCIDENTD_TOKEN}
http:
  threads: 2
services:
  - name: bench
    routing_keys: [bench-key]
YAML
"$build/incidentd" serve --config "$dir/bench.yaml" --data-dir "$dir/data" --listen 127.0.0.1:0 \
  --ready-file "$dir/ready" 2> "$dir/server.log" &
pid=$!
for _ in $(seq 100); do [ -s "$dir/ready" ] && break; sleep 0.1; done
addr=$(cat "$dir/ready")
echo "== HTTP: POST /v2/enqueue, $connections connections, $threads wrk threads, $duration, durable (fsync per batch)"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s bench/enqueue.lua "http://$addr/v2/enqueue" \
  | grep -E "Requests/sec|requests|latency|Latency  "
echo "== HTTP: the same alert re-sent (bench/enqueue_resend.lua), $connections connections, $duration"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s bench/enqueue_resend.lua "http://$addr/v2/enqueue" \
  | grep -E "Requests/sec|requests|latency"
metrics=$(curl -s "http://$addr/metrics")
open_alerts=$(awk '/^incidentd_open_alerts / {print $2}' <<<"$metrics")
snapshots=$(awk '/^incidentd_snapshots_total / {print $2}' <<<"$metrics")
snapshot_mb=$(awk '/^incidentd_snapshot_bytes / {printf "%.0f", $2 / 1048576}' <<<"$metrics")
rss=$(awk '/VmRSS/ {print $2 " " $3}' "/proc/$pid/status")
echo "== after the run: open alerts ${open_alerts:-?}, server RSS $rss, ${snapshots:-?} snapshots (latest ${snapshot_mb:-?} MiB)"
kill -TERM $pid
wait $pid || true
start=$(date +%s.%N)
"$build/incidentd" serve --config "$dir/bench.yaml" --data-dir "$dir/data" --listen 127.0.0.1:0 \
  --ready-file "$dir/ready2" 2> "$dir/server2.log" &
pid=$!
for _ in $(seq 600); do [ -s "$dir/ready2" ] && break; sleep 0.05; done
end=$(date +%s.%N)
echo "== restart with $(grep -o 'recovered [0-9]* records' "$dir/server2.log" | head -1): ready in $(echo "$end - $start" | bc) s"
echo "   $(grep -o 'recovered.*' "$dir/server2.log" | head -1)"
kill -TERM $pid
wait $pid || true
echo "== paging: event -> first page at a webhook receiver, no group wait, 1000 background events/s (bench/paging_latency)"
INCIDENTD_BIN="$build/incidentd" "$build/paging_latency" --rate 1000 --probes-per-second 20 --seconds "${PAGING_SECONDS:-30}"
