#!/usr/bin/env bash
# Measures incidentd: in-process benchmarks (Google Benchmark) and HTTP ingest with bench/http_load and wrk against
# the real binary on loopback, durability on (every 202 after its batch is fdatasynced). Prints the figures
# docs/performance.md quotes.
#   tools/bench.sh [BUILD_DIR]      env: DURATION (10s, in seconds), CONNECTIONS (16), THREADS (2, wrk's)
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
seconds=${DURATION:-10}
seconds=${seconds%s}
case $seconds in ''|*[!0-9]*) echo "DURATION must be whole seconds (30 or 30s), got ${DURATION:-}" >&2; exit 2 ;; esac
duration=${seconds}s
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
# bench/http_load: one thread, about 6 µs of CPU per request, so the server keeps most of the two cores. wrk with
# a Lua request() takes about 12 µs per request here; its run comes last, on a fresh server, for comparison with
# earlier figures.
event='{"routing_key":"bench-key","event_action":"trigger","dedup_key":"h{conn}-{seq}","payload":{"summary":"bench alert {seq}","source":"host-{seq%100}","severity":"error","custom_details":{"region":"eu-west-1","attempt":{seq}}}}'
echo "== HTTP: POST /v2/enqueue, a new alert each, $connections connections, ${seconds} s, durable (fsync per batch), bench/http_load"
"$build/http_load" --url "http://$addr/v2/enqueue" --connections "$connections" --seconds "$seconds" \
  --header "Authorization: Bearer $INCIDENTD_TOKEN" --body "$event"
echo "== HTTP: the same alert re-sent (one dedup key per connection), $connections connections, ${seconds} s, bench/http_load"
resend='{"routing_key":"bench-key","event_action":"trigger","dedup_key":"resend-{conn}","payload":{"summary":"disk almost full","source":"host-{conn}","severity":"warning"}}'
"$build/http_load" --url "http://$addr/v2/enqueue" --connections "$connections" --seconds "$seconds" \
  --header "Authorization: Bearer $INCIDENTD_TOKEN" --body "$resend"
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
rm -rf "$dir/data"
# Steady state: 100,000 open alerts (6,250 per connection), then each connection alternately triggers a new alert
# and resolves its oldest one, so the count holds while the load runs. Every resolve is a durable event too.
"$build/incidentd" serve --config "$dir/bench.yaml" --data-dir "$dir/data" --listen 127.0.0.1:0 \
  --ready-file "$dir/ready4" 2> "$dir/server4.log" &
pid=$!
for _ in $(seq 100); do [ -s "$dir/ready4" ] && break; sleep 0.1; done
addr=$(cat "$dir/ready4")
per=$((100000 / connections))
steady='{"routing_key":"bench-key","event_action":"trigger","dedup_key":"s{conn}-KEY","payload":{"summary":"bench alert KEY","source":"host-{seq%100}","severity":"error","custom_details":{"region":"eu-west-1","attempt":{seq}}}}'
resolve='{"routing_key":"bench-key","event_action":"resolve","dedup_key":"s{conn}-{round}"}'
"$build/http_load" --url "http://$addr/v2/enqueue" --connections "$connections" --seconds 600 --requests "$per" \
  --header "Authorization: Bearer $INCIDENTD_TOKEN" --body "${steady//KEY/\{seq\}}" > /dev/null
echo "== HTTP: steady state at $(curl -s "http://$addr/metrics" | awk '/^incidentd_open_alerts / {print $2}') open alerts: \
each connection triggers a new alert and resolves its oldest in turn, ${seconds} s, bench/http_load"
"$build/http_load" --url "http://$addr/v2/enqueue" --connections "$connections" --seconds "$seconds" \
  --header "Authorization: Bearer $INCIDENTD_TOKEN" --body "${steady//KEY/\{round+$per\}}" --body "$resolve"
metrics=$(curl -s "http://$addr/metrics")
echo "== after the run: open alerts $(awk '/^incidentd_open_alerts / {print $2}' <<<"$metrics"), \
server RSS $(awk '/VmRSS/ {print $2 " " $3}' "/proc/$pid/status"), \
$(awk '/^incidentd_snapshots_total / {print $2}' <<<"$metrics") snapshots"
kill -TERM $pid
wait $pid || true
rm -rf "$dir/data"
"$build/incidentd" serve --config "$dir/bench.yaml" --data-dir "$dir/data" --listen 127.0.0.1:0 \
  --ready-file "$dir/ready3" 2> "$dir/server3.log" &
pid=$!
for _ in $(seq 100); do [ -s "$dir/ready3" ] && break; sleep 0.1; done
echo "== the new-alert load again on a fresh server, with wrk ($threads threads, bench/enqueue.lua), ${seconds} s"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s bench/enqueue.lua "http://$(cat "$dir/ready3")/v2/enqueue" \
  | grep -E "Requests/sec|requests|latency|Latency  "
kill -TERM $pid
wait $pid || true
echo "== paging: event -> first page at a webhook receiver, no group wait, 1000 background events/s (bench/paging_latency)"
INCIDENTD_BIN="$build/incidentd" "$build/paging_latency" --rate 1000 --probes-per-second 20 --seconds "${PAGING_SECONDS:-30}"
