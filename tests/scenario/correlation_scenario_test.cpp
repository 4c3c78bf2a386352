// Topology collapse with a fake clock: a host and the services on it become one incident whatever the order the
// alerts arrive in, with one notification, and a restart in the middle changes nothing anyone can see.
#include <gtest/gtest.h>

#include "scenario_harness.h"

namespace scenario {
namespace {

using ingest::Action;

constexpr int kServices = 20;

incident::Config Services() {
  std::vector<incident::ServiceConfig> services;
  incident::ServiceConfig hosts;
  hosts.name = "hosts";
  hosts.routing_keys = {"hosts-key"};
  hosts.group_by = {"source"};
  services.push_back(hosts);
  for (int i = 0; i < kServices; ++i) {
    incident::ServiceConfig s;
    s.name = "svc-" + std::to_string(i);
    s.routing_keys = {s.name + "-key"};
    services.push_back(s);
  }
  return incident::Config(services);
}

correlate::TopologyConfig Topology() {
  correlate::TopologyConfig t;
  t.window = 5min;
  t.segments.push_back({"rack-a"});
  t.hosts.push_back({"db-1", "rack-a", {"db-1.example.com"}});
  for (int i = 0; i < kServices; ++i) t.services.push_back({"svc-" + std::to_string(i), {"db-1"}, {}});
  correlate::TopologyConfig::FailureRule rule;
  rule.name = "host-down";
  rule.kind = correlate::NodeKind::kHost;
  rule.matchers.push_back(core::Matcher::Parse("class=\"host_down\"").value());
  rule.node_label = "source";
  t.failures.push_back(std::move(rule));
  return t;
}

engine::Outcome HostDown(Harness& h, Action action = Action::kTrigger) {
  ingest::Event e;
  e.routing_key = "hosts-key";
  e.action = action;
  e.dedup_key = "db-1-down";
  e.summary = "db-1 is not answering";
  e.source = "db-1";
  e.event_class = "host_down";
  e.severity = ingest::Severity::kCritical;
  return h.Run(engine::Command{"token:monitor", engine::SubmitEvent{e}});
}

engine::Outcome ServiceAlert(Harness& h, int i, Action action = Action::kTrigger) {
  ingest::Event e;
  e.routing_key = "svc-" + std::to_string(i) + "-key";
  e.action = action;
  e.dedup_key = "svc-" + std::to_string(i) + "-errors";
  e.summary = "svc-" + std::to_string(i) + " cannot reach its database";
  e.source = "db-1.example.com";  // an alias of the host
  e.event_class = "errors";
  return h.Run(engine::Command{"token:monitor", engine::SubmitEvent{e}});
}

// What anyone can observe: every incident row, every alert row with its explanation, the journal's record types.
std::string Observable(Harness& h) {
  std::string out;
  for (const auto& inc : h.Incidents()) {
    out += std::to_string(inc.id) + " " + inc.state + " alerts=" + std::to_string(inc.alert_count) + "/" +
           std::to_string(inc.open_alert_count) + " merged_into=" + std::to_string(inc.merged_into) +
           " notifications=" + std::to_string(inc.notifications) + "\n";
    for (const auto& a : h.Alerts(inc.id)) out += "  " + a.dedup_key + " " + a.status + " " + a.explanation + "\n";
  }
  for (const auto& t : h.JournalTypes()) out += t + "\n";
  return out;
}

// Host first, then its 20 services within 30 s (one every 1.45 s); `restart_after` services in, the process restarts.
std::string HostFirst(int restart_after) {
  Harness h(Services(), Topology());
  EXPECT_EQ(HostDown(h).incident_id, 1u);
  for (int i = 0; i < kServices; ++i) {
    if (i == restart_after) h.Reopen();
    h.Advance(1450ms);
    EXPECT_EQ(ServiceAlert(h, i).incident_id, 1u) << "service " << i;
  }
  h.Advance(30s);
  h.Advance(10min);
  return Observable(h);
}

TEST(CorrelationScenarioTest, AHostDownAndItsTwentyServicesAreOneIncidentWithOneNotification) {
  Harness h(Services(), Topology());
  HostDown(h);
  for (int i = 0; i < kServices; ++i) {
    h.Advance(1450ms);  // the last one 29 s after the host: within group_wait (30 s)
    ServiceAlert(h, i);
  }
  h.Advance(30s);  // past group_wait of the host's incident
  h.Advance(10min);

  auto open = h.Incidents({"triggered"});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].alert_count, 21u);
  EXPECT_EQ(open[0].open_alert_count, 21u);
  EXPECT_EQ(open[0].notifications, 1u);
  EXPECT_EQ(h.Count("notification.requested"), 1u);
  EXPECT_EQ(h.Count("incident.opened"), 1u);
  // The tenth service arrived 14.5 s after the host failed.
  auto alerts = h.Alerts(1);
  ASSERT_EQ(alerts.size(), 21u);
  EXPECT_EQ(alerts[0].explanation, "opened incident 1 (group source=db-1)");
  EXPECT_EQ(alerts[10].dedup_key, "svc-9-errors");
  EXPECT_EQ(alerts[10].explanation,
            "joined incident 1 as a symptom: host db-1 down (rule host-dependency), 14 s after the parent");
  auto timeline = h.TimelineKinds(1);
  EXPECT_EQ(std::count(timeline.begin(), timeline.end(), "symptom"), kServices);
}

