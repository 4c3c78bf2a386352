// Maintenance windows with a fake clock: recurring windows across DST, what is suppressed and what still pages,
// replay at the end, and restarts in the middle.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "domain/correlate/maintenance.h"
#include "scenario_harness.h"

namespace scenario {
namespace {

using ingest::Action;

incident::Config Services() {
  incident::ServiceConfig web;
  web.name = "web";
  web.routing_keys = {"web-key"};
  incident::ServiceConfig db;
  db.name = "db";
  db.routing_keys = {"db-key"};
  return incident::Config({web, db});
}

core::Timestamp Utc(const char* text) { return core::ParseRfc3339(text).value(); }

correlate::Window MakeWindow(const std::string& json) {
  auto w = correlate::ParseWindow(boost::json::parse(json), "w1", "token:alice");
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
  return w.ok() ? w.value() : correlate::Window{};
}

engine::Outcome Alert(Harness& h, const std::string& service, const std::string& key, const std::string& klass,
                      Action action = Action::kTrigger, ingest::Severity severity = ingest::Severity::kWarning) {
  ingest::Event e;
  e.routing_key = service + "-key";
  e.action = action;
  e.dedup_key = key;
  e.summary = key + " on " + service;
  e.source = "web-1";
  e.event_class = klass;
  e.severity = severity;
  return h.Run(engine::Command{"token:monitor", engine::SubmitEvent{e}});
}

bool Open(Harness& h) {
  bool open = false;
  h.engine().ProcessForTest({});  // nothing: reads need no command
  open = h.Count("window.opened") > h.Count("window.closed");
  return open;
}

// A web-tier deploy: every Sunday 02:00-04:00 Berlin time, expecting latency and 5xx alerts of service web.
const char* kSundayDeploy = R"({"name": "sunday deploy", "owner": "alice", "time_zone": "Europe/Berlin",
  "start": "2026-03-01T02:00", "duration": "2h", "rrule": "FREQ=WEEKLY;BYDAY=SU",
  "scope": {"services": ["web"]}, "expect": {"alertnames": ["latency", "http_5xx"]}})";

TEST(MaintenanceScenarioTest, ASundayWindowInBerlinFollowsTheWallClockAcrossBothDstChanges) {
  Harness h(Services(), {});
  h.At(Utc("2026-03-01T00:00:00Z"));
  ASSERT_TRUE(h.Run({"token:alice", engine::SaveWindow{MakeWindow(kSundayDeploy)}}).status.ok());

  // A normal Sunday: 02:00-04:00 CET = 01:00Z-03:00Z.
  h.At(Utc("2026-03-22T00:59:59Z"));
  EXPECT_FALSE(Open(h));
  h.At(Utc("2026-03-22T01:00:00Z"));
  EXPECT_TRUE(Open(h));
  h.At(Utc("2026-03-22T03:00:00Z"));
  EXPECT_FALSE(Open(h));
  // Spring forward (2026-03-29): 02:00 does not exist, the window runs 03:00-04:00 CEST = 01:00Z-02:00Z.
  h.At(Utc("2026-03-29T00:59:00Z"));
  EXPECT_FALSE(Open(h));
  h.At(Utc("2026-03-29T01:00:00Z"));
  EXPECT_TRUE(Open(h));
  EXPECT_TRUE(Alert(h, "web", "lat-1", "latency").incident_id == 0);  // suppressed
  h.At(Utc("2026-03-29T01:59:59Z"));
  EXPECT_TRUE(Open(h));
  h.At(Utc("2026-03-29T02:00:00Z"));
  EXPECT_FALSE(Open(h));
  Alert(h, "web", "lat-1", "latency", Action::kResolve);
  // Fall back (2026-10-25): 02:00 CEST (00:00Z) to 04:00 CET (03:00Z), three hours.
  h.At(Utc("2026-10-24T23:59:00Z"));
  EXPECT_FALSE(Open(h));
  h.At(Utc("2026-10-25T00:00:00Z"));
  EXPECT_TRUE(Open(h));
  h.At(Utc("2026-10-25T02:59:00Z"));
  EXPECT_TRUE(Open(h));
  h.At(Utc("2026-10-25T03:00:00Z"));
  EXPECT_FALSE(Open(h));
  // The next Sunday is back to CET: 01:00Z-03:00Z.
  h.At(Utc("2026-11-01T01:00:00Z"));
  EXPECT_TRUE(Open(h));
}

