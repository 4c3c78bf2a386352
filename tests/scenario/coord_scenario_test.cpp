// Coordination through the engine with a fake clock: exactly one commander and explicit hand-offs, the one channel
// every notification names, typed log entries, and the status-update cadence (reminder, overdue, "no change").
#include <gtest/gtest.h>

#include "domain/coord/coord.h"
#include "scenario_harness.h"

namespace scenario {
namespace {

core::Timestamp Utc(const char* text) { return core::ParseRfc3339(text).value(); }

incident::Config Checkout() {
  incident::ServiceConfig checkout;
  checkout.name = "checkout";
  checkout.routing_keys = {"checkout-key"};
  checkout.group_wait = 0s;
  return incident::Config({checkout});
}

escalation::Config Paging() {
  escalation::ConfigInput in;
  in.channels = {"hook"};
  in.known_services = {"checkout"};
  for (const char* name : {"oncall", "alice", "bob", "erin", "ops-room"}) {
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

coord::Config Coordination() {
  coord::Config c;
  c.channel = coord::ChannelTemplate{"#inc-{{id}}-{{service}}", "https://chat.example.com/inc-{{id}}",
                                     "https://meet.example.com/inc-{{id}}", "ops-room"};
  for (const char* sev : {"SEV1", "SEV2", "SEV3", "SEV4", "SEV5"}) c.cadence[sev] = 30min;
  c.remind_before = 5min;
  return c;
}

uint64_t Open(Harness& h) {
  ingest::Event e;
  e.routing_key = "checkout-key";
  e.action = ingest::Action::kTrigger;
  e.dedup_key = "payments-down";
  e.summary = "payments failing";
  e.source = "web-1";
  e.severity = ingest::Severity::kCritical;
  auto out = h.Run(engine::Command{"token:monitor", engine::SubmitEvent{e}});
  EXPECT_TRUE(out.status.ok());
  return out.incident_id;
}

engine::Outcome Role(Harness& h, const std::string& actor, uint64_t id, const std::string& role,
                     const std::string& user, bool handoff = false, bool admin = false) {
  return h.Run(engine::Command{actor, engine::AssignRole{id, role, user, handoff, "", admin}});
}

std::vector<std::string> Lines(Harness& h, uint64_t id, const std::string& kind) {
  std::vector<std::string> out;
  auto rows = h.store().Timeline(id, 0, 500);
  if (rows.ok()) {
    for (const auto& r : rows.value()) {
      if (r.kind == kind) out.push_back(r.text);
    }
  }
  return out;
}

TEST(CoordScenarioTest, ASecondCommanderIsRefusedUnlessTheOutgoingOneOrAnAdminHandsOff) {
  Harness h(Checkout(), {});
  h.SetPaging(Paging());
  h.SetCoord(Coordination());
  h.At(Utc("2026-11-29T10:00:00Z"));
  const uint64_t id = Open(h);
  ASSERT_TRUE(Role(h, "user:alice", id, "commander", "alice").status.ok());
  auto second = Role(h, "user:bob", id, "commander", "bob");
  EXPECT_EQ(second.status.error().code, core::ErrorCode::kConflict) << "no silent second commander";
  auto grab = Role(h, "user:bob", id, "commander", "bob", true);
  EXPECT_EQ(grab.status.error().code, core::ErrorCode::kDenied) << "bob cannot take command from alice himself";
  h.Advance(10min);
  ASSERT_TRUE(Role(h, "user:alice", id, "commander", "bob", true).status.ok());
  auto roles = Lines(h, id, "role");
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[0], "alice is commander, assigned by user:alice");
  EXPECT_EQ(roles[1], "Incident commander handed off from alice to bob by user:alice");
  // An admin may hand off too; other roles are simply reassigned.
  ASSERT_TRUE(Role(h, "user:root", id, "commander", "alice", true, true).status.ok());
  ASSERT_TRUE(Role(h, "user:alice", id, "communications", "erin").status.ok());
  ASSERT_TRUE(Role(h, "user:alice", id, "communications", "bob").status.ok());
  EXPECT_EQ(Role(h, "user:alice", id, "janitor", "bob").status.error().field, "/role");
  std::map<std::string, std::string> held;
  h.Read([&](const engine::State& s) { held = s.coord.Find(id)->roles; });
  EXPECT_EQ(held, (std::map<std::string, std::string>{{"commander", "alice"}, {"communications", "bob"}}));
  h.Reopen();
  h.Read([&](const engine::State& s) { held = s.coord.Find(id)->roles; });
  EXPECT_EQ(held.at("commander"), "alice") << "roles survive a restart";
}

TEST(CoordScenarioTest, EveryIncidentGetsOneChannelThatEveryNotificationNames) {
  Harness h(Checkout(), {});
  h.SetPaging(Paging());
  h.SetCoord(Coordination());
  h.At(Utc("2026-11-29T10:00:00Z"));
  const uint64_t id = Open(h);
  EXPECT_EQ(Lines(h, id, "channel"),
            std::vector<std::string>{"Coordination channel #inc-1-checkout (https://chat.example.com/inc-1), bridge "
                                     "https://meet.example.com/inc-1"});
  std::vector<escalation::Delivery> deliveries;
  h.Read([&](const engine::State& s) {
    for (const auto* d : s.paging.DeliveriesOf(id)) deliveries.push_back(*d);
  });
  ASSERT_GE(deliveries.size(), 2u) << "the page and the announcement";
  bool announced = false;
  for (const auto& d : deliveries) {
    EXPECT_NE(d.text.find("#inc-1-checkout"), std::string::npos) << d.user << ": " << d.text;
    if (d.user == "ops-room") announced = true;
  }
  EXPECT_TRUE(announced);
  EXPECT_EQ(h.Count("incident.channel_opened"), 1u);
  Open(h);  // the same alert again: no second channel
  EXPECT_EQ(h.Count("incident.channel_opened"), 1u);
}

TEST(CoordScenarioTest, TheCadenceRemindsTheCommsLeadThenTellsTheCommanderAndNoChangeIsAnUpdate) {
  Harness h(Checkout(), {});
  h.SetPaging(Paging());
  h.SetCoord(Coordination());
  h.At(Utc("2026-11-29T10:00:00Z"));
  const uint64_t id = Open(h);
  ASSERT_TRUE(Role(h, "user:alice", id, "commander", "alice").status.ok());
  ASSERT_TRUE(Role(h, "user:alice", id, "communications", "erin").status.ok());
  h.At(Utc("2026-11-29T10:24:00Z"));
  EXPECT_TRUE(Lines(h, id, "cadence").empty());
  h.At(Utc("2026-11-29T10:25:00Z"));
  EXPECT_EQ(Lines(h, id, "cadence"), std::vector<std::string>{"Status update due soon: erin reminded"});
  h.At(Utc("2026-11-29T10:26:00Z"));
  EXPECT_EQ(Lines(h, id, "cadence").size(), 1u) << "once per due time";
  h.At(Utc("2026-11-29T10:30:00Z"));
  EXPECT_EQ(Lines(h, id, "cadence").back(), "Status update overdue: alice told");
  // The messages went to those two people only.
  std::vector<std::string> told;
  h.Read([&](const engine::State& s) {
    for (const auto* d : s.paging.DeliveriesOf(id)) {
      if (d->kind == "message" && d->text.find("Status update") != std::string::npos) told.push_back(d->user);
    }
  });
  EXPECT_EQ(told, (std::vector<std::string>{"erin", "alice"}));

  h.At(Utc("2026-11-29T10:31:00Z"));
  ASSERT_TRUE(h.Run(engine::Command{"user:erin", engine::PostStatusUpdate{id, "", true}}).status.ok());
  EXPECT_EQ(Lines(h, id, "status_update"),
            std::vector<std::string>{"Status update by user:erin (no change): No change since the last update."});
  h.At(Utc("2026-11-29T10:55:00Z"));
  EXPECT_EQ(Lines(h, id, "cadence").size(), 2u) << "the next update is due at 11:01";
  h.At(Utc("2026-11-29T10:56:00Z"));
  EXPECT_EQ(Lines(h, id, "cadence").size(), 3u);
  EXPECT_EQ(h.Run(engine::Command{"user:erin", engine::PostStatusUpdate{id, "", false}}).status.error().field, "/text");
}

TEST(CoordScenarioTest, TypedLogEntriesAreOnTheTimelineWithAuthor) {
  Harness h(Checkout(), {});
  h.SetCoord(Coordination());
  h.At(Utc("2026-11-29T10:00:00Z"));
  const uint64_t id = Open(h);
  ASSERT_TRUE(h.Run(engine::Command{"user:alice", engine::AddLogEntry{id, "decision", "roll back 42"}}).status.ok());
  ASSERT_TRUE(h.Run(engine::Command{"user:bob", engine::AddLogEntry{id, "observation", "p99 back to 120 ms"}})
                  .status.ok());
  EXPECT_EQ(Lines(h, id, "decision"), std::vector<std::string>{"Decision by user:alice: roll back 42"});
  EXPECT_EQ(Lines(h, id, "observation"), std::vector<std::string>{"Observation by user:bob: p99 back to 120 ms"});
  EXPECT_EQ(h.Run(engine::Command{"user:bob", engine::AddLogEntry{id, "gossip", "x"}}).status.error().field, "/kind");
  EXPECT_EQ(h.Run(engine::Command{"user:bob", engine::AddLogEntry{999, "note", "x"}}).status.error().code,
            core::ErrorCode::kNotFound);
}

TEST(CoordScenarioTest, AMajorIncidentWithoutACommanderPagesTheCommanderOnCall) {
  Harness h(Checkout(), {});
  h.SetPaging(Paging());
  classify::Config major;
  classify::MajorCriteria m;
  m.categories = {"security"};
  major.major = m;
  h.SetClassify(major);
  coord::Config c;
  c.commander_within = 10min;
  h.SetCoord(c);
  h.At(Utc("2026-11-29T10:00:00Z"));
  const uint64_t id = Open(h);
  ASSERT_TRUE(h.Run(engine::Command{"user:alice", engine::ReclassifyIncident{id, "security", "", "a breach"}})
                  .status.ok());
  h.At(Utc("2026-11-29T10:09:00Z"));
  EXPECT_EQ(h.Count("incident.commander_escalated"), 0u);
  h.At(Utc("2026-11-29T10:10:00Z"));
  EXPECT_EQ(h.Count("incident.commander_escalated"), 1u);
  auto lines = Lines(h, id, "commander");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "No incident commander: major for 10m without a commander (limit 10m)");
  h.At(Utc("2026-11-29T10:20:00Z"));
  EXPECT_EQ(h.Count("incident.commander_escalated"), 1u) << "once";
}

}  // namespace
}  // namespace scenario

