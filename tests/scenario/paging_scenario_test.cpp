// Paging with a fake clock: routing by time of day, escalation steps and acknowledgement, hand-offs across DST,
// restarts in the middle of an escalation, fire drills that pass or name the broken link, on-call overrides made at
// run time, and escalating by hand.
#include <gtest/gtest.h>

#include "app/outbox.h"
#include "channels/channel.h"
#include "domain/escalation/overrides.h"
#include "domain/escalation/paging.h"
#include "journal/record.h"
#include "scenario_harness.h"
#include "support/smtp_receiver.h"
#include "support/webhook_receiver.h"

namespace scenario {
namespace {

using ingest::Action;

core::Timestamp Utc(const char* text) { return core::ParseRfc3339(text).value(); }

incident::Config Services() {
  incident::ServiceConfig checkout;
  checkout.name = "checkout";
  checkout.routing_keys = {"checkout-key"};
  checkout.group_wait = 0s;  // page at once
  incident::ServiceConfig ops;
  ops.name = "ops";
  ops.routing_keys = {"ops-key"};
  ops.group_wait = 0s;
  return incident::Config({checkout, ops});
}

oncall::Schedule MakeSchedule(const std::string& name, oncall::Rotation r) {
  oncall::Definition d;
  d.name = name;
  d.time_zone = r.time_zone;
  d.layers.push_back(oncall::Layer{"base", {std::move(r)}});
  auto s = oncall::Schedule::Make(std::move(d));
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(s).value();
}

// Daily hand-offs at 02:30 local time between alice and bob: the hour that does not exist (spring) or happens
// twice (autumn) falls on one of them.
oncall::Schedule Daily(const std::string& zone, const std::string& start_local) {
  oncall::Rotation r;
  r.participants = {"alice", "bob"};
  r.frequency = oncall::Frequency::kDaily;
  r.start_local = start_local;
  r.time_zone = zone;
  return MakeSchedule("primary", r);
}

// Weekdays 09:00-17:00 Berlin only: nights and weekends are a gap.
oncall::Schedule OfficeHours() {
  oncall::Rotation r;
  r.participants = {"dave"};
  r.frequency = oncall::Frequency::kWeekly;
  r.start_local = "2026-01-05T09:00";
  r.time_zone = "Europe/Berlin";
  r.restrictions = {"Mon-Fri 09:00-17:00"};
  return MakeSchedule("office", r);
}

escalation::ConfigInput Paging(oncall::Schedule primary) {
  using namespace escalation;
  ConfigInput in;
  in.channels = {"hook", "mail"};
  in.known_services = {"checkout", "ops"};
  in.people = {Person{"alice", {Contact{"hook", "", {}}}}, Person{"bob", {Contact{"hook", "", {}}}},
               Person{"carol", {Contact{"hook", "", {}}, Contact{"mail", "carol@example.com", 2min}}},
               Person{"dave", {Contact{"hook", "", {}}}}, Person{"erin", {Contact{"mail", "erin@example.com", {}}}}};
  in.teams["dba"] = {"carol"};
  in.schedules = {std::move(primary), OfficeHours()};
  Policy night{"night", {}, 0, 5min};
  night.steps.push_back(Step{{}, {Target{TargetKind::kSchedule, "primary"}}});
  night.steps.push_back(Step{10min, {Target{TargetKind::kTeam, "dba"}}});
  Policy day{"business-hours", {}, 0, 5min};
  day.steps.push_back(Step{{}, {Target{TargetKind::kUser, "erin"}}});
  Policy office{"office", {}, 0, 5min};
  office.steps.push_back(Step{{}, {Target{TargetKind::kSchedule, "office"}}});
  in.policies = {night, day, office};
  RouteRule ops_rule;
  ops_rule.name = "ops";
  ops_rule.services = {"ops"};
  ops_rule.policy = "business-hours";
  RouteRule sev1;
  sev1.name = "sev1-off-hours";
  sev1.severities = {"critical"};
  sev1.hours = Hours::kOffHours;
  sev1.policy = "night";
  RouteRule day_rule;
  day_rule.name = "business-hours";
  day_rule.hours = Hours::kBusiness;
  day_rule.policy = "business-hours";
  in.routes = {ops_rule, sev1, day_rule};
  ServicePaging sp;
  sp.service = "checkout";
  sp.time_zone = "Europe/Berlin";
  sp.criticality = "tier-1";
  in.services = {sp};
  return in;
}

escalation::Config Make(escalation::ConfigInput in) {
  auto c = escalation::Config::Make(std::move(in));
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().field + ": " + c.error().message);
  return std::move(c).value();
}

engine::Outcome Trigger(Harness& h, const std::string& key, ingest::Severity severity = ingest::Severity::kCritical,
                        const std::string& routing_key = "checkout-key") {
  ingest::Event e;
  e.routing_key = routing_key;
  e.action = Action::kTrigger;
  e.dedup_key = key;
  e.summary = "checkout failing: " + key;
  e.source = "web-1";
  e.severity = severity;
  return h.Run(engine::Command{"token:monitor", engine::SubmitEvent{e}});
}

escalation::Escalation EscalationOf(Harness& h, uint64_t incident_id) {
  escalation::Escalation out;
  h.Read([&](const engine::State& s) {
    if (const auto* e = s.paging.FindEscalation(incident_id)) out = *e;
  });
  return out;
}

// The people with a page queued for the incident, in the order queued.
std::vector<std::string> Paged(Harness& h, uint64_t incident_id) {
  std::vector<std::string> out;
  h.Read([&](const engine::State& s) {
    for (const auto* d : s.paging.DeliveriesOf(incident_id)) {
      if (d->page) out.push_back(d->user + "/" + d->channel + "/" + escalation::ToString(d->state));
    }
  });
  return out;
}

TEST(PagingScenarioTest, ASev1OnSundayNightPagesTheNightPolicyEscalatesAndStopsOnAck) {
  Harness h(Services(), {});
  // alice holds the shift from Saturday 02:30 Berlin, bob from Sunday 02:30 (01:30Z in November).
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  h.At(Utc("2026-11-29T02:00:00Z"));  // Sunday 03:00 in Berlin
  auto out = Trigger(h, "db-latency");
  ASSERT_TRUE(out.status.ok()) << out.status.error().message;
  const uint64_t id = out.incident_id;
  auto e = EscalationOf(h, id);
  EXPECT_EQ(e.policy, "night");
  EXPECT_EQ(e.rule, "sev1-off-hours");
  EXPECT_EQ(e.step, 0u);
  EXPECT_EQ(e.paged, std::vector<std::string>{"bob"});
  EXPECT_EQ(Paged(h, id), std::vector<std::string>{"bob/hook/pending"});
  EXPECT_EQ(e.next_at_ms, core::ToUnixMillis(Utc("2026-11-29T02:10:00Z")));

  h.At(Utc("2026-11-29T02:09:59Z"));
  EXPECT_EQ(EscalationOf(h, id).step, 0u) << "not before the step's delay";
  h.At(Utc("2026-11-29T02:10:00Z"));
  e = EscalationOf(h, id);
  EXPECT_EQ(e.step, 1u);
  EXPECT_EQ(e.paged, (std::vector<std::string>{"bob", "carol"}));
  // carol's mail waits 2 minutes after her page; her hook goes at once.
  EXPECT_EQ(Paged(h, id), (std::vector<std::string>{"bob/hook/pending", "carol/hook/pending", "carol/mail/pending"}));

  h.Advance(1min);
  ASSERT_TRUE(h.Run(engine::Command{"user:carol", engine::AcknowledgeIncident{id}}).status.ok());
  e = EscalationOf(h, id);
  EXPECT_FALSE(e.active);
  EXPECT_EQ(e.stopped, "acknowledged");
  // Pages not yet attempted are cancelled: nobody is woken after the acknowledgement.
  EXPECT_EQ(Paged(h, id),
            (std::vector<std::string>{"bob/hook/cancelled", "carol/hook/cancelled", "carol/mail/cancelled"}));
  size_t steps = h.Count("escalation.stepped");
  h.Advance(2h);
  EXPECT_EQ(h.Count("escalation.stepped"), steps) << "no step after the acknowledgement";

  auto kinds = h.TimelineKinds(id);
  EXPECT_GE(std::count(kinds.begin(), kinds.end(), "escalation"), 4);  // started, 2 steps, stopped
  EXPECT_GE(std::count(kinds.begin(), kinds.end(), "delivery"), 6);    // 3 queued, 3 cancelled

  // The same alert on Tuesday 10:00 Berlin goes to the business-hours policy.
  h.Run(engine::Command{"user:carol", engine::ResolveIncident{id, "fixed"}});
  h.At(Utc("2026-12-01T09:00:00Z"));
  auto tuesday = Trigger(h, "db-latency");
  e = EscalationOf(h, tuesday.incident_id);
  EXPECT_EQ(e.policy, "business-hours");
  EXPECT_EQ(e.rule, "business-hours");
  EXPECT_EQ(e.paged, std::vector<std::string>{"erin"});
}

TEST(PagingScenarioTest, AnEscalationSurvivesRestartsWithoutSkippingOrRepeatingAStep) {
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  h.At(Utc("2026-11-29T02:00:00Z"));
  const uint64_t id = Trigger(h, "db-latency").incident_id;
  h.Reopen();
  h.At(Utc("2026-11-29T02:05:00Z"));
  EXPECT_EQ(EscalationOf(h, id).step, 0u);
  h.Reopen();
  h.At(Utc("2026-11-29T02:10:00Z"));
  EXPECT_EQ(EscalationOf(h, id).step, 1u);
  h.Reopen();
  h.At(Utc("2026-11-29T03:10:00Z"));
  EXPECT_EQ(h.Count("escalation.stepped"), 2u);
  EXPECT_EQ(h.Count("escalation.stopped"), 0u);  // all steps ran; it waits for an acknowledgement
  EXPECT_EQ(Paged(h, id).size(), 3u);
}

TEST(PagingScenarioTest, AnExpiredAcknowledgementRestartsAndReassignmentPagesTheNewTarget) {
  incident::Config services = Services();
  std::vector<incident::ServiceConfig> list = services.services();
  list[0].ack_timeout = 15min;
  Harness h(incident::Config(list), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  h.At(Utc("2026-11-29T02:00:00Z"));
  const uint64_t id = Trigger(h, "db-latency").incident_id;
  ASSERT_TRUE(h.Run(engine::Command{"user:bob", engine::AcknowledgeIncident{id}}).status.ok());
  h.At(Utc("2026-11-29T02:15:00Z"));  // the acknowledgement expires
  auto e = EscalationOf(h, id);
  EXPECT_TRUE(e.active);
  EXPECT_EQ(e.step, 0u);
  EXPECT_EQ(h.Count("escalation.started"), 2u);

  auto bad = h.Run(engine::Command{"user:bob", engine::ReassignIncident{id, "", "zed"}});
  EXPECT_EQ(bad.status.error().field, "/user");
  ASSERT_TRUE(h.Run(engine::Command{"user:bob", engine::ReassignIncident{id, "", "dave"}}).status.ok());
  e = EscalationOf(h, id);
  EXPECT_EQ(e.rule, "reassigned");
  EXPECT_FALSE(e.active);
  auto paged = Paged(h, id);
  EXPECT_EQ(paged.back(), "dave/hook/pending");
}

// Who gets the page at each hour of a weekend with a DST change, for a daily 02:30 hand-off.
struct Boundary {
  const char* from;  // UTC instant from which `user` holds the shift
  const char* user;
};
void CheckWeekend(const std::string& zone, const std::string& start_local, const char* weekend_start,
                  const std::vector<Boundary>& expected) {
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily(zone, start_local))));
  const core::Timestamp start = Utc(weekend_start);
  for (int hour = 0; hour < 48; ++hour) {
    const core::Timestamp t = start + std::chrono::hours(hour);
    h.At(t);
    // A critical alert at night or on a weekend follows the night policy to whoever is on call.
    auto out = Trigger(h, "k" + std::to_string(hour));
    std::string want;
    for (const auto& b : expected) {
      if (Utc(b.from) <= t) want = b.user;
    }
    auto e = EscalationOf(h, out.incident_id);
    ASSERT_EQ(e.policy, "night") << zone << " hour " << hour;
    EXPECT_EQ(e.paged, std::vector<std::string>{want}) << zone << " " << core::FormatRfc3339(t);
    h.Run(engine::Command{"user:x", engine::ResolveIncident{out.incident_id, ""}});
  }
}

