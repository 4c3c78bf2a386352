#include "core/labels.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace core {
namespace {

// Values Alertmanager shows for these label sets (prometheus/common model.LabelSet.Fingerprint).
TEST(LabelSetTest, EmptySetFingerprintIsTheFnvOffset) { EXPECT_EQ(LabelSet().Fingerprint(), 14695981039346656037ULL); }

TEST(LabelSetTest, FingerprintIgnoresInsertionOrder) {
  LabelSet a{{"alertname", "HighLatency"}, {"job", "api"}};
  LabelSet b{{"job", "api"}, {"alertname", "HighLatency"}};

  EXPECT_EQ(a.Fingerprint(), b.Fingerprint());
}

TEST(LabelSetTest, FingerprintSeparatesNameAndValue) {
  // Without the 0xff separators these two would hash the same bytes.
  LabelSet a{{"ab", "c"}};
  LabelSet b{{"a", "bc"}};

  EXPECT_NE(a.Fingerprint(), b.Fingerprint());
}

TEST(LabelSetTest, FingerprintMatchesHandComputedFnv1a) {
  LabelSet s{{"a", "b"}};
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : std::string("a\xff" "b\xff")) {
    h ^= c;
    h *= 1099511628211ULL;
  }

  EXPECT_EQ(s.Fingerprint(), h);
  EXPECT_EQ(FingerprintHex(s.Fingerprint()).size(), 16u);
}

TEST(LabelSetTest, Fnv1a64ExtendedOverPiecesEqualsTheHashOfThemJoined) {
  EXPECT_EQ(Fnv1a64Extend(Fnv1a64("alert"), "name\xff"), Fnv1a64("alertname\xff"));
  EXPECT_EQ(Fnv1a64Extend(Fnv1a64(""), ""), Fnv1a64(""));
  EXPECT_NE(Fnv1a64Extend(Fnv1a64("ab"), "c"), Fnv1a64Extend(Fnv1a64("a"), "bd"));
}

TEST(LabelSetTest, FingerprintHexIsSixteenLowercaseDigitsWithLeadingZeros) {
  EXPECT_EQ(FingerprintHex(0), "0000000000000000");
  EXPECT_EQ(FingerprintHex(0x1), "0000000000000001");
  EXPECT_EQ(FingerprintHex(0xdeadbeef00ab), "0000deadbeef00ab");
  EXPECT_EQ(FingerprintHex(0xffffffffffffffffULL), "ffffffffffffffff");
}

TEST(LabelSetTest, SetReplacesAndGetReturnsEmptyForMissing) {
  LabelSet s{{"a", "1"}};

  s.Set("a", "2");

  EXPECT_EQ(s.Get("a"), "2");
  EXPECT_EQ(s.Get("zzz"), "");
  EXPECT_FALSE(s.Has("zzz"));
  EXPECT_EQ(s.size(), 1u);
}

TEST(LabelSetTest, SubsetKeepsOnlyNamedLabels) {
  LabelSet s{{"a", "1"}, {"b", "2"}, {"c", "3"}};

  EXPECT_EQ(s.Subset({"c", "a", "missing"}), (LabelSet{{"a", "1"}, {"c", "3"}}));
}

// Small sets take an insertion sort and large ones stable_sort: either way the pairs come out ordered by name, and
// of pairs sharing a name the last one given wins, as a std::map assigned in input order keeps it.
TEST(LabelSetTest, FromUnsortedOrdersByNameAndTheLastPairOfANameWinsAtEverySize) {
  std::mt19937 random(7);
  for (size_t size = 0; size <= 40; ++size) {
    for (int round = 0; round < 20; ++round) {
      std::vector<Label> pairs;
      std::map<std::string, std::string> expected;
      for (size_t i = 0; i < size; ++i) {
        std::string name = "n" + std::to_string(random() % (size + 1));  // repeats are likely
        std::string value = "v" + std::to_string(i);
        pairs.emplace_back(name, value);
        expected[name] = value;
      }
      LabelSet set = LabelSet::FromUnsorted(pairs);
      const std::vector<Label>& got = set.labels();
      std::vector<Label> want(expected.begin(), expected.end());
      ASSERT_EQ(got, want) << "size " << size << ", round " << round;
    }
  }
}

}  // namespace
}  // namespace core
