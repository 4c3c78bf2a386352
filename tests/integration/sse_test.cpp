// The live stream: committed records arrive as Server-Sent Events, and a client that reconnects with Last-Event-ID
// gets what it missed from the journal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/api.h"
#include "support/server_process.h"
#include "support/sse_client.h"

namespace {

using ::testing::StartsWith;
using test_support::kAdminToken;
using test_support::kCheckoutKey;
using test_support::Must;
using test_support::NumberField;
using test_support::ParseJson;
using test_support::SseEvent;
using test_support::SseStream;
using test_support::StringField;

constexpr auto kEventWait = std::chrono::seconds(10);

class SseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = server_.Client();
  }

  std::unique_ptr<SseStream> OpenStream(const std::string& last_event_id = "") {
    auto stream = SseStream::Open(server_.port(), kAdminToken, "/api/v1/events", last_event_id, kEventWait);
    EXPECT_TRUE(stream.ok()) << (stream.ok() ? "" : stream.error().message);
    if (!stream.ok()) return nullptr;
    EXPECT_EQ((*stream)->head().status, 200);
    EXPECT_THAT((*stream)->head().Header("Content-Type"), StartsWith("text/event-stream"));
    return std::move(stream).value();
  }

  void Trigger(const std::string& dedup_key) {
    auto response = Must(client_.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, dedup_key, dedup_key)));
    ASSERT_EQ(response.status, 202) << response.body;
  }

  // Reads events until one of type `type` arrives (within kEventWait overall); everything read is appended to
  // `seen`. nullopt when none came in time.
  static std::optional<SseEvent> ReadUntil(SseStream& stream, const std::string& type, std::vector<SseEvent>& seen) {
    const auto deadline = std::chrono::steady_clock::now() + kEventWait;
    for (;;) {
      const auto left = std::chrono::duration_cast<core::Duration>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto event = stream.Next(left);
      if (!event.ok()) return std::nullopt;
      seen.push_back(*event);
      if (event->event == type) return *event;
    }
  }

  test_support::ServerProcess server_;
  test_support::HttpClient client_{0};
};

TEST_F(SseTest, PostedEventArrivesAsIncidentOpened) {
  auto stream = OpenStream();
  ASSERT_NE(stream, nullptr);

  Trigger("sse-1");

  std::vector<SseEvent> seen;
  auto opened = ReadUntil(*stream, "incident.opened", seen);
  ASSERT_TRUE(opened.has_value()) << "no incident.opened within 10 s (" << seen.size() << " other events)";
  const auto data = ParseJson(opened->data);
  EXPECT_EQ(StringField(data, "type"), "incident.opened");
  EXPECT_EQ(std::to_string(NumberField(data, "seq")), opened->id);
  EXPECT_NE(NumberField(data, "incident_id"), 0u);
  EXPECT_EQ(StringField(data, "actor"), "token:admin");
}

TEST_F(SseTest, ReconnectWithLastEventIdReplaysTheMissedRecords) {
  std::string last_id;
  uint64_t first_incident = 0;
  {
    auto stream = OpenStream();
    ASSERT_NE(stream, nullptr);
    Trigger("sse-before");
    std::vector<SseEvent> seen;
    auto opened = ReadUntil(*stream, "incident.opened", seen);
    ASSERT_TRUE(opened.has_value());
    last_id = opened->id;
    first_incident = NumberField(ParseJson(opened->data), "incident_id");
  }
  Trigger("sse-missed");

  auto resumed = OpenStream(last_id);
  ASSERT_NE(resumed, nullptr);
  std::vector<SseEvent> seen;
  auto opened = ReadUntil(*resumed, "incident.opened", seen);

  ASSERT_TRUE(opened.has_value()) << "the missed incident.opened was not replayed";
  EXPECT_NE(NumberField(ParseJson(opened->data), "incident_id"), first_incident);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().id, std::to_string(std::stoull(last_id) + 1)) << "replay starts right after Last-Event-ID";
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_LT(std::stoull(seen[i - 1].id), std::stoull(seen[i].id)) << "ids increase";
  }
}

TEST_F(SseTest, StreamNeedsAToken) {
  auto stream = SseStream::Open(server_.port(), "", "/api/v1/events", "", kEventWait);

  ASSERT_TRUE(stream.ok()) << stream.error().message;
  EXPECT_EQ((*stream)->head().status, 401);
}

}  // namespace