TEST(PagingScenarioTest, AHandOffAcrossTheSpringChangeInBerlinPagesTheRightPersonEveryHour) {
  // Hand-offs at 02:30 local: Saturday 28 March at 02:30 CET (01:30Z); on Sunday 02:30 does not exist, so the
  // hand-off is at 03:00 CEST (01:00Z); Monday 02:30 CEST (00:30Z).
  CheckWeekend("Europe/Berlin", "2026-03-27T02:30", "2026-03-28T00:00:00Z",
               {{"2026-03-27T01:30:00Z", "alice"},
                {"2026-03-28T01:30:00Z", "bob"},
                {"2026-03-29T01:00:00Z", "alice"}});
}

TEST(PagingScenarioTest, AHandOffAcrossTheAutumnChangeInBerlinPagesTheRightPersonEveryHour) {
  // Sunday 25 October 02:30 happens twice: the hand-off is the first (CEST, 00:30Z); the shift that contains the
  // change runs 25 hours, to Monday 02:30 CET (01:30Z).
  CheckWeekend("Europe/Berlin", "2026-10-23T02:30", "2026-10-24T00:00:00Z",
               {{"2026-10-23T00:30:00Z", "alice"},
                {"2026-10-24T00:30:00Z", "bob"},
                {"2026-10-25T00:30:00Z", "alice"}});
}

