// Every malformed, oversized or unauthorised event gets a 4xx problem document and changes nothing; afterwards the
// server is still healthy and still takes valid events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/api.h"
#include "support/server_process.h"

namespace {

using ::testing::StartsWith;
using test_support::Headers;
using test_support::HttpResponse;
using test_support::kAdminToken;
using test_support::kCheckoutKey;
using test_support::kViewerToken;
using test_support::Must;
using test_support::NumberField;
using test_support::ParseJson;
using test_support::StringField;

struct BadRequest {
  std::string name;
  std::string body;
  int status = 400;      // 0: any 4xx
  std::string field{};   // the JSON pointer the problem must name; empty: not checked
  Headers headers = {};  // e.g. a Content-Type other than JSON
  std::string token = kAdminToken;
};

std::string Event(const std::string& routing_key, const std::string& action, const std::string& payload) {
  return R"({"routing_key":")" + routing_key + R"(","event_action":")" + action +
         R"(","dedup_key":"bad-1","payload":)" + payload + "}";
}

std::string Payload(const std::string& summary, const std::string& severity = "critical",
                    const std::string& extra = "") {
  return R"({"summary":")" + summary + R"(","source":"host-1","severity":")" + severity + "\"" + extra + "}";
}

std::vector<BadRequest> BadRequests() {
  const std::string valid = Event(kCheckoutKey, "trigger", Payload("db-1 is down"));
  return {
      {.name = "MissingRoutingKey",
       .body = R"({"event_action":"trigger","dedup_key":"bad-1","payload":)" + Payload("x") + "}",
       .field = "/routing_key"},
      {.name = "UnknownRoutingKey", .body = Event("no-such-key", "trigger", Payload("x")), .field = "/routing_key"},
      {.name = "BadEventAction", .body = Event(kCheckoutKey, "explode", Payload("x")), .field = "/event_action"},
      {.name = "MissingSummary",
       .body = Event(kCheckoutKey, "trigger", R"({"source":"host-1","severity":"critical"})"),
       .field = "/payload/summary"},
      {.name = "BadSeverity", .body = Event(kCheckoutKey, "trigger", Payload("x", "loud")),
       .field = "/payload/severity"},
      {.name = "SummaryOver1024Chars", .body = Event(kCheckoutKey, "trigger", Payload(std::string(1025, 's'))),
       .field = "/payload/summary"},
      {.name = "InvalidUtf8", .body = Event(kCheckoutKey, "trigger", Payload("bad \xff\xfe bytes"))},
      {.name = "TruncatedJson", .body = valid.substr(0, valid.size() / 2)},
      {.name = "JsonNested10000Deep",
       .body = Event(kCheckoutKey, "trigger",
                     Payload("deep", "info",
                             R"(,"custom_details":)" + std::string(10000, '[') + std::string(10000, ']'))),
       .status = 0},
      {.name = "BodyOver1MiB",
       .body = Event(kCheckoutKey, "trigger",
                     Payload("big", "info",
                             R"(,"custom_details":{"blob":")" + std::string(1100 * 1024, 'b') + "\"}")),
       .status = 413},
      {.name = "HeaderOver16KiB", .body = valid, .status = 431,
       .headers = {{"X-Filler", std::string(20 * 1024, 'h')}}},
      {.name = "WrongContentType", .body = valid, .status = 415, .headers = {{"Content-Type", "text/plain"}}},
      {.name = "NoToken", .body = valid, .status = 401, .token = ""},
      {.name = "WrongToken", .body = valid, .status = 401, .token = "not-a-token"},
      {.name = "ViewerTokenOnWrite", .body = valid, .status = 403, .token = kViewerToken},
  };
}

// What must not change: the incidents and the journal's head.
struct Observed {
  std::string incidents;
  uint64_t journal_records = 0;
  uint64_t head_seq = 0;

  friend bool operator==(const Observed&, const Observed&) = default;
};

class BadInputTest : public ::testing::Test {
 protected:
  // One server for the suite: starting it per case would only slow the suite down.
  static void SetUpTestSuite() {
    server_ = new test_support::ServerProcess();
    auto started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override { ASSERT_TRUE(server_->running()); }

  static HttpResponse Send(const BadRequest& request) {
    test_support::HttpClient client(server_->port(), request.token);
    return Must(client.Send("POST", "/v2/enqueue", request.body, request.headers));
  }

  static Observed Observe() {
    auto client = server_->Client();
    Observed observed;
    observed.incidents = Must(client.Get("/api/v1/incidents?limit=500")).body;
    const auto verify = ParseJson(Must(client.Get("/api/v1/journal/verify")).body);
    observed.journal_records = NumberField(verify, "records");
    observed.head_seq = NumberField(verify, "head_seq");
    return observed;
  }

  static test_support::ServerProcess* server_;
};

test_support::ServerProcess* BadInputTest::server_ = nullptr;

class BadRequestTest : public BadInputTest, public ::testing::WithParamInterface<BadRequest> {};

TEST_P(BadRequestTest, IsRefusedWithAProblemAndChangesNothing) {
  const BadRequest& request = GetParam();
  const Observed before = Observe();

  HttpResponse response = Send(request);

  const Observed after = Observe();
  if (request.status == 0) {
    EXPECT_GE(response.status, 400);
    EXPECT_LT(response.status, 500);
  } else {
    EXPECT_EQ(response.status, request.status);
  }
  EXPECT_THAT(response.Header("Content-Type"), StartsWith("application/problem+json"));
  const auto problem = ParseJson(response.body);
  EXPECT_THAT(StringField(problem, "type"), StartsWith("urn:incidentd:problem:"));
  EXPECT_EQ(NumberField(problem, "status"), static_cast<uint64_t>(response.status));
  if (!request.field.empty()) {
    EXPECT_EQ(StringField(problem, "field"), request.field);
    EXPECT_EQ(StringField(problem, "message"), "Event object is invalid");
    EXPECT_TRUE(problem.is_object() && problem.as_object().contains("errors"));
  }
  if (response.status == 401) {
    EXPECT_THAT(response.Header("WWW-Authenticate"), StartsWith("Bearer"));
  }
  EXPECT_TRUE(before == after) << "journal records " << before.journal_records << " -> " << after.journal_records;
}

INSTANTIATE_TEST_SUITE_P(Events, BadRequestTest, ::testing::ValuesIn(BadRequests()),
                         [](const ::testing::TestParamInfo<BadRequest>& info) { return info.param.name; });

TEST_F(BadInputTest, ServerStaysHealthyAndTakesValidEventsAfterAllBadRequests) {
  for (const auto& request : BadRequests()) Send(request);

  auto client = server_->Client();
  HttpResponse health = Must(client.Get("/healthz"));
  HttpResponse accepted = Must(client.Post("/v2/enqueue", Event(kCheckoutKey, "trigger", Payload("still works"))));

  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(StringField(ParseJson(accepted.body), "dedup_key"), "bad-1");
  EXPECT_EQ(Must(client.Get("/readyz")).status, 200);
}

}  // namespace
