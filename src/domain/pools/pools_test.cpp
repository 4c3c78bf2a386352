#include <gtest/gtest.h>

#include "domain/pools/model.h"
#include "domain/pools/pools.h"
#include "domain/pools/records.h"

namespace pools {
namespace {

using namespace std::chrono_literals;

// Applies pool records to a model as the engine would; keeps the notifications; ignores the rest.
class FakeEmitter final : public Emitter {
 public:
  explicit FakeEmitter(Model& model) : model_(model) {}
  uint64_t Emit(const incident::Payload& p) override {
    if (const auto* n = std::get_if<incident::NotificationRequested>(&p)) notifications.push_back(*n);
    return ++seq_;
  }
  uint64_t Emit(const correlate::Payload&) override { return ++seq_; }
  uint64_t Emit(const escalation::Payload&) override { return ++seq_; }
  uint64_t Emit(const classify::Payload&) override { return ++seq_; }
  uint64_t Emit(const coord::Payload&) override { return ++seq_; }
  uint64_t Emit(const Payload& p) override {
    journal::Record r;
    r.seq = ++seq_;
    r.time = now_;
    r.actor = actor;
    r.type = static_cast<uint16_t>(TypeOf(p));
    r.version = kPayloadVersion;
    r.payload = EncodePayload(p);
    EXPECT_TRUE(Apply(model_, r).ok());
    records.push_back(p);
    return r.seq;
  }
  core::Timestamp now() const override { return now_; }
  void Advance(core::Duration d) { now_ += d; }

  std::vector<Payload> records;
  std::vector<incident::NotificationRequested> notifications;
  std::string actor = "user:alice";

  template <typename T>
  std::vector<T> Of() const {
    std::vector<T> out;
    for (const auto& p : records) {
      if (const auto* x = std::get_if<T>(&p)) out.push_back(*x);
    }
    return out;
  }

 private:
  Model& model_;
  uint64_t seq_ = 0;
  core::Timestamp now_ = core::FromUnixMillis(1'764'400'000'000);
};

class PoolsTest : public ::testing::Test {
 protected:
  PoolsTest() {
    classify_.catalogue = {{"payments-api", "payments-team", {"payments"}, 0, {}, {}},
                           {"blog", "marketing", {"marketing"}, 0, {}, {}}};
    Pool dba;
    dba.id = "dba";
    dba.name = "Database administrators";
    dba.members = {"carol"};
    dba.expectations = {{"payments", 15min}, {"default", 1h}};
    config_.pools = {dba};
  }

  // An open incident on `service`; a critical alert gives P3, an error P4, a warning P5 (low impact, no catalogue
  // customers) under the default matrix.
  uint64_t Open(const std::string& service, ingest::Severity severity) {
    incident::Incident inc;
    inc.id = ++next_id_;
    inc.service = service;
    inc.title = service + " down";
    inc.severity = severity;
    incidents_.incidents[inc.id] = inc;
    return inc.id;
  }

  View view() {
    views_.push_back(std::make_unique<classify::View>(classify::View{classify_model_, incidents_, classify_, services_}));
    return View{model_, config_, *views_.back()};
  }

  core::Status Request(uint64_t id, const std::string& pool = "dba") { return RequestPool(view(), id, pool, "", emit_); }