TEST(PagingScenarioTest, AHandOffAcrossTheSpringChangeInNewYorkAndSydneyPagesTheRightPersonEveryHour) {
  // New York springs forward on Sunday 8 March 2026 (02:00 EST → 03:00 EDT): the 02:30 hand-off is at 03:00 EDT.
  CheckWeekend("America/New_York", "2026-03-06T02:30", "2026-03-07T00:00:00Z",
               {{"2026-03-06T07:30:00Z", "alice"},
                {"2026-03-07T07:30:00Z", "bob"},
                {"2026-03-08T07:00:00Z", "alice"}});
  // Sydney falls back on Sunday 5 April 2026 (03:00 AEDT → 02:00 AEST): 02:30 happens twice, the first is AEDT.
  // (The service's business hours are Berlin's, so a weekend in Berlin is off hours throughout.)
  CheckWeekend("Australia/Sydney", "2026-04-03T02:30", "2026-04-04T00:00:00Z",
               {{"2026-04-02T15:30:00Z", "alice"},
                {"2026-04-03T15:30:00Z", "bob"},
                {"2026-04-04T15:30:00Z", "alice"},
                {"2026-04-05T16:30:00Z", "bob"}});
}

escalation::ConfigInput WithDrill(escalation::ConfigInput in, const std::string& policy) {
  escalation::Drill d;
  d.name = "checkout-weekly";
  d.service = "checkout";
  d.when.start_local = "2026-11-29T03:00";
  d.when.time_zone = "Europe/Berlin";
  d.when.rrule = "FREQ=WEEKLY;BYDAY=SU";
  d.sla = 5min;
  d.report_service = "ops";
  in.drills = {d};
  in.routes.insert(in.routes.begin(), escalation::RouteRule{"drill", {"checkout"}, {}, {}, {}, {}, policy});
  return in;
}

// The test plays the drill injector: it sends the run's synthetic event as the monitoring would.
uint64_t Inject(Harness& h, uint64_t run) {
  std::string key;
  h.Read([&](const engine::State& s) { key = s.paging.runs.at(run).dedup_key; });
  ingest::Event e;
  e.routing_key = "checkout-key";
  e.action = Action::kTrigger;
  e.dedup_key = key;
  e.summary = "[DRILL] checkout-weekly";
  e.severity = ingest::Severity::kCritical;
  auto out = h.Run(engine::Command{"token:drills", engine::SubmitEvent{e}});
  EXPECT_TRUE(out.status.ok());
  return out.incident_id;
}

