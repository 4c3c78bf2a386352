// Shared responders across concurrent incidents, through the engine with a fake clock: two SEV1s ask for the one
// DBA; the higher-priority one gets it, the other waits at position 1 with its expected response, the decision is
// on both timelines, and the slot passes on when the holder resolves. Conflicts, yields and breaches too.
#include <gtest/gtest.h>

#include "domain/pools/pools.h"
#include "scenario_harness.h"

namespace scenario {
namespace {

core::Timestamp Utc(const char* text) { return core::ParseRfc3339(text).value(); }

incident::Config Services() {
  incident::ServiceConfig checkout;
  checkout.name = "checkout";
  checkout.routing_keys = {"checkout-key"};
  checkout.group_wait = 0s;
  incident::ServiceConfig blog;
  blog.name = "blog";
  blog.routing_keys = {"blog-key"};
  blog.group_wait = 0s;
  return incident::Config({checkout, blog});
}

// Checkout supports payments (a critical business function); the blog supports marketing. A critical alert on
// checkout makes a major incident with a critical function down (SEV1, P1: high impact × high urgency); the blog
// reclassified as a security breach is major too (SEV1) but its alert is a warning (P3: high impact × low urgency).
classify::Config Catalogue() {
  classify::Config c;
  c.catalogue = {{"checkout", "payments-team", {"payments"}, 50000, {}, {}},
                 {"blog", "marketing-team", {"marketing"}, 0, {}, {}}};
  c.critical_functions = {"payments"};
  classify::MajorCriteria m;
  m.critical_function_down = true;
  m.categories = {"security"};
  c.major = m;
  return c;
}

escalation::Config Paging() {
  escalation::ConfigInput in;
  in.channels = {"hook"};
  in.known_services = {"checkout", "blog"};
  for (const char* name : {"oncall", "carol"}) {
    in.people.push_back(escalation::Person{name, {escalation::Contact{"hook", "", {}}}});
  }
  escalation::Policy p{"default", {}, 0, 5min};
  p.steps.push_back(escalation::Step{{}, {escalation::Target{escalation::TargetKind::kUser, "oncall"}}});
  in.policies = {p};
  escalation::RouteRule all;
  all.name = "all";
  all.policy = "default";
  in.routes = {all};
  return escalation::Config::Make(in).value();
}

pools::Config Dba() {
  pools::Pool dba;
  dba.id = "dba";
  dba.name = "Database administrators";
  dba.members = {"carol"};  // capacity 1
  dba.expectations = {{"payments", 15min}, {"marketing", 4h}, {"default", 1h}};
  pools::Config c;
  c.pools = {dba};
  return c;
}

class PoolsScenarioTest : public ::testing::Test {
 protected:
  PoolsScenarioTest() : h_(Services(), {}) {
    h_.SetClassify(Catalogue());
    h_.SetPaging(Paging());
    h_.SetPools(Dba());
    h_.At(Utc("2026-11-29T10:00:00Z"));
  }

  uint64_t Open(const char* key, const char* dedup, ingest::Severity severity) {
    ingest::Event e;
    e.routing_key = key;
    e.action = ingest::Action::kTrigger;
    e.dedup_key = dedup;
    e.summary = std::string(dedup) + " failing";
    e.source = "db-1";
    e.severity = severity;
    auto out = h_.Run(engine::Command{"token:monitor", engine::SubmitEvent{e}});
    EXPECT_TRUE(out.status.ok());
    return out.incident_id;
  }

  // Two SEV1s: payments down (P1) and the blog defaced (P3).
  std::pair<uint64_t, uint64_t> TwoSev1s() {
    const uint64_t pay = Open("checkout-key", "payments-db", ingest::Severity::kCritical);
    const uint64_t blog = Open("blog-key", "blog-db", ingest::Severity::kWarning);
    EXPECT_TRUE(h_.Run(engine::Command{"user:ic", engine::ReclassifyIncident{blog, "security", "", "defaced"}})
                    .status.ok());
    return {pay, blog};
  }

  classify::Assessment Assess(uint64_t id) {
    classify::Assessment a;
    const incident::Config services = Services();
    const classify::Config config = Catalogue();
    h_.Read([&](const engine::State& s) {
      a = classify::Assess(classify::View{s.classify, s.incidents, config, services}, *s.incidents.FindIncident(id));
    });
    return a;
  }

  engine::Command Request(const std::string& actor, uint64_t id, const std::string& note = "") {
    return engine::Command{actor, engine::RequestPool{id, "dba", note}};
  }

