// Maintenance windows and the topology through the real server: an open window holds expected in-scope alerts out of
// incidents (stored as suppressed, listed under the window), pages at once for unexpected ones, and hands what it
// still holds to incidents when it ends; bad windows are refused naming the field; incidentctl drives it all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include <csignal>

#include <map>

#include <boost/json/serialize.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "core/time.h"
#include "support/api.h"
#include "support/server_process.h"

namespace {

namespace json = boost::json;

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using test_support::AllIncidents;
using test_support::HasLineWith;
using test_support::HttpResponse;
using test_support::kCheckoutKey;
using test_support::kViewerToken;
using test_support::Must;
using test_support::NumberField;
using test_support::ParseJson;
using test_support::StringField;

constexpr const char* kUnknownWindowId = "0b6c3f6e-3c1a-4b8e-9d7f-2a1e5c4d3b2a";

// A small topology: checkout runs on db-1 in rack-a; a host_down event names the host that is down.
constexpr const char* kTopologyYaml =
    "topology:\n"
    "  window: 5m\n"
    "  segments: [rack-a]\n"
    "  hosts:\n"
    "    - {name: db-1, segment: rack-a, aliases: [db-1.example.com]}\n"
    "  services:\n"
    "    - {name: checkout, hosts: [db-1]}\n"
    "  failures:\n"
    "    - rule: host-down-event\n"
    "      kind: host\n"
    "      matchers: ['class=\"host_down\"']\n"
    "      node_label: source\n";

core::Timestamp Now() {
  return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
}

// `t` as a local wall-clock time in UTC, "2026-12-06T02:00:00".
std::string UtcWallClock(core::Timestamp t) { return core::FormatRfc3339(t).substr(0, 19); }

// A window on checkout that expects the event class deploy_restart, open from a minute ago for an hour.
json::object OpenWindow() {
  return json::object{{"name", "db upgrade"},
                      {"owner", "dba-oncall"},
                      {"time_zone", "UTC"},
                      {"start", UtcWallClock(Now() - std::chrono::minutes(1))},
                      {"duration", "1h"},
                      {"scope", json::object{{"services", json::array{"checkout"}}}},
                      {"expect", json::object{{"alertnames", json::array{"deploy_restart"}}}}};
}

// A checkout trigger with a payload class (what scope and expectations look at besides the service).
std::string ClassEvent(std::string_view dedup_key, std::string_view event_class) {
  json::object payload{{"summary", std::string(event_class) + " on web-1"},
                       {"source", "web-1"},
                       {"severity", "warning"},
                       {"class", event_class}};
  return json::serialize(json::object{{"routing_key", kCheckoutKey},
                                      {"event_action", "trigger"},
                                      {"dedup_key", dedup_key},
                                      {"payload", std::move(payload)}});
}

// The objects of an array member (an incident's "alerts", a window's "suppressed", the list's "windows").
std::vector<json::object> Items(const json::value& object, std::string_view key) {
  std::vector<json::object> out;
  const auto* list = object.is_object() ? object.as_object().if_contains(key) : nullptr;
  if (list == nullptr || !list->is_array()) {
    ADD_FAILURE() << "no " << key << " array in " << json::serialize(object);
    return out;
  }
  for (const auto& alert : list->as_array()) out.push_back(alert.as_object());
  return out;
}

class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = server_.Client();
  }

  HttpResponse Create(const json::object& window) {
    return Must(client_.Post("/api/v1/maintenance", json::serialize(window)));
  }

  // The id of a window created from `window`, "" (and a test failure) when refused.
  std::string MustCreate(const json::object& window) {
    HttpResponse response = Create(window);
    EXPECT_EQ(response.status, 201) << response.body;
    return StringField(ParseJson(response.body), "id");
  }

  void Trigger(std::string_view dedup_key, std::string_view event_class) {
    HttpResponse response = Must(client_.Post("/v2/enqueue", ClassEvent(dedup_key, event_class)));
    ASSERT_EQ(response.status, 202) << response.body;
  }

  json::value Get(const std::string& target) {
    HttpResponse response = Must(client_.Get(target));
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    return ParseJson(response.body);
  }

  json::value Window(const std::string& id) { return Get("/api/v1/maintenance/" + id); }

  test_support::ServerProcess server_{kTopologyYaml};
  test_support::HttpClient client_{0};
};