escalation::DrillRun LastRun(Harness& h) {
  escalation::DrillRun r;
  h.Read([&](const engine::State& s) {
    if (!s.paging.runs.empty()) r = s.paging.runs.rbegin()->second;
  });
  return r;
}

TEST(PagingScenarioTest, ADrillAgainstAScheduleWithAGapFailsAndOpensAnIncidentNamingTheGap) {
  Harness h(Services(), {});
  h.SetPaging(Make(WithDrill(Paging(Daily("Europe/Berlin", "2026-11-28T02:30")), "office")));
  h.At(Utc("2026-11-29T01:59:00Z"));
  EXPECT_EQ(h.Count("drill.started"), 0u);
  h.At(Utc("2026-11-29T02:00:00Z"));  // Sunday 03:00 Berlin: the drill's time
  ASSERT_EQ(h.Count("drill.started"), 1u);
  escalation::DrillRun run = LastRun(h);
  EXPECT_FALSE(run.manual);
  const uint64_t drill_incident = Inject(h, run.run);
  ASSERT_NE(drill_incident, 0u);
  run = LastRun(h);
  EXPECT_EQ(run.incident_id, drill_incident);
  EXPECT_EQ(EscalationOf(h, drill_incident).paged, std::vector<std::string>{}) << "the office schedule is empty";

  h.At(Utc("2026-11-29T02:04:59Z"));
  EXPECT_FALSE(LastRun(h).finished);
  h.At(Utc("2026-11-29T02:05:00Z"));
  run = LastRun(h);
  ASSERT_TRUE(run.finished);
  EXPECT_FALSE(run.passed);
  EXPECT_EQ(run.link, "schedule");
  EXPECT_NE(run.detail.find("schedule office has nobody on call"), std::string::npos) << run.detail;
  EXPECT_NE(run.detail.find("a gap until 2026-11-30T08:00:00Z"), std::string::npos) << run.detail;
  // The drill's own incident is resolved; a real one opens for the owning team, naming the broken link.
  EXPECT_EQ(h.Incident(drill_incident).state, "resolved");
  auto open = h.Incidents({"triggered"});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].service, "ops");
  EXPECT_EQ(open[0].title, "Drill checkout-weekly failed: broken link schedule");
  auto alerts = h.Alerts(open[0].id);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_NE(alerts[0].summary.find("schedule office has nobody on call"), std::string::npos) << alerts[0].summary;
  // The failure pages (ops routes to the business-hours policy: erin).
  EXPECT_EQ(EscalationOf(h, open[0].id).paged, std::vector<std::string>{"erin"});
  // Next week's occurrence runs again, once.
  h.At(Utc("2026-12-06T02:00:00Z"));
  h.At(Utc("2026-12-06T02:00:30Z"));
  EXPECT_EQ(h.Count("drill.started"), 2u);
}

TEST(PagingScenarioTest, ADrillPassesWhenItsPageIsDeliveredAndAcknowledgedInTime) {
  Harness h(Services(), {});
  h.SetPaging(Make(WithDrill(Paging(Daily("Europe/Berlin", "2026-11-28T02:30")), "night")));
  h.At(Utc("2026-11-29T01:00:00Z"));
  auto started = h.Run(engine::Command{"user:alice", engine::RunDrill{"checkout-weekly"}});
  ASSERT_TRUE(started.status.ok());
  EXPECT_EQ(h.Run(engine::Command{"user:alice", engine::RunDrill{"checkout-weekly"}}).status.error().code,
            core::ErrorCode::kConflict);
  escalation::DrillRun run = LastRun(h);
  EXPECT_TRUE(run.manual);
  const uint64_t id = Inject(h, run.run);
  uint64_t delivery = 0;
  h.Read([&](const engine::State& s) { delivery = s.paging.DeliveriesOf(id).at(0)->id; });
  h.Advance(3s);
  escalation::AttemptReport ok;
  ok.delivery_id = delivery;
  ok.attempt = 1;
  ok.ok = true;
  ok.status = 200;
  ASSERT_TRUE(h.Run(engine::Command{"outbox", engine::RecordDelivery{ok}}).status.ok());
  EXPECT_EQ(h.Run(engine::Command{"outbox", engine::RecordDelivery{ok}}).status.error().code,
            core::ErrorCode::kConflict)
      << "a duplicate report writes nothing";
  h.Advance(40s);
  ASSERT_TRUE(h.Run(engine::Command{"link:alice", engine::AcknowledgeIncident{id}}).status.ok());
  run = LastRun(h);
  ASSERT_TRUE(run.finished);
  EXPECT_TRUE(run.passed);
  EXPECT_EQ(run.link, "acknowledged");
  EXPECT_EQ(run.ack_ms, 43000);
  EXPECT_NE(run.detail.find("delivered to alice via hook 3.0 s after the start"), std::string::npos) << run.detail;
  EXPECT_EQ(h.Incident(id).state, "resolved");
  EXPECT_TRUE(h.Incidents({"triggered"}).empty()) << "a passed drill opens nothing";
  h.Read([&](const engine::State& s) { EXPECT_TRUE(s.paging.IsDrill(id)); });
}

TEST(PagingScenarioTest, ADrillWhoseEventNeverArrivesFailsAtIngest) {
  Harness h(Services(), {});
  h.SetPaging(Make(WithDrill(Paging(Daily("Europe/Berlin", "2026-11-28T02:30")), "night")));
  h.At(Utc("2026-11-29T01:00:00Z"));
  ASSERT_TRUE(h.Run(engine::Command{"user:alice", engine::RunDrill{"checkout-weekly"}}).status.ok());
  h.Advance(5min);
  auto run = LastRun(h);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.link, "ingest");
}

