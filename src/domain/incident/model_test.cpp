#include "domain/incident/model.h"

#include <gtest/gtest.h>

namespace incident {
namespace {

TEST(KeyIndexTest, FindsInsertedPairsAndForgetsErasedOnes) {
  KeyIndex index;
  auto any = [](uint64_t) { return true; };

  index.Insert("checkout", "db-1", 7, any);
  uint64_t found = index.Find("checkout", "db-1", any);
  uint64_t other_service = index.Find("payments", "db-1", [](uint64_t) { return false; });
  index.Erase("checkout", "db-1", 7);

  EXPECT_EQ(found, 7u);
  EXPECT_EQ(other_service, 0u);
  EXPECT_EQ(index.Find("checkout", "db-1", any), 0u);
  EXPECT_TRUE(index.empty());
}

TEST(KeyIndexTest, AHashCollisionWithALivePairGoesToTheOverflowAndStaysExact) {
  // `same` is how the index learns that the id under a hash belongs to another pair: simulate that.
  KeyIndex index;
  auto only = [](uint64_t want) { return [want](uint64_t id) { return id == want; }; };
  index.Insert("svc", "a", 1, only(1));

  index.Insert("svc", "a", 2, only(99));  // the live entry (1) is "another pair"
  uint64_t second = index.Find("svc", "a", only(2));
  uint64_t first = index.Find("svc", "a", only(1));
  index.Erase("svc", "a", 2);

  EXPECT_EQ(second, 2u);
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(index.Find("svc", "a", only(2)), 0u);
}

TEST(KeyIndexTest, TheSeparatorKeepsServiceAndKeyApart) {
  EXPECT_NE(KeyIndex::Hash("ab", "c"), KeyIndex::Hash("a", "bc"));
}

}  // namespace
}  // namespace incident
