// A follower's HTTP edge: reads answered from its own backend, writes forwarded to the writer with their answer
// relayed, and the cases it answers itself (bad credentials, forwarding off, writer unknown, unreachable or silent).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "http/forward.h"
#include "http/testing/server_fixture.h"

namespace http::testing {
namespace {

namespace json = boost::json;

constexpr const char* kTrigger = R"({"routing_key":"checkout-key","event_action":"trigger","dedup_key":"db-1-down",)"
                                 R"("payload":{"summary":"db-1 is down","source":"db-1","severity":"critical"}})";

// A stand-in writer on a loopback port that records every request it gets and answers each with `answer` (or
// never, when `answer` is empty: a writer that hangs).
class RawWriter {
 public:
  // With `serve_many`, a connection is kept open after an answer and serves further requests (a keep-alive server);
  // without, it is closed after its first answer even when the answer does not say so.
  explicit RawWriter(std::string answer, bool serve_many = false) : answer_(std::move(answer)), serve_many_(serve_many) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~RawWriter() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections() const { return connections_.load(); }

 private:
  // Reads one request (headers, then Content-Length bytes of body) within a few seconds.
  static std::string ReadRequest(int fd) {
    std::string data;
    char buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    size_t want = std::string::npos;
    while (std::chrono::steady_clock::now() < deadline) {
      if (want == std::string::npos) {
        const size_t end = data.find("\r\n\r\n");
        if (end != std::string::npos) {
          size_t length = 0;
          const size_t at = data.find("Content-Length: ");
          if (at != std::string::npos && at < end) length = std::stoul(data.substr(at + 16));
          want = end + 4 + length;
        }
      }
      if (want != std::string::npos && data.size() >= want) break;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
    return data;
  }

  void Run() {
    std::vector<int> held;  // connections of a writer that never answers, closed at the end
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      for (;;) {
        std::string request = ReadRequest(fd);
        if (request.empty()) break;  // the client closed the connection
        {
          std::lock_guard lock(mu_);
          requests_.push_back(std::move(request));
        }
        if (answer_.empty()) break;
        (void)!::write(fd, answer_.data(), answer_.size());
        if (!serve_many_ || stop_) break;
      }
      if (answer_.empty()) {
        held.push_back(fd);
        continue;
      }
      ::close(fd);
    }
    for (int fd : held) ::close(fd);
  }

  std::string answer_;
  bool serve_many_ = false;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// The writer's address a follower knows, changed by the tests.
struct WriterAddress {
  std::string get() const {
    std::lock_guard lock(mu);
    return value;
  }
  void set(std::string v) {
    std::lock_guard lock(mu);
    value = std::move(v);
  }
  mutable std::mutex mu;
  std::string value;
};

// The fixture's server is the follower; `writer_` (a real server over its own fake backend) is the writer.
class ForwardTest : public ServerTest {
 protected:
  void StartWriter() {
    writer_ = std::make_unique<Server>(writer_backend_, DefaultOptions());
    auto bound = writer_->Start();
    ASSERT_TRUE(bound.ok()) << bound.error().message;
    writer_address_.set("http://" + *bound);
  }
  ServerOptions FollowerOptions() {
    ServerOptions options = DefaultOptions();
    options.writer = [this] { return writer_address_.get(); };
    return options;
  }
  void TearDown() override {
    ServerTest::TearDown();
    if (writer_) writer_->Stop();
  }

  FakeBackend writer_backend_;
  std::unique_ptr<Server> writer_;
  WriterAddress writer_address_;
};

TEST_F(ForwardTest, AWriteToTheFollowerIsCommittedByTheWriterAndItsAnswerRelayed) {
  StartWriter();
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(json::parse(reply.body).at("dedup_key"), "db-1-down");
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  EXPECT_EQ(writer_backend_.submitted().size(), 1u);
  EXPECT_TRUE(backend_.submitted().empty()) << "the follower's own engine ran the command";
  EXPECT_TRUE(reply.keep_alive) << "the client's connection to the follower stays open";
}

TEST_F(ForwardTest, AReadIsAnsweredFromTheFollowersOwnState) {
  StartWriter();
  engine::IncidentRow row;
  row.id = 7;
  row.service = "checkout";
  row.title = "only the follower has folded this";
  row.severity = "critical";
  row.state = "triggered";
  backend_.fake_store().PutIncident(row);
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply reply = client.Send("GET", "/api/v1/incidents/7", "", Bearer("viewer-token"));

  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body).at("title"), "only the follower has folded this");
}

TEST_F(ForwardTest, ABadTokenIs401AtTheFollowerWithoutReachingTheWriter) {
  RawWriter writer("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
  writer_address_.set(writer.url());
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply unknown = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("not-a-token"));
  Reply denied = Connect().Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("viewer-token"));

  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(writer.connections(), 0);
}