TEST(PagingScenarioTest, ADrillEventThatJoinsARealIncidentNeverMarksOrResolvesIt) {
  std::vector<incident::ServiceConfig> list = Services().services();
  list[0].group_by = {"severity"};  // every critical event of checkout joins one incident
  Harness h(incident::Config(list), {});
  h.SetPaging(Make(WithDrill(Paging(Daily("Europe/Berlin", "2026-11-28T02:30")), "night")));
  h.At(Utc("2026-11-29T01:00:00Z"));
  const uint64_t real = Trigger(h, "db-latency").incident_id;
  ASSERT_TRUE(h.Run(engine::Command{"user:alice", engine::RunDrill{"checkout-weekly"}}).status.ok());
  EXPECT_EQ(Inject(h, LastRun(h).run), real) << "the synthetic event joined the real incident";
  h.Advance(5min);
  auto run = LastRun(h);
  ASSERT_TRUE(run.finished);
  EXPECT_EQ(run.link, "ingest");
  EXPECT_NE(run.detail.find("joined an open incident"), std::string::npos) << run.detail;
  EXPECT_EQ(h.Incident(real).state, "triggered") << "a real incident is never resolved by a drill";
  h.Read([&](const engine::State& s) { EXPECT_FALSE(s.paging.IsDrill(real)); });
}

TEST(PagingScenarioTest, FailedDeliveriesBackOffAndAreGivenUpAfterPermanentRefusals) {
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  h.At(Utc("2026-11-29T02:00:00Z"));
  const uint64_t id = Trigger(h, "db").incident_id;
  uint64_t delivery = 0;
  h.Read([&](const engine::State& s) { delivery = s.paging.DeliveriesOf(id).at(0)->id; });
  escalation::AttemptReport r;
  r.delivery_id = delivery;
  r.attempt = 1;
  r.status = 503;
  r.error = "HTTP 503";
  ASSERT_TRUE(h.Run(engine::Command{"outbox", engine::RecordDelivery{r}}).status.ok());
  escalation::Delivery d;
  h.Read([&](const engine::State& s) { d = *s.paging.FindDelivery(delivery); });
  EXPECT_EQ(d.state, escalation::DeliveryState::kPending);
  EXPECT_EQ(d.attempts, 1u);
  const int64_t wait = d.due_ms - core::ToUnixMillis(h.now());
  EXPECT_GE(wait, 8000);
  EXPECT_LE(wait, 12000);
  r.attempt = 2;
  r.permanent = true;
  r.status = 404;
  r.error = "HTTP 404";
  ASSERT_TRUE(h.Run(engine::Command{"outbox", engine::RecordDelivery{r}}).status.ok());
  h.Read([&](const engine::State& s) { d = *s.paging.FindDelivery(delivery); });
  EXPECT_EQ(d.state, escalation::DeliveryState::kFailed);
  auto rows = h.store().Timeline(id, 0, 100);
  ASSERT_TRUE(rows.ok());
  std::string all;
  for (const auto& row : rows.value()) all += row.text + "\n";
  EXPECT_NE(all.find("Attempt 1 of triggered notification to bob via hook: HTTP 503; retry at"), std::string::npos)
      << all;
  EXPECT_NE(all.find("Attempt 2 of triggered notification to bob via hook: HTTP 404; not retried (permanent)"),
            std::string::npos)
      << all;
}


// The outbox over the scenario harness: due deliveries read from the state, attempts recorded as commands.
namespace outbox_test {

class HarnessPort final : public app::Outbox::Port {
 public:
  explicit HarnessPort(Harness& h) : h_(h) {}
  std::vector<app::OutboxJob> Due(core::Timestamp now, const std::set<uint64_t>& busy, size_t max) override {
    std::vector<app::OutboxJob> jobs;
    h_.Read([&](const engine::State& s) {
      jobs = app::DueJobs(s, now, busy, max, [](uint64_t id, const std::string& user, core::Timestamp) {
        return "http://incidentd.example/ack/" + std::to_string(id) + "." + user;
      });
    });
    return jobs;
  }
  std::optional<core::Timestamp> NextDue() override { return std::nullopt; }
  void Report(const escalation::AttemptReport& report, std::function<void(bool)> recorded) override {
    auto out = h_.Run(engine::Command{"system:outbox", engine::RecordDelivery{report}});
    EXPECT_TRUE(out.status.ok()) << out.status.error().message;
    recorded(true);
  }

 private:
  Harness& h_;
};

}  // namespace outbox_test

