// Re-sends of Alertmanager-API alerts answered without the writer: the durable state of recently recorded alerts,
// readable from the I/O threads, so an identical re-send within a second of the alert's last record (which the
// writer would record nothing for: correlate::QuietResend) is answered at once: client retries, and the same
// alert arriving from several senders at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "domain/correlate/pipeline.h"
#include "domain/correlate/prepare.h"
#include "domain/ingest/alertmanager.h"

namespace engine {

class ResendCache {
 public:
  // What the writer learned about one re-sent key in a batch: its stamp, or nullopt (forget the key).
  struct Held {
    uint64_t key = 0;
    std::optional<correlate::QuietStamp> stamp;
    uint64_t generation = 0;  // generation() when the batch was decided
  };

  ResendCache();
  ~ResendCache();
  ResendCache(const ResendCache&) = delete;
  ResendCache& operator=(const ResendCache&) = delete;

  // Writer, while deciding: a record may have changed whether some held alert's re-send is quiet in a way the
  // entries do not show (an incident resolved by a person, a silence, a timer): every entry stamped before is void.
  void Invalidate() { generation_.fetch_add(1, std::memory_order_acq_rel); }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Writer, once the batch that decided `held` is durable and before its callers are answered, batches in commit
  // order (`held` may be empty). `now_ms` drops entries older than two seconds from every shard, not only the ones
  // `held` reaches (a stamp is of use for one second after its record), so a burst's entries do not outlive it.
  void Put(std::vector<Held>& held, int64_t now_ms);

  // Any thread: whether every alert of a request is a quiet re-send at `now` of an entry of the current generation
  // (`prepared` = correlate::Prepare(alerts)). False for an empty request.
  bool AllQuiet(const std::vector<ingest::PostableAlert>& alerts, const std::vector<correlate::Prepared>& prepared,
                core::Timestamp now, core::Duration resolve_timeout) const;

  // A hint for callers that would prepare alerts only to ask: false while no entry was ever put.
  bool maybe_any() const { return any_.load(std::memory_order_relaxed); }
  // Entries held, void ones included (what the memory holds). Kept by Put, so reading it takes no lock.
  size_t size() const { return entries_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    correlate::QuietStamp stamp;
    uint64_t generation = 0;
  };
  struct Shard {
    mutable std::mutex mu;
    // Entries put during the current second and the one before; older ones go when the second turns.
    std::unordered_map<uint64_t, Entry> current;
    std::unordered_map<uint64_t, Entry> previous;
    int64_t second = 0;
    // `second` as of the last turn, and whether the shard holds anything: read without the lock, so a Put that
    // has nothing for a shard takes its lock only when the shard has entries to drop.
    std::atomic<int64_t> turned{0};
    std::atomic<bool> holds{false};
  };
  static constexpr unsigned kShardBits = 4;
  static constexpr size_t kShards = size_t{1} << kShardBits;
  // Fingerprints of similar label sets share many bits: the key is mixed first, so the shards fill evenly.
  static size_t ShardIndex(uint64_t key) {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - kShardBits));
  }
  Shard& ShardOf(uint64_t key) const { return shards_[ShardIndex(key)]; }
  // Under the shard's lock: moves the shard to `second`, putting what is older than the second before into
  // `dropped` (freed by the caller after the lock is let go).
  static void Turn(Shard& shard, int64_t second, std::unordered_map<uint64_t, Entry>& dropped);

  std::atomic<uint64_t> generation_{1};
  std::atomic<bool> any_{false};
  std::atomic<size_t> entries_{0};
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace engine
