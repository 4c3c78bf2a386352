#include "domain/incident/lifecycle.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace incident {
namespace {

using namespace std::chrono_literals;

// Links and applies decisions the way the engine does, with a clock the test moves.
class Harness : public Emitter {
 public:
  Harness() {
    ServiceConfig checkout;
    checkout.name = "checkout";
    checkout.routing_keys = {"checkout-key"};
    checkout.ack_timeout = 30min;
    checkout.auto_close_after = 24h;
    ServiceConfig hosts;
    hosts.name = "hosts";
    hosts.routing_keys = {"hosts-key"};
    hosts.group_by = {"source"};
    hosts.auto_close_after = core::Duration(0);
    config = Config({checkout, hosts});
  }

  uint64_t Emit(const Payload& payload) override {
    journal::Record r;
    r.time = now_;
    r.actor = "test";
    r.type = static_cast<uint16_t>(TypeOf(payload));
    r.version = PayloadVersion(TypeOf(payload));
    r.payload = EncodePayload(payload);
    chain_.Link(r);
    EXPECT_TRUE(Apply(model, r, nullptr).ok());
    records.push_back(r);
    return r.seq;
  }
  core::Timestamp now() const override { return now_; }
  void Advance(core::Duration d) { now_ += d; }

  EventResult Event(const std::string& key, ingest::Action action = ingest::Action::kTrigger,
                    const std::string& routing_key = "checkout-key", const std::string& source = "db-1",
                    ingest::Severity severity = ingest::Severity::kError) {
    ingest::Event e;
    e.routing_key = routing_key;
    e.action = action;
    e.dedup_key = key;
    e.summary = "summary of " + key;
    e.source = source;
    e.severity = severity;
    auto r = HandleEvent(model, config, e, *this);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value() : EventResult{};
  }

  std::vector<std::string> TypesSince(size_t from) const {
    std::vector<std::string> out;
    for (size_t i = from; i < records.size(); ++i) out.push_back(TypeName(records[i].type));
    return out;
  }

  Model model;
  Config config;
  std::vector<journal::Record> records;