TEST(PagingScenarioTest, AWebhookReceiverDownForTwoMinutesGetsThePageOnceAfterItRecovers) {
  test_support::WebhookReceiver receiver;
  channels::ChannelConfig hook;
  hook.name = "hook";
  hook.url = receiver.Url("/page");
  hook.secret = "s3cret";
  hook.timeout = std::chrono::seconds(5);
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  outbox_test::HarnessPort port(h);
  app::Outbox outbox(port, {hook}, 1, [&h] { return h.now(); });

  receiver.Stop();  // down from before the incident
  const core::Timestamp t0 = Utc("2026-11-29T02:00:00Z");
  h.At(t0);
  const uint64_t id = Trigger(h, "db-latency").incident_id;
  size_t attempts = 0;
  for (core::Timestamp t = t0; t < t0 + 10min; t += 5s) {
    h.At(t);
    if (t == t0 + 2min) {
      ASSERT_TRUE(receiver.Start().ok());
    }
    attempts += outbox.RunDue();
  }
  escalation::Delivery d;
  h.Read([&](const engine::State& s) { d = *s.paging.DeliveriesOf(id).at(0); });
  EXPECT_EQ(d.state, escalation::DeliveryState::kDelivered);
  EXPECT_EQ(attempts, d.attempts);
  // 10 s, 20 s, 40 s, 80 s apart (±20%): four refusals in the two minutes, then the one that got through.
  EXPECT_GE(d.attempts, 4u);
  EXPECT_LE(d.attempts, 6u);
  ASSERT_EQ(receiver.Count(), 1u) << "delivered once";
  auto req = receiver.Requests().at(0);
  EXPECT_EQ(req.Header("Idempotency-Key"), d.key);
  EXPECT_EQ(req.Header("Idempotency-Key"), "inc1-e" + std::to_string(d.id - 2) + "-s0r0-bob-0");
  EXPECT_TRUE(channels::VerifySignature("s3cret", req.Header("X-Incidentd-Timestamp"), req.body,
                                        req.Header("X-Incidentd-Signature")));
  EXPECT_NE(req.body.find("http://incidentd.example/ack/1.bob"), std::string::npos) << req.body;

  // Every attempt is on the incident's timeline.
  auto rows = h.store().Timeline(id, 0, 200);
  ASSERT_TRUE(rows.ok());
  size_t refused = 0, delivered = 0;
  for (const auto& r : rows.value()) {
    if (r.text.find("Attempt ") == 0 && r.text.find("retry at") != std::string::npos) ++refused;
    if (r.text.find("Attempt ") == 0 && r.text.find("delivered") != std::string::npos) ++delivered;
  }
  EXPECT_EQ(refused, d.attempts - 1);
  EXPECT_EQ(delivered, 1u);
}

TEST(PagingScenarioTest, ASendNotRecordedBeforeACrashIsSentAgainWithTheSameKey) {
  test_support::WebhookReceiver receiver;
  channels::ChannelConfig hook;
  hook.name = "hook";
  hook.url = receiver.Url("/page");
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  outbox_test::HarnessPort port(h);
  app::Outbox outbox(port, {hook}, 1, [&h] { return h.now(); });
  h.At(Utc("2026-11-29T02:00:00Z"));
  Trigger(h, "db-latency");
  // The send happens, then the process dies before the attempt is on record.
  auto jobs = port.Due(h.now(), {}, 10);
  ASSERT_EQ(jobs.size(), 1u);
  channels::Sender sender;
  EXPECT_TRUE(outbox.Attempt(sender, jobs[0]).ok);
  h.Reopen();
  EXPECT_EQ(outbox.RunDue(), 1u);
  EXPECT_EQ(outbox.RunDue(), 0u);
  ASSERT_EQ(receiver.Count(), 2u) << "at least once";
  EXPECT_EQ(receiver.Requests()[0].Header("Idempotency-Key"), receiver.Requests()[1].Header("Idempotency-Key"));
}

TEST(PagingScenarioTest, AnEmailContactGetsThePageAfterItsDelayWithAnAckLink) {
  test_support::SmtpReceiver smtp;
  test_support::WebhookReceiver receiver;
  channels::ChannelConfig mail;
  mail.name = "mail";
  mail.type = channels::ChannelType::kEmail;
  mail.url = smtp.Url();
  mail.from = "incidentd@example.com";
  channels::ChannelConfig hook;
  hook.name = "hook";
  hook.url = receiver.Url("/page");
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  outbox_test::HarnessPort port(h);
  app::Outbox outbox(port, {hook, mail}, 1, [&h] { return h.now(); });
  h.At(Utc("2026-11-29T02:00:00Z"));
  const uint64_t id = Trigger(h, "db-latency").incident_id;
  h.At(Utc("2026-11-29T02:10:00Z"));  // step 2: carol (hook now, mail 2 minutes later)
  EXPECT_EQ(outbox.RunDue(), 2u);     // bob's and carol's hooks
  EXPECT_TRUE(smtp.Messages().empty());
  h.At(Utc("2026-11-29T02:12:00Z"));
  EXPECT_EQ(outbox.RunDue(), 1u);
  const auto messages = smtp.Messages();  // a copy: Messages() returns by value
  ASSERT_EQ(messages.size(), 1u);
  const auto& m = messages[0];
  EXPECT_NE(m.data.find("Subject: [critical] Incident " + std::to_string(id) + " escalated"), std::string::npos)
      << m.data;
  EXPECT_NE(m.data.find("http://incidentd.example/ack/" + std::to_string(id) + ".carol"), std::string::npos);
  EXPECT_NE(m.data.find("Escalated: step 2 of 2 of policy night"), std::string::npos);
}

// On-call overrides made at run time and escalate-now.

engine::Command Override(const std::string& start, const std::string& end, const std::string& kind,
                         const std::string& user, const std::string& replaced = "",
                         const std::string& schedule = "primary") {
  escalation::OverrideRequest r;
  r.schedule = schedule;
  r.start = Utc(start.c_str());
  r.end = Utc(end.c_str());
  r.kind = kind;
  r.user = user;
  r.replaced_user = replaced;
  r.reason = "swap";
  return engine::Command{"user:alice", engine::CreateOverride{r}};
}

std::vector<std::string> OnCall(Harness& h, const escalation::Config& paging, core::Timestamp t) {
  std::optional<oncall::Schedule> s;
  h.Read([&](const engine::State& st) { s = escalation::EffectiveSchedule(paging, st.paging, "primary"); });
  return s ? s->OnCallAt(t) : std::vector<std::string>{};
}

