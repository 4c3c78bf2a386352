// An incident's life through the real server: events open it, incidentctl lists, acknowledges, resolves and shows
// its timeline; dedup keys and group_by decide which incident an alert joins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "support/api.h"
#include "support/server_process.h"

namespace {

using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;
using test_support::AllIncidents;
using test_support::HasLineWith;
using test_support::HttpResponse;
using test_support::kCheckoutKey;
using test_support::kGroupedKey;
using test_support::Must;
using test_support::NumberField;
using test_support::ParseJson;
using test_support::StringField;

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = server_.Client();
  }

  HttpResponse PostEvent(const std::string& body) { return Must(client_.Post("/v2/enqueue", body)); }

  void Trigger(const std::string& dedup_key, const std::string& summary, const std::string& routing_key = kCheckoutKey,
               const std::string& source = "host-1") {
    HttpResponse response = PostEvent(test_support::TriggerEvent(routing_key, dedup_key, summary, source));
    ASSERT_EQ(response.status, 202) << response.body;
  }

  // The one incident the server has; a test failure when there is not exactly one.
  uint64_t OnlyIncidentId() {
    auto incidents = AllIncidents(client_);
    EXPECT_EQ(incidents.size(), 1u);
    return incidents.empty() ? 0 : NumberField(incidents.front(), "id");
  }

  std::vector<std::string> TimelineKinds(uint64_t incident_id) {
    std::vector<std::string> kinds;
    for (const auto& entry : test_support::TimelineOf(client_, incident_id)) kinds.push_back(StringField(entry, "kind"));
    return kinds;
  }

  boost::json::value GetIncident(uint64_t id) {
    HttpResponse response = Must(client_.Get("/api/v1/incidents/" + std::to_string(id)));
    EXPECT_EQ(response.status, 200) << response.body;
    return ParseJson(response.body);
  }

  test_support::ServerProcess server_;
  test_support::HttpClient client_{0};
};

TEST_F(LifecycleTest, TriggerEventOpensAnIncidentThatIncidentctlLists) {
  HttpResponse response =
      PostEvent(test_support::TriggerEvent(kCheckoutKey, "db-1-down", "db-1 is down", "db-1", "critical"));

  auto listed = server_.Ctl({"incidents", "list"});

  EXPECT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(StringField(ParseJson(response.body), "dedup_key"), "db-1-down");
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, StartsWith("ID"));
  EXPECT_TRUE(HasLineWith(listed.out, {"triggered", "critical", "checkout", "db-1 is down"})) << listed.out;
}

TEST_F(LifecycleTest, TriggerWithoutDedupKeyIsGivenOneInTheAnswer) {
  HttpResponse response = PostEvent(
      R"({"routing_key":"checkout-key","event_action":"trigger",)"
      R"("payload":{"summary":"no key","source":"host-1","severity":"warning"}})");

  const std::string dedup_key = StringField(ParseJson(response.body), "dedup_key");

  EXPECT_EQ(response.status, 202) << response.body;
  EXPECT_FALSE(dedup_key.empty());
  EXPECT_EQ(AllIncidents(client_).size(), 1u);
}

TEST_F(LifecycleTest, IncidentctlActionsShowInTheTimelineAsTheAdminToken) {
  Trigger("db-1-down", "db-1 is down");
  const std::string id = std::to_string(OnlyIncidentId());

  auto acked = server_.Ctl({"incidents", "ack", id});
  auto noted = server_.Ctl({"incidents", "note", id, "looking at the replica"});
  auto resolved = server_.Ctl({"incidents", "resolve", id, "--note", "rolled back"});
  auto timeline = server_.Ctl({"incidents", "timeline", id});
  auto shown = server_.Ctl({"incidents", "show", id, "--json"});

  EXPECT_EQ(acked.exit_code, 0) << acked.err;
  EXPECT_THAT(acked.out, HasSubstr("acknowledged"));
  EXPECT_EQ(noted.exit_code, 0) << noted.err;
  EXPECT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_THAT(resolved.out, HasSubstr("resolved"));
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_TRUE(HasLineWith(timeline.out, {"token:admin", "acknowledged"})) << timeline.out;
  EXPECT_TRUE(HasLineWith(timeline.out, {"token:admin", "note", "looking at the replica"})) << timeline.out;
  EXPECT_TRUE(HasLineWith(timeline.out, {"token:admin", "resolved"})) << timeline.out;
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const auto incident = ParseJson(shown.out);
  EXPECT_EQ(StringField(incident, "state"), "resolved");
  EXPECT_EQ(StringField(incident, "last_actor"), "token:admin");
}

TEST_F(LifecycleTest, TimelineRecordsTransitionsInJournalOrder) {
  Trigger("db-1-down", "db-1 is down");
  const uint64_t id = OnlyIncidentId();

  ASSERT_EQ(server_.Ctl({"incidents", "ack", std::to_string(id)}).exit_code, 0);
  ASSERT_EQ(server_.Ctl({"incidents", "resolve", std::to_string(id), "--note", "rolled back"}).exit_code, 0);
  const auto kinds = TimelineKinds(id);

  ASSERT_FALSE(kinds.empty());
  EXPECT_EQ(kinds.front(), "opened");
  const auto acked = std::find(kinds.begin(), kinds.end(), "acknowledged");
  const auto resolved = std::find(kinds.begin(), kinds.end(), "resolved");
  EXPECT_NE(acked, kinds.end());
  EXPECT_NE(resolved, kinds.end());
  EXPECT_LT(acked, resolved);
}

