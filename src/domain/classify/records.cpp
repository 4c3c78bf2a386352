#include "domain/classify/records.h"

#include "journal/codec.h"

namespace classify {

const char* TypeName(uint16_t type) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kSliRecorded: return "sli.recorded";
    case RecordType::kSloVerdict: return "slo.verdict";
    case RecordType::kIncidentMajor: return "incident.major";
    case RecordType::kRegulatoryFact: return "regulatory.fact";
    case RecordType::kRegulatorySubmitted: return "regulatory.submitted";
    case RecordType::kRegulatoryReminded: return "regulatory.reminded";
    case RecordType::kOwnerAssigned: return "incident.owner_assigned";
    case RecordType::kConfigChanged: return "config.changed";
  }
  return "unknown";
}

RecordType TypeOf(const Payload& payload) {
  static constexpr RecordType kTypes[] = {RecordType::kSliRecorded,          RecordType::kSloVerdict,
                                          RecordType::kIncidentMajor,        RecordType::kRegulatoryFact,
                                          RecordType::kRegulatorySubmitted,  RecordType::kRegulatoryReminded,
                                          RecordType::kOwnerAssigned,        RecordType::kConfigChanged};
  static_assert(std::size(kTypes) == std::variant_size_v<Payload>);
  return kTypes[payload.index()];
}

std::string EncodePayload(const Payload& payload) {
  journal::Writer w;
  if (const auto* s = std::get_if<SliRecorded>(&payload)) {
    w.Str(s->service);
    w.Str(s->slo);
    w.U64(s->samples.size());
    for (const auto& x : s->samples) {
      w.I64(x.at_ms);
      w.U64(x.good);
      w.U64(x.total);
    }
  } else if (const auto* m = std::get_if<IncidentMajor>(&payload)) {
    w.U64(m->incident_id);
    w.Str(m->reason);
  } else if (const auto* f = std::get_if<RegulatoryFact>(&payload)) {
    w.U64(f->incident_id);
    w.Str(f->fact);
    w.Str(f->note);
  } else if (const auto* sub = std::get_if<RegulatorySubmitted>(&payload)) {
    w.U64(sub->incident_id);
    w.Str(sub->regime);
    w.Str(sub->stage);
    w.Str(sub->reference);
  } else if (const auto* rem = std::get_if<RegulatoryReminded>(&payload)) {
    w.U64(rem->incident_id);
    w.Str(rem->key);
  } else if (const auto* own = std::get_if<OwnerAssigned>(&payload)) {
    w.U64(own->incident_id);
    w.Str(own->team);
    w.Str(own->reason);
  } else if (const auto* cc = std::get_if<ConfigChanged>(&payload)) {
    w.U64(cc->digests.size());
    for (const auto& [section, digest] : cc->digests) {
      w.Str(section);
      w.Str(digest);
    }
    w.U64(cc->changes.size());
    for (const auto& line : cc->changes) w.Str(line);
  } else {
    const auto& v = std::get<SloVerdict>(payload);
    w.Str(v.service);
    w.Str(v.slo);
    w.U8(static_cast<uint8_t>(v.verdict));
    w.Str(v.reason);
  }
  return w.Take();
}

core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes) {
  if (version != kPayloadVersion) return core::Corrupt(std::string("unsupported version of ") + TypeName(type));
  journal::Reader r(bytes);
  Payload out;
  switch (static_cast<RecordType>(type)) {
    case RecordType::kSliRecorded: {
      SliRecorded s;
      s.service = r.Str();
      s.slo = r.Str();
      uint64_t n = r.U64();
      for (uint64_t i = 0; i < n && r.ok(); ++i) {
        SliSample x;
        x.at_ms = r.I64();
        x.good = r.U64();
        x.total = r.U64();
        s.samples.push_back(x);
      }
      out = std::move(s);
      break;
    }
    case RecordType::kSloVerdict: {
      SloVerdict v;
      v.service = r.Str();
      v.slo = r.Str();
      uint8_t verdict = r.U8();
      if (verdict > 2) return core::Corrupt("slo.verdict with an unknown verdict");
      v.verdict = static_cast<Verdict>(verdict);
      v.reason = r.Str();
      out = std::move(v);
      break;
    }
    case RecordType::kIncidentMajor: {
      IncidentMajor m;
      m.incident_id = r.U64();
      m.reason = r.Str();
      out = std::move(m);
      break;
    }
    case RecordType::kRegulatoryFact: {
      RegulatoryFact f;
      f.incident_id = r.U64();
      f.fact = r.Str();
      f.note = r.Str();
      out = std::move(f);
      break;
    }
    case RecordType::kRegulatorySubmitted: {
      RegulatorySubmitted x;
      x.incident_id = r.U64();
      x.regime = r.Str();
      x.stage = r.Str();
      x.reference = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kRegulatoryReminded: {
      RegulatoryReminded x;
      x.incident_id = r.U64();
      x.key = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kOwnerAssigned: {
      OwnerAssigned x;
      x.incident_id = r.U64();
      x.team = r.Str();
      x.reason = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kConfigChanged: {
      ConfigChanged x;
      uint64_t n = r.U64();
      for (uint64_t i = 0; i < n && r.ok(); ++i) {
        std::string section = r.Str();
        x.digests[section] = r.Str();
      }
      n = r.U64();
      for (uint64_t i = 0; i < n && r.ok(); ++i) x.changes.push_back(r.Str());
      out = std::move(x);
      break;
    }
    default:
      return core::Corrupt("record type " + std::to_string(type) + " is not a classification record");
  }
  if (auto st = r.Finish(TypeName(type)); !st.ok()) return st.error();
  return out;
}

}  // namespace classify
