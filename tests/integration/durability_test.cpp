// The promise behind every 202: an event the server acknowledged survives a crash (SIGKILL mid-load), the journal
// still verifies, and recovery is deterministic (a second restart sees the same state).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "support/api.h"
#include "support/server_process.h"

namespace {

using ::testing::StartsWith;
using test_support::AllIncidents;
using test_support::kCheckoutKey;
using test_support::StringField;

constexpr int kWriters = 8;
constexpr auto kLoadBeforeCrash = std::chrono::milliseconds(1500);
constexpr size_t kEnoughAcked = 20000;  // crash sooner once this many were acknowledged (keeps the checks quick)
constexpr auto kLoadDeadline = std::chrono::seconds(60);

// One writer: posts triggers with unique dedup keys over one keep-alive connection until told to stop or the
// connection fails (the crash), remembering the keys the server answered 202 for.
struct Writer {
  std::vector<std::string> acked;
  int unexpected_statuses = 0;  // neither 202 nor 429 (overload, which promises nothing and is allowed)
  std::string last_unexpected;
};

// Writers running on their own threads; stopped and joined at the latest when this goes away.
class Load {
 public:
  Load(uint16_t port, int writers) : writers_(writers) {
    for (int i = 0; i < writers; ++i) {
      threads_.emplace_back([this, port, i] { Run(port, i, writers_[i]); });
    }
  }
  ~Load() { Stop(); }

  // Polls until `enough(elapsed, acked)` holds; false when kLoadDeadline passed first.
  template <typename Enough>
  bool WaitUntil(Enough enough) {
    const auto started = std::chrono::steady_clock::now();
    for (;;) {
      const auto elapsed = std::chrono::steady_clock::now() - started;
      if (enough(elapsed, acked_.load())) return true;
      if (elapsed >= kLoadDeadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  void Stop() {
    stop_ = true;
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  // Read after Stop.
  const std::vector<Writer>& writers() const { return writers_; }

 private:
  void Run(uint16_t port, int index, Writer& writer) {
    test_support::HttpClient client(port, test_support::kAdminToken);
    client.set_timeout(std::chrono::seconds(10));
    for (int i = 0; !stop_.load(std::memory_order_relaxed); ++i) {
      const std::string key = "dur-" + std::to_string(index) + "-" + std::to_string(i);
      auto response = client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, key, "load " + key));
      if (!response.ok()) return;  // the server is gone
      if (response->status == 202) {
        writer.acked.push_back(key);
        acked_.fetch_add(1, std::memory_order_relaxed);
      } else if (response->status != 429) {
        ++writer.unexpected_statuses;
        writer.last_unexpected = std::to_string(response->status) + " " + response->body;
      }
    }
  }

  std::vector<Writer> writers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> acked_{0};
};

TEST(DurabilityTest, EveryAcknowledgedEventSurvivesSigkillMidLoad) {
  test_support::ServerProcess server;
  auto started = server.Start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  Load load(server.port(), kWriters);
  const bool loaded = load.WaitUntil([](auto elapsed, size_t acked) {
    return (elapsed >= kLoadBeforeCrash && acked > 0) || acked >= kEnoughAcked;
  });

  const int killed = server.Kill();  // while every writer is still sending
  load.Stop();
  auto restarted = server.Start();

  ASSERT_TRUE(loaded) << "no event was acknowledged within " << kLoadDeadline.count() << " s";
  EXPECT_EQ(killed, 128 + 9);
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  test_support::HttpClient client = server.Client();
  std::set<std::string> present;
  size_t incident_count = 0;
  for (const auto& incident : AllIncidents(client, "service=checkout")) {
    present.insert(StringField(incident, "group_key"));
    ++incident_count;
  }
  EXPECT_EQ(present.size(), incident_count) << "a dedup key opened more than one incident";
  size_t acked = 0;
  size_t missing = 0;
  std::string first_missing;
  for (const auto& writer : load.writers()) {
    EXPECT_EQ(writer.unexpected_statuses, 0) << "e.g. " << writer.last_unexpected;
    for (const auto& key : writer.acked) {
      ++acked;
      if (present.count(key) == 0 && missing++ == 0) first_missing = key;
    }
  }
  RecordProperty("acknowledged_before_crash", static_cast<int>(acked));
  RecordProperty("incidents_after_restart", static_cast<int>(incident_count));
  EXPECT_GT(acked, 0u);
  EXPECT_EQ(missing, 0u) << missing << " of " << acked << " acknowledged events were lost, e.g. " << first_missing;
  EXPECT_LE(incident_count, acked + kWriters) << "only a writer's one unanswered in-flight event may also survive";
}

TEST(DurabilityTest, RecoveryAfterACrashVerifiesAndIsStableAcrossRestarts) {
  test_support::ServerProcess server;
  auto started = server.Start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  Load load(server.port(), 4);
  const bool loaded = load.WaitUntil([](auto, size_t acked) { return acked >= 500; });
  server.Kill();
  load.Stop();
  ASSERT_TRUE(loaded) << "the load never reached 500 acknowledged events";

  auto restarted = server.Start();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  auto verified = server.Ctl({"journal", "verify"});
  auto first_view = server.Ctl({"incidents", "list", "--all", "--json"});
  auto again = server.Restart();
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto second_view = server.Ctl({"incidents", "list", "--all", "--json"});
  auto verified_again = server.Ctl({"journal", "verify"});

  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, StartsWith("OK: "));
  EXPECT_EQ(verified_again.exit_code, 0) << verified_again.out << verified_again.err;
  ASSERT_EQ(first_view.exit_code, 0) << first_view.err;
  ASSERT_EQ(second_view.exit_code, 0) << second_view.err;
  EXPECT_GE(test_support::ParseJson(first_view.out).as_object().at("incidents").as_array().size(), 500u);
  EXPECT_TRUE(first_view.out == second_view.out) << "the incident list changed between two restarts";
}

}  // namespace