TEST_F(LifecycleTest, AcknowledgingAResolvedIncidentIsAConflict) {
  Trigger("db-1-down", "db-1 is down");
  const std::string id = std::to_string(OnlyIncidentId());
  ASSERT_EQ(server_.Ctl({"incidents", "resolve", id}).exit_code, 0);

  auto acked = server_.Ctl({"incidents", "ack", id});

  EXPECT_EQ(acked.exit_code, 1);
  EXPECT_THAT(acked.err, StartsWith("incidentctl: "));
}

TEST_F(LifecycleTest, RetriggerWithTheSameDedupKeyJoinsTheOpenIncident) {
  Trigger("db-1-down", "db-1 is down");

  Trigger("db-1-down", "db-1 is still down");

  const uint64_t id = OnlyIncidentId();
  EXPECT_THAT(TimelineKinds(id), IsSupersetOf({"opened", "alert_retriggered"}));
  const auto incident = GetIncident(id);
  const auto& alerts = incident.as_object().at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(NumberField(alerts[0], "event_count"), 2u);
}

TEST_F(LifecycleTest, TriggerAfterResolveOpensANewIncident) {
  Trigger("db-1-down", "db-1 is down");
  const uint64_t first = OnlyIncidentId();
  ASSERT_EQ(PostEvent(test_support::FollowUpEvent(kCheckoutKey, "resolve", "db-1-down")).status, 202);
  ASSERT_EQ(StringField(GetIncident(first), "state"), "resolved");

  Trigger("db-1-down", "db-1 is down again");

  const auto incidents = AllIncidents(client_);
  ASSERT_EQ(incidents.size(), 2u);
  EXPECT_NE(NumberField(incidents[0], "id"), first);
  EXPECT_EQ(StringField(incidents[0], "state"), "triggered");
  EXPECT_EQ(NumberField(incidents[1], "id"), first);
  EXPECT_EQ(StringField(incidents[1], "state"), "resolved");
}

TEST_F(LifecycleTest, AcknowledgeAndResolveOfAnUnknownKeyAreAcceptedAndOpenNothing) {
  const auto before = ParseJson(Must(client_.Get("/api/v1/journal/verify")).body);

  HttpResponse acked = PostEvent(test_support::FollowUpEvent(kCheckoutKey, "acknowledge", "never-seen"));
  HttpResponse resolved = PostEvent(test_support::FollowUpEvent(kCheckoutKey, "resolve", "never-seen"));

  EXPECT_EQ(acked.status, 202) << acked.body;
  EXPECT_EQ(resolved.status, 202) << resolved.body;
  EXPECT_TRUE(AllIncidents(client_).empty());
  const auto after = ParseJson(Must(client_.Get("/api/v1/journal/verify")).body);
  EXPECT_GT(NumberField(after, "records"), NumberField(before, "records")) << "the drops are journaled";
}

TEST_F(LifecycleTest, AlertsFromOneSourceJoinOneIncidentOnAGroupedService) {
  Trigger("disk-full", "disk full on db-7", kGroupedKey, "db-7");
  Trigger("cpu-high", "cpu high on db-7", kGroupedKey, "db-7");

  Trigger("disk-full-8", "disk full on db-8", kGroupedKey, "db-8");

  const auto incidents = AllIncidents(client_, "service=grouped");
  ASSERT_EQ(incidents.size(), 2u);
  std::vector<uint64_t> alert_counts;
  for (const auto& incident : incidents) alert_counts.push_back(NumberField(incident, "alert_count"));
  EXPECT_THAT(alert_counts, UnorderedElementsAre(1u, 2u));
  const auto& joined = NumberField(incidents[0], "alert_count") == 2 ? incidents[0] : incidents[1];
  const auto detail = GetIncident(NumberField(joined, "id"));
  std::vector<std::string> dedup_keys;
  for (const auto& alert : detail.as_object().at("alerts").as_array()) dedup_keys.push_back(StringField(alert, "dedup_key"));
  EXPECT_THAT(dedup_keys, UnorderedElementsAre("disk-full", "cpu-high"));
}

TEST_F(LifecycleTest, EventsSentWithIncidentctlOpenIncidents) {
  auto sent = server_.Ctl({"events", "send", "--routing-key", kCheckoutKey, "--dedup-key", "cli-1", "--summary",
                           "sent from the cli", "--severity", "warning", "--custom-details", R"({"region":"eu"})"});

  const auto incidents = AllIncidents(client_);

  EXPECT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_EQ(sent.out, "cli-1\n");
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(StringField(incidents[0], "title"), "sent from the cli");
  EXPECT_EQ(StringField(incidents[0], "severity"), "warning");
}

TEST_F(LifecycleTest, IncidentctlReportsTheProblemDetailOnBadEvents) {
  auto sent = server_.Ctl({"events", "send", "--routing-key", "no-such-key", "--summary", "x"});

  EXPECT_EQ(sent.exit_code, 1);
  EXPECT_THAT(sent.err, HasSubstr("incidentctl: "));
  EXPECT_THAT(sent.err, HasSubstr("routing_key"));
}

TEST_F(LifecycleTest, IncidentctlExitsTwoWhenTheServerIsGone) {
  ASSERT_EQ(server_.Stop(), 0);

  auto listed = test_support::RunCtl({"--server", server_.url(), "incidents", "list"});

  EXPECT_EQ(listed.exit_code, 2);
  EXPECT_THAT(listed.err, HasSubstr("cannot connect"));
}

}  // namespace