TEST(CorrelationScenarioTest, ServicesFirstThenTheirHostTenSecondsLaterMergeIntoOneIncident) {
  Harness h(Services(), Topology());
  for (int i = 0; i < kServices; ++i) {
    EXPECT_EQ(ServiceAlert(h, i).incident_id, static_cast<uint64_t>(i + 1));
    h.Advance(250ms);
  }
  h.Advance(5s);  // 10 s after the first service alert
  uint64_t host_incident = HostDown(h).incident_id;
  EXPECT_EQ(host_incident, static_cast<uint64_t>(kServices + 1));
  h.Advance(1min);
  h.Advance(10min);

  auto open = h.Incidents({"triggered"});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, host_incident);
  EXPECT_EQ(open[0].open_alert_count, 21u);
  EXPECT_EQ(h.Count("incident.merged"), static_cast<size_t>(kServices));
  EXPECT_EQ(h.Count("notification.requested"), 1u);  // the merged ones never spoke: their group_wait had not passed
  auto first = h.Incident(1);
  EXPECT_EQ(first.state, "resolved");
  EXPECT_EQ(first.merged_into, host_incident);
  EXPECT_EQ(first.notifications, 0u);
  auto alerts = h.Alerts(host_incident);
  ASSERT_EQ(alerts.size(), 21u);
  EXPECT_NE(alerts[0].explanation.find("as a symptom: host db-1 down (rule host-dependency), 10 s before the parent"),
            std::string::npos)
      << alerts[0].explanation;
}

TEST(CorrelationScenarioTest, ARestartInTheMiddleChangesNothingObservable) {
  std::string straight = HostFirst(-1);
  EXPECT_EQ(HostFirst(7), straight);
  EXPECT_EQ(HostFirst(0), straight);
}

TEST(CorrelationScenarioTest, AMergedIncidentThatHadPagedIsToldItWasMerged) {
  Harness h(Services(), Topology());
  ServiceAlert(h, 0);
  h.Advance(31s);  // svc-0's incident notified
  EXPECT_EQ(h.Incident(1).notifications, 1u);
  HostDown(h);
  auto kinds = h.TimelineKinds(1);
  EXPECT_EQ(kinds.back(), "notification");  // "merged into incident 2"
  EXPECT_EQ(h.Incident(1).merged_into, 2u);
  EXPECT_EQ(h.Incident(1).notifications, 2u);
}