std::string FoldedFromEmpty(engine::Store& store) {
  engine::State state;
  journal::Verifier verifier;
  auto st = store.ScanJournal(0, [&](const engine::StoredRecord& stored) -> core::Status {
    auto rec = verifier.Next(stored.bytes, stored.hash);
    if (!rec.ok()) return rec.error();
    return engine::ApplyRecord(state, rec.value(), nullptr);
  });
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return engine::EncodeState(state);
}

TEST(OverrideScenarioTest, AnOverrideMadeAtRunTimeIsPagedAndItsRemovalRestoresTheRotation) {
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  h.At(Utc("2026-11-29T02:00:00Z"));  // Sunday 03:00 Berlin: bob's shift, the night policy

  auto made = h.Run(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "replace", "carol", "bob"));
  ASSERT_TRUE(made.status.ok()) << made.status.error().message;
  auto first = Trigger(h, "db-latency");

  EXPECT_EQ(made.message, "1");
  EXPECT_EQ(EscalationOf(h, first.incident_id).paged, std::vector<std::string>{"carol"});
  escalation::CreatedOverride o;
  h.Read([&](const engine::State& s) { o = s.paging.overrides.at(1); });
  EXPECT_EQ(o.created_by, "user:alice");
  EXPECT_EQ(o.reason, "swap");
  EXPECT_EQ(o.created_ms, core::ToUnixMillis(Utc("2026-11-29T02:00:00Z")));

  h.Run(engine::Command{"user:carol", engine::ResolveIncident{first.incident_id, ""}});
  ASSERT_TRUE(h.Run(engine::Command{"user:alice", engine::RemoveOverride{"primary", 1}}).status.ok());
  auto second = Trigger(h, "db-latency-2");

  EXPECT_EQ(EscalationOf(h, second.incident_id).paged, std::vector<std::string>{"bob"});
  EXPECT_EQ(h.Count("override.created"), 1u);
  EXPECT_EQ(h.Count("override.removed"), 1u);
  EXPECT_EQ(h.Run(engine::Command{"user:alice", engine::RemoveOverride{"primary", 1}}).status.error().code,
            core::ErrorCode::kNotFound);
}

TEST(OverrideScenarioTest, CreatedOverridesApplyAfterTheConfiguredOnesInIdOrder) {
  Harness h(Services(), {});
  escalation::Config paging = Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30")));
  h.SetPaging(paging);
  h.At(Utc("2026-11-29T02:00:00Z"));

  ASSERT_TRUE(h.Run(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "replace", "carol", "bob")).status.ok());
  ASSERT_TRUE(h.Run(Override("2026-11-29T03:00:00Z", "2026-11-29T04:00:00Z", "add", "dave")).status.ok());
  ASSERT_TRUE(h.Run(Override("2026-11-29T03:30:00Z", "2026-11-29T04:00:00Z", "remove", "carol")).status.ok());

  EXPECT_EQ(OnCall(h, paging, Utc("2026-11-29T00:30:00Z")), std::vector<std::string>{"alice"});
  EXPECT_EQ(OnCall(h, paging, Utc("2026-11-29T02:30:00Z")), std::vector<std::string>{"carol"});
  EXPECT_EQ(OnCall(h, paging, Utc("2026-11-29T03:10:00Z")), (std::vector<std::string>{"carol", "dave"}));
  EXPECT_EQ(OnCall(h, paging, Utc("2026-11-29T03:40:00Z")), std::vector<std::string>{"dave"});
  EXPECT_EQ(OnCall(h, paging, Utc("2026-11-29T07:00:00Z")), std::vector<std::string>{"bob"});
}

TEST(OverrideScenarioTest, AnOverrideIsRefusedNamingTheFieldAndNothingIsWritten) {
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  h.At(Utc("2026-11-29T02:00:00Z"));
  auto field = [&](engine::Command c) {
    auto out = h.Run(std::move(c));
    return out.status.ok() ? std::string("ok") : out.status.error().field;
  };

  EXPECT_EQ(h.Run(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "add", "carol", "", "nope"))
                .status.error()
                .code,
            core::ErrorCode::kNotFound);
  EXPECT_EQ(field(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "add", "mallory")), "/user");
  EXPECT_EQ(field(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "add", "")), "/user");
  EXPECT_EQ(field(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "swap", "carol")), "/kind");
  EXPECT_EQ(field(Override("2026-11-29T06:00:00Z", "2026-11-29T01:00:00Z", "add", "carol")), "/end");
  EXPECT_EQ(field(Override("2026-11-28T01:00:00Z", "2026-11-29T01:00:00Z", "add", "carol")), "/end")
      << "ended before now";
  EXPECT_EQ(field(Override("2026-11-29T01:00:00Z", "2027-03-01T01:00:00Z", "add", "carol")), "/end")
      << "longer than 90 days";
  EXPECT_EQ(field(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "add", "carol", "bob")), "/replaced_user");
  EXPECT_EQ(field(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "replace", "carol", "zed")),
            "/replaced_user");
  EXPECT_EQ(h.Count("override.created"), 0u);
  EXPECT_EQ(field(Override("2026-11-29T01:00:00Z", "2027-02-27T01:00:00Z", "add", "erin")), "ok")
      << "exactly 90 days, by a person of people:";
}

