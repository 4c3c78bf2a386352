// Event → first notification handed to the channel, against the real binary on loopback: background events at a
// fixed rate on a service that pages nobody, and probe events on a service whose escalation pages a person over a
// webhook (no group wait). Each probe's latency runs from just before its POST /v2/enqueue is sent to the moment
// the in-process webhook receiver has the page. Durable (SQLite, fsync per batch) as in production.
//   paging_latency [--rate N] [--probes-per-second N] [--seconds N]   (defaults 1000, 20, 30)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/webhook_receiver.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string Config(const test_support::WebhookReceiver& hook) {
  return "services:\n"
         "  - {name: background, routing_keys: [bg-key], group_wait: 0, ack_timeout: 0}\n"
         "  - {name: paged, routing_keys: [paged-key], group_wait: 0, ack_timeout: 0}\n"
         "  - {name: prometheus}\n"
         "  - {name: db}\n"
         "channels:\n"
         "  hook: {type: webhook, url: \"" + hook.Url("/page") + "\"}\n"
         "people:\n"
         "  - {name: oncall, contacts: [{channel: hook}]}\n"
         "escalation_policies:\n"
         "  - {name: page, steps: [{targets: [\"user:oncall\"]}]}\n"
         "routing:\n"
         "  - {name: paged, services: [paged], policy: page}\n";
}

std::string Event(const char* key, const std::string& dedup, const std::string& summary) {
  return std::string(R"({"routing_key":")") + key + R"(","event_action":"trigger","dedup_key":")" + dedup +
         R"(","payload":{"summary":")" + summary + R"(","source":"bench","severity":"critical"}})";
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  int rate = 1000, probes_per_second = 20, seconds = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (a == "--rate") rate = v;
    else if (a == "--probes-per-second") probes_per_second = v;
    else if (a == "--seconds") seconds = v;
  }
  test_support::WebhookReceiver hook;
  test_support::ServerProcess server(Config(hook));
  if (auto st = server.Start(); !st.ok()) {
    std::fprintf(stderr, "cannot start incidentd: %s\n%s\n", st.error().message.c_str(), server.ReadStderr().c_str());
    return 1;
  }
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  std::atomic<uint64_t> background_sent{0}, background_failed{0};

  // Background: `rate` events per second from two connections, paced; keys cycle over 10000 (new incidents at first,
  // re-triggers of open ones after).
  std::vector<std::thread> senders;
  constexpr int kSenders = 2;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      test_support::HttpClient client = server.Client();
      const auto interval = std::chrono::nanoseconds(1'000'000'000LL * kSenders / std::max(rate, 1));
      auto next = start;
      for (uint64_t n = 0; Clock::now() < end; ++n) {
        std::this_thread::sleep_until(next);
        next += interval;
        auto r = client.Post("/v2/enqueue", Event("bg-key", "bg-" + std::to_string((n * kSenders + s) % 10000), "bg"));
        if (r.ok() && r->status == 202) {
          ++background_sent;
        } else {
          ++background_failed;
        }
      }
    });
  }

  // Probes: each a new incident on the paged service; its page names it in the text.
  std::vector<std::pair<std::string, Clock::time_point>> probes;
  {
    test_support::HttpClient client = server.Client();
    const auto interval = std::chrono::nanoseconds(1'000'000'000LL / std::max(probes_per_second, 1));
    auto next = start + std::chrono::seconds(1);  // let the background reach its rate first
    for (int n = 0; next < end; ++n) {
      std::this_thread::sleep_until(next);
      next += interval;
      const std::string name = "probe-" + std::to_string(n) + "-end";
      const auto sent = Clock::now();
      auto r = client.Post("/v2/enqueue", Event("paged-key", name, name));
      if (r.ok() && r->status == 202) probes.emplace_back(name, sent);
    }
  }
  for (auto& t : senders) t.join();
  hook.WaitFor(probes.size(), std::chrono::seconds(10));

  std::vector<double> latencies;
  auto requests = hook.Requests();
  for (const auto& [name, sent] : probes) {
    for (const auto& req : requests) {
      if (req.body.find(name) != std::string::npos) {
        latencies.push_back(Ms(req.received_at - sent));
        break;
      }
    }
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    size_t i = static_cast<size_t>(p * static_cast<double>(latencies.size() - 1) + 0.5);
    return latencies[std::min(i, latencies.size() - 1)];
  };
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("background: %llu events accepted (%.0f/s), %llu refused\n",
              static_cast<unsigned long long>(background_sent.load()),
              static_cast<double>(background_sent.load()) / elapsed,
              static_cast<unsigned long long>(background_failed.load()));
  std::printf("probes: %zu sent, %zu pages received\n", probes.size(), latencies.size());
  std::printf("event -> page at the webhook (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", pct(0.5), pct(0.9),
              pct(0.99), latencies.empty() ? 0.0 : latencies.back());
  server.Stop();
  return latencies.size() == probes.size() ? 0 : 2;
}
