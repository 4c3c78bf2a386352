// The live stream: committed records as Server-Sent Events, replay after Last-Event-ID, keepalives, slow clients.
#include <thread>

#include <gtest/gtest.h>

#include "http/testing/server_fixture.h"

namespace http::testing {
namespace {

using namespace std::chrono_literals;

engine::Published Record(uint64_t seq, std::string summary = "hello") {
  engine::Published p;
  p.seq = seq;
  p.time = core::FromUnixMillis(1000);
  p.actor = "token:admin";
  p.type = "note.added";
  p.incident_id = 1;
  p.summary = std::move(summary);
  return p;
}

// Opens the stream and returns once the response header has arrived (the client is then subscribed).
std::string OpenStream(Client& client, const Headers& headers) {
  std::string request = "GET /api/v1/events HTTP/1.1\r\nHost: t\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  client.WriteRaw(request);
  return client.ReadUntil("\r\n\r\n", 3s);
}

class SseTest : public ServerTest {};

TEST_F(SseTest, PublishedRecordsArriveAsFrames) {
  StartServer();
  Client client = Connect();
  std::string header = OpenStream(client, Bearer("viewer-token"));
  ASSERT_NE(header.find("200 OK"), std::string::npos);
  ASSERT_NE(header.find("text/event-stream"), std::string::npos);

  backend_.Publish({Record(41), Record(42, "second")});
  std::string frames = header.substr(header.find("\r\n\r\n") + 4) + client.ReadUntil("id: 42\n", 3s);
  frames += client.ReadUntil("\n\n", 1s);

  EXPECT_NE(
      frames.find("id: 41\nevent: note.added\ndata: {\"seq\":41,\"time\":\"1970-01-01T00:00:01Z\","
                  "\"actor\":\"token:admin\",\"type\":\"note.added\",\"incident_id\":1,\"summary\":\"hello\"}\n\n"),
      std::string::npos)
      << frames;
  EXPECT_NE(frames.find("\"summary\":\"second\""), std::string::npos) << frames;
}

TEST_F(SseTest, LastEventIdReplaysTheJournalThenGoesLive) {
  auto& store = backend_.fake_store();
  store.AppendRecord(incident::IncidentOpened{1, "checkout", "g", "db down", ingest::Severity::kCritical}, "system",
                     core::FromUnixMillis(1000));
  store.AppendRecord(incident::NoteAdded{1, "first note"}, "token:admin", core::FromUnixMillis(2000));
  store.AppendRecord(incident::NoteAdded{1, "second note"}, "token:admin", core::FromUnixMillis(3000));
  StartServer();
  Client client = Connect();

  std::string replay = OpenStream(client, Bearer("viewer-token", {{"Last-Event-ID", "1"}}));
  replay += client.ReadUntil("second note", 3s);
  backend_.Publish({Record(3, "duplicate"), Record(4, "live one")});
  std::string live = client.ReadUntil("live one", 3s);

  EXPECT_EQ(replay.find("id: 1\n"), std::string::npos) << replay;
  EXPECT_NE(replay.find("id: 2\n"), std::string::npos) << replay;
  EXPECT_NE(replay.find("first note"), std::string::npos);
  EXPECT_NE(live.find("id: 4\n"), std::string::npos) << live;
  EXPECT_EQ(live.find("duplicate"), std::string::npos) << live;
}

TEST_F(SseTest, KeepaliveCommentIsSentWhenIdle) {
  ServerOptions options = DefaultOptions();
  options.sse_keepalive = 100ms;
  StartServer(options);
  Client client = Connect();
  OpenStream(client, Bearer("viewer-token"));

  std::string got = client.ReadUntil(": keepalive\n\n", 3s);

  EXPECT_NE(got.find(": keepalive\n\n"), std::string::npos);
}

TEST_F(SseTest, ASlowClientIsDisconnectedInsteadOfBufferedForever) {
  ServerOptions options = DefaultOptions();
  options.sse_buffer_bytes = 64 * 1024;
  StartServer(options);
  Client client = Connect();
  OpenStream(client, Bearer("viewer-token"));

  // The client reads nothing while far more than the socket buffers and the cap are published.
  std::string big(8192, 'x');
  for (uint64_t seq = 1; seq <= 4000; ++seq) backend_.Publish({Record(seq, big)});

  EXPECT_TRUE(client.WaitClosed(10s));
}

TEST_F(SseTest, IngestTokensMayNotStream) {
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("GET", "/api/v1/events", {}, Bearer("ingest-token"));

  EXPECT_EQ(reply.status, 403);
}

TEST_F(SseTest, SubscribesOnlyWhileAClientStreams) {
  StartServer();
  EXPECT_EQ(backend_.subscriber_count(), 0u);

  {
    Client client = Connect();
    OpenStream(client, Bearer("viewer-token"));
    EXPECT_EQ(backend_.subscriber_count(), 1u);
  }

  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (backend_.subscriber_count() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(backend_.subscriber_count(), 0u);
}

TEST_F(SseTest, StopEndsStreamsAndUnsubscribes) {
  StartServer();
  Client client = Connect();
  OpenStream(client, Bearer("viewer-token"));
  ASSERT_EQ(backend_.subscriber_count(), 1u);

  server_->Stop();

  EXPECT_TRUE(client.WaitClosed(3s));
  EXPECT_EQ(backend_.subscriber_count(), 0u);
}

}  // namespace
}  // namespace http::testing