TEST(CorrelationScenarioTest, ADependentOutsideTheWindowIsNotMerged) {
  Harness h(Services(), Topology());
  ServiceAlert(h, 0);
  h.Advance(6min);  // longer than the 5 min window
  HostDown(h);
  EXPECT_EQ(h.Incident(1).state, "triggered");
  EXPECT_EQ(h.Incident(1).merged_into, 0u);
  EXPECT_EQ(h.Count("incident.merged"), 0u);
}

TEST(CorrelationScenarioTest, ANewDistinctSymptomNotifiesAfterTheFirstNotification) {
  Harness h(Services(), Topology());
  HostDown(h);
  h.Advance(31s);
  EXPECT_EQ(h.Incident(1).notifications, 1u);
  ServiceAlert(h, 3);  // a service not seen in the incident before: speaks, at the next group_interval
  ServiceAlert(h, 3, Action::kTrigger);  // the same again: nothing new
  h.Advance(5min);
  EXPECT_EQ(h.Incident(1).notifications, 2u);
  auto kinds = h.TimelineKinds(1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "notification"), 2);
}

TEST(CorrelationScenarioTest, ResolvingTheIncidentPeopleWereToldAboutNotifiesResolved) {
  Harness h(Services(), Topology());
  HostDown(h);
  ServiceAlert(h, 1);
  h.Advance(31s);
  HostDown(h, Action::kResolve);
  ServiceAlert(h, 1, Action::kResolve);
  EXPECT_EQ(h.Incident(1).state, "resolved");
  EXPECT_EQ(h.Incident(1).notifications, 2u);  // triggered, resolved
}

TEST(CorrelationScenarioTest, AnIncidentResolvedWithinGroupWaitNeverNotifies) {
  Harness h(Services(), Topology());
  ServiceAlert(h, 1);
  h.Advance(10s);
  ServiceAlert(h, 1, Action::kResolve);
  h.Advance(1min);
  EXPECT_EQ(h.Count("notification.requested"), 0u);
}

incident::Config GroupedHosts() {
  incident::ServiceConfig hosts;
  hosts.name = "hosts";
  hosts.routing_keys = {"hosts-key"};
  hosts.group_by = {"source"};
  hosts.group_window = 10min;
  hosts.new_symptom_severity = ingest::Severity::kCritical;
  return incident::Config({hosts});
}

engine::Outcome HostEvent(Harness& h, const std::string& key, const std::string& klass) {
  ingest::Event e;
  e.routing_key = "hosts-key";
  e.dedup_key = key;
  e.summary = klass + " on host-1";
  e.source = "host-1";
  e.event_class = klass;
  e.severity = ingest::Severity::kWarning;
  return h.Run(engine::Command{"token:monitor", engine::SubmitEvent{e}});
}

TEST(CorrelationScenarioTest, AGroupThatWentQuietForItsWindowOpensANewIncident) {
  Harness h(GroupedHosts(), {});
  EXPECT_EQ(HostEvent(h, "k1", "disk").incident_id, 1u);
  h.Advance(5min);
  EXPECT_EQ(HostEvent(h, "k2", "disk").incident_id, 1u);  // 5 min after the last one: same incident
  h.Advance(9min);
  EXPECT_EQ(HostEvent(h, "k3", "disk").incident_id, 1u);  // the window rolls with every alert
  h.Advance(11min);
  EXPECT_EQ(HostEvent(h, "k4", "disk").incident_id, 2u);  // quiet for 11 min: a new incident
  EXPECT_EQ(h.Incident(1).state, "triggered");             // the old one stays open until its alerts resolve
  EXPECT_EQ(HostEvent(h, "k5", "disk").incident_id, 2u);
}

TEST(CorrelationScenarioTest, ANewDistinctSymptomRaisesTheSeverityWhenConfigured) {
  Harness h(GroupedHosts(), {});
  HostEvent(h, "k1", "disk");
  HostEvent(h, "k2", "disk");
  EXPECT_EQ(h.Incident(1).severity, "warning");  // the same kind again: nothing new
  HostEvent(h, "k3", "memory");
  EXPECT_EQ(h.Incident(1).severity, "critical");
  auto kinds = h.TimelineKinds(1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "severity_raised"), 1);
}