  Model model_;
  FakeEmitter emit_{model_};
  Config config_;
  classify::Config classify_;
  classify::Model classify_model_;
  incident::Model incidents_;
  incident::Config services_;
  std::vector<std::unique_ptr<classify::View>> views_;
  uint64_t next_id_ = 0;
};

TEST(PoolRecords, EveryPayloadSurvivesEncodingAndDecoding) {
  const std::vector<Payload> all = {Requested{7, "dba", 1, "SEV1", "high × high", "payments", 900000, "disk"},
                                    Assigned{7, "dba", 3, 4},
                                    Queued{7, "dba", 2, {3, 4}, 1234},
                                    Released{7, "dba", true, "incident resolved"},
                                    Yielded{7, 9, "dba", "payments first"},
                                    Conflict{7, "dba", 1, {3}},
                                    Breached{7, "dba", "payments", 900000, 960000}};
  for (const Payload& p : all) {
    auto back = DecodePayload(static_cast<uint16_t>(TypeOf(p)), kPayloadVersion, EncodePayload(p));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->index(), p.index());
    EXPECT_EQ(EncodePayload(back.value()), EncodePayload(p));
    EXPECT_EQ(IncidentOf(back.value()), 7u);
  }
  EXPECT_FALSE(DecodePayload(502, kPayloadVersion, "\x07").ok()) << "truncated";
  EXPECT_FALSE(DecodePayload(599, kPayloadVersion, EncodePayload(all[0])).ok()) << "unknown type";
  EXPECT_EQ(IncidentsOf(all[4]), (std::vector<uint64_t>{7, 9}));
  EXPECT_EQ(IncidentsOf(all[2]), (std::vector<uint64_t>{7, 3, 4}));
}

TEST(PoolRecords, TheYieldLineNamesBothIncidentsTheReasonAndWhoDecided) {
  EXPECT_EQ(Describe(Yielded{1, 2, "dba", "payments outage first"}, "user:ic"),
            "Incident 1 yielded pool dba to incident 2 (payments outage first), decided by user:ic");
}

TEST_F(PoolsTest, AFreeSlotIsAssignedAtOnceAndTheMembersAreTold) {
  const uint64_t a = Open("payments-api", ingest::Severity::kCritical);

  ASSERT_TRUE(Request(a).ok());

  ASSERT_EQ(emit_.Of<Assigned>().size(), 1u);
  EXPECT_TRUE(model_.Find("dba", a)->holding());
  const auto req = emit_.Of<Requested>().at(0);
  EXPECT_EQ(req.priority, 3);
  EXPECT_EQ(req.unit, "payments");
  EXPECT_EQ(req.expect_ms, 15 * 60 * 1000);
  ASSERT_EQ(emit_.notifications.size(), 1u);
  EXPECT_EQ(emit_.notifications[0].to, "carol");
}

TEST_F(PoolsTest, WaitingRequestsQueueByPriorityThenRequestTime) {
  const uint64_t holder = Open("blog", ingest::Severity::kWarning);
  const uint64_t early_low = Open("blog", ingest::Severity::kError);
  const uint64_t late_high = Open("payments-api", ingest::Severity::kCritical);
  const uint64_t late_low = Open("blog", ingest::Severity::kError);
  ASSERT_TRUE(Request(holder).ok());
  emit_.Advance(1min);
  ASSERT_TRUE(Request(early_low).ok());
  emit_.Advance(1min);
  ASSERT_TRUE(Request(late_high).ok());
  emit_.Advance(1min);
  ASSERT_TRUE(Request(late_low).ok());

  const Queue q = QueueOf(model_, config_.pools[0], emit_.now());

  ASSERT_EQ(q.holders.size(), 1u);
  EXPECT_EQ(q.holders[0].request->incident_id, holder);
  ASSERT_EQ(q.waiting.size(), 3u);
  EXPECT_EQ(q.waiting[0].request->incident_id, late_high);
  EXPECT_EQ(q.waiting[1].request->incident_id, early_low);
  EXPECT_EQ(q.waiting[2].request->incident_id, late_low);
  EXPECT_EQ(q.waiting[0].position, 1u);
  EXPECT_EQ(q.waiting[0].remaining, 14min) << "payments expects 15m; it waited 1m";
  EXPECT_EQ(q.waiting[1].remaining, 58min) << "default 1h; it waited 2m";
  EXPECT_EQ(emit_.Of<Queued>().at(1).position, 1u) << "late_high was first in line when it came";
}

TEST_F(PoolsTest, CapacityDefaultsToTheMembersAndCanBeSet) {
  config_.pools[0].members = {"carol", "dave"};
  const uint64_t a = Open("blog", ingest::Severity::kError);
  const uint64_t b = Open("blog", ingest::Severity::kError);
  const uint64_t c = Open("blog", ingest::Severity::kError);
  ASSERT_TRUE(Request(a).ok());
  ASSERT_TRUE(Request(b).ok());
  ASSERT_TRUE(Request(c).ok());
  EXPECT_EQ(model_.Holders("dba").size(), 2u);
  EXPECT_EQ(model_.Waiting("dba").size(), 1u);

  config_.pools[0].capacity = 1;
  EXPECT_EQ(QueueOf(model_, config_.pools[0], emit_.now()).free, 0u);
}

TEST_F(PoolsTest, AReleaseHandsTheSlotToTheNextByPriorityAndAResolvedIncidentReleases) {
  const uint64_t holder = Open("blog", ingest::Severity::kWarning);
  const uint64_t low = Open("blog", ingest::Severity::kError);
  const uint64_t high = Open("payments-api", ingest::Severity::kCritical);
  ASSERT_TRUE(Request(holder).ok());
  emit_.Advance(1min);
  ASSERT_TRUE(Request(low).ok());
  ASSERT_TRUE(Request(high).ok());

  React(view(), incident::IncidentResolved{holder, "", 0}, emit_);

  EXPECT_EQ(model_.Find("dba", holder), nullptr);
  EXPECT_TRUE(model_.Find("dba", high)->holding());
  EXPECT_FALSE(model_.Find("dba", low)->holding());
  EXPECT_EQ(emit_.Of<Released>().at(0).reason, "incident resolved");
  EXPECT_EQ(emit_.Of<Assigned>().back().from, holder);
  ASSERT_TRUE(ReleasePool(view(), high, "dba", "", emit_).ok());
  EXPECT_TRUE(model_.Find("dba", low)->holding());
  EXPECT_EQ(ReleasePool(view(), high, "dba", "", emit_).error().code, core::ErrorCode::kNotFound);
}

TEST_F(PoolsTest, AHigherPriorityRequestIsNotPreemptiveButARecordedConflictAndAYieldResolvesIt) {
  const uint64_t low = Open("blog", ingest::Severity::kWarning);
  const uint64_t high = Open("payments-api", ingest::Severity::kCritical);
  ASSERT_TRUE(Request(low).ok());
  emit_.Advance(2min);

  ASSERT_TRUE(Request(high).ok());

  EXPECT_TRUE(model_.Find("dba", low)->holding()) << "never preempted automatically";
  const auto conflicts = emit_.Of<Conflict>();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].holders, std::vector<uint64_t>{low});
  EXPECT_EQ(IncidentsOf(conflicts[0]), (std::vector<uint64_t>{high, low})) << "on both timelines";
  EXPECT_EQ(QueueOf(model_, config_.pools[0], emit_.now()).waiting[0].conflicts_with, std::vector<uint64_t>{low});

  EXPECT_EQ(YieldPool(view(), low, high, "dba", "", emit_).error().field, "/reason");
  EXPECT_EQ(YieldPool(view(), high, low, "dba", "x", emit_).error().code, core::ErrorCode::kConflict);
  ASSERT_TRUE(YieldPool(view(), low, high, "dba", "payments first", emit_).ok());

  EXPECT_TRUE(model_.Find("dba", high)->holding());
  EXPECT_FALSE(model_.Find("dba", low)->holding()) << "the yielder waits again";
  EXPECT_TRUE(model_.Find("dba", high)->conflict_with.empty());
  EXPECT_EQ(emit_.Of<Queued>().back().incident_id, low);
  ASSERT_EQ(model_.yields.at("dba").size(), 1u);
  EXPECT_EQ(model_.yields.at("dba")[0].actor, "user:alice");
}

