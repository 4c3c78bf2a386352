// Whole-engine scenarios over a real SQLite file: an incident's life as a responder sees it, clock moved by hand.
#include <gtest/gtest.h>

#include "scenario_harness.h"

namespace scenario {
namespace {

using ingest::Action;

TEST(LifecycleScenarioTest, AcknowledgementLapsesAfterThirtyMinutesThenResolveAndAutoClose) {
  Harness h;
  auto opened = h.Event("checkout-key", Action::kTrigger, "payment-errors");
  ASSERT_TRUE(h.Run({"token:alice", engine::AcknowledgeIncident{opened.incident_id}}).status.ok());

  h.Advance(29min);
  std::string at_29 = h.Incident(1).state;
  h.Advance(1min);
  std::string at_30 = h.Incident(1).state;
  ASSERT_TRUE(h.Run({"token:alice", engine::ResolveIncident{1, "rolled back"}}).status.ok());
  h.Advance(23h);
  std::string at_23h = h.Incident(1).state;
  h.Advance(1h);

  EXPECT_EQ(at_29, "acknowledged");
  EXPECT_EQ(at_30, "triggered");
  EXPECT_EQ(at_23h, "resolved");
  EXPECT_EQ(h.Incident(1).state, "closed");
  EXPECT_EQ(h.TimelineKinds(1), (std::vector<std::string>{"opened", "alert_triggered", "acknowledged",
                                                          "unacknowledged", "alert_resolved", "resolved", "closed"}));
  EXPECT_EQ(h.engine().stats().open_incidents.load(), 0u);
}

TEST(LifecycleScenarioTest, HostAlertsCollapseIntoOneIncidentUntilEveryAlertResolves) {
  Harness h;

  h.Event("hosts-key", Action::kTrigger, "cpu", "db-1", ingest::Severity::kWarning);
  h.Event("hosts-key", Action::kTrigger, "disk", "db-1", ingest::Severity::kCritical);
  h.Event("hosts-key", Action::kTrigger, "cpu-web", "web-1");
  h.Event("hosts-key", Action::kResolve, "cpu");
  std::string after_one = h.Incident(1).state;
  h.Event("hosts-key", Action::kResolve, "disk");

  EXPECT_EQ(after_one, "triggered");
  auto inc = h.Incident(1);
  EXPECT_EQ(inc.state, "resolved");
  EXPECT_EQ(inc.severity, "critical");
  EXPECT_EQ(inc.alert_count, 2u);
  EXPECT_EQ(inc.open_alert_count, 0u);
  EXPECT_EQ(h.Incident(2).state, "triggered");
}

TEST(LifecycleScenarioTest, ATimerDueWhileTheServerWasDownFiresOnceAfterRestart) {
  Harness h;
  h.Event("checkout-key", Action::kTrigger, "k");
  ASSERT_TRUE(h.Run({"token:alice", engine::AcknowledgeIncident{1}}).status.ok());

  h.Reopen();
  h.Advance(45min);
  h.Advance(1min);
  h.Reopen();
  h.Advance(1min);

  auto kinds = h.TimelineKinds(1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "unacknowledged"), 1);
  EXPECT_EQ(h.Incident(1).state, "triggered");
}

TEST(LifecycleScenarioTest, DedupFollowsPagerDutySemanticsAcrossARestart) {
  Harness h;
  h.Event("checkout-key", Action::kTrigger, "k");
  h.Event("checkout-key", Action::kTrigger, "k");
  h.Reopen();

  auto again = h.Event("checkout-key", Action::kTrigger, "k");
  h.Event("checkout-key", Action::kResolve, "k");
  auto dropped = h.Event("checkout-key", Action::kAcknowledge, "k");
  auto fresh = h.Event("checkout-key", Action::kTrigger, "k");

  EXPECT_EQ(again.incident_id, 1u);
  EXPECT_TRUE(dropped.dropped);
  EXPECT_EQ(fresh.incident_id, 2u);
  auto alerts = h.store().IncidentAlerts(1);
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].event_count, 3u);
  EXPECT_EQ((*alerts)[0].status, "resolved");
}

}  // namespace
}  // namespace scenario