// The window of the remaining tests: open now for an hour.
const char* kDeployNow = R"({"name": "web deploy", "owner": "alice", "start": "2026-06-07T10:00", "duration": "1h",
  "remind_before": "10m", "scope": {"services": ["web"]}, "expect": {"alertnames": ["latency"],
  "severities": ["warning", "info"]}})";

// Window 10:00-11:00Z. Before it an incident is open (and was notified); inside it, one alert starts and is still
// firing at the end, one starts and resolves inside, the old incident resolves, and an unexpected critical alert
// arrives. `restart_at` (0..4) restarts the process at that step; -1 never.
std::string WindowDay(int restart_at) {
  Harness h(Services(), {});
  auto step = [&](int n) {
    if (n == restart_at) h.Reopen();
  };
  h.At(Utc("2026-06-07T09:00:00Z"));
  uint64_t before = Alert(h, "web", "old-problem", "latency").incident_id;
  EXPECT_EQ(before, 1u);
  h.At(Utc("2026-06-07T09:01:00Z"));  // notified (group_wait 30 s)
  EXPECT_EQ(h.Incident(before).notifications, 1u);
  EXPECT_TRUE(h.Run({"token:alice", engine::SaveWindow{MakeWindow(kDeployNow)}}).status.ok());
  step(0);
  h.At(Utc("2026-06-07T10:00:00Z"));
  step(1);
  EXPECT_EQ(Alert(h, "web", "lat-stays", "latency").incident_id, 0u);
  EXPECT_EQ(Alert(h, "web", "lat-brief", "latency").incident_id, 0u);
  h.At(Utc("2026-06-07T10:10:00Z"));
  step(2);
  Alert(h, "web", "lat-brief", "latency", Action::kResolve);
  Alert(h, "web", "old-problem", "latency", Action::kResolve);  // the incident from before resolves inside
  // Unexpected: critical data corruption during a web deploy pages at once.
  auto corrupt = Alert(h, "web", "corruption", "data_corruption", Action::kTrigger, ingest::Severity::kCritical);
  EXPECT_NE(corrupt.incident_id, 0u);
  EXPECT_EQ(h.Incident(corrupt.incident_id).notifications, 1u);
  step(3);
  h.At(Utc("2026-06-07T10:50:00Z"));  // reminder to the owner
  h.At(Utc("2026-06-07T11:00:00Z"));  // the end: replay
  step(4);
  h.At(Utc("2026-06-07T11:01:00Z"));  // past group_wait of what the replay opened
  std::string out;
  for (const auto& inc : h.Incidents()) {
    out += std::to_string(inc.id) + " " + inc.title + " " + inc.state + " notifications=" +
           std::to_string(inc.notifications) + "\n";
    for (const auto& a : h.Alerts(inc.id)) out += "  " + a.dedup_key + ": " + a.explanation + "\n";
  }
  for (const auto& t : h.JournalTypes()) out += t + "\n";
  return out;
}

TEST(MaintenanceScenarioTest, WhatStartsInsideAndStillFiresPagesAtTheEndAndNothingElseIsLost) {
  std::string day = WindowDay(-1);
  // The incident from before the window: notified, then its resolve inside the window is delivered.
  EXPECT_NE(day.find("1 old-problem on web resolved notifications=2"), std::string::npos) << day;
  // The unexpected alert paged at once and says why.
  EXPECT_NE(day.find("corruption: opened incident 2 (group corruption); during maintenance window 'web deploy', "
                     "not expected"),
            std::string::npos)
      << day;
  // Still firing at the end: an incident after the window, notified once.
  EXPECT_NE(day.find("3 Still firing after maintenance window 'web deploy' (w1) triggered notifications=1"),
            std::string::npos)
      << day;
  EXPECT_NE(day.find("lat-stays: joined incident 3 after suppression: maintenance window 'web deploy' ended"),
            std::string::npos)
      << day;
  // Resolved inside: never in an incident, never paged.
  EXPECT_EQ(day.find("lat-brief on web"), std::string::npos) << day;
  EXPECT_EQ(day.find("4 "), std::string::npos) << day;
}

