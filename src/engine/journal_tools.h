// Reading the journal back: verifying its whole chain, and describing a record for people (timeline, SSE).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "engine/engine.h"
#include "engine/store.h"
#include "journal/record.h"

namespace engine {

struct VerifyReport {
  bool ok = true;
  uint64_t records = 0;  // records that verified before the first broken one (or all of them)
  uint64_t head_seq = 0;
  journal::Hash head_hash{};
  std::string error;     // "record 17: content does not match its hash (...)" when !ok
};

// Walks the whole stored journal from seq 1 and checks encoding, sequence, links and hashes. Safe to call from any
// thread while the engine runs (it reads through the store's read path).
VerifyReport VerifyJournal(Store& store);

// A one-line description of a record for the live stream. kCorrupt when the payload does not decode.
core::Result<Published> Describe(const journal::Record& record);

}  // namespace engine
