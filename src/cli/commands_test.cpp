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

constexpr const char* kOpenWindow =
    R"({"id":"5f0e","name":"db upgrade","owner":"dba-oncall","created_by":"token:admin","time_zone":"Europe/Berlin",)"
    R"("start":"2026-11-29T13:00","duration":"2h","rrule":"","max_length":"12h","remind_before":"15m",)"
    R"("cancel_pending":true,)"
    R"("scope":{"services":["checkout"],"hosts":[],"matchers":[]},)"
    R"("expect":{"services":[],"alertnames":["DbRestart"],"severities":["warning"]},"state":"open",)"
    R"("occurrence":{"start":"2026-11-29T12:00:00Z","end":"2026-11-29T14:00:00Z"},)"
    R"("can_extend_until":"2026-11-30T00:00:00Z")";

TEST_F(CommandsTest, CreateWindowSendsOnlyTheGivenFields) {
  WindowOptions options;
  options.name = "db upgrade";
  options.owner = "dba-oncall";
  options.start = "2026-12-06T02:00";
  options.duration = "2h";
  options.time_zone = "Europe/Berlin";
  options.rrule = "FREQ=WEEKLY;BYDAY=SU";
  options.services = {"checkout", "search"};
  options.matchers = {R"(team="db")"};
  options.expect_alertnames = {"DbRestart"};
  options.expect_severities = {"warning"};
  options.keep_pending = true;

  const std::string body = BuildWindow(options);

  EXPECT_EQ(body, R"({"name":"db upgrade","owner":"dba-oncall","time_zone":"Europe/Berlin",)"
                  R"("start":"2026-12-06T02:00","duration":"2h","rrule":"FREQ=WEEKLY;BYDAY=SU",)"
                  R"("scope":{"services":["checkout","search"],"matchers":["team=\"db\""]},)"
                  R"("expect":{"alertnames":["DbRestart"],"severities":["warning"]},"cancel_pending":false})");
}

TEST_F(CommandsTest, CreateWindowPostsAndPrintsTheIdAndWhereItStands) {
  transport_.Answer(201, std::string(kOpenWindow) + "}");
  WindowOptions options;
  options.name = "db upgrade";
  options.services = {"checkout"};

  const int exit_code = CreateWindow(transport_, options, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).method, "POST");
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/maintenance");
  EXPECT_EQ(out_.str(), "created maintenance window 5f0e (db upgrade): open until 2026-11-29T14:00:00Z\n");
}

TEST_F(CommandsTest, CreateWindowRefusalNamesTheOptionAtFault) {
  transport_.Answer(400,
                    R"({"type":"urn:incidentd:problem:invalid","title":"Invalid request","status":400,)"
                    R"("detail":"unknown time zone 'Mars/Olympus'","field":"/time_zone"})",
                    "application/problem+json");

  const int exit_code = CreateWindow(transport_, WindowOptions{}, console());

  EXPECT_EQ(exit_code, kExitFailed);
  EXPECT_EQ(err_.str(), "incidentctl: unknown time zone 'Mars/Olympus' (field /time_zone, set by --time-zone)\n");
}

TEST_F(CommandsTest, WindowOptionMapsNestedFieldsToTheRepeatableOption) {
  EXPECT_EQ(WindowOption("/scope/matchers/2"), "--matcher");
  EXPECT_EQ(WindowOption("/scope"), "--service, --host or --matcher");
  EXPECT_EQ(WindowOption("/expect/severities/0"), "--expect-severity");
  EXPECT_EQ(WindowOption("/remind_before"), "--remind-before");
  EXPECT_EQ(WindowOption("/starts"), "");
}

