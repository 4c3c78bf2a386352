#include "domain/escalation/overrides.h"

#include <gtest/gtest.h>

#include "domain/escalation/records.h"

namespace escalation {
namespace {

core::Timestamp At(const char* rfc3339) { return core::ParseRfc3339(rfc3339).value(); }

int64_t Ms(const char* rfc3339) { return core::ToUnixMillis(At(rfc3339)); }

// alice and bob take weekly turns from Monday 2 November 2026 09:00 Berlin.
oncall::Schedule Primary(std::vector<oncall::Override> configured = {}) {
  oncall::Rotation r;
  r.participants = {"alice", "bob"};
  r.frequency = oncall::Frequency::kWeekly;
  r.start_local = "2026-11-02T09:00";
  r.time_zone = "Europe/Berlin";
  oncall::Definition d;
  d.name = "primary";
  d.layers.push_back(oncall::Layer{"base", {r}});
  d.overrides = std::move(configured);
  return oncall::Schedule::Make(d).value();
}

journal::Record RecordOf(uint64_t seq, const char* time, const Payload& p, const std::string& actor = "user:alice") {
  journal::Record r;
  r.seq = seq;
  r.time = At(time);
  r.actor = actor;
  r.type = static_cast<uint16_t>(TypeOf(p));
  r.version = kPayloadVersion;
  r.payload = EncodePayload(p);
  return r;
}

OverrideCreated Created(uint64_t id, const char* start, const char* end, const char* kind, const char* user,
                        const char* replaced = "") {
  return OverrideCreated{id, "primary", Ms(start), Ms(end), kind, user, replaced, "swap", "user:alice"};
}

TEST(CreatedOverrideTest, FoldKeepsTheOverrideWithItsAuthorAndAdvancesTheId) {
  Model m;

  const OverrideCreated swap =
      Created(1, "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", "replace", "carol", "alice");
  ASSERT_TRUE(Apply(m, RecordOf(5, "2026-11-30T10:00:00Z", swap)).ok());

  ASSERT_EQ(m.overrides.size(), 1u);
  const CreatedOverride& o = m.overrides.at(1);
  EXPECT_EQ(o.schedule, "primary");
  EXPECT_EQ(o.kind, oncall::OverrideKind::kReplace);
  EXPECT_EQ(o.user, "carol");
  EXPECT_EQ(o.replaced_user, "alice");
  EXPECT_EQ(o.reason, "swap");
  EXPECT_EQ(o.created_by, "user:alice");
  EXPECT_EQ(o.created_ms, Ms("2026-11-30T10:00:00Z"));
  EXPECT_EQ(m.next_override_id, 2u);
}

TEST(CreatedOverrideTest, RemovingAnUnknownOverrideIsCorruptAndAKnownOneGoes) {
  Model m;
  ASSERT_TRUE(
      Apply(m, RecordOf(1, "2026-11-30T10:00:00Z", Created(1, "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", "add",
                                                           "carol")))
          .ok());

  EXPECT_EQ(Apply(m, RecordOf(2, "2026-11-30T10:01:00Z", OverrideRemoved{7, "primary", "user:bob"})).error().code,
            core::ErrorCode::kCorrupt);
  ASSERT_TRUE(Apply(m, RecordOf(3, "2026-11-30T10:02:00Z", OverrideRemoved{1, "primary", "user:bob"})).ok());

  EXPECT_TRUE(m.overrides.empty());
  EXPECT_EQ(m.next_override_id, 2u) << "ids are never reused";
}

TEST(CreatedOverrideTest, OverridesLongOverAreDroppedAsOfTheNextCreation) {
  Model m;
  ASSERT_TRUE(
      Apply(m, RecordOf(1, "2026-11-30T10:00:00Z", Created(1, "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", "add",
                                                           "carol")))
          .ok());

  ASSERT_TRUE(
      Apply(m, RecordOf(2, "2027-01-05T00:00:00Z", Created(2, "2027-01-06T00:00:00Z", "2027-01-07T00:00:00Z", "add",
                                                           "carol")))
          .ok());

  ASSERT_EQ(m.overrides.size(), 1u);
  EXPECT_EQ(m.overrides.begin()->first, 2u);
}

TEST(CreatedOverrideTest, TheModelEncodingRoundTripsCreatedOverrides) {
  Model m;
  const OverrideCreated swap =
      Created(1, "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", "replace", "carol", "alice");
  ASSERT_TRUE(Apply(m, RecordOf(5, "2026-11-30T10:00:00Z", swap)).ok());
  ASSERT_TRUE(
      Apply(m, RecordOf(6, "2026-11-30T10:00:00Z", Created(2, "2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z",
                                                           "remove", "bob")))
          .ok());

  auto decoded = DecodeModel(EncodeModel(m));

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->overrides, m.overrides);
  EXPECT_EQ(decoded->next_override_id, 3u);
  EXPECT_EQ(EncodeModel(decoded.value()), EncodeModel(m));
}

TEST(CreatedOverrideTest, TheEffectiveScheduleAppliesConfiguredOverridesFirstThenCreatedOnesInIdOrder) {
  // Configured: frank replaces alice on 1 December. Created: carol replaces frank that day, then dave is added.
  oncall::Override frank;
  frank.start = At("2026-12-01T00:00:00Z");
  frank.end = At("2026-12-02T00:00:00Z");
  frank.kind = oncall::OverrideKind::kReplace;
  frank.user = "frank";
  frank.replaced_user = "alice";
  oncall::Schedule base = Primary({frank});
  CreatedOverride carol{1, "primary", Ms("2026-12-01T06:00:00Z"), Ms("2026-12-01T12:00:00Z"),
                        oncall::OverrideKind::kReplace, "carol", "frank", "", "user:alice", 0};
  CreatedOverride dave{2, "primary", Ms("2026-12-01T08:00:00Z"), Ms("2026-12-01T10:00:00Z"),
                       oncall::OverrideKind::kAdd, "dave", "", "", "user:alice", 0};

  oncall::Schedule effective = WithCreatedOverrides(base, {carol, dave});

  // alice holds the week from 30 November.
  EXPECT_EQ(effective.OnCallAt(At("2026-11-30T12:00:00Z")), std::vector<std::string>{"alice"});
  EXPECT_EQ(effective.OnCallAt(At("2026-12-01T03:00:00Z")), std::vector<std::string>{"frank"});
  EXPECT_EQ(effective.OnCallAt(At("2026-12-01T07:00:00Z")), std::vector<std::string>{"carol"});
  EXPECT_EQ(effective.OnCallAt(At("2026-12-01T09:00:00Z")), (std::vector<std::string>{"carol", "dave"}));
  EXPECT_EQ(effective.OnCallAt(At("2026-12-01T13:00:00Z")), std::vector<std::string>{"frank"});
  EXPECT_EQ(effective.definition().overrides.size(), 3u);
  EXPECT_EQ(base.definition().overrides.size(), 1u) << "the configured schedule is left as it is";
}

TEST(CreatedOverrideTest, OnlyTheNamedSchedulesCreatedOverridesApply) {
  Model m;
  m.overrides[1] = CreatedOverride{1, "other", Ms("2026-12-01T00:00:00Z"), Ms("2026-12-02T00:00:00Z"),
                                   oncall::OverrideKind::kRemove, "alice", "", "", "user:alice", 0};
  m.overrides[2] = CreatedOverride{2, "primary", Ms("2026-12-01T00:00:00Z"), Ms("2026-12-02T00:00:00Z"),
                                   oncall::OverrideKind::kAdd, "bob", "", "", "user:alice", 0};

  auto mine = CreatedOverridesOf(m, "primary");

  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].id, 2u);
  EXPECT_EQ(WithCreatedOverrides(Primary(), mine).OnCallAt(At("2026-12-01T12:00:00Z")),
            (std::vector<std::string>{"alice", "bob"}));
}

}  // namespace
}  // namespace escalation
