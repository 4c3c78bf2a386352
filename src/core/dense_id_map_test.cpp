#include "core/dense_id_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace core {
namespace {

std::vector<uint64_t> Keys(const DenseIdMap<std::string>& m) {
  std::vector<uint64_t> out;
  for (const auto& [id, v] : m) out.push_back(id);
  return out;
}

TEST(DenseIdMapTest, FindsWhatWasInsertedAndIteratesInIdOrder) {
  DenseIdMap<std::string> m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.begin(), m.end());
  for (uint64_t id : {700u, 3u, 256u, 255u, 1u}) EXPECT_TRUE(m.emplace(id, std::to_string(id)).second);

  EXPECT_FALSE(m.emplace(3, "again").second);
  EXPECT_EQ(m.size(), 5u);
  EXPECT_EQ(m.at(3), "3");
  EXPECT_EQ(m.find(256)->second, "256");
  EXPECT_EQ(m.find(257), m.end());
  EXPECT_EQ(m.count(100000), 0u);
  EXPECT_EQ(Keys(m), (std::vector<uint64_t>{1, 3, 255, 256, 700}));
}

TEST(DenseIdMapTest, ValuesKeepTheirAddressesAsTheMapGrows) {
  DenseIdMap<std::string> m;
  std::string* first = &m.emplace(1, "one").first->second;
  for (uint64_t id = 2; id < 100000; ++id) m.emplace(id, "x");
  EXPECT_EQ(first, &m.find(1)->second);
  EXPECT_EQ(*first, "one");
}

TEST(DenseIdMapTest, ErasingEveryEntryOfAPageFreesItAndIterationSkipsIt) {
  DenseIdMap<std::string> m;
  for (uint64_t id = 0; id < 1024; ++id) m.emplace(id, "v");
  for (uint64_t id = 256; id < 768; ++id) EXPECT_EQ(m.erase(id), 1u);
  EXPECT_EQ(m.erase(300), 0u);
  m.erase(m.find(0));

  EXPECT_EQ(m.size(), 511u);
  std::vector<uint64_t> keys = Keys(m);
  ASSERT_EQ(keys.size(), 511u);
  EXPECT_EQ(keys.front(), 1u);
  EXPECT_EQ(keys[254], 255u);
  EXPECT_EQ(keys[255], 768u);
  EXPECT_EQ(m.find(300), m.end());
  EXPECT_TRUE(m.emplace(300, "back").second);
  EXPECT_EQ(m.at(300), "back");
}

TEST(DenseIdMapTest, IdsPastTheDenseRangeWorkAndComeLastInOrder) {
  DenseIdMap<std::string> m;
  m.emplace(uint64_t{1} << 40, "far");
  m.emplace(5, "near");
  m.emplace(~uint64_t{0} - 1, "farthest");

  EXPECT_EQ(Keys(m), (std::vector<uint64_t>{5, uint64_t{1} << 40, ~uint64_t{0} - 1}));
  EXPECT_EQ(m.at(uint64_t{1} << 40), "far");
  EXPECT_EQ(m.erase(uint64_t{1} << 40), 1u);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.find(uint64_t{1} << 40), m.end());
}

// The same random sequence of inserts and erases applied to DenseIdMap and std::map leaves the same contents.
TEST(DenseIdMapTest, AgreesWithStdMapOverRandomInsertsAndErases) {
  DenseIdMap<std::string> m;
  std::map<uint64_t, std::string> ref;
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t id = rng() % 5000;
    if (rng() % 3 == 0) {
      EXPECT_EQ(m.erase(id), ref.erase(id));
    } else {
      EXPECT_EQ(m.emplace(id, std::to_string(i)).second, ref.emplace(id, std::to_string(i)).second);
    }
  }
  ASSERT_EQ(m.size(), ref.size());
  auto it = m.begin();
  for (const auto& [id, v] : ref) {
    ASSERT_NE(it, m.end());
    EXPECT_EQ(it->first, id);
    EXPECT_EQ(it->second, v);
    ++it;
  }
  EXPECT_EQ(it, m.end());
}

TEST(DenseIdMapTest, CopiesAndMovesCarryTheContents) {
  DenseIdMap<std::string> m;
  m.emplace(2, "two");
  m.emplace(9000, "nine thousand");
  DenseIdMap<std::string> copy(m);
  DenseIdMap<std::string> moved(std::move(m));
  copy.at(2) = "changed";

  EXPECT_EQ(moved.at(2), "two");
  EXPECT_EQ(Keys(copy), (std::vector<uint64_t>{2, 9000}));
  EXPECT_EQ(Keys(moved), (std::vector<uint64_t>{2, 9000}));
  EXPECT_TRUE(m.empty());  // NOLINT(bugprone-use-after-move): a moved-from map is empty
}

}  // namespace
}  // namespace core
