// Reading the journal back: verifying its whole chain, describing a record for people (timeline, SSE), and
// exporting an incident's segment of it as a bundle (journal/bundle.h).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "engine/engine.h"
#include "engine/store.h"
#include "journal/bundle.h"
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

// The record as the live stream publishes it: with the first timeline line applying it produced (`incident_id` not
// 0, `summary`), else Describe's line; only seq, time, actor and type when neither is there.
Published PublishedFor(const journal::Record& record, uint64_t incident_id, std::string summary);

// The Describer bundles are made and checked with: the type's name and Describe's summary.
core::Result<journal::Description> DescribeForBundle(const journal::Record& record);

// Bundles span at most this many records (the incident's own and the redacted ones between them).
inline constexpr uint64_t kMaxBundleRecords = 200000;

// The incident's bundle: the journal segment from its first to its last timeline record (the timeline says which
// records are the incident's), checked link by link as it is read. kNotFound for an unknown incident, kConflict
// when the segment is longer than kMaxBundleRecords, kCorrupt when the stored segment is broken. Reads through
// the store's read path: safe from any thread while the engine runs.
core::Result<journal::Bundle> ExportIncident(Store& store, uint64_t incident_id, core::Timestamp now,
                                             const std::string& exporter);

// The stored record `seq`, its hash checked against its bytes. kNotFound past the head (or for 0), kCorrupt when
// the bytes do not match the stored hash.
core::Result<journal::Record> ReadRecord(Store& store, uint64_t seq);

}  // namespace engine
