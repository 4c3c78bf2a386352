#include <gtest/gtest.h>

#include "domain/coord/model.h"
#include "domain/coord/records.h"

namespace coord {
namespace {

journal::Record RecordOf(const Payload& p, uint64_t seq, const char* actor = "user:alice") {
  journal::Record r;
  r.seq = seq;
  r.time = core::FromUnixMillis(1'700'000'000'000 + static_cast<int64_t>(seq) * 1000);
  r.actor = actor;
  r.type = static_cast<uint16_t>(TypeOf(p));
  r.version = kPayloadVersion;
  r.payload = EncodePayload(p);
  return r;
}

TEST(CoordRecords, EveryPayloadSurvivesEncodingAndDecoding) {
  const std::vector<Payload> all = {RoleAssigned{7, "commander", "bob", "alice", true, "shift end"},
                                    ChannelOpened{7, "#inc-7", "https://chat/inc-7", "https://meet/inc-7"},
                                    LogEntry{7, "decision", "roll back release 42"},
                                    StatusUpdated{7, "No change since the last update.", true},
                                    CadenceNotified{7, "overdue", 123456, "bob"},
                                    CommanderEscalated{7, "carol", "major for 10m"}};
  for (const Payload& p : all) {
    auto back = DecodePayload(static_cast<uint16_t>(TypeOf(p)), kPayloadVersion, EncodePayload(p));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->index(), p.index());
    EXPECT_EQ(EncodePayload(back.value()), EncodePayload(p));
    EXPECT_EQ(IncidentOf(back.value()), 7u);
  }
  EXPECT_FALSE(DecodePayload(401, kPayloadVersion, "\x01").ok()) << "truncated";
  EXPECT_FALSE(DecodePayload(499, kPayloadVersion, EncodePayload(all[0])).ok()) << "unknown type";
}

TEST(CoordRecords, TheTimelineLineNamesBothCommandersOfAHandOffAndWhoDidIt) {
  EXPECT_EQ(Describe(RoleAssigned{7, "commander", "bob", "alice", true, "end of shift"}, "user:alice"),
            "Incident commander handed off from alice to bob by user:alice: end of shift");
  EXPECT_EQ(Describe(RoleAssigned{7, "scribe", "dave", "", false, ""}, "user:alice"),
            "dave is scribe, assigned by user:alice");
  EXPECT_EQ(Describe(LogEntry{7, "decision", "roll back"}, "user:bob"), "Decision by user:bob: roll back");
  EXPECT_EQ(Describe(StatusUpdated{7, "No change since the last update.", true}, "user:erin"),
            "Status update by user:erin (no change): No change since the last update.");
}

TEST(CoordModel, FoldsRolesChannelAndUpdatesAndEncodesToTheSameState) {
  Model m;
  ASSERT_TRUE(Apply(m, RecordOf(RoleAssigned{7, "commander", "alice", "", false, ""}, 1)).ok());
  ASSERT_TRUE(Apply(m, RecordOf(ChannelOpened{7, "#inc-7", "https://chat/inc-7", ""}, 2)).ok());
  ASSERT_TRUE(Apply(m, RecordOf(StatusUpdated{7, "investigating", false}, 3)).ok());
  ASSERT_TRUE(Apply(m, RecordOf(CadenceNotified{7, "reminder", 99, "alice"}, 4)).ok());
  ASSERT_TRUE(Apply(m, RecordOf(RoleAssigned{7, "commander", "bob", "alice", true, ""}, 5)).ok());
  const IncidentCoord* c = m.Find(7);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->roles.at("commander"), "bob");
  EXPECT_EQ(c->last_update, "investigating");
  EXPECT_EQ(c->last_update_ms, 1'700'000'003'000);
  EXPECT_EQ(m.channel_lines.at(7), "Coordinate in #inc-7 https://chat/inc-7 (the incident's only channel)");
  auto back = DecodeModel(EncodeModel(m));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), m);
  Forget(m, 7);
  EXPECT_TRUE(m.incidents.empty());
  EXPECT_TRUE(m.channel_lines.empty());
}

}  // namespace
}  // namespace coord