TEST_F(MaintenanceTest, APrometheusAlertAWindowHoldsIsListedAsInhibitedByTheWindow) {
  json::object window = OpenWindow();
  window["scope"] = json::object{{"services", json::array{"prometheus"}}};
  window["expect"] = json::object{{"alertnames", json::array{"NodeRebooting"}}};
  const std::string id = MustCreate(window);

  HttpResponse posted = Must(client_.Post(
      "/api/v2/alerts", R"([{"labels":{"alertname":"NodeRebooting","instance":"web-7:9100"}},
                            {"labels":{"alertname":"DiskFull","instance":"web-7:9100"}}])"));
  ASSERT_EQ(posted.status, 200) << posted.body;

  json::value alerts = Get("/api/v2/alerts");
  ASSERT_TRUE(alerts.is_array());
  ASSERT_EQ(alerts.as_array().size(), 2u);
  std::map<std::string, json::object> by_name;
  for (const auto& a : alerts.as_array()) {
    by_name[std::string(a.at("labels").at("alertname").as_string())] = a.as_object();
  }
  const json::object& held = by_name["NodeRebooting"];
  EXPECT_EQ(held.at("status").at("state"), "suppressed");
  ASSERT_EQ(held.at("status").at("inhibitedBy").as_array().size(), 1u);
  EXPECT_EQ(held.at("status").at("inhibitedBy").as_array()[0], json::value("maintenance:" + id));
  EXPECT_EQ(by_name["DiskFull"].at("status").at("state"), "active");  // in scope, not expected: it pages
  EXPECT_EQ(Get("/api/v2/alerts?inhibited=false").as_array().size(), 1u);
}

TEST_F(MaintenanceTest, CreateAnswers201WithTheWindowOpenNow) {
  HttpResponse response = Create(OpenWindow());

  ASSERT_EQ(response.status, 201) << response.body;
  const json::value window = ParseJson(response.body);
  EXPECT_FALSE(StringField(window, "id").empty());
  EXPECT_EQ(StringField(window, "state"), "open");
  EXPECT_EQ(StringField(window, "name"), "db upgrade");
  EXPECT_EQ(StringField(window, "created_by"), "token:admin");
  EXPECT_EQ(StringField(window, "duration"), "1h");
  EXPECT_EQ(response.Header("Location"), "/api/v1/maintenance/" + StringField(window, "id"));
  const auto listed = Get("/api/v1/maintenance");
  ASSERT_THAT(Items(listed, "windows"), SizeIs(1));
  EXPECT_EQ(StringField(Items(listed, "windows")[0], "id"), StringField(window, "id"));
}

TEST_F(MaintenanceTest, ExpectedAlertInScopeOpensNoIncidentAndIsListedAsSuppressed) {
  const std::string id = MustCreate(OpenWindow());

  Trigger("restart-1", "deploy_restart");

  EXPECT_THAT(AllIncidents(client_), IsEmpty());
  const auto suppressed = Items(Window(id), "suppressed");
  ASSERT_THAT(suppressed, SizeIs(1));
  EXPECT_EQ(StringField(suppressed[0], "dedup_key"), "restart-1");
  EXPECT_EQ(StringField(suppressed[0], "status"), "suppressed");
  EXPECT_EQ(StringField(suppressed[0], "suppressed_by"), id);
}

TEST_F(MaintenanceTest, UnexpectedAlertInScopeOpensAnIncidentAtOnceMarkedAsDuringMaintenance) {
  const std::string id = MustCreate(OpenWindow());

  Trigger("disk-1", "disk_full");

  const auto incidents = AllIncidents(client_);
  ASSERT_THAT(incidents, SizeIs(1));
  const auto alerts = Items(Get("/api/v1/incidents/" + std::to_string(NumberField(incidents[0], "id"))), "alerts");
  ASSERT_THAT(alerts, SizeIs(1));
  EXPECT_THAT(StringField(alerts[0], "correlation"), HasSubstr("during maintenance window 'db upgrade', not expected"));
  EXPECT_THAT(Items(Window(id), "suppressed"), IsEmpty());
}

