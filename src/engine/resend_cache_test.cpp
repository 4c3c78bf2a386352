#include "engine/resend_cache.h"

#include <gtest/gtest.h>

#include <vector>

namespace engine {
namespace {

using namespace std::chrono_literals;

const core::Timestamp kT0 = core::FromUnixMillis(1'700'000'000'000);

ingest::PostableAlert Alert(const std::string& instance, core::Timestamp ends_at) {
  ingest::PostableAlert a;
  a.labels = core::LabelSet{{"alertname", "HighLatency"}, {"instance", instance}};
  a.starts_at = kT0;
  a.ends_at = ends_at;
  return a;
}

// What the writer would put for `alert` had its last record been at `recorded`.
ResendCache::Held HeldFor(const ingest::PostableAlert& alert, core::Timestamp recorded, uint64_t generation) {
  const correlate::Prepared p = correlate::Prepare({alert})[0];
  correlate::QuietStamp stamp{*alert.starts_at, *alert.ends_at, recorded, false, p.content};
  return ResendCache::Held{p.fingerprint, stamp, generation};
}

bool Quiet(const ResendCache& cache, const std::vector<ingest::PostableAlert>& alerts, core::Timestamp now) {
  return cache.AllQuiet(alerts, correlate::Prepare(alerts), now, 5min);
}

TEST(ResendCacheTest, AnswersOnlyWhenEveryAlertOfTheRequestHasAMatchingEntryOfTheCurrentGeneration) {
  ResendCache cache;
  const auto a = Alert("web-1", kT0 + 1h);
  const auto b = Alert("web-2", kT0 + 1h);
  EXPECT_FALSE(Quiet(cache, {a}, kT0));
  std::vector<ResendCache::Held> held{HeldFor(a, kT0, cache.generation())};
  cache.Put(held, core::ToUnixMillis(kT0));

  EXPECT_TRUE(Quiet(cache, {a}, kT0 + 100ms));
  EXPECT_FALSE(Quiet(cache, {a, b}, kT0 + 100ms));  // b has no entry: the writer decides the whole request
  EXPECT_FALSE(Quiet(cache, {}, kT0 + 100ms));
  EXPECT_FALSE(Quiet(cache, {a}, kT0 + 1s));  // a second after the record: a refresh is due
}

TEST(ResendCacheTest, InvalidateVoidsEveryEntryPutBeforeIt) {
  ResendCache cache;
  const auto a = Alert("web-1", kT0 + 1h);
  std::vector<ResendCache::Held> held{HeldFor(a, kT0, cache.generation())};
  cache.Invalidate();  // a later batch was decided with a record that may change a's answer
  cache.Put(held, core::ToUnixMillis(kT0));

  EXPECT_FALSE(Quiet(cache, {a}, kT0 + 100ms));
  std::vector<ResendCache::Held> again{HeldFor(a, kT0, cache.generation())};
  cache.Put(again, core::ToUnixMillis(kT0));
  EXPECT_TRUE(Quiet(cache, {a}, kT0 + 100ms));
}

TEST(ResendCacheTest, AHeldWithoutAStampForgetsTheKey) {
  ResendCache cache;
  const auto a = Alert("web-1", kT0 + 1h);
  std::vector<ResendCache::Held> held{HeldFor(a, kT0, cache.generation())};
  cache.Put(held, core::ToUnixMillis(kT0));
  std::vector<ResendCache::Held> gone{ResendCache::Held{held[0].key, std::nullopt, cache.generation()}};

  cache.Put(gone, core::ToUnixMillis(kT0));

  EXPECT_FALSE(Quiet(cache, {a}, kT0 + 100ms));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ResendCacheTest, EntriesAreDroppedOnceTwoSecondsHaveTurned) {
  ResendCache cache;
  std::vector<ResendCache::Held> first;
  for (int i = 0; i < 1000; ++i) first.push_back(HeldFor(Alert("a-" + std::to_string(i), kT0 + 1h), kT0, 1));
  cache.Put(first, core::ToUnixMillis(kT0));
  ASSERT_EQ(cache.size(), 1000u);
  std::vector<ResendCache::Held> next_second;
  for (int i = 0; i < 1000; ++i) next_second.push_back(HeldFor(Alert("b-" + std::to_string(i), kT0 + 1h), kT0, 1));
  cache.Put(next_second, core::ToUnixMillis(kT0 + 1s));
  // Only the shards these puts reached turned their second; the first entries are still held in the others.
  const size_t after_one = cache.size();

  std::vector<ResendCache::Held> later;
  for (int i = 0; i < 1000; ++i) later.push_back(HeldFor(Alert("c-" + std::to_string(i), kT0 + 1h), kT0, 1));
  cache.Put(later, core::ToUnixMillis(kT0 + 3s));

  EXPECT_EQ(after_one, 2000u);
  EXPECT_EQ(cache.size(), 1000u);  // every shard got a put three seconds on: only those entries stay
}

}  // namespace
}  // namespace engine
