// IdMap: a map keyed by a random-looking 64-bit key (a label-set fingerprint), such as the labelled alerts.
// Abseil's node_hash_map (from Debian) with a fixed mixing hash: values keep their addresses as in
// std::unordered_map, a lookup of an absent key usually ends at the flat control bytes instead of walking a bucket
// chain, and the iteration order depends only on what was inserted, never on the process (Abseil's own hash is
// seeded per run). Maps of sequential ids stay std::unordered_map: its identity hash keeps neighbours together.
#pragma once

#include <cstddef>
#include <cstdint>

#include <absl/container/node_hash_map.h>

namespace core {

// A 64-bit finalizer (xor-shift, multiply): sequential ids spread over every bit, which the table's probing needs.
struct IdHash {
  size_t operator()(uint64_t x) const {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return static_cast<size_t>(x);
  }
};

template <typename V>
using IdMap = absl::node_hash_map<uint64_t, V, IdHash>;

}  // namespace core