TEST_F(MaintenanceTest, EndingTheWindowMovesStillFiringSuppressedAlertsIntoAnIncident) {
  const std::string id = MustCreate(OpenWindow());
  Trigger("restart-1", "deploy_restart");

  HttpResponse ended = Must(client_.Post("/api/v1/maintenance/" + id + "/end", ""));

  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(StringField(ParseJson(ended.body), "state"), "ended");
  const auto incidents = AllIncidents(client_);
  ASSERT_THAT(incidents, SizeIs(1));
  const uint64_t incident_id = NumberField(incidents[0], "id");
  const auto alerts = Items(Get("/api/v1/incidents/" + std::to_string(incident_id)), "alerts");
  ASSERT_THAT(alerts, SizeIs(1));
  EXPECT_EQ(StringField(alerts[0], "dedup_key"), "restart-1");
  EXPECT_THAT(StringField(alerts[0], "correlation"), HasSubstr("after suppression"));
  // The window still lists what it held, now in the incident.
  const auto suppressed = Items(Window(id), "suppressed");
  ASSERT_THAT(suppressed, SizeIs(1));
  EXPECT_EQ(NumberField(suppressed[0], "incident_id"), incident_id);
}

TEST_F(MaintenanceTest, ExtendByMovesTheOpenOccurrencesEnd) {
  const json::value created = ParseJson(Create(OpenWindow()).body);
  const std::string id = StringField(created, "id");
  const auto end = core::ParseRfc3339(StringField(created.at("occurrence"), "end"));
  ASSERT_TRUE(end.ok());

  HttpResponse response = Must(client_.Post("/api/v1/maintenance/" + id + "/extend", R"({"by":"30m"})"));

  ASSERT_EQ(response.status, 200) << response.body;
  const json::value extended = ParseJson(response.body);
  EXPECT_EQ(StringField(extended.at("occurrence"), "end"), core::FormatRfc3339(*end + std::chrono::minutes(30)));
}

TEST_F(MaintenanceTest, ExtendingPastMaxLengthIsAConflict) {
  const std::string id = MustCreate(OpenWindow());
  const std::string until = core::FormatRfc3339(Now() + std::chrono::hours(13));

  HttpResponse response =
      Must(client_.Post("/api/v1/maintenance/" + id + "/extend", json::serialize(json::object{{"until", until}})));

  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_THAT(response.body, HasSubstr("maximum length"));
}

TEST_F(MaintenanceTest, ExtendingAWindowThatIsNotOpenIsAConflict) {
  json::object tomorrow = OpenWindow();
  tomorrow["start"] = UtcWallClock(Now() + std::chrono::hours(24));
  const std::string id = MustCreate(tomorrow);

  HttpResponse response = Must(client_.Post("/api/v1/maintenance/" + id + "/extend", R"({"by":"30m"})"));

  EXPECT_EQ(response.status, 409) << response.body;
  EXPECT_THAT(response.body, HasSubstr("not open"));
  EXPECT_EQ(StringField(Window(id), "state"), "scheduled");
}

TEST_F(MaintenanceTest, ExtendNeedsExactlyOneOfUntilAndBy) {
  const std::string id = MustCreate(OpenWindow());
  const std::string target = "/api/v1/maintenance/" + id + "/extend";

  HttpResponse both = Must(client_.Post(target, R"({"by":"30m","until":"2030-01-01T00:00:00Z"})"));
  HttpResponse neither = Must(client_.Post(target, "{}"));
  HttpResponse bad_by = Must(client_.Post(target, R"({"by":"soon"})"));

  EXPECT_EQ(both.status, 400) << both.body;
  EXPECT_EQ(StringField(ParseJson(both.body), "field"), "/by");
  EXPECT_EQ(neither.status, 400) << neither.body;
  EXPECT_EQ(StringField(ParseJson(neither.body), "field"), "/until");
  EXPECT_EQ(bad_by.status, 400) << bad_by.body;
  EXPECT_EQ(StringField(ParseJson(bad_by.body), "field"), "/by");
}