TEST_F(ForwardTest, PassesTheHeadersThatMatterSaysItForwardedAndRelaysTheWritersHeaders) {
  RawWriter writer(
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nLocation: /api/v1/maintenance/w1\r\n"
      "Retry-After: 3\r\nX-Writer: yes\r\nConnection: close\r\nContent-Length: 12\r\n\r\n{\"id\":\"w1\"}\n");
  writer_address_.set(writer.url());
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply reply = client.Send("POST", "/api/v1/maintenance?dry=1", R"({"x":1})",
                            Bearer("responder-token", {{"Content-Type", "application/json"},
                                                       {"Idempotency-Key", "key-1"},
                                                       {"X-Other", "not passed"}}));

  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(reply.body, "{\"id\":\"w1\"}\n");
  EXPECT_EQ(reply.Header("content-type"), "application/json");
  EXPECT_EQ(reply.Header("location"), "/api/v1/maintenance/w1");
  EXPECT_EQ(reply.Header("retry-after"), "3");
  EXPECT_EQ(reply.Header("x-writer"), "yes");
  ASSERT_EQ(writer.requests().size(), 1u);
  const std::string sent = writer.requests()[0];
  EXPECT_EQ(sent.rfind("POST /api/v1/maintenance?dry=1 HTTP/1.1\r\n", 0), 0u) << sent;
  EXPECT_NE(sent.find("Authorization: Bearer responder-token\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("Content-Type: application/json\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("Idempotency-Key: key-1\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("Forwarded: for=127.0.0.1;by=\"" + address_ + "\"\r\n"), std::string::npos) << sent;
  EXPECT_NE(sent.find("Via: 1.1 incidentd-follower\r\n"), std::string::npos) << sent;
  EXPECT_EQ(sent.find("Connection: close\r\n"), std::string::npos) << sent;  // kept alive for the next write
  EXPECT_EQ(sent.find("X-Other"), std::string::npos) << sent;
  EXPECT_TRUE(sent.ends_with("\r\n\r\n{\"x\":1}")) << sent;
}

TEST_F(ForwardTest, SuccessiveWritesReuseOneKeptAliveConnectionToTheWriter) {
  RawWriter writer("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
                   /*serve_many=*/true);
  writer_address_.set(writer.url());
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply first = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));
  Reply second = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(first.status, 202);
  EXPECT_EQ(second.status, 202);
  EXPECT_EQ(writer.requests().size(), 2u);
  EXPECT_EQ(writer.connections(), 1);
}

TEST_F(ForwardTest, AWriteOnAnIdleConnectionTheWriterHadClosedIsSentOnceOnAFreshOne) {
  // Answers without saying so, then closes: the follower parks the connection, and the next write finds it closed.
  RawWriter writer("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  writer_address_.set(writer.url());
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply first = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));
  Reply second = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(first.status, 202);
  EXPECT_EQ(second.status, 202) << second.body;
  EXPECT_EQ(writer.requests().size(), 2u);  // each write reached the writer exactly once
  EXPECT_EQ(writer.connections(), 2);
}

TEST_F(ForwardTest, WithForwardingOffAWriteIs503NamingTheWriterAndAReadIsServed) {
  StartWriter();
  ServerOptions options = FollowerOptions();
  options.forward_writes = false;
  StartServer(options);
  Client client = Connect();

  Reply write = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));
  Reply read = Connect().Send("GET", "/api/v1/incidents", "", Bearer("viewer-token"));

  EXPECT_EQ(write.status, 503);
  EXPECT_EQ(write.Header("retry-after"), "1");
  EXPECT_EQ(write.Header("content-type"), "application/problem+json");
  json::value problem = json::parse(write.body);
  EXPECT_EQ(problem.at("type"), "urn:incidentd:problem:unavailable");
  EXPECT_EQ(problem.at("writer"), json::value(writer_address_.get()));
  EXPECT_NE(std::string(problem.at("detail").as_string()).find(writer_address_.get()), std::string::npos);
  EXPECT_TRUE(writer_backend_.submitted().empty());
  EXPECT_EQ(read.status, 200);
}

TEST_F(ForwardTest, AnUnknownWriterIs503WithANullWriter) {
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.Header("retry-after"), "1");
  EXPECT_TRUE(json::parse(reply.body).at("writer").is_null());
}

TEST_F(ForwardTest, AnUnreachableWriterIs503NamingIt) {
  std::string gone;
  {
    RawWriter closed("x");
    gone = closed.url();
  }
  writer_address_.set(gone);
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_EQ(reply.Header("retry-after"), "1");
  EXPECT_EQ(json::parse(reply.body).at("writer"), json::value(gone));
}

