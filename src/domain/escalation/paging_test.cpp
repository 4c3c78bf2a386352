#include "domain/escalation/paging.h"

#include <gtest/gtest.h>

namespace escalation {
namespace {

core::Timestamp At(const char* rfc3339) { return core::ParseRfc3339(rfc3339).value(); }

oncall::Schedule Primary() {
  oncall::Rotation r;
  r.participants = {"alice", "bob"};
  r.frequency = oncall::Frequency::kWeekly;
  r.start_local = "2026-11-02T09:00";
  r.time_zone = "Europe/Berlin";
  oncall::Definition d;
  d.name = "primary";
  d.layers.push_back(oncall::Layer{"base", {r}});
  return oncall::Schedule::Make(d).value();
}

ConfigInput Input() {
  ConfigInput in;
  in.channels = {"hook", "mail"};
  in.known_services = {"checkout", "ops"};
  in.people = {Person{"alice", {Contact{"hook", "", {}}}},
               Person{"bob", {Contact{"hook", "", {}}, Contact{"mail", "bob@example.com", std::chrono::minutes(2)}}},
               Person{"carol", {Contact{"mail", "carol@example.com", {}}}}};
  in.teams["dba"] = {"carol"};
  in.schedules = {Primary()};
  Policy night{"night", {}, 1, std::chrono::minutes(5)};
  night.steps.push_back(Step{{}, {Target{TargetKind::kSchedule, "primary"}}});
  night.steps.push_back(Step{std::chrono::minutes(10), {Target{TargetKind::kTeam, "dba"}}});
  Policy day{"business-hours", {}, 0, std::chrono::minutes(5)};
  day.steps.push_back(Step{{}, {Target{TargetKind::kUser, "carol"}}});
  in.policies = {night, day};
  RouteRule r1;
  r1.name = "sev1-off-hours";
  r1.severities = {"critical"};
  r1.hours = Hours::kOffHours;
  r1.policy = "night";
  RouteRule r2;
  r2.name = "default";
  r2.policy = "business-hours";
  in.routes = {r1, r2};
  ServicePaging sp;
  sp.service = "checkout";
  sp.time_zone = "Europe/Berlin";
  sp.criticality = "tier-1";
  in.services = {sp};
  return in;
}

incident::Incident Critical(const char* service = "checkout") {
  incident::Incident inc;
  inc.id = 1;
  inc.service = service;
  inc.severity = ingest::Severity::kCritical;
  inc.title = "db down";
  return inc;
}

TEST(EscalationConfig, BusinessHoursAreReadInTheServicesTimeZoneAcrossDst) {
  Config c = Config::Make(Input()).value();
  // 08:30Z is 09:30 CET in winter (business) and 10:30 CEST in summer; 07:30Z is 08:30 CET (before) / 09:30 CEST.
  EXPECT_TRUE(c.BusinessHours("checkout", At("2026-12-01T08:30:00Z")));
  EXPECT_FALSE(c.BusinessHours("checkout", At("2026-12-01T07:30:00Z")));
  EXPECT_TRUE(c.BusinessHours("checkout", At("2026-07-01T07:30:00Z")));
  EXPECT_FALSE(c.BusinessHours("checkout", At("2026-11-29T10:00:00Z")));  // a Sunday
  // A service without paging facts: Mon-Fri 09:00-17:00 UTC.
  EXPECT_TRUE(c.BusinessHours("ops", At("2026-12-01T16:59:00Z")));
  EXPECT_FALSE(c.BusinessHours("ops", At("2026-12-01T17:00:00Z")));
}

TEST(EscalationRouting, FirstMatchingRuleWinsAndSaysWhy) {
  Config c = Config::Make(Input()).value();
  RouteChoice sunday = Route(c, Critical(), At("2026-11-29T02:00:00Z"));  // Sunday 03:00 Berlin
  EXPECT_EQ(sunday.policy, "night");
  EXPECT_EQ(sunday.rule, "sev1-off-hours");
  EXPECT_NE(sunday.reason.find("off hours in Europe/Berlin"), std::string::npos) << sunday.reason;
  EXPECT_NE(sunday.reason.find("criticality tier-1"), std::string::npos) << sunday.reason;
  RouteChoice tuesday = Route(c, Critical(), At("2026-12-01T09:00:00Z"));  // Tuesday 10:00 Berlin
  EXPECT_EQ(tuesday.policy, "business-hours");
  EXPECT_EQ(tuesday.rule, "default");
}

TEST(EscalationRouting, CategoryAndCriticalityConditionsMustAllHold) {
  ConfigInput in = Input();
  RouteRule sec;
  sec.name = "security";
  sec.categories = {"security"};
  sec.criticalities = {"tier-1"};
  sec.policy = "night";
  in.routes.insert(in.routes.begin(), sec);
  Config c = Config::Make(in).value();
  incident::Incident inc = Critical();
  inc.category = "security";
  EXPECT_EQ(Route(c, inc, At("2026-12-01T09:00:00Z")).rule, "security");
  inc.service = "ops";  // no criticality
  EXPECT_EQ(Route(c, inc, At("2026-12-01T09:00:00Z")).rule, "default");
}

TEST(EscalationRouting, NoRuleMatchingGivesNoPolicyWithAReason) {
  ConfigInput in = Input();
  in.routes.pop_back();
  Config c = Config::Make(in).value();
  RouteChoice r = Route(c, Critical(), At("2026-12-01T09:00:00Z"));
  EXPECT_TRUE(r.policy.empty());
  EXPECT_NE(r.reason.find("no routing rule matched"), std::string::npos);
}

TEST(EscalationConfig, UnknownReferencesAreRefusedNamingTheField) {
  {
    ConfigInput in = Input();
    in.policies[0].steps[1].targets.push_back(Target{TargetKind::kSchedule, "nope"});
    auto c = Config::Make(in);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().field, "/escalation_policies/night/steps/1/targets/1");
  }
  {
    ConfigInput in = Input();
    in.routes[1].policy = "missing";
    EXPECT_EQ(Config::Make(in).error().field, "/routing/1/policy");
  }
  {
    ConfigInput in = Input();
    in.people[0].contacts[0].channel = "pager";
    EXPECT_EQ(Config::Make(in).error().field, "/people/alice/contacts/0/channel");
  }
  {
    ConfigInput in = Input();
    in.services[0].business_hours = {"Mon-Fri 9-5"};
    EXPECT_EQ(Config::Make(in).error().field, "/services/checkout/business_hours/0");
  }
  {
    ConfigInput in = Input();
    in.services[0].time_zone = "Mars/Olympus";
    EXPECT_EQ(Config::Make(in).error().field, "/services/checkout/time_zone");
  }
  {
    ConfigInput in = Input();
    Drill d;
    d.name = "weekly";
    d.service = "checkout";
    d.when.start_local = "2026-12-01T10:00";
    d.when.time_zone = "Europe/Berlin";
    d.when.rrule = "FREQ=SOMETIMES";
    in.drills = {d};
    EXPECT_EQ(Config::Make(in).error().field, "/drills/0/rrule");
  }
  EXPECT_FALSE(ParseTarget("pager:alice").ok());
  EXPECT_EQ(ParseTarget("alice").value().kind, TargetKind::kUser);
  EXPECT_EQ(ToString(ParseTarget("team:dba").value()), "team:dba");
}

TEST(EscalationConfig, DrillOccurrencesFollowTheRuleInLocalTime) {
  ConfigInput in = Input();
  Drill d;
  d.name = "weekly";
  d.service = "checkout";
  d.when.start_local = "2026-12-01T10:00";
  d.when.time_zone = "Europe/Berlin";
  d.when.rrule = "FREQ=WEEKLY;BYDAY=TU";
  in.drills = {d};
  Config c = Config::Make(in).value();
  EXPECT_EQ(c.NextDrill("weekly", At("2026-11-30T00:00:00Z")), At("2026-12-01T09:00:00Z"));
  EXPECT_EQ(c.NextDrill("weekly", At("2026-12-01T09:00:00Z")), At("2026-12-01T09:00:00Z"));
  EXPECT_EQ(c.NextDrill("weekly", At("2026-12-01T09:00:30Z")), At("2026-12-08T09:00:00Z"));
  EXPECT_FALSE(c.NextDrill("other", At("2026-12-01T00:00:00Z")));
}

TEST(DeliveryRetry, BacksOffExponentiallyWithBoundedJitterAndGivesUp) {
  Config c = Config::Make(Input()).value();
  Delivery d;
  d.key = "inc1-e2-s0r0-alice-0";
  d.queued_ms = 0;
  int64_t prev = 0;
  for (uint32_t attempt = 1; attempt <= 6; ++attempt) {
    int64_t next = NextAttemptMs(c, d, attempt, 1000, 0) - 1000;
    double nominal = std::min(10000.0 * (1 << (attempt - 1)), 600000.0);
    EXPECT_GE(next, nominal * 0.8) << attempt;
    EXPECT_LE(next, nominal * 1.2) << attempt;
    EXPECT_EQ(next, NextAttemptMs(c, d, attempt, 1000, 0) - 1000) << "deterministic";
    if (attempt > 1) {
      EXPECT_GT(next, prev * 1.2);
    }
    prev = next;
  }
  EXPECT_LE(NextAttemptMs(c, d, 30, 1000, 0) - 1000, 600000 * 1.2);  // capped
  EXPECT_EQ(NextAttemptMs(c, d, 3, 1000, 120000) - 1000, 120000);     // Retry-After wins when longer
  EXPECT_EQ(NextAttemptMs(c, d, 3, 24 * 3600 * 1000, 0), 0);          // after a day: given up
}

TEST(PagingRecords, EveryPayloadRoundTrips) {
  std::vector<Payload> all = {
      EscalationStarted{1, "night", "sev1", "why"},
      EscalationStepped{1, 1, 2, {"alice", "bob"}, {"schedule x has nobody"}, 12345},
      EscalationStopped{1, "acknowledged"},
      DeliveryQueued{1, "alice", "hook", "a@b", "triggered", "subj", "text\nmore", "key", 99, true},
      DeliveryAttempted{5, 2, false, false, 503, "HTTP 503", 777},
      DeliveryCancelled{5, "acknowledged"},
      DrillStarted{"weekly", "incidentd-drill:weekly:1", 300000, true},
      DrillLinked{9, 3},
      DrillFinished{9, false, "schedule", "gap", 0},
  };
  for (const auto& p : all) {
    auto back = DecodePayload(static_cast<uint16_t>(TypeOf(p)), kPayloadVersion, EncodePayload(p));
    ASSERT_TRUE(back.ok()) << TypeName(static_cast<uint16_t>(TypeOf(p)));
    EXPECT_EQ(EncodePayload(back.value()), EncodePayload(p));
    EXPECT_EQ(back->index(), p.index());
  }
  EXPECT_FALSE(DecodePayload(211, 1, "\x01").ok());
  EXPECT_FALSE(DecodePayload(211, 2, EncodePayload(all[4])).ok());
}

}  // namespace
}  // namespace escalation