TEST_F(MaintenanceTest, CancelEndsTheOpenOccurrenceAndEveryLaterOne) {
  json::object weekly = OpenWindow();
  weekly["rrule"] = "FREQ=DAILY";
  const std::string id = MustCreate(weekly);

  HttpResponse response = Must(client_.Send("DELETE", "/api/v1/maintenance/" + id, ""));

  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(StringField(ParseJson(response.body), "state"), "ended");
  EXPECT_EQ(StringField(Window(id), "state"), "ended");
}

TEST_F(MaintenanceTest, BadWindowsAreRefusedNamingTheFieldAndNothingIsWritten) {
  json::object unknown_zone = OpenWindow();
  unknown_zone["time_zone"] = "Mars/Olympus_Mons";
  json::object no_scope = OpenWindow();
  no_scope.erase("scope");
  json::object unknown_key = OpenWindow();
  unknown_key["colour"] = "red";
  json::object wrong_type = OpenWindow();
  wrong_type["duration"] = 3600;

  HttpResponse zone = Create(unknown_zone);
  HttpResponse scope = Create(no_scope);
  HttpResponse key = Create(unknown_key);
  HttpResponse type = Create(wrong_type);
  HttpResponse not_json = Must(client_.Post("/api/v1/maintenance", "{\"name\": "));

  EXPECT_EQ(zone.status, 400) << zone.body;
  EXPECT_EQ(zone.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(StringField(ParseJson(zone.body), "field"), "/time_zone");
  EXPECT_EQ(scope.status, 400) << scope.body;
  EXPECT_EQ(StringField(ParseJson(scope.body), "field"), "/scope");
  EXPECT_EQ(key.status, 400) << key.body;
  EXPECT_EQ(StringField(ParseJson(key.body), "field"), "/colour");
  EXPECT_EQ(type.status, 400) << type.body;
  EXPECT_EQ(StringField(ParseJson(type.body), "field"), "/duration");
  EXPECT_EQ(not_json.status, 400) << not_json.body;
  EXPECT_THAT(Items(Get("/api/v1/maintenance"), "windows"), IsEmpty());
}

TEST_F(MaintenanceTest, UnknownWindowIsNotFound) {
  const std::string target = std::string("/api/v1/maintenance/") + kUnknownWindowId;

  HttpResponse get = Must(client_.Get(target));
  HttpResponse extend = Must(client_.Post(target + "/extend", R"({"by":"30m"})"));
  HttpResponse end = Must(client_.Post(target + "/end", ""));
  HttpResponse cancel = Must(client_.Send("DELETE", target, ""));

  EXPECT_EQ(get.status, 404) << get.body;
  EXPECT_EQ(extend.status, 404) << extend.body;
  EXPECT_EQ(end.status, 404) << end.body;
  EXPECT_EQ(cancel.status, 404) << cancel.body;
}

TEST_F(MaintenanceTest, ViewerMayReadWindowsButNotCreateThem) {
  test_support::HttpClient viewer = server_.Client(kViewerToken);

  HttpResponse created = Must(viewer.Post("/api/v1/maintenance", json::serialize(OpenWindow())));
  HttpResponse listed = Must(viewer.Get("/api/v1/maintenance"));

  EXPECT_EQ(created.status, 403) << created.body;
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_THAT(Items(Get("/api/v1/maintenance"), "windows"), IsEmpty());
}

TEST_F(MaintenanceTest, TopologyIsTheConfiguredOne) {
  const json::value topology = Get("/api/v1/topology");

  EXPECT_EQ(StringField(topology, "window"), "5m");
  EXPECT_EQ(json::serialize(topology.at("segments")), R"([{"name":"rack-a"}])");
  EXPECT_EQ(json::serialize(topology.at("hosts")),
            R"([{"name":"db-1","segment":"rack-a","aliases":["db-1.example.com"]}])");
  EXPECT_EQ(json::serialize(topology.at("services")), R"([{"name":"checkout","hosts":["db-1"],"depends_on":[]}])");
  EXPECT_EQ(json::serialize(topology.at("failures")),
            R"([{"rule":"host-down-event","kind":"host","matchers":["class=\"host_down\""],"node_label":"source"}])");
}

