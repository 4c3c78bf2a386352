// Journal record payloads of classification (type tags 300..399) and their versioned encoding.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "domain/classify/slo.h"

namespace classify {

// Records (type tags 300..399 belong to classification).
enum class RecordType : uint16_t {
  kSliRecorded = 300,
  kSloVerdict = 301,
  kIncidentMajor = 302,
  kRegulatoryFact = 303,
  kRegulatorySubmitted = 304,
  kRegulatoryReminded = 305,
  kOwnerAssigned = 306,
  kConfigChanged = 307,
};
constexpr uint16_t kFirstType = 300;
constexpr uint16_t kLastType = 399;
const char* TypeName(uint16_t type);

struct SliSample {
  int64_t at_ms = 0;
  uint64_t good = 0;
  uint64_t total = 0;
};
// Samples of one SLO arrived.
struct SliRecorded {
  std::string service;
  std::string slo;
  std::vector<SliSample> samples;
};
// The SLO's verdict changed: a page opened (or resolved) its alert; a ticket is a routine record, not paged.
struct SloVerdict {
  std::string service;
  std::string slo;
  Verdict verdict = Verdict::kNone;
  std::string reason;
};
// The incident was promoted to a major incident; `reason` names the criterion and the facts.
struct IncidentMajor {
  uint64_t incident_id = 0;
  std::string reason;
};
// A fact regulatory clocks count from was established: "breach" (a breach of the service's data is confirmed),
// "material" (the incident was determined material) or "high_risk" (the breach is likely to result in a high risk
// to people's rights: GDPR Art. 34). The record's time is the anchor.
struct RegulatoryFact {
  uint64_t incident_id = 0;
  std::string fact;
  std::string note;
};
// A report of a regime was submitted (the record's time is the submission time; the next stage counts from it).
struct RegulatorySubmitted {
  uint64_t incident_id = 0;
  std::string regime;
  std::string stage;
  std::string reference;
};
// A reminder of a deadline went out (`key`: regime/stage/lead time), so it goes out once.
struct RegulatoryReminded {
  uint64_t incident_id = 0;
  std::string key;
};
// A person made a team the incident's primary owner (over the rules and the catalogue).
struct OwnerAssigned {
  uint64_t incident_id = 0;
  std::string team;
  std::string reason;
};
// The configuration changed (at start, or on reload): a digest per section (top-level key, or services/<name> for
// a service's catalogue facts) and, one line each, what changed and whether it took effect now or needs a restart.
struct ConfigChanged {
  std::map<std::string, std::string> digests;
  std::vector<std::string> changes;
};
using Payload = std::variant<SliRecorded, SloVerdict, IncidentMajor, RegulatoryFact, RegulatorySubmitted,
                             RegulatoryReminded, OwnerAssigned, ConfigChanged>;
RecordType TypeOf(const Payload& payload);
constexpr uint16_t kPayloadVersion = 1;
std::string EncodePayload(const Payload& payload);
core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes);

}  // namespace classify