namespace scenario {
namespace {

coord::Config Vendors() {
  coord::Config c;
  c.vendors = {coord::Vendor{"acme-db", {"support@acme.example"}, {"read", "log"}, 4h, "call the TAM"}};
  return c;
}

const std::string kHash(64, 'a');

TEST(CoordScenarioTest, AVendorGrantIsScopedExpiresAndEndsWhenTheIncidentResolves) {
  Harness h(Checkout(), {});
  h.SetCoord(Vendors());
  h.At(Utc("2026-11-29T10:00:00Z"));
  const uint64_t id = Open(h);
  auto grant = [&](std::vector<std::string> scopes, core::Duration d) {
    return h.Run(engine::Command{"user:alice", engine::GrantVendor{id, "acme-db", scopes, d, kHash, "replication"}});
  };
  EXPECT_EQ(grant({"read"}, 5h).status.error().field, "/duration") << "longer than the profile allows";
  EXPECT_EQ(grant({"admin"}, 1h).status.error().field, "/scopes/0");
  EXPECT_EQ(h.Run(engine::Command{"user:alice", engine::GrantVendor{id, "nobody", {"read"}, 1h, kHash, ""}})
                .status.error()
                .field,
            "/vendor");
  auto read_only = grant({"read"}, 1h);
  ASSERT_TRUE(read_only.status.ok());
  const uint64_t g = read_only.grant_id;
  auto use = [&](uint64_t grant_id, const char* action) {
    return h.Run(engine::Command{"vendor:acme-db", engine::UseVendorGrant{grant_id, action, "/api/v1/incidents/1"}});
  };
  EXPECT_TRUE(use(g, "read").status.ok());
  EXPECT_EQ(use(g, "log").status.error().code, core::ErrorCode::kDenied) << "not in its scopes";
  EXPECT_EQ(h.Count("vendor.used"), 1u) << "every use is journaled; refusals write nothing";

  // Expiry: refused at once (the grant no longer authenticates: 401, as at the HTTP edge), and revoked on the
  // record at the next minute's tick.
  h.At(Utc("2026-11-29T11:00:00Z"));
  EXPECT_EQ(use(g, "read").status.error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(h.Count("vendor.revoked"), 1u);

  // Resolving ends every grant of the incident.
  auto second = grant({"read", "log"}, 2h);
  ASSERT_TRUE(second.status.ok());
  EXPECT_TRUE(use(second.grant_id, "log").status.ok());
  ASSERT_TRUE(h.Run(engine::Command{"user:alice", engine::ResolveIncident{id, "fixed"}}).status.ok());
  EXPECT_EQ(use(second.grant_id, "read").status.error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(h.Count("vendor.revoked"), 2u);
  const auto lines = Lines(h, id, "vendor");
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], "Vendor acme-db granted read access (grant 1) by user:alice until 2026-11-29T11:00:00Z: "
                      "replication");
  EXPECT_EQ(lines.back(), "Vendor grant 2 revoked: incident resolved");
}

}  // namespace
}  // namespace scenario