TEST_F(PoolsTest, RequestsDecidedInTheSameInstantGoByPriority) {
  const uint64_t low = Open("blog", ingest::Severity::kWarning);
  const uint64_t high = Open("payments-api", ingest::Severity::kCritical);

  ASSERT_TRUE(Request(low).ok());
  ASSERT_TRUE(Request(high).ok());  // same now: the same batch

  EXPECT_TRUE(model_.Find("dba", high)->holding());
  EXPECT_FALSE(model_.Find("dba", low)->holding());
  EXPECT_EQ(emit_.Of<Assigned>().back().displaced, low);
  EXPECT_TRUE(emit_.Of<Conflict>().empty());
}

TEST_F(PoolsTest, ABreachIsRecordedOnceWithANotification) {
  const uint64_t holder = Open("blog", ingest::Severity::kCritical);
  const uint64_t waiting = Open("payments-api", ingest::Severity::kWarning);
  ASSERT_TRUE(Request(holder).ok());
  emit_.Advance(1min);
  ASSERT_TRUE(Request(waiting).ok());
  const size_t told = emit_.notifications.size();

  emit_.Advance(14min);
  FireTimers(view(), emit_);
  EXPECT_TRUE(emit_.Of<Breached>().empty()) << "15m not yet over";
  emit_.Advance(1min);
  FireTimers(view(), emit_);
  emit_.Advance(1min);
  FireTimers(view(), emit_);

  const auto breaches = emit_.Of<Breached>();
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].incident_id, waiting);
  EXPECT_EQ(breaches[0].waited_ms, 15 * 60 * 1000);
  ASSERT_EQ(emit_.notifications.size(), told + 1);
  EXPECT_EQ(emit_.notifications.back().kind, incident::NotificationRequested::Kind::kUpdated);
  EXPECT_TRUE(QueueOf(model_, config_.pools[0], emit_.now()).waiting[0].late);
}

TEST_F(PoolsTest, RefusalsNameTheField) {
  const uint64_t a = Open("blog", ingest::Severity::kError);

  EXPECT_EQ(Request(a, "nope").error().field, "/pool");
  EXPECT_EQ(Request(99).error().code, core::ErrorCode::kNotFound);
  ASSERT_TRUE(Request(a).ok());
  const size_t before = emit_.records.size();
  ASSERT_TRUE(Request(a).ok());
  EXPECT_EQ(emit_.records.size(), before) << "asking twice changes nothing";
}

TEST_F(PoolsTest, TheModelEncodesToTheSameState) {
  const uint64_t a = Open("blog", ingest::Severity::kWarning);
  const uint64_t b = Open("payments-api", ingest::Severity::kCritical);
  ASSERT_TRUE(Request(a).ok());
  emit_.Advance(1min);
  ASSERT_TRUE(Request(b).ok());
  ASSERT_TRUE(YieldPool(view(), a, b, "dba", "why", emit_).ok());

  auto back = DecodeModel(EncodeModel(model_));

  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), model_);
  Forget(model_, a);
  EXPECT_EQ(model_.Find("dba", a), nullptr);
}

}  // namespace
}  // namespace pools
