// TimerSet: the ordered (due ms, id) sets the domain models keep for their timers and expiries.
// A B-tree (Abseil's, from Debian): a few hundred thousand entries in cache-sized nodes instead of one tree node per
// entry. Erasing or inserting invalidates iterators, so callers collect what is due before they emit.
#pragma once

#include <cstdint>
#include <utility>

#include <absl/container/btree_set.h>

namespace core {

using TimerSet = absl::btree_set<std::pair<int64_t, uint64_t>>;

}  // namespace core