// The host list of the topology in force, polled until it is `want` (a reload is asynchronous to the signal).
std::string HostsOnceReloaded(test_support::HttpClient& client, const std::string& want) {
  std::string hosts;
  for (int i = 0; i < 200; ++i) {
    HttpResponse response = Must(client.Get("/api/v1/topology"));
    hosts = json::serialize(ParseJson(response.body).at("hosts"));
    if (hosts == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return hosts;
}

TEST_F(MaintenanceTest, SighupReloadsTheTopologyAndJournalsItAndABrokenFileChangesNothing) {
  std::string config = test_support::ReadFile(server_.config_path().string());
  auto replace_all = [](std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
    return text;
  };
  test_support::WriteFile(server_.config_path().string(), replace_all(config, "db-1", "db-2"));
  ASSERT_TRUE(server_.Signal(SIGHUP));

  const std::string db2 = R"([{"name":"db-2","segment":"rack-a","aliases":["db-2.example.com"]}])";
  EXPECT_EQ(HostsOnceReloaded(client_, db2), db2);
  auto journal = Get("/api/v1/journal/verify");
  EXPECT_GE(NumberField(journal, "records"), 2);  // the topology at start and the reloaded one

  // A file that does not validate is refused: the topology in force stays.
  test_support::WriteFile(server_.config_path().string(), replace_all(config, "segment: rack-a", "segment: nowhere"));
  ASSERT_TRUE(server_.Signal(SIGHUP));
  for (int i = 0; i < 200 && server_.ReadStderr().find("reload refused") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_NE(server_.ReadStderr().find("reload refused"), std::string::npos);
  EXPECT_EQ(HostsOnceReloaded(client_, db2), db2);
}

TEST_F(MaintenanceTest, IncidentctlCreatesShowsExtendsAndCancelsAWindow) {
  auto created = server_.Ctl({"maintenance", "create", "--name", "db upgrade", "--owner", "dba-oncall", "--start",
                              UtcWallClock(Now() - std::chrono::minutes(1)), "--duration", "1h", "--service",
                              "checkout", "--expect-alertname", "deploy_restart", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string id = StringField(ParseJson(created.out), "id");
  Trigger("restart-1", "deploy_restart");

  auto listed = server_.Ctl({"maintenance", "list"});
  auto shown = server_.Ctl({"maintenance", "show", id});
  auto extended = server_.Ctl({"maintenance", "extend", id, "--by", "30m"});
  auto cancelled = server_.Ctl({"maintenance", "cancel", id});
  auto topology = server_.Ctl({"topology", "show"});

  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(HasLineWith(listed.out, {id, "open", "db upgrade", "dba-oncall"})) << listed.out;
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_TRUE(HasLineWith(shown.out, {"expect:", "alertnames deploy_restart"})) << shown.out;
  EXPECT_TRUE(HasLineWith(shown.out, {"suppressed", "checkout", "restart-1"})) << shown.out;
  EXPECT_EQ(extended.exit_code, 0) << extended.err;
  EXPECT_THAT(extended.out, HasSubstr("open until"));
  EXPECT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_THAT(cancelled.out, HasSubstr("cancelled"));
  EXPECT_EQ(topology.exit_code, 0) << topology.err;
  EXPECT_TRUE(HasLineWith(topology.out, {"checkout", "db-1"})) << topology.out;
}

TEST_F(MaintenanceTest, IncidentctlNamesTheOptionOfARefusedField) {
  auto refused = server_.Ctl({"maintenance", "create", "--name", "x", "--owner", "o", "--start", "2026-12-06T02:00",
                              "--duration", "2h", "--time-zone", "Mars/Olympus_Mons", "--service", "checkout"});

  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("(field /time_zone, set by --time-zone)"));
}

}  // namespace
