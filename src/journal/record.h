// The journal's record envelope and its SHA-256 hash chain: each record carries the hash of the one before it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace journal {

using Hash = std::array<uint8_t, 32>;

// One happening. `type` and `version` tag the payload, whose encoding belongs to the domain module that owns the
// type (see engine/records.h for the registry of tags).
struct Record {
  uint64_t seq = 0;  // 1, 2, 3, ... without gaps
  core::Timestamp time{};
  std::string actor;  // "system", "token:admin", "user:alice", "timer"
  uint16_t type = 0;
  uint16_t version = 1;
  std::string payload;
  Hash prev{};  // hash of record seq-1; all zeros for seq 1
  Hash hash{};  // SHA-256 of Encode(record), which covers every field above

  friend bool operator==(const Record&, const Record&) = default;
};

// The canonical bytes of everything but `hash`. Stable across versions: the format byte leads.
std::string Encode(const Record& record);
// Inverse of Encode; `hash` is left zero. kCorrupt on malformed bytes.
core::Result<Record> Decode(std::string_view bytes);

Hash Sha256(std::string_view bytes);
std::string HashHex(const Hash& h);

// Links records into a chain. Not thread-safe: owned by the single writer.
class Chain {
 public:
  Chain() = default;
  // Resumes after the record with sequence `last_seq` whose hash is `last_hash` (0 and zeros for an empty journal).
  Chain(uint64_t last_seq, const Hash& last_hash) : last_seq_(last_seq), last_hash_(last_hash) {}

  // Assigns seq and prev, computes hash, advances the chain. Returns the encoded bytes (what stores persist).
  std::string Link(Record& record);

  uint64_t last_seq() const { return last_seq_; }
  const Hash& last_hash() const { return last_hash_; }

 private:
  uint64_t last_seq_ = 0;
  Hash last_hash_{};
};

// Checks records one at a time, in order. Feed it each stored (bytes, hash) pair.
class Verifier {
 public:
  Verifier() = default;
  Verifier(uint64_t last_seq, const Hash& last_hash) : last_seq_(last_seq), last_hash_(last_hash) {}

  // kCorrupt naming the sequence number and what is wrong (bad encoding, gap, broken link, hash mismatch).
  // On success returns the decoded record (with its hash).
  core::Result<Record> Next(std::string_view bytes, const Hash& stored_hash);

  uint64_t count() const { return count_; }
  uint64_t last_seq() const { return last_seq_; }
  const Hash& last_hash() const { return last_hash_; }

 private:
  uint64_t last_seq_ = 0;
  Hash last_hash_{};
  uint64_t count_ = 0;
};

}  // namespace journal
