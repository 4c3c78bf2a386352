#include "cli/commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <sstream>

namespace cli {
namespace {

using ::testing::HasSubstr;

// Answers requests from a script and remembers what was asked.
class FakeTransport : public Transport {
 public:
  void Answer(int status, std::string body, std::string content_type = "application/json") {
    answers_.push_back(Response{status, std::move(content_type), std::move(body)});
  }
  void FailToConnect() { answers_.push_back(core::Unavailable("cannot connect to http://x: Connection refused")); }

  core::Result<Response> Send(const Request& request) override {
    requests_.push_back(request);
    if (answers_.empty()) return core::Unavailable("no scripted answer");
    auto answer = answers_.front();
    answers_.pop_front();
    return answer;
  }

  const std::vector<Request>& requests() const { return requests_; }

 private:
  std::deque<core::Result<Response>> answers_;
  std::vector<Request> requests_;
};

class CommandsTest : public ::testing::Test {
 protected:
  Console console() { return Console{out_, err_}; }

  FakeTransport transport_;
  std::ostringstream out_;
  std::ostringstream err_;
  const core::Timestamp now_ = *core::ParseRfc3339("2026-11-29T12:10:00Z");
};

constexpr const char* kIncident =
    R"({"id":7,"service":"checkout","group_key":"db-1-down","title":"db-1 is down","severity":"critical",)"
    R"("state":"triggered","opened_at":"2026-11-29T12:00:00Z","acknowledged_at":null,"resolved_at":null,)"
    R"("closed_at":null,"alert_count":1,"open_alert_count":1,"last_seq":2,"last_actor":"token:admin"})";

TEST_F(CommandsTest, ListPrintsATableWithAges) {
  transport_.Answer(200, std::string(R"({"incidents":[)") + kIncident + R"(],"next_before":null})");

  const int exit_code = ListIncidents(transport_, ListOptions{}, now_, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(out_.str(),
            "ID  STATE      SEVERITY  SERVICE   AGE  TITLE\n"
            "7   triggered  critical  checkout  10m  db-1 is down\n");
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/incidents?limit=50");
}

TEST_F(CommandsTest, ListPassesFiltersAsQueryParameters) {
  transport_.Answer(200, R"({"incidents":[],"next_before":null})");
  ListOptions options;
  options.states = {"triggered", "acknowledged"};
  options.service = "check out";
  options.severity = "critical";
  options.limit = 5;

  ASSERT_EQ(ListIncidents(transport_, options, now_, console()), kExitOk);

  EXPECT_EQ(transport_.requests().at(0).target,
            "/api/v1/incidents?limit=5&state=triggered,acknowledged&service=check%20out&severity=critical");
}

TEST_F(CommandsTest, ListAllFollowsNextBeforeUntilTheLastPage) {
  transport_.Answer(200, R"({"incidents":[{"id":9},{"id":8}],"next_before":8})");
  transport_.Answer(200, R"({"incidents":[{"id":5}],"next_before":null})");
  ListOptions options;
  options.all = true;
  options.json = true;

  const int exit_code = ListIncidents(transport_, options, now_, console());

  EXPECT_EQ(exit_code, kExitOk);
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(transport_.requests()[1].target, "/api/v1/incidents?limit=500&before=8");
  EXPECT_EQ(out_.str(), R"({"incidents":[{"id":9},{"id":8},{"id":5}],"next_before":null})"
                        "\n");
}

TEST_F(CommandsTest, ProblemDetailAndFieldGoToStderrWithExitOne) {
  transport_.Answer(400,
                    R"({"type":"urn:incidentd:problem:invalid","title":"Invalid request","status":400,)"
                    R"("detail":"payload.severity must be one of critical, error, warning, info",)"
                    R"("field":"/payload/severity"})",
                    "application/problem+json");
  EventOptions event;
  event.routing_key = "checkout-key";
  event.summary = "x";
  event.severity = "loud";

  const int exit_code = SendEvent(transport_, event, console());

  EXPECT_EQ(exit_code, kExitFailed);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(),
            "incidentctl: payload.severity must be one of critical, error, warning, info "
            "(field /payload/severity)\n");
}

TEST_F(CommandsTest, UnreachableServerExitsTwo) {
  transport_.FailToConnect();

  const int exit_code = AcknowledgeIncident(transport_, 7, console());

  EXPECT_EQ(exit_code, kExitUnreachable);
  EXPECT_THAT(err_.str(), HasSubstr("Connection refused"));
}

TEST_F(CommandsTest, NonJsonErrorShowsStatusAndBody) {
  transport_.Answer(502, "Bad Gateway\nmore", "text/plain");

  const int exit_code = ShowIncident(transport_, 7, false, now_, console());

  EXPECT_EQ(exit_code, kExitFailed);
  EXPECT_EQ(err_.str(), "incidentctl: the server answered HTTP 502: Bad Gateway\n");
}

TEST_F(CommandsTest, ResolveSendsTheNoteAndPrintsTheNewState) {
  transport_.Answer(200, R"({"id":7,"state":"resolved"})");

  const int exit_code = ResolveIncident(transport_, 7, std::string("rolled back"), console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).method, "POST");
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/incidents/7/resolve");
  EXPECT_EQ(transport_.requests().at(0).body, R"({"note":"rolled back"})");
  EXPECT_EQ(out_.str(), "incident 7: resolved\n");
}

TEST_F(CommandsTest, TimelinePrintsOneEntryPerLine) {
  transport_.Answer(200,
                    R"({"entries":[{"seq":2,"time":"2026-11-29T12:00:00Z","actor":"token:admin","kind":"opened",)"
                    R"("text":"db-1 is down"},{"seq":3,"time":"2026-11-29T12:01:00Z","actor":"token:admin",)"
                    R"("kind":"acknowledged","text":""}]})");

  const int exit_code = ShowTimeline(transport_, 7, false, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(out_.str(),
            "TIME                  ACTOR        KIND          TEXT\n"
            "2026-11-29T12:00:00Z  token:admin  opened        db-1 is down\n"
            "2026-11-29T12:01:00Z  token:admin  acknowledged\n");
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/incidents/7/timeline?after=0&limit=500");
}

TEST_F(CommandsTest, TriggerEventsDefaultSourceAndSeverity) {
  EventOptions event;
  event.routing_key = "checkout-key";
  event.summary = "db-1 is down";
  event.hostname = "web-3";
  event.custom_details = R"({"load":9})";

  auto body = BuildEvent(event);

  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, R"({"routing_key":"checkout-key","event_action":"trigger","payload":{"summary":"db-1 is down",)"
                   R"("source":"web-3","severity":"error","custom_details":{"load":9}}})");
}

TEST_F(CommandsTest, ResolveEventsCarryNoPayloadByDefault) {
  EventOptions event;
  event.routing_key = "checkout-key";
  event.action = "resolve";
  event.dedup_key = "db-1-down";
  event.hostname = "web-3";

  auto body = BuildEvent(event);

  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, R"({"routing_key":"checkout-key","event_action":"resolve","dedup_key":"db-1-down"})");
}