  pools::Queue Queue(std::vector<pools::Request>& keep) {
    pools::Queue q;
    const pools::Config config = Dba();
    h_.Read([&](const engine::State& s) {
      q = pools::QueueOf(s.pools, config.pools[0], h_.now());
      keep.clear();
      keep.reserve(q.holders.size() + q.waiting.size());
      for (auto* list : {&q.holders, &q.waiting}) {
        for (auto& e : *list) {
          keep.push_back(*e.request);
          e.request = &keep.back();
        }
      }
    });
    return q;
  }

  std::vector<std::string> Lines(uint64_t id, const std::string& prefix) {
    std::vector<std::string> out;
    auto rows = h_.store().Timeline(id, 0, 500);
    if (rows.ok()) {
      for (const auto& r : rows.value()) {
        if (r.kind.rfind(prefix, 0) == 0) out.push_back(r.kind + ": " + r.text);
      }
    }
    return out;
  }

  static bool Has(const std::vector<std::string>& lines, const std::string& part) {
    for (const auto& l : lines) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }

  Harness h_;
};

TEST_F(PoolsScenarioTest, TwoConcurrentSev1sTheHigherPriorityGetsTheDbaTheOtherWaitsAndBothTimelinesShowIt) {
  const auto [pay, blog] = TwoSev1s();
  ASSERT_EQ(Assess(pay).severity, "SEV1");
  ASSERT_EQ(Assess(blog).severity, "SEV1");
  ASSERT_EQ(Assess(pay).priority, "P1");
  ASSERT_EQ(Assess(blog).priority, "P3");

  // Both ask in the same instant (one batch), the lower-priority one first.
  auto outcomes = h_.engine().ProcessForTest({Request("user:bob", blog, "restore the CMS tables"),
                                              Request("user:alice", pay, "replica lag on payments-db")});
  ASSERT_TRUE(outcomes[0].status.ok());
  ASSERT_TRUE(outcomes[1].status.ok());

  std::vector<pools::Request> keep;
  pools::Queue q = Queue(keep);
  ASSERT_EQ(q.holders.size(), 1u);
  EXPECT_EQ(q.holders[0].request->incident_id, pay) << "the higher priority gets the one DBA";
  ASSERT_EQ(q.waiting.size(), 1u);
  EXPECT_EQ(q.waiting[0].request->incident_id, blog);
  EXPECT_EQ(q.waiting[0].position, 1u);
  EXPECT_EQ(q.waiting[0].request->unit, "marketing");
  ASSERT_TRUE(q.waiting[0].respond_by.has_value());
  EXPECT_EQ(*q.waiting[0].respond_by, Utc("2026-11-29T14:00:00Z")) << "marketing expects the DBA within 4h";
  EXPECT_EQ(q.waiting[0].remaining, 4h);
  EXPECT_EQ(q.waiting[0].request->reason, "high impact (a major incident (category security is major by definition)) × low urgency "
            "(alert severity warning)");

  // The decision is on both timelines.
  const std::string decided = "Pool dba assigned to incident " + std::to_string(pay) + ": incident " +
                              std::to_string(blog) + ", given the slot in the same instant at a lower priority, waits instead";
  const std::string waits = "Incident " + std::to_string(blog) + " waits for pool dba at queue position 1; held by incident " +
                            std::to_string(pay) + "; response expected by 2026-11-29T14:00:00Z";
  for (uint64_t id : {pay, blog}) {
    const auto lines = Lines(id, "pool_");
    EXPECT_TRUE(Has(lines, decided)) << id << ":\n" << ::testing::PrintToString(lines);
    EXPECT_TRUE(Has(lines, waits)) << id << ":\n" << ::testing::PrintToString(lines);
  }
  EXPECT_TRUE(Has(Lines(pay, "pool_request"), "by user:alice at P1 (SEV1)"));
  EXPECT_TRUE(Has(Lines(pay, "pool_request"), "payments expects a response within 15m"));

  // A restart keeps the queue.
  h_.Reopen();
  EXPECT_EQ(Queue(keep).waiting.size(), 1u);

  // The holder resolves: the slot passes to the blog, on both timelines; carol is told.
  h_.Advance(20min);
  ASSERT_TRUE(h_.Run(engine::Command{"user:alice", engine::ResolveIncident{pay, "replica caught up"}}).status.ok());
  q = Queue(keep);
  ASSERT_EQ(q.holders.size(), 1u);
  EXPECT_EQ(q.holders[0].request->incident_id, blog);
  EXPECT_TRUE(q.waiting.empty());
  const std::string passed = "Pool dba assigned to incident " + std::to_string(blog) + " (the slot incident " +
                             std::to_string(pay) + " gave up)";
  EXPECT_TRUE(Has(Lines(blog, "pool_assigned"), passed));
  EXPECT_TRUE(Has(Lines(pay, "pool_released"), "released pool dba (incident resolved, user:alice)"));
  EXPECT_TRUE(Has(Lines(pay, "pool_assigned"), passed));
  EXPECT_EQ(h_.Count("pool.breached"), 0u);
  bool carol_told = false;
  h_.Read([&](const engine::State& s) {
    for (const auto* d : s.paging.DeliveriesOf(blog)) {
      if (d->user == "carol" && d->text.find("Pool dba is assigned to incident " + std::to_string(blog)) != std::string::npos) {
        carol_told = true;
      }
    }
  });
  EXPECT_TRUE(carol_told);
}

TEST_F(PoolsScenarioTest, ALaterHigherPriorityRequestIsAConflictOnBothTimelinesThatAYieldResolves) {
  const auto [pay, blog] = TwoSev1s();
  ASSERT_TRUE(h_.Run(Request("user:bob", blog)).status.ok());
  h_.Advance(5min);

  ASSERT_TRUE(h_.Run(Request("user:alice", pay)).status.ok());

  std::vector<pools::Request> keep;
  pools::Queue q = Queue(keep);
  EXPECT_EQ(q.holders.at(0).request->incident_id, blog) << "not preempted";
  EXPECT_EQ(q.waiting.at(0).conflicts_with, std::vector<uint64_t>{blog});
  for (uint64_t id : {pay, blog}) {
    EXPECT_TRUE(Has(Lines(id, "pool_conflict"), "Priority conflict on pool dba: incident " + std::to_string(pay) +
                                                    " (P1) waits while lower-priority incident " + std::to_string(blog) +
                                                    " holds every slot"))
        << id;
  }

  h_.Advance(1min);
  auto yielded = h_.Run(engine::Command{"user:ic", engine::YieldPool{"dba", blog, pay, "payments outage first"}});
  ASSERT_TRUE(yielded.status.ok());

  q = Queue(keep);
  EXPECT_EQ(q.holders.at(0).request->incident_id, pay);
  EXPECT_EQ(q.waiting.at(0).request->incident_id, blog) << "the yielder waits again";
  EXPECT_TRUE(q.waiting.at(0).conflicts_with.empty());
  const std::string line = "Incident " + std::to_string(blog) + " yielded pool dba to incident " + std::to_string(pay) +
                           " (payments outage first), decided by user:ic";
  EXPECT_TRUE(Has(Lines(pay, "pool_yielded"), line));
  EXPECT_TRUE(Has(Lines(blog, "pool_yielded"), line));
  auto again = h_.Run(engine::Command{"user:ic", engine::YieldPool{"dba", blog, pay, "again"}});
  EXPECT_EQ(again.status.error().code, core::ErrorCode::kConflict);
}

TEST_F(PoolsScenarioTest, ARequestWaitingPastItsUnitsExpectationIsABreachOnceWithANotification) {
  const auto [pay, blog] = TwoSev1s();
  ASSERT_TRUE(h_.Run(Request("user:bob", blog)).status.ok());
  h_.Advance(1min);
  ASSERT_TRUE(h_.Run(Request("user:alice", pay)).status.ok());

  h_.Advance(14min);
  EXPECT_EQ(h_.Count("pool.breached"), 0u);
  h_.Advance(1min);
  h_.Advance(1min);
  h_.Advance(10min);

  EXPECT_EQ(h_.Count("pool.breached"), 1u) << "once";
  EXPECT_TRUE(Has(Lines(pay, "pool_breach"), "Pool dba response time missed for incident " + std::to_string(pay) +
                                                 ": waited 15m, payments expects 15m"));
  bool told = false;
  h_.Read([&](const engine::State& s) {
    for (const auto* d : s.paging.DeliveriesOf(pay)) {
      if (d->user == "oncall" && d->text.find("has waited 15m for pool dba") != std::string::npos) told = true;
    }
  });
  EXPECT_TRUE(told) << "the people paged for the incident are told";
  std::vector<pools::Request> keep;
  EXPECT_TRUE(Queue(keep).waiting.at(0).late);
}

}  // namespace
}  // namespace scenario
