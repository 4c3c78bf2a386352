#include "journal/bundle.h"

#include <algorithm>

#include "core/utf8.h"
#include "journal/codec.h"

namespace journal {
namespace {

constexpr uint8_t kDigestFormat = 1;

std::string Named(uint64_t seq) { return "record " + std::to_string(seq); }

std::string_view HashBytes(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

// Descriptions go into JSON strings, which must be UTF-8; Make and Verify both apply this, so they agree.
Description Printable(Description d) {
  for (std::string* s : {&d.type_name, &d.summary}) {
    if (core::IsValidUtf8(*s)) continue;
    for (char& c : *s) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
  }
  return d;
}

}  // namespace

Hash BundleDigest(const Bundle& b) {
  Writer w;
  w.U8(kDigestFormat);
  w.U64(b.incident.id);
  w.Str(b.incident.title);
  w.Str(b.incident.service);
  w.Str(b.incident.severity);
  w.Str(b.incident.state);
  w.Time(b.exported_at);
  w.Str(b.exporter);
  w.U64(b.anchor_in.seq);
  w.Raw(HashBytes(b.anchor_in.hash));
  w.U64(b.head.seq);
  w.Raw(HashBytes(b.head.hash));
  w.U64(b.entries.size());
  for (const BundleEntry& e : b.entries) {
    w.U64(e.record.seq);
    w.Bool(e.redacted);
    w.Raw(HashBytes(e.record.prev));
    w.Raw(HashBytes(e.record.hash));
    if (!e.redacted) {
      w.Str(e.description.type_name);
      w.Str(e.description.summary);
    }
  }
  return Sha256(w.bytes());
}

core::Result<Bundle> MakeBundle(BundleIncident incident, core::Timestamp exported_at, std::string exporter,
                                Anchor head, std::span<const Record> segment, std::span<const uint64_t> incident_seqs,
                                const Describer& describe) {
  if (segment.empty()) return core::Invalid("a bundle needs at least one record");
  if (incident_seqs.empty() || incident_seqs.front() != segment.front().seq ||
      incident_seqs.back() != segment.back().seq) {
    return core::Invalid("the segment must start and end with a record of incident " + std::to_string(incident.id));
  }
  Bundle b;
  b.incident = std::move(incident);
  b.exported_at = exported_at;
  b.exporter = std::move(exporter);
  b.head = head;
  b.anchor_in = Anchor{segment.front().seq - 1, segment.front().prev};
  b.entries.reserve(segment.size());
  size_t next_own = 0;
  for (const Record& r : segment) {
    if (r.seq != b.anchor_in.seq + 1 + b.entries.size()) {
      return core::Invalid(Named(r.seq) + ": the segment's seqs are not consecutive");
    }
    while (next_own < incident_seqs.size() && incident_seqs[next_own] < r.seq) ++next_own;
    BundleEntry& e = b.entries.emplace_back();
    if (next_own < incident_seqs.size() && incident_seqs[next_own] == r.seq) {
      auto described = describe(r);
      if (!described.ok()) return described.error().WithContext(Named(r.seq));
      if (!core::IsValidUtf8(r.actor)) return core::Invalid(Named(r.seq) + ": actor is not UTF-8");
      e.record = r;
      e.description = Printable(std::move(described).value());
    } else {
      // Only what links the chain: another incident's (or no incident's) data never leaves the server.
      e.redacted = true;
      e.record.seq = r.seq;
      e.record.prev = r.prev;
      e.record.hash = r.hash;
    }
  }
  b.digest = BundleDigest(b);
  // A bundle that would not verify is never handed out: a broken segment is reported here, naming the record.
  auto check = VerifyBundle(b, describe);
  if (!check.ok()) return check.error();
  return b;
}

core::Result<BundleCheck> VerifyBundle(const Bundle& b, const Describer& describe) {
  if (b.entries.empty()) return core::Corrupt("the bundle holds no records");
  BundleCheck check;
  uint64_t prev_seq = b.anchor_in.seq;
  const Hash* prev_hash = &b.anchor_in.hash;
  for (const BundleEntry& e : b.entries) {
    const Record& r = e.record;
    if (r.seq != prev_seq + 1) {
      const uint64_t expected = prev_seq + 1;
      const bool later = std::any_of(b.entries.begin(), b.entries.end(),
                                     [&](const BundleEntry& x) { return x.record.seq == expected; });
      if (later || r.seq < expected) {
        return core::Corrupt(Named(r.seq) + ": out of order (expected record " + std::to_string(expected) + ")");
      }
      const std::string missing = r.seq == expected + 1 ? Named(expected) + " is"
                                                        : "records " + std::to_string(expected) + " to " +
                                                              std::to_string(r.seq - 1) + " are";
      return core::Corrupt(Named(r.seq) + ": " + missing + " missing before it");
    }
    if (r.prev != *prev_hash) {
      if (check.records == 0) {
        return core::Corrupt(Named(r.seq) + ": previous hash does not match the bundle's anchor (record " +
                             std::to_string(prev_seq) + ")");
      }
      return core::Corrupt(Named(r.seq) + ": previous hash does not link to record " + std::to_string(prev_seq));
    }
    if (!e.redacted) {
      if (Sha256(Encode(r)) != r.hash) return core::Corrupt(Named(r.seq) + ": hash mismatch (contents changed)");
      auto decoded = describe(r);
      if (!decoded.ok()) return decoded.error().WithContext(Named(r.seq) + ": payload does not decode");
      const Description described = Printable(std::move(decoded).value());
      if (described.type_name != e.description.type_name) {
        return core::Corrupt(Named(r.seq) + ": type name \"" + e.description.type_name + "\" does not match type " +
                             std::to_string(r.type) + " (\"" + described.type_name + "\")");
      }
      if (described.summary != e.description.summary) {
        return core::Corrupt(Named(r.seq) + ": summary does not match the payload (payload says \"" +
                             described.summary + "\")");
      }
      ++check.incident_records;
    }
    ++check.records;
    prev_seq = r.seq;
    prev_hash = &r.hash;
  }
  const BundleEntry& first = b.entries.front();
  const BundleEntry& last = b.entries.back();
  if (first.redacted || last.redacted) {
    return core::Corrupt(Named(first.redacted ? first.record.seq : last.record.seq) +
                         ": a bundle starts and ends with records of its incident, this one is redacted");
  }
  if (b.head.seq < last.record.seq) {
    return core::Corrupt("journal head " + std::to_string(b.head.seq) + " is before the last record " +
                         std::to_string(last.record.seq));
  }
  if (b.head.seq == last.record.seq && b.head.hash != last.record.hash) {
    return core::Corrupt("journal head " + std::to_string(b.head.seq) + ": hash differs from that record's hash");
  }
  if (BundleDigest(b) != b.digest) {
    return core::Corrupt("bundle header or description changed: digest mismatch (incident, export time, exporter, "
                         "anchors or entry list)");
  }
  check.incident_id = b.incident.id;
  check.head = b.head;
  check.first_seq = first.record.seq;
  check.last_seq = last.record.seq;
  check.last_hash = last.record.hash;
  return check;
}

}  // namespace journal