TEST_F(ForwardTest, AWriterThatDoesNotAnswerInTimeIs503) {
  RawWriter silent("");
  writer_address_.set(silent.url());
  ServerOptions options = FollowerOptions();
  options.forward_timeout = std::chrono::milliseconds(300);
  StartServer(options);
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_NE(reply.body.find("no answer within 300 ms"), std::string::npos) << reply.body;
}

TEST_F(ForwardTest, AnAnswerLargerThanTheLimitIs502) {
  RawWriter writer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 64\r\n\r\n" + std::string(64, 'x'));
  writer_address_.set(writer.url());
  ServerOptions options = FollowerOptions();
  options.max_forwarded_answer_bytes = 16;
  StartServer(options);
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger, JsonHeaders("ingest-token"));

  EXPECT_EQ(reply.status, 502) << reply.body;
}

TEST_F(ForwardTest, AWriteThatWasForwardedOnceIsNotForwardedAgain) {
  RawWriter writer("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
  writer_address_.set(writer.url());
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply reply = client.Send("POST", "/v2/enqueue", kTrigger,
                            Bearer("ingest-token", {{"Content-Type", "application/json"},
                                                    {"Via", "1.1 incidentd-follower"}}));

  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(writer.connections(), 0);
}

TEST_F(ForwardTest, SignInStaysOnTheFollowerAndHealthzSaysFollower) {
  RawWriter writer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  writer_address_.set(writer.url());
  StartServer(FollowerOptions());
  Client client = Connect();

  Reply sign_in = client.Send("POST", "/api/v1/session", R"({"user":"nobody","password":"x"})",
                              {{"Content-Type", "application/json"}});
  Reply health = client.Send("GET", "/healthz");

  EXPECT_EQ(sign_in.status, 401) << "answered by the follower itself (no such user here)";
  EXPECT_EQ(writer.connections(), 0);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "follower");
}

TEST_F(ForwardTest, AChangeMadeWithTheFollowersWebSessionIs503NamingTheWriterNotForwarded) {
  RawWriter writer("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
  writer_address_.set(writer.url());
  ServerOptions options = FollowerOptions();
  auto hash = HashPassword("pw");
  ASSERT_TRUE(hash.ok());
  options.users.push_back(User{"alice", "responder", {}, *hash, {}});
  StartServer(options);
  Client client = Connect();
  Reply signed_in =
      client.Send("POST", "/api/v1/session", R"({"user":"alice","password":"pw"})", {{"Content-Type", "application/json"}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string cookie = signed_in.Header("set-cookie").substr(0, signed_in.Header("set-cookie").find(';'));
  const std::string csrf(json::parse(signed_in.body).at("csrf_token").as_string());

  Reply read = client.Send("GET", "/api/v1/incidents", "", {{"Cookie", cookie}});
  Reply change = client.Send("POST", "/api/v1/incidents/1/notes", R"({"text":"looking"})",
                             {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Content-Type", "application/json"}});

  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(change.status, 503) << change.body;
  EXPECT_NE(change.body.find("web UI session"), std::string::npos) << change.body;
  EXPECT_EQ(json::parse(change.body).at("writer"), json::value(writer.url()));
  EXPECT_EQ(writer.connections(), 0);
}

TEST(WritesOnFollowerTest, EveryMethodButGetHeadOptionsExceptTheSessionAndEveryVendorRequest) {
  Request get, post, sign_out, vendor_get;
  get.method = Method::kGet;
  post.method = Method::kPost;
  sign_out.method = Method::kDelete;
  vendor_get.method = Method::kGet;
  vendor_get.vendor = std::make_shared<Principal>();

  EXPECT_FALSE(WritesOnFollower(get, Endpoint::kListIncidents));
  EXPECT_TRUE(WritesOnFollower(post, Endpoint::kAcknowledge));
  EXPECT_TRUE(WritesOnFollower(post, Endpoint::kAckLink));
  EXPECT_FALSE(WritesOnFollower(post, Endpoint::kSignIn));
  EXPECT_FALSE(WritesOnFollower(sign_out, Endpoint::kSignOut));
  EXPECT_TRUE(WritesOnFollower(vendor_get, Endpoint::kGetIncident));
}

TEST(ForwardedValueTest, AppendsToAnEarlierProxysAndQuotesIpv6) {
  EXPECT_EQ(ForwardedValue("", "10.0.0.5", "10.0.0.2:9797"), "for=10.0.0.5;by=\"10.0.0.2:9797\"");
  EXPECT_EQ(ForwardedValue("for=192.0.2.1", "::1", "[::1]:9797"), "for=192.0.2.1, for=\"[::1]\";by=\"[::1]:9797\"");
}

}  // namespace
}  // namespace http::testing
