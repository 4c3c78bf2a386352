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

// `n` entries for alerts `prefix`-0 .. `prefix`-(n-1), recorded at kT0 in generation 1.
std::vector<ResendCache::Held> HeldMany(const std::string& prefix, int n) {
  std::vector<ResendCache::Held> held;
  for (int i = 0; i < n; ++i) held.push_back(HeldFor(Alert(prefix + "-" + std::to_string(i), kT0 + 1h), kT0, 1));
  return held;
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
  std::vector<ResendCache::Held> first = HeldMany("a", 1000);
  cache.Put(first, core::ToUnixMillis(kT0));
  ASSERT_EQ(cache.size(), 1000u);
  std::vector<ResendCache::Held> next_second = HeldMany("b", 1000);
  cache.Put(next_second, core::ToUnixMillis(kT0 + 1s));
  // A second on, the first entries are still of use (their records are less than a second old at its start).
  const size_t after_one = cache.size();

  std::vector<ResendCache::Held> later = HeldMany("c", 1000);
  cache.Put(later, core::ToUnixMillis(kT0 + 3s));

  EXPECT_EQ(after_one, 2000u);
  EXPECT_EQ(cache.size(), 1000u);  // three seconds on, only the latest entries stay
}

TEST(ResendCacheTest, ABurstsEntriesGoOnceTwoSecondsHaveTurnedEvenWithoutFurtherReSends) {
  ResendCache cache;
  std::vector<ResendCache::Held> burst = HeldMany("a", 1000);
  cache.Put(burst, core::ToUnixMillis(kT0));
  std::vector<ResendCache::Held> none;

  cache.Put(none, core::ToUnixMillis(kT0 + 1s));  // the writer's next batches re-send nothing
  const size_t a_second_on = cache.size();
  cache.Put(none, core::ToUnixMillis(kT0 + 2s));

  EXPECT_EQ(a_second_on, 1000u);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ResendCacheTest, SizeCountsEachKeyOnceAcrossPutsInTheSameAndTheNextSecond) {
  ResendCache cache;
  std::vector<ResendCache::Held> held = HeldMany("a", 100);
  cache.Put(held, core::ToUnixMillis(kT0));
  std::vector<ResendCache::Held> again = held;
  cache.Put(again, core::ToUnixMillis(kT0 + 200ms));  // the same keys in the same second: replaced, not added
  EXPECT_EQ(cache.size(), 100u);

  std::vector<ResendCache::Held> next = held;
  cache.Put(next, core::ToUnixMillis(kT0 + 1s));  // the next second: moved from the older map, not copied
  EXPECT_EQ(cache.size(), 100u);

  std::vector<ResendCache::Held> forget;
  for (int i = 0; i < 40; ++i) forget.push_back(ResendCache::Held{held[i].key, std::nullopt, 1});
  cache.Put(forget, core::ToUnixMillis(kT0 + 1s));
  EXPECT_EQ(cache.size(), 60u);
}

}  // namespace
}  // namespace engine