TEST_F(CommandsTest, ListWindowsPrintsATable) {
  transport_.Answer(200, std::string(R"({"windows":[)") + kOpenWindow +
                             R"(},{"id":"77aa","name":"old","owner":"ops","state":"ended","occurrence":null}]})");

  const int exit_code = ListWindows(transport_, false, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/maintenance");
  EXPECT_EQ(out_.str(),
            "ID    STATE  FROM                  UNTIL                 NAME        OWNER\n"
            "5f0e  open   2026-11-29T12:00:00Z  2026-11-29T14:00:00Z  db upgrade  dba-oncall\n"
            "77aa  ended  -                     -                     old         ops\n");
}

TEST_F(CommandsTest, ShowWindowPrintsScopeExpectationsAndSuppressedAlerts) {
  transport_.Answer(200, std::string(kOpenWindow) +
                             R"(,"suppressed":[{"id":12,"service":"checkout","dedup_key":"db-restart",)"
                             R"("incident_id":null,"status":"suppressed","severity":"warning",)"
                             R"("summary":"db restarting"}]})");

  const int exit_code = ShowWindow(transport_, "5f0e", false, now_, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/maintenance/5f0e");
  EXPECT_THAT(out_.str(), HasSubstr("occurrence:     2026-11-29T12:00:00Z to 2026-11-29T14:00:00Z (ends in 1h)\n"));
  EXPECT_THAT(out_.str(), HasSubstr("schedule:       2026-11-29T13:00 Europe/Berlin for 2h, once\n"));
  EXPECT_THAT(out_.str(), HasSubstr("max length:     12h (may be extended until 2026-11-30T00:00:00Z)\n"));
  EXPECT_THAT(out_.str(), HasSubstr("on opening:     cancels its services' pending notifications\n"));
  EXPECT_THAT(out_.str(), HasSubstr("scope:          services checkout\n"));
  EXPECT_THAT(out_.str(), HasSubstr("expect:         alertnames DbRestart; severities warning\n"));
  EXPECT_THAT(out_.str(), HasSubstr("12     suppressed  warning   checkout  -         db-restart  db restarting\n"));
}

TEST_F(CommandsTest, ExtendByADurationPostsBy) {
  transport_.Answer(200, std::string(kOpenWindow) + "}");

  const int exit_code = ExtendWindow(transport_, "5f0e", "", "30m", console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/maintenance/5f0e/extend");
  EXPECT_EQ(transport_.requests().at(0).body, R"({"by":"30m"})");
  EXPECT_EQ(out_.str(), "maintenance window 5f0e (db upgrade): open until 2026-11-29T14:00:00Z\n");
}

TEST_F(CommandsTest, ExtendNeedsExactlyOneOfUntilAndBy) {
  const int exit_code = ExtendWindow(transport_, "5f0e", "2026-11-29T15:00:00Z", "30m", console());

  EXPECT_EQ(exit_code, kExitUsage);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(CommandsTest, ExtendingAWindowThatIsNotOpenReportsTheConflict) {
  transport_.Answer(409,
                    R"({"type":"urn:incidentd:problem:conflict","title":"Conflict","status":409,)"
                    R"("detail":"maintenance window 5f0e is not open"})",
                    "application/problem+json");

  const int exit_code = ExtendWindow(transport_, "5f0e", "2026-11-29T15:00:00Z", "", console());

  EXPECT_EQ(exit_code, kExitFailed);
  EXPECT_EQ(err_.str(), "incidentctl: maintenance window 5f0e is not open\n");
}

TEST_F(CommandsTest, EndPostsAndCancelDeletes) {
  transport_.Answer(200, R"({"id":"5f0e","name":"db upgrade","state":"scheduled",)"
                         R"("occurrence":{"start":"2026-12-06T12:00:00Z","end":"2026-12-06T14:00:00Z"}})");
  transport_.Answer(200, R"({"id":"5f0e","name":"db upgrade","state":"ended","occurrence":null})");

  const int ended = EndWindow(transport_, "5f0e", false, console());
  const int cancelled = EndWindow(transport_, "5f0e", true, console());

  EXPECT_EQ(ended, kExitOk);
  EXPECT_EQ(cancelled, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).method, "POST");
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/maintenance/5f0e/end");
  EXPECT_EQ(transport_.requests().at(1).method, "DELETE");
  EXPECT_EQ(transport_.requests().at(1).target, "/api/v1/maintenance/5f0e");
  EXPECT_EQ(out_.str(),
            "maintenance window 5f0e (db upgrade): scheduled from 2026-12-06T12:00:00Z until 2026-12-06T14:00:00Z\n"
            "maintenance window 5f0e (db upgrade): cancelled\n");
}

TEST_F(CommandsTest, OverrideAddPostsTheOverrideAndRemoveDeletesIt) {
  transport_.Answer(201, R"({"id":3,"schedule":"primary","kind":"replace","user":"bob"})");
  transport_.Answer(204, "");
  OverrideOptions o;
  o.schedule = "primary";
  o.start = "2026-12-24T08:00:00Z";
  o.end = "2026-12-25T08:00:00Z";
  o.user = "bob";
  o.replaces = "alice";
  o.reason = "swap";

  const int added = AddOverride(transport_, o, console());
  const int removed = RemoveOverride(transport_, "primary", 3, console());

  EXPECT_EQ(added, kExitOk);
  EXPECT_EQ(removed, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).method, "POST");
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/schedules/primary/overrides");
  EXPECT_EQ(transport_.requests().at(0).body,
            R"({"start":"2026-12-24T08:00:00Z","end":"2026-12-25T08:00:00Z","kind":"replace","user":"bob",)"
            R"("replaced_user":"alice","reason":"swap"})");
  EXPECT_EQ(transport_.requests().at(1).method, "DELETE");
  EXPECT_EQ(transport_.requests().at(1).target, "/api/v1/schedules/primary/overrides/3");
  EXPECT_EQ(out_.str(),
            "override 3 on schedule primary: replace bob for alice from 2026-12-24T08:00:00Z to "
            "2026-12-25T08:00:00Z\n"
            "override 3 removed from schedule primary\n");
}

TEST_F(CommandsTest, EscalatePostsTheReasonAndPrintsWhoWasPaged) {
  transport_.Answer(200, R"({"escalation":{"step":2,"round":1,"paged":["alice","bob"]},"deliveries":[]})");

  const int exit_code = Escalate(transport_, 7, "no answer", console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/incidents/7/escalate");
  EXPECT_EQ(transport_.requests().at(0).body, R"({"reason":"no answer"})");
  EXPECT_EQ(out_.str(), "incident 7 escalated: step 2 round 1, paged alice, bob\n");
}

TEST_F(CommandsTest, WhoamiPrintsNameRoleActorAndTeams) {
  transport_.Answer(200, R"({"name":"alice","role":"commander","actor":"user:alice","teams":["dba","web"]})");

  const int exit_code = Whoami(transport_, false, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/whoami");
  EXPECT_EQ(out_.str(),
            "name:   alice\n"
            "role:   commander\n"
            "actor:  user:alice\n"
            "teams:  dba, web\n");
}

TEST_F(CommandsTest, TopologyShowPrintsHostsServicesAndRules) {
  transport_.Answer(200, R"({"window":"5m","join_while_failing":true,"host_labels":["host","instance"],)"
                         R"("segments":[{"name":"rack-a"}],)"
                         R"("hosts":[{"name":"db-1","segment":"rack-a","aliases":["db-1.example.com"]}],)"
                         R"("services":[{"name":"checkout","hosts":["db-1"],"depends_on":[]}],)"
                         R"("failures":[{"rule":"host-down","kind":"host","matchers":["alertname=\"HostDown\""],)"
                         R"("node_label":"instance"}]})");

  const int exit_code = ShowTopology(transport_, false, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/topology");
  EXPECT_EQ(out_.str(),
            "window:              5m\n"
            "join while failing:  true\n"
            "host labels:         host, instance\n"
            "segments:            rack-a\n"
            "\n"
            "HOST  SEGMENT  ALIASES\n"
            "db-1  rack-a   db-1.example.com\n"
            "\n"
            "SERVICE   HOSTS  DEPENDS ON\n"
            "checkout  db-1   -\n"
            "\n"
            "FAILURE RULE  KIND  NODE LABEL  MATCHERS\n"
            "host-down     host  instance    alertname=\"HostDown\"\n");
}

TEST_F(CommandsTest, ExportPrintsTheMarkdownBundleAsTheServerSentIt) {
  transport_.Answer(200, "# Incident 7: db-1 is down\n", "text/markdown; charset=utf-8");

  const int exit_code = ExportIncident(transport_, 7, "markdown", "", console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(out_.str(), "# Incident 7: db-1 is down\n");
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/incidents/7/bundle?format=markdown");
}

TEST_F(CommandsTest, ExportOfAnUnknownIncidentReportsTheProblem) {
  transport_.Answer(404, R"({"type":"urn:incidentd:problem:not_found","status":404,"detail":"no incident 9"})",
                    "application/problem+json");

  const int exit_code = ExportIncident(transport_, 9, "json", "", console());

  EXPECT_EQ(exit_code, kExitFailed);
  EXPECT_EQ(out_.str(), "");
  EXPECT_THAT(err_.str(), HasSubstr("no incident 9"));
}

TEST_F(CommandsTest, RecordHashPrintsTheHashAndItsPredecessor) {
  transport_.Answer(200, R"({"seq":12,"hash":"ab12","prev":"cd34","time":"2026-11-29T12:00:00Z"})");

  const int exit_code = ShowRecordHash(transport_, 12, console());

  EXPECT_EQ(exit_code, kExitOk);
  EXPECT_EQ(out_.str(), "record 12 hash ab12 (previous cd34)\n");
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/journal/records/12/hash");
}

TEST_F(CommandsTest, RequestPoolPrintsThePositionAndTheExpectedResponse) {
  transport_.Answer(200, R"({"incident_id":2,"pools":[{"incident_id":2,"pool":"dba","state":"waiting",)"
                         R"("priority":"P1","business_unit":"payments","expectation_seconds":900,"position":1,)"
                         R"("respond_by":"2026-11-29T12:15:00Z","expected_response_seconds":840,"breached":false}]})");

  ASSERT_EQ(RequestPool(transport_, 2, "dba", "replica lag", console()), kExitOk);

  EXPECT_EQ(out_.str(),
            "incident 2 waits for pool dba at position 1 (P1); expected response within 14m (by "
            "2026-11-29T12:15:00Z, payments expects 15m)\n");
  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/incidents/2/pools");
  EXPECT_EQ(transport_.requests().at(0).body, R"({"pool":"dba","note":"replica lag"})");
}

TEST_F(CommandsTest, YieldPoolSendsFromToAndReason) {
  transport_.Answer(200, R"({"pool":"dba","holders":[],"queue":[]})");

  ASSERT_EQ(YieldPool(transport_, "dba", 1, 2, "payments first", console()), kExitOk);

  EXPECT_EQ(transport_.requests().at(0).target, "/api/v1/pools/dba/yield");
  EXPECT_EQ(transport_.requests().at(0).body, R"({"from":1,"to":2,"reason":"payments first"})");
  EXPECT_EQ(out_.str(), "incident 1 yielded pool dba to incident 2\n");
}

}  // namespace
}  // namespace cli
