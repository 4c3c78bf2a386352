#include "engine/resend_cache.h"

namespace engine {

ResendCache::ResendCache() : shards_(std::make_unique<Shard[]>(kShards)) {}
ResendCache::~ResendCache() = default;

void ResendCache::Turn(Shard& shard, int64_t second, std::unordered_map<uint64_t, Entry>& dropped) {
  if (second == shard.second) return;
  dropped.swap(shard.previous);
  if (second == shard.second + 1) {
    shard.previous.swap(shard.current);
  } else {
    // More than a second went by: what the current map holds is too old as well.
    std::unordered_map<uint64_t, Entry> stale;
    stale.swap(shard.current);
    dropped.merge(stale);
  }
  shard.second = second;
  shard.turned.store(second, std::memory_order_relaxed);
}

void ResendCache::Put(std::vector<Held>& held, int64_t now_ms) {
  const int64_t second = now_ms / 1000;
  // Grouped by shard so each lock is taken once; within a shard the batch's order is kept (a later entry for the
  // same key wins).
  std::vector<std::vector<Held*>> by_shard(held.empty() ? 0 : kShards);
  for (auto& h : held) by_shard[ShardIndex(h.key)].push_back(&h);
  bool put_any = false;
  for (size_t i = 0; i < kShards; ++i) {
    Shard& shard = shards_[i];
    const bool has_puts = !by_shard.empty() && !by_shard[i].empty();
    // A shard nothing is put into is visited only when it holds entries and its second turned: it may have some
    // to drop.
    if (!has_puts && (!shard.holds.load(std::memory_order_relaxed) ||
                      shard.turned.load(std::memory_order_relaxed) == second)) {
      continue;
    }
    std::unordered_map<uint64_t, Entry> dropped;  // freed after the lock is let go
    {
      std::lock_guard lock(shard.mu);
      const size_t before = shard.current.size() + shard.previous.size();
      Turn(shard, second, dropped);
      if (has_puts) {
        for (Held* h : by_shard[i]) {
          shard.previous.erase(h->key);
          if (h->stamp) {
            shard.current.insert_or_assign(h->key, Entry{std::move(*h->stamp), h->generation});
            put_any = true;
          } else {
            shard.current.erase(h->key);
          }
        }
      }
      const size_t after = shard.current.size() + shard.previous.size();
      shard.holds.store(after > 0, std::memory_order_relaxed);
      // Unsigned wrap-around makes a shrinking shard subtract.
      entries_.fetch_add(after - before, std::memory_order_relaxed);
    }
  }
  if (put_any) any_.store(true, std::memory_order_relaxed);
}

bool ResendCache::AllQuiet(const std::vector<ingest::PostableAlert>& alerts,
                           const std::vector<correlate::Prepared>& prepared, core::Timestamp now,
                           core::Duration resolve_timeout) const {
  if (alerts.empty() || prepared.size() != alerts.size() || !maybe_any()) return false;
  const uint64_t generation = this->generation();
  for (size_t i = 0; i < alerts.size(); ++i) {
    const uint64_t key = prepared[i].fingerprint;
    const Shard& shard = ShardOf(key);
    std::lock_guard lock(shard.mu);
    const Entry* entry = nullptr;
    if (auto it = shard.current.find(key); it != shard.current.end()) {
      entry = &it->second;
    } else if (auto old = shard.previous.find(key); old != shard.previous.end()) {
      entry = &old->second;
    }
    if (entry == nullptr || entry->generation != generation) return false;
    if (!correlate::QuietResend(entry->stamp, alerts[i], prepared[i], now, resolve_timeout)) return false;
  }
  // Entries stamped before an invalidation that raced with these reads must not answer.
  return generation == this->generation();
}

}  // namespace engine