TEST_F(CommandsTest, SendEventPrintsTheDedupKey) {
  transport_.Answer(202, R"({"status":"success","message":"Event processed","dedup_key":"abc-123"})");
  EventOptions event;
  event.routing_key = "checkout-key";
  event.summary = "x";

  const int exit_code = SendEvent(transport_, event, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(out_.str(), "abc-123\n");
}

TEST_F(CommandsTest, BadCustomDetailsIsAUsageErrorAndSendsNothing) {
  EventOptions event;
  event.routing_key = "checkout-key";
  event.custom_details = "{not json";

  const int exit_code = SendEvent(transport_, event, console());

  EXPECT_EQ(exit_code, kExitUsage);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(CommandsTest, JournalVerifyReportsOkWithHead) {
  transport_.Answer(200, R"({"ok":true,"records":12,"head_seq":12,"head_hash":"ab12"})");

  const int exit_code = VerifyJournalOnline(transport_, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(out_.str(), "OK: 12 records, head seq 12 hash ab12\n");
}

TEST_F(CommandsTest, JournalVerifyReportsBrokenWithExitOne) {
  transport_.Answer(200, R"({"ok":false,"records":16,"error":"record 17: content does not match its hash"})");

  const int exit_code = VerifyJournalOnline(transport_, console());

  EXPECT_EQ(exit_code, kExitFailed);
  EXPECT_EQ(out_.str(), "BROKEN: record 17: content does not match its hash (16 records verified before it)\n");
}

}  // namespace
}  // namespace cli