 private:
  journal::Chain chain_;
  core::Timestamp now_ = core::FromUnixMillis(1'700'000'000'000);
};

TEST(LifecycleTest, TriggerOpensAnIncidentWithItsAlert) {
  Harness h;

  auto r = h.Event("db-1-down");

  EXPECT_EQ(r.incident_id, 1u);
  EXPECT_EQ(h.TypesSince(0), (std::vector<std::string>{"incident.opened", "alert.triggered"}));
  const Incident* inc = h.model.FindIncident(1);
  ASSERT_NE(inc, nullptr);
  EXPECT_EQ(inc->state, State::kTriggered);
  EXPECT_EQ(inc->open_alerts.size(), 1u);
  EXPECT_EQ(inc->title, "summary of db-1-down");
}

TEST(LifecycleTest, RetriggerWithSameDedupKeyUpdatesTheAlertWithoutANewIncident) {
  Harness h;
  h.Event("k");

  auto r = h.Event("k");

  EXPECT_EQ(r.incident_id, 1u);
  EXPECT_EQ(h.TypesSince(2), (std::vector<std::string>{"alert.retriggered"}));
  EXPECT_EQ(h.model.incidents.size(), 1u);
  EXPECT_EQ(h.model.FindOpenAlert("checkout", "k")->event_count, 2u);
}

TEST(LifecycleTest, TriggerAfterResolveOpensANewIncident) {
  Harness h;
  h.Event("k");
  h.Event("k", ingest::Action::kResolve);

  auto r = h.Event("k");

  EXPECT_EQ(r.incident_id, 2u);
  EXPECT_EQ(h.model.FindIncident(1)->state, State::kResolved);
  EXPECT_EQ(h.model.FindIncident(2)->state, State::kTriggered);
}

TEST(LifecycleTest, AcknowledgeOrResolveForAnUnknownKeyIsDroppedAndJournaled) {
  Harness h;

  auto ack = h.Event("never-seen", ingest::Action::kAcknowledge);
  auto res = h.Event("never-seen", ingest::Action::kResolve);

  EXPECT_TRUE(ack.dropped);
  EXPECT_TRUE(res.dropped);
  EXPECT_EQ(h.TypesSince(0), (std::vector<std::string>{"event.dropped", "event.dropped"}));
  EXPECT_TRUE(h.model.incidents.empty());
}

TEST(LifecycleTest, EventsForAnotherRoutingKeyDoNotTouchTheAlert) {
  Harness h;
  h.Event("k");

  auto r = h.Event("k", ingest::Action::kResolve, "hosts-key");

  EXPECT_TRUE(r.dropped);
  EXPECT_EQ(h.model.FindIncident(1)->state, State::kTriggered);
}

TEST(LifecycleTest, ResolvingTheLastAlertResolvesTheIncident) {
  Harness h;
  h.Event("a", ingest::Action::kTrigger, "hosts-key", "web-1");
  h.Event("b", ingest::Action::kTrigger, "hosts-key", "web-1");

  h.Event("a", ingest::Action::kResolve, "hosts-key");
  State after_first = h.model.FindIncident(1)->state;
  h.Event("b", ingest::Action::kResolve, "hosts-key");

  EXPECT_EQ(after_first, State::kTriggered);
  EXPECT_EQ(h.model.FindIncident(1)->state, State::kResolved);
}

TEST(LifecycleTest, GroupBySourceJoinsAlertsFromOneHost) {
  Harness h;

  auto a = h.Event("cpu", ingest::Action::kTrigger, "hosts-key", "web-1");
  auto b = h.Event("disk", ingest::Action::kTrigger, "hosts-key", "web-1");
  auto c = h.Event("cpu2", ingest::Action::kTrigger, "hosts-key", "web-2");

  EXPECT_EQ(a.incident_id, b.incident_id);
  EXPECT_NE(a.incident_id, c.incident_id);
  EXPECT_EQ(h.model.FindIncident(a.incident_id)->group_key, "source=web-1");
  EXPECT_EQ(h.model.FindIncident(a.incident_id)->alert_count, 2u);
}

TEST(LifecycleTest, AMoreSevereAlertRaisesTheIncidentSeverity) {
  Harness h;
  h.Event("a", ingest::Action::kTrigger, "hosts-key", "web-1", ingest::Severity::kWarning);

  h.Event("b", ingest::Action::kTrigger, "hosts-key", "web-1", ingest::Severity::kCritical);

  EXPECT_EQ(h.model.FindIncident(1)->severity, ingest::Severity::kCritical);
  EXPECT_EQ(h.TypesSince(h.records.size() - 1), (std::vector<std::string>{"incident.severity_raised"}));
}

TEST(LifecycleTest, AcknowledgementExpiresAfterTheServiceAckTimeout) {
  Harness h;
  h.Event("k");
  ASSERT_TRUE(Acknowledge(h.model, h.config, 1, h).ok());

  h.Advance(29min);
  FireTimers(h.model, h);
  State before = h.model.FindIncident(1)->state;
  h.Advance(1min);
  FireTimers(h.model, h);

  EXPECT_EQ(before, State::kAcknowledged);
  EXPECT_EQ(h.model.FindIncident(1)->state, State::kTriggered);
  EXPECT_EQ(h.TypesSince(h.records.size() - 1), (std::vector<std::string>{"incident.unacknowledged"}));
}

TEST(LifecycleTest, ABurstOfDueTimersIsFiredAtMostMaxAtATimeEarliestFirst) {
  Harness h;
  for (int i = 0; i < 5; ++i) {
    h.Event("k" + std::to_string(i));
    ASSERT_TRUE(Acknowledge(h.model, h.config, static_cast<uint64_t>(i + 1), h).ok());
    h.Advance(1s);
  }
  h.Advance(31min);

  const size_t before = h.records.size();
  bool left_first = FireTimers(h.model, h, 2);
  bool left_second = FireTimers(h.model, h, 2);
  bool left_third = FireTimers(h.model, h, 2);
  bool left_after = FireTimers(h.model, h, 2);

  EXPECT_TRUE(left_first);
  EXPECT_TRUE(left_second);
  EXPECT_FALSE(left_third);
  EXPECT_FALSE(left_after);
  EXPECT_EQ(h.TypesSince(before), std::vector<std::string>(5, "incident.unacknowledged"));
  for (uint64_t id = 1; id <= 5; ++id) EXPECT_EQ(h.model.FindIncident(id)->state, State::kTriggered) << id;
}

TEST(LifecycleTest, ResolvingStopsTheAckTimerAndAutoCloseRemovesTheIncidentFromMemory) {
  Harness h;
  h.Event("k");
  ASSERT_TRUE(Acknowledge(h.model, h.config, 1, h).ok());
  ASSERT_TRUE(Resolve(h.model, h.config, 1, "rolled back", h).ok());

  h.Advance(31min);
  FireTimers(h.model, h);
  State still = h.model.FindIncident(1)->state;
  h.Advance(24h);
  FireTimers(h.model, h);

  EXPECT_EQ(still, State::kResolved);
  EXPECT_EQ(h.model.FindIncident(1), nullptr);
  EXPECT_TRUE(h.model.timers.empty());
  EXPECT_TRUE(h.model.alerts.empty());
}

TEST(LifecycleTest, ManualResolveResolvesEveryOpenAlertFirst) {
  Harness h;
  h.Event("a", ingest::Action::kTrigger, "hosts-key", "web-1");
  h.Event("b", ingest::Action::kTrigger, "hosts-key", "web-1");
  size_t before = h.records.size();

  ASSERT_TRUE(Resolve(h.model, h.config, 1, "", h).ok());

  EXPECT_EQ(h.TypesSince(before),
            (std::vector<std::string>{"alert.resolved", "alert.resolved", "incident.resolved"}));
  EXPECT_TRUE(h.model.alerts.empty());
  EXPECT_TRUE(h.model.alert_by_key.empty());
}

TEST(LifecycleTest, InvalidTransitionsAreConflictsAndUnknownIdsNotFound) {
  Harness h;
  h.Event("k");
  ASSERT_TRUE(Resolve(h.model, h.config, 1, "", h).ok());

  EXPECT_EQ(Acknowledge(h.model, h.config, 1, h).error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(Resolve(h.model, h.config, 1, "", h).error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(Acknowledge(h.model, h.config, 99, h).error().code, core::ErrorCode::kNotFound);
  EXPECT_EQ(AddNote(h.model, 1, "", h).error().field, "/text");
}

TEST(LifecycleTest, AcknowledgingTwiceWritesOneRecord) {
  Harness h;
  h.Event("k");

  ASSERT_TRUE(Acknowledge(h.model, h.config, 1, h).ok());
  ASSERT_TRUE(Acknowledge(h.model, h.config, 1, h).ok());

  EXPECT_EQ(h.TypesSince(2), (std::vector<std::string>{"incident.acknowledged"}));
}

TEST(LifecycleTest, UnknownRoutingKeyIsInvalidAndWritesNothing) {
  Harness h;
  ingest::Event e;
  e.routing_key = "nope";
  e.dedup_key = "k";

  auto r = HandleEvent(h.model, h.config, e, h);

  EXPECT_EQ(r.error().field, "/routing_key");
  EXPECT_TRUE(h.records.empty());
}

TEST(LifecycleTest, ReplayingTheRecordsRebuildsTheSameModel) {
  Harness h;
  h.Event("a", ingest::Action::kTrigger, "hosts-key", "web-1");
  h.Event("b", ingest::Action::kTrigger, "hosts-key", "web-1");
  h.Event("k");
  ASSERT_TRUE(Acknowledge(h.model, h.config, 2, h).ok());
  ASSERT_TRUE(AddNote(h.model, 1, "looking", h).ok());
  h.Event("a", ingest::Action::kResolve, "hosts-key");

  Model replayed;
  for (const auto& r : h.records) ASSERT_TRUE(Apply(replayed, r, nullptr).ok());

  EXPECT_EQ(EncodeModel(replayed), EncodeModel(h.model));
  EXPECT_EQ(replayed.alert_by_key, h.model.alert_by_key);
  EXPECT_EQ(replayed.open_groups, h.model.open_groups);
  EXPECT_EQ(replayed.timers, h.model.timers);
}

TEST(LifecycleTest, EncodedModelDecodesToTheSameIndexes) {
  Harness h;
  h.Event("a", ingest::Action::kTrigger, "hosts-key", "web-1");
  h.Event("k");
  ASSERT_TRUE(Acknowledge(h.model, h.config, 2, h).ok());

  auto decoded = DecodeModel(EncodeModel(h.model));

  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(EncodeModel(decoded.value()), EncodeModel(h.model));
  EXPECT_EQ(decoded->alert_by_key, h.model.alert_by_key);
  EXPECT_EQ(decoded->open_groups, h.model.open_groups);
  EXPECT_EQ(decoded->timers, h.model.timers);
}

TEST(LifecycleTest, ARecordNamingAnUnknownIncidentIsCorruption) {
  Model m;
  journal::Record r;
  r.seq = 1;
  r.type = static_cast<uint16_t>(RecordType::kNoteAdded);
  r.payload = EncodePayload(NoteAdded{42, "x"});

  EXPECT_EQ(Apply(m, r, nullptr).error().code, core::ErrorCode::kCorrupt);
}

// Counts timeline entries by kind while records are folded.
class TimelineCounter : public Observer {
 public:
  void AlertChanged(const Alert&, const AlertText*) override {}
  void IncidentChanged(const Incident&) override {}
  void TimelineEntry(uint64_t, std::string_view kind, std::string) override { ++kinds[std::string(kind)]; }
  std::map<std::string, int> kinds;
};

TEST(LifecycleTest, OpenAlertIdsKeepJoinOrderWhileAlertsResolveInAnyOrder) {
  Harness h;
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back("disk-" + std::to_string(i));
  for (const auto& k : keys) h.Event(k, ingest::Action::kTrigger, "hosts-key", "db-1");
  uint64_t incident_id = h.model.FindOpenGroup("hosts", "source=db-1");
  ASSERT_NE(incident_id, 0u);
  std::vector<uint64_t> joined = h.model.OpenAlertIds(*h.model.FindIncident(incident_id));

  std::vector<uint64_t> expected;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i % 3 == 0) continue;
    expected.push_back(joined[i]);
  }
  for (size_t i = 0; i < keys.size(); i += 3) h.Event(keys[i], ingest::Action::kResolve, "hosts-key", "db-1");

  const Incident* inc = h.model.FindIncident(incident_id);
  ASSERT_NE(inc, nullptr);
  EXPECT_EQ(inc->open_alerts.size(), expected.size());
  EXPECT_EQ(h.model.OpenAlertIds(*inc), expected);
}

TEST(LifecycleTest, AnAlertStormPutsTheFirstTwentyAlertsAndEveryHundredthOnTheTimeline) {
  Harness h;
  for (int i = 0; i < 250; ++i) h.Event("disk-" + std::to_string(i), ingest::Action::kTrigger, "hosts-key", "db-1");
  for (int i = 0; i < 250; ++i) h.Event("disk-" + std::to_string(i), ingest::Action::kResolve, "hosts-key", "db-1");
  Model replayed;
  TimelineCounter counter;

  for (const auto& r : h.records) ASSERT_TRUE(Apply(replayed, r, &counter).ok());

  EXPECT_EQ(counter.kinds["alert_triggered"], 20 + 2);  // 1..20, 100, 200
  EXPECT_EQ(counter.kinds["alert_resolved"], 20 + 2);   // the last 20 (open 20..1), and at 200 and 100 open
  EXPECT_EQ(EncodeModel(replayed), EncodeModel(h.model));
}

}  // namespace
}  // namespace incident
