// An incident's evidence bundle: the journal segment spanning the incident, its own records in full and every other
// record redacted to its hashes, so the chain still links; made, checked, written (JSON, Markdown) and read offline.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "journal/record.h"

namespace journal {

// What a reader of payloads can say about a record: its type's name and a one-line summary.
struct Description {
  std::string type_name;
  std::string summary;
};
// Decodes the record's payload; kCorrupt when it does not decode. Must be deterministic: verification recomputes
// the description and compares it with the bundle's.
using Describer = std::function<core::Result<Description>(const Record&)>;

// The incident as the query tables showed it at export (not covered by record hashes; see Bundle::digest).
struct BundleIncident {
  uint64_t id = 0;
  std::string title = {};
  std::string service = {};
  std::string severity = {};
  std::string state = {};
};

struct Anchor {
  uint64_t seq = 0;  // 0 with an all-zero hash: before the first record
  Hash hash{};
};

// One record of the segment. A redacted entry keeps only record.seq, record.prev and record.hash.
struct BundleEntry {
  Record record;
  bool redacted = false;
  Description description = {};  // full entries only
};

struct Bundle {
  BundleIncident incident;
  core::Timestamp exported_at{};
  std::string exporter = {};        // the actor who exported it, "token:admin"
  Anchor anchor_in;                 // the record just before the segment
  Anchor head;                      // the journal's head at export (at or after the segment's last record)
  std::vector<BundleEntry> entries;  // consecutive seqs; the first and last are the incident's
  // SHA-256 over the header and each entry's seq, kind, hash and description: catches damage to what record hashes
  // do not cover. Anyone can recompute it: it is a checksum, not a signature.
  Hash digest{};
};

// What a bundle that verified shows.
struct BundleCheck {
  uint64_t incident_id = 0;
  uint64_t records = 0;
  uint64_t incident_records = 0;  // full entries
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  Hash last_hash{};  // compare with the live journal's hash at last_seq
  Anchor head;       // the journal's head when the bundle was exported
};

// Makes the bundle of `segment` (consecutive records, hashes set, e.g. as journal::Verifier returns them): the
// records whose seq is in `incident_seqs` (ascending) in full with their description, every other one redacted.
// kInvalid when the segment is empty, not consecutive, or does not start and end with a record of `incident_seqs`;
// kCorrupt when it does not link or an incident record does not decode. Pure.
core::Result<Bundle> MakeBundle(BundleIncident incident, core::Timestamp exported_at, std::string exporter,
                                Anchor head, std::span<const Record> segment, std::span<const uint64_t> incident_seqs,
                                const Describer& describe);

// Checks seq continuity and every link from anchor_in on, recomputes each full record's hash and description, then
// the head and the digest. kCorrupt naming the first bad record ("record 42: hash mismatch (contents changed)",
// "record 43: previous hash does not link to record 42"). Redacted entries cannot be checked beyond their links:
// the whole is only as trusted as last_hash compared with the live journal. Pure.
core::Result<BundleCheck> VerifyBundle(const Bundle& bundle, const Describer& describe);

Hash BundleDigest(const Bundle& bundle);

// Compact JSON (format "incidentd-bundle/1"); payloads in base64, hashes in lower-case hex.
std::string BundleJson(const Bundle& bundle);
// The inverse of BundleJson. Strict, so that any changed byte is either caught here or by VerifyBundle: unknown or
// missing fields, non-canonical times, base64 or hex are kCorrupt naming the record they are in.
core::Result<Bundle> ParseBundle(std::string_view json);

// ParseBundle, VerifyBundle, and then a check that the text is byte for byte what BundleJson writes: what parsing
// forgives (whitespace, field order) fails too, after the records, so that a changed record is named first.
core::Result<BundleCheck> VerifyBundleJson(std::string_view json, const Describer& describe);

// For people: the incident, a timeline of its records, and the hash table (redacted runs collapsed to one row).
std::string BundleMarkdown(const Bundle& bundle);

}  // namespace journal
