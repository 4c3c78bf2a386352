// Untrusted input at the edge: every oversize, malformed or slow request is refused and never reaches the engine.
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "http/testing/server_fixture.h"

namespace http::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kTrigger = R"({"routing_key":"k","event_action":"trigger","dedup_key":"d",)"
                                 R"("payload":{"summary":"s","source":"h","severity":"critical"}})";

std::string ProblemType(const Reply& reply) { return std::string(json::parse(reply.body).at("type").as_string()); }

class InputSafetyTest : public ServerTest {};

TEST_F(InputSafetyTest, BodyAnnouncedOverTheLimitGets413BeforeItIsSent) {
  ServerOptions options = DefaultOptions();
  options.max_body_bytes = 1024;
  StartServer(options);
  Client client = Connect();

  // Only the header is sent: the answer must come from Content-Length alone.
  client.WriteRaw(
      "POST /v2/enqueue HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ingest-token\r\n"
      "Content-Type: application/json\r\nContent-Length: 2048\r\n\r\n");
  Reply reply = client.ReadReply();

  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(ProblemType(reply), "urn:incidentd:problem:payload_too_large");
  EXPECT_TRUE(backend_.submitted().empty());
}

TEST_F(InputSafetyTest, ChunkedBodyGrowingPastTheLimitGets413) {
  ServerOptions options = DefaultOptions();
  options.max_body_bytes = 1024;
  StartServer(options);
  Client client = Connect();

  client.WriteRaw(
      "POST /v2/enqueue HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ingest-token\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk(600, ' ');
  for (int i = 0; i < 3; ++i) client.WriteRaw("258\r\n" + chunk + "\r\n");  // 0x258 = 600
  Reply reply = client.ReadReply();

  EXPECT_EQ(reply.status, 413);
  EXPECT_TRUE(backend_.submitted().empty());
}

TEST_F(InputSafetyTest, HeadersOverTheLimitGet431) {
  ServerOptions options = DefaultOptions();
  options.max_header_bytes = 2048;
  StartServer(options);
  Client client = Connect();

  Reply reply = client.Send("GET", "/healthz", {}, {{"X-Padding", std::string(4096, 'a')}});

  EXPECT_EQ(reply.status, 431);
  EXPECT_EQ(ProblemType(reply), "urn:incidentd:problem:header_too_large");
}

TEST_F(InputSafetyTest, InvalidUtf8BodyGets400) {
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", "{\"routing_key\":\"\xC3\x28\"}", JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(json::parse(reply.body).at("detail").as_string().find("UTF-8"), json::string::npos);
  EXPECT_TRUE(backend_.submitted().empty());
}

TEST_F(InputSafetyTest, NonJsonAndTruncatedJsonGet400) {
  StartServer();
  Client client = Connect();

  Reply garbage = client.Send("POST", "/v2/enqueue", "routing_key=k", JsonHeaders("ingest-token"));
  Reply truncated =
      client.Send("POST", "/v2/enqueue", R"({"routing_key":"k","event_action":"tri)", JsonHeaders("ingest-token"));
  Reply note = client.Send("POST", "/api/v1/incidents/1/notes", R"({"text":)", JsonHeaders("admin-token"));

  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(truncated.status, 400);
  EXPECT_EQ(json::parse(truncated.body).at("message"), "Event object is invalid");
  EXPECT_EQ(note.status, 400);
  EXPECT_TRUE(backend_.submitted().empty());
}

TEST_F(InputSafetyTest, NestingDeeperThanTheLimitGets400AndVeryDeepInputDoesNotCrash) {
  StartServer();
  Client client = Connect();

  Reply just_over =
      client.Send("POST", "/v2/enqueue", std::string(33, '[') + std::string(33, ']'), JsonHeaders("ingest-token"));
  Reply very_deep = client.Send("POST", "/v2/enqueue", std::string(100000, '['), JsonHeaders("ingest-token"));
  Reply after = client.Send("GET", "/healthz");

  EXPECT_EQ(just_over.status, 400);
  EXPECT_NE(json::parse(just_over.body).at("detail").as_string().find("deeper"), json::string::npos);
  EXPECT_EQ(very_deep.status, 400);
  EXPECT_EQ(after.status, 200);
  EXPECT_TRUE(backend_.submitted().empty());
}

TEST_F(InputSafetyTest, WrongContentTypeGets415) {
  StartServer();
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, Bearer("ingest-token", {{"Content-Type", "text/xml"}}));

  EXPECT_EQ(reply.status, 415);
  EXPECT_EQ(ProblemType(reply), "urn:incidentd:problem:unsupported_media_type");
  EXPECT_TRUE(backend_.submitted().empty());
}

TEST_F(InputSafetyTest, JsonWithParametersAndMissingContentTypeAreAccepted) {
  StartServer();
  Client client = Connect();

  Reply with_charset = client.Send("POST", "/v2/enqueue", kTrigger,
                                   Bearer("ingest-token", {{"Content-Type", "Application/JSON; charset=utf-8"}}));
  Reply missing = client.Send("POST", "/v2/enqueue", kTrigger, Bearer("ingest-token"));
  Reply curl_default = client.Send(
      "POST", "/v2/enqueue", kTrigger,
      Bearer("ingest-token", {{"Content-Type", "application/x-www-form-urlencoded"}}));  // what `curl -d` sends

  EXPECT_EQ(with_charset.status, 202);
  EXPECT_EQ(missing.status, 202);
  EXPECT_EQ(curl_default.status, 202);
  EXPECT_EQ(backend_.submitted().size(), 3u);
}

TEST_F(InputSafetyTest, MalformedHttpGets400) {
  StartServer();
  Client client = Connect();

  client.WriteRaw("GARBAGE\r\n\r\n");
  Reply reply = client.ReadReply();

  EXPECT_EQ(reply.status, 400);
}

TEST_F(InputSafetyTest, RequestNotReadWithinTheTimeoutClosesTheConnection) {
  ServerOptions options = DefaultOptions();
  options.request_timeout = 200ms;
  StartServer(options);
  Client client = Connect();

  client.WriteRaw("POST /v2/enqueue HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n{\"a\"");

  EXPECT_TRUE(client.WaitClosed(3s));
  EXPECT_TRUE(backend_.submitted().empty());
}

TEST_F(InputSafetyTest, ConnectionsOverTheLimitGet503WithRetryAfter) {
  ServerOptions options = DefaultOptions();
  options.max_connections = 1;
  StartServer(options);
  Client first = Connect();
  ASSERT_EQ(first.Send("GET", "/healthz").status, 200);

  Client second = Connect();
  Reply refused = second.ReadReply();

  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.Header("retry-after"), "1");
  EXPECT_TRUE(second.WaitClosed(3s));
  EXPECT_EQ(first.Send("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace http::testing
