#include "journal/record.h"

#include <gtest/gtest.h>

#include <vector>

namespace journal {
namespace {

Record Make(std::string payload) {
  Record r;
  r.time = core::FromUnixMillis(1700000000000);
  r.actor = "token:admin";
  r.type = 7;
  r.payload = std::move(payload);
  return r;
}

struct Stored {
  std::string bytes;
  Hash hash;
};

std::vector<Stored> BuildChain(int n) {
  Chain chain;
  std::vector<Stored> out;
  for (int i = 0; i < n; ++i) {
    Record r = Make("payload " + std::to_string(i));
    std::string bytes = chain.Link(r);
    out.push_back({bytes, r.hash});
  }
  return out;
}

TEST(ChainTest, LinksSequenceAndPreviousHash) {
  Chain chain;
  Record a = Make("a");
  Record b = Make("b");

  chain.Link(a);
  chain.Link(b);

  EXPECT_EQ(a.seq, 1u);
  EXPECT_EQ(b.seq, 2u);
  EXPECT_EQ(a.prev, Hash{});
  EXPECT_EQ(b.prev, a.hash);
  EXPECT_EQ(chain.last_hash(), b.hash);
}

TEST(ChainTest, EncodeDecodeRoundTrips) {
  Chain chain;
  Record r = Make("payload");
  std::string bytes = chain.Link(r);

  auto decoded = Decode(bytes);

  ASSERT_TRUE(decoded.ok());
  Record expected = r;
  expected.hash = {};
  EXPECT_EQ(decoded.value(), expected);
}

TEST(VerifierTest, AcceptsAnIntactChain) {
  auto chain = BuildChain(100);
  Verifier v;

  for (const auto& s : chain) ASSERT_TRUE(v.Next(s.bytes, s.hash).ok());

  EXPECT_EQ(v.count(), 100u);
  EXPECT_EQ(v.last_seq(), 100u);
}

TEST(VerifierTest, DetectsAFlippedPayloadByteAndNamesTheRecord) {
  auto chain = BuildChain(10);
  chain[6].bytes[chain[6].bytes.size() - 40] ^= 0x01;  // inside the payload, before the 32-byte prev hash
  Verifier v;

  core::Status first_error;
  for (const auto& s : chain) {
    auto r = v.Next(s.bytes, s.hash);
    if (!r.ok()) {
      first_error = r.error();
      break;
    }
  }

  ASSERT_FALSE(first_error.ok());
  EXPECT_EQ(first_error.error().code, core::ErrorCode::kCorrupt);
  EXPECT_NE(first_error.error().message.find("record 7"), std::string::npos) << first_error.error().message;
  EXPECT_EQ(v.count(), 6u);
}

TEST(VerifierTest, DetectsARecordRehashedWithoutFixingTheNextLink) {
  // An attacker who edits record 3 and recomputes its hash still breaks record 4's previous-hash link.
  auto chain = BuildChain(5);
  Record forged = Decode(chain[2].bytes).value();
  forged.payload = "forged";
  chain[2].bytes = Encode(forged);
  chain[2].hash = Sha256(chain[2].bytes);
  Verifier v;

  ASSERT_TRUE(v.Next(chain[0].bytes, chain[0].hash).ok());
  ASSERT_TRUE(v.Next(chain[1].bytes, chain[1].hash).ok());
  ASSERT_TRUE(v.Next(chain[2].bytes, chain[2].hash).ok());
  auto fourth = v.Next(chain[3].bytes, chain[3].hash);

  ASSERT_FALSE(fourth.ok());
  EXPECT_NE(fourth.error().message.find("record 4: previous-hash link broken"), std::string::npos);
}

TEST(VerifierTest, DetectsAGap) {
  auto chain = BuildChain(3);
  Verifier v;

  ASSERT_TRUE(v.Next(chain[0].bytes, chain[0].hash).ok());
  auto r = v.Next(chain[2].bytes, chain[2].hash);

  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("gap"), std::string::npos);
}

TEST(VerifierTest, GarbageBytesAreCorruptionNotACrash) {
  Verifier v;

  auto r = v.Next(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11), Hash{});

  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace journal