TEST(MaintenanceScenarioTest, TheOwnerIsRemindedAndGetsOneSummary) {
  Harness h(Services(), {});
  h.At(Utc("2026-06-07T09:59:00Z"));
  h.Run({"token:alice", engine::SaveWindow{MakeWindow(kDeployNow)}});
  h.At(Utc("2026-06-07T10:00:00Z"));
  for (int i = 0; i < 50; ++i) Alert(h, "web", "lat-" + std::to_string(i), "latency");
  h.At(Utc("2026-06-07T10:50:00Z"));
  EXPECT_EQ(h.Count("window.reminded"), 1u);
  h.At(Utc("2026-06-07T11:00:00Z"));
  EXPECT_EQ(h.Count("alert.linked"), 50u);
  EXPECT_EQ(h.Count("notification.requested"), 2u);  // the reminder and the owner's summary
  h.At(Utc("2026-06-07T11:01:00Z"));
  // The fifty still firing went into one incident (the service groups by dedup key otherwise): one announcement.
  auto open = h.Incidents({"triggered"});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].open_alert_count, 50u);
  EXPECT_EQ(open[0].title, "Still firing after maintenance window 'web deploy' (w1)");
  EXPECT_EQ(h.Count("notification.requested"), 3u);
}

TEST(MaintenanceScenarioTest, ExtendingPastTheMaximumIsRefusedAndEndingEarlyReplaysAtOnce) {
  Harness h(Services(), {});
  h.At(Utc("2026-06-07T10:00:00Z"));
  auto w = MakeWindow(R"({"name": "db upgrade", "owner": "bob", "start": "2026-06-07T10:00", "duration": "1h",
    "max_length": "2h", "scope": {"services": ["db"]}})");
  h.Run({"token:bob", engine::SaveWindow{w}});
  EXPECT_EQ(Alert(h, "db", "replication-lag", "lag").incident_id, 0u);
  auto held = h.store().WindowAlerts("w1", 10);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ(held->at(0).suppressed_by, "w1");
  EXPECT_EQ(held->at(0).incident_id, 0u);
  auto too_long = h.Run({"token:bob", engine::ExtendWindow{"w1", Utc("2026-06-07T12:30:00Z")}});
  EXPECT_EQ(too_long.status.error().code, core::ErrorCode::kConflict);
  EXPECT_TRUE(h.Run({"token:bob", engine::ExtendWindow{"w1", Utc("2026-06-07T11:30:00Z")}}).status.ok());
  h.At(Utc("2026-06-07T11:10:00Z"));
  EXPECT_TRUE(Open(h));  // extended
  EXPECT_TRUE(h.Run({"token:bob", engine::EndWindow{"w1", false}}).status.ok());
  EXPECT_FALSE(Open(h));
  EXPECT_EQ(h.Incidents({"triggered"}).size(), 1u);  // the lag alert, still firing, entered an incident
  h.At(Utc("2026-06-07T11:20:00Z"));
  EXPECT_FALSE(Open(h));  // an occurrence ended early does not open again
}

TEST(MaintenanceScenarioTest, EnteringAWindowCancelsTheNotificationsItsServicesStillOwe) {
  Harness h(Services(), {});
  h.At(Utc("2026-06-07T09:59:50Z"));
  uint64_t web = Alert(h, "web", "early", "latency").incident_id;  // its first notification is due at 10:00:20
  uint64_t db = Alert(h, "db", "elsewhere", "lag").incident_id;     // not in the window's scope
  h.Run({"token:alice", engine::SaveWindow{MakeWindow(kDeployNow)}});
  h.At(Utc("2026-06-07T10:00:00Z"));
  h.At(Utc("2026-06-07T10:01:00Z"));
  EXPECT_EQ(h.Incident(web).notifications, 0u);
  EXPECT_EQ(h.Incident(db).notifications, 1u);
  EXPECT_EQ(h.Count("notification.cancelled"), 1u);
}

TEST(MaintenanceScenarioTest, ARestartAtAnyStepChangesNothingObservable) {
  std::string straight = WindowDay(-1);
  for (int step = 0; step <= 4; ++step) EXPECT_EQ(WindowDay(step), straight) << "restart at step " << step;
}

}  // namespace
}  // namespace scenario
