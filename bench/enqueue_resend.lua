-- wrk script: the same trigger over and over (one dedup key per wrk thread), as monitoring systems re-send a firing
-- alert. After the first request each one re-triggers the open alert: one journal record, no new incident.
-- INCIDENTD_TOKEN must hold a token with the ingest, responder or admin role.
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/v2/enqueue"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("INCIDENTD_TOKEN") or "")
  wrk.body = string.format(
    '{"routing_key":"bench-key","event_action":"trigger","dedup_key":"resend-%d",' ..
    '"payload":{"summary":"disk almost full","source":"host-%d","severity":"warning"}}', tid, tid)
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, non-2xx %d\n", summary.requests, summary.errors.status))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
