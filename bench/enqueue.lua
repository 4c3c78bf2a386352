-- wrk script: single-event POST /v2/enqueue with a fresh dedup key per request (every request opens an alert).
-- INCIDENTD_TOKEN must hold a token with the ingest, responder or admin role.
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. (os.getenv("INCIDENTD_TOKEN") or ""),
  }
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"routing_key":"bench-key","event_action":"trigger","dedup_key":"t%d-%d",' ..
    '"payload":{"summary":"bench alert %d","source":"host-%d","severity":"error",' ..
    '"custom_details":{"region":"eu-west-1","attempt":%d}}}',
    tid, counter, counter, counter % 100, counter)
  return wrk.format("POST", "/v2/enqueue", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, non-2xx %d, socket errors %d\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