TEST(CorrelationScenarioTest, AFlappingAlertSpeaksOnceWhenItStartsAndOnceWhenItStops) {
  Harness h;
  auto cycle = [&] {
    h.Event("checkout-key", Action::kTrigger, "flappy");
    h.Advance(45s);  // past group_wait: a notification unless damped
    h.Event("checkout-key", Action::kResolve, "flappy");
    h.Advance(15s);
  };
  for (int i = 0; i < 3; ++i) cycle();  // six samples, every one a change
  EXPECT_EQ(h.Count("alert.flapping"), 1u);
  size_t before = h.Count("notification.requested");
  for (int i = 0; i < 10; ++i) cycle();  // flapping: ten more incidents, not one notification
  EXPECT_EQ(h.Count("notification.requested"), before);
  EXPECT_EQ(h.Count("incident.opened"), 13u);
  // It settles: triggered and re-sent while firing until the change rate drops below the low threshold.
  for (int i = 0; i < 30 && h.Count("alert.flapping") < 2; ++i) {
    h.Event("checkout-key", Action::kTrigger, "flappy");
    h.Advance(1min);
  }
  EXPECT_EQ(h.Count("alert.flapping"), 2u);  // stopped
  EXPECT_EQ(h.Count("notification.requested"), before + 1);  // "stopped flapping", on the incident now firing
  auto settled = h.TimelineKinds(14);  // the incident the settling alert opened
  EXPECT_NE(std::find(settled.begin(), settled.end(), "flapping"), settled.end());
  EXPECT_EQ(h.Incident(14).notifications, 1u);
}

TEST(CorrelationScenarioTest, AScheduleWithNobodyOnCallIsAnAlertUntilTheGapIsFilled) {
  Harness h;
  auto report = [&](bool gap) {
    engine::ReportCoverage r{"primary", "checkout", gap, h.now() + 2h, h.now() + 10h};
    return h.Run(engine::Command{"system:oncall", r});
  };
  EXPECT_TRUE(report(true).status.ok());
  EXPECT_TRUE(report(true).status.ok());  // checked again a minute later: still one alert, nothing new written
  auto open = h.Incidents({"triggered"});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].title, "On-call schedule 'primary' has nobody on call");
  EXPECT_EQ(h.Count("alert.triggered"), 1u);
  EXPECT_TRUE(report(false).status.ok());  // someone took the shift
  EXPECT_EQ(h.Incident(open[0].id).state, "resolved");
  engine::ReportCoverage unknown{"primary", "no-such-service", true, h.now(), h.now() + 1h};
  EXPECT_EQ(h.Run(engine::Command{"system:oncall", unknown}).status.error().code, core::ErrorCode::kInvalid);
}

// The flapping story above with a restart after `restart_after` cycles: what it journals must not change.
std::vector<std::string> FlappingStory(int restart_after) {
  Harness h;
  for (int i = 0; i < 16; ++i) {
    if (i == restart_after) h.Reopen();
    h.Event("checkout-key", Action::kTrigger, "flappy");
    h.Advance(45s);
    h.Event("checkout-key", Action::kResolve, "flappy");
    h.Advance(15s);
  }
  for (int i = 0; i < 30; ++i) {
    if (i == 5 && restart_after >= 16) h.Reopen();
    h.Event("checkout-key", Action::kTrigger, "flappy");
    h.Advance(1min);
  }
  return h.JournalTypes();
}

TEST(CorrelationScenarioTest, ARestartWhileAnAlertFlapsChangesNothingObservable) {
  auto straight = FlappingStory(-1);
  ASSERT_EQ(std::count(straight.begin(), straight.end(), "alert.flapping"), 2);
  EXPECT_EQ(FlappingStory(2), straight);  // before the verdict
  EXPECT_EQ(FlappingStory(8), straight);  // while flapping
  EXPECT_EQ(FlappingStory(16), straight); // while it settles
}

}  // namespace
}  // namespace scenario