TEST(OverrideScenarioTest, OverridesReplayExactlyFromTheJournalAndFromASnapshot) {
  engine::Options options;
  options.snapshot_every = 3;
  options.snapshot_min_interval = {};  // snapshots by record count alone
  Harness h(Services(), {}, options);
  escalation::Config paging = Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30")));
  h.SetPaging(paging);
  h.At(Utc("2026-11-29T02:00:00Z"));
  ASSERT_TRUE(h.Run(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "replace", "carol", "bob")).status.ok());
  ASSERT_TRUE(h.Run(Override("2026-11-30T01:00:00Z", "2026-11-30T06:00:00Z", "add", "dave")).status.ok());
  ASSERT_TRUE(h.Run(engine::Command{"user:bob", engine::RemoveOverride{"primary", 1}}).status.ok());
  ASSERT_TRUE(h.Run(Override("2026-12-01T01:00:00Z", "2026-12-01T06:00:00Z", "remove", "alice")).status.ok());
  const std::string before = h.engine().EncodedStateForTest();

  h.Reopen();

  EXPECT_EQ(h.engine().EncodedStateForTest(), before);
  EXPECT_EQ(FoldedFromEmpty(h.store()), before);
  ASSERT_TRUE(h.store().LatestSnapshot()->has_value());
  h.Read([&](const engine::State& s) {
    EXPECT_EQ(s.paging.overrides.size(), 2u);
    EXPECT_EQ(s.paging.next_override_id, 4u);
  });
  EXPECT_EQ(OnCall(h, paging, Utc("2026-11-30T02:00:00Z")), (std::vector<std::string>{"alice", "dave"}));
  auto next = h.Run(Override("2026-12-02T01:00:00Z", "2026-12-02T06:00:00Z", "add", "dave"));
  EXPECT_EQ(next.message, "4") << "ids go on after a restart";
}

TEST(OverrideScenarioTest, AConfigurationReloadKeepsCreatedOverridesOnTheReloadedSchedules) {
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  h.At(Utc("2026-11-29T02:00:00Z"));
  ASSERT_TRUE(h.Run(Override("2026-11-29T01:00:00Z", "2026-11-29T06:00:00Z", "replace", "carol", "bob")).status.ok());

  // The reload changes the routing (every incident to the night policy), not the schedules.
  escalation::ConfigInput in = Paging(Daily("Europe/Berlin", "2026-11-28T02:30"));
  in.routes = {escalation::RouteRule{"all", {}, {}, {}, {}, escalation::Hours::kAny, "night"}};
  engine::ReloadConfig reload;
  reload.paging = std::make_shared<const escalation::Config>(Make(in));
  reload.digests = {{"routing", "changed"}};
  reload.changes = {"routing changed"};
  ASSERT_TRUE(h.Run(engine::Command{"system:reload", std::move(reload)}).status.ok());
  auto out = Trigger(h, "db-latency", ingest::Severity::kWarning);

  auto e = EscalationOf(h, out.incident_id);
  EXPECT_EQ(e.rule, "all");
  EXPECT_EQ(e.paged, std::vector<std::string>{"carol"});
}

TEST(EscalateNowScenarioTest, EscalatingByHandRunsTheNextStepNowAndSaysWhoAskedAndWhy) {
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  h.At(Utc("2026-11-29T02:00:00Z"));
  const uint64_t id = Trigger(h, "db-latency").incident_id;
  h.Advance(1min);

  auto out = h.Run(engine::Command{"user:alice", engine::EscalateIncident{id, "bob is on a plane"}});

  ASSERT_TRUE(out.status.ok()) << out.status.error().message;
  auto e = EscalationOf(h, id);
  EXPECT_EQ(e.step, 1u);
  EXPECT_EQ(e.paged, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(e.next_at_ms, 0) << "that was the night policy's last step";
  EXPECT_EQ(Paged(h, id), (std::vector<std::string>{"bob/hook/pending", "carol/hook/pending", "carol/mail/pending"}));
  auto rows = h.store().Timeline(id, 0, 1000);
  ASSERT_TRUE(rows.ok());
  bool said = false;
  for (const auto& r : rows.value()) {
    said = said ||
           (r.text == "Escalated to the next step now by user:alice: bob is on a plane" && r.actor == "user:alice");
  }
  EXPECT_TRUE(said);
  // The timer of the step that ran by hand does not run it again.
  h.Advance(30min);
  EXPECT_EQ(h.Count("escalation.stepped"), 2u);
}

TEST(EscalateNowScenarioTest, EscalatingIsRefusedAtTheLastStepWithoutAnEscalationOrForAnUnknownIncident) {
  Harness h(Services(), {});
  h.SetPaging(Make(Paging(Daily("Europe/Berlin", "2026-11-28T02:30"))));
  h.At(Utc("2026-11-29T02:00:00Z"));
  const uint64_t id = Trigger(h, "db-latency").incident_id;
  ASSERT_TRUE(h.Run(engine::Command{"user:alice", engine::EscalateIncident{id, ""}}).status.ok());

  auto last = h.Run(engine::Command{"user:alice", engine::EscalateIncident{id, ""}});
  ASSERT_TRUE(h.Run(engine::Command{"user:carol", engine::AcknowledgeIncident{id}}).status.ok());
  auto acked = h.Run(engine::Command{"user:alice", engine::EscalateIncident{id, ""}});
  auto unknown = h.Run(engine::Command{"user:alice", engine::EscalateIncident{999, ""}});

  EXPECT_EQ(last.status.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(acked.status.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(unknown.status.error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(h.Count("escalation.forced"), 1u);
}

}  // namespace
}  // namespace scenario
