#include "engine/state.h"

#include <algorithm>

#include "domain/coord/records.h"
#include "domain/correlate/pipeline.h"
#include "domain/correlate/records.h"
#include "domain/escalation/paging.h"
#include "domain/incident/records.h"
#include "domain/pools/records.h"
#include "journal/codec.h"

namespace engine {
namespace {
constexpr uint8_t kStateFormat = 7;  // 2: the labelled-alert model follows the incidents; 3: then paging;
                                    // 4: then classification; 5: then coordination; 6: then pools;
                                    // 7: paging carries the on-call overrides made at run time
}

std::string EncodeState(const State& state) {
  const std::string parts[] = {incident::EncodeModel(state.incidents), correlate::EncodeModel(state.alerts),
                               escalation::EncodeModel(state.paging),    classify::EncodeModel(state.classify),
                               coord::EncodeModel(state.coord),          pools::EncodeModel(state.pools)};
  size_t size = 1;
  for (const auto& p : parts) size += p.size() + 10;  // and its length, a varint of at most ten bytes
  journal::Writer w(size);
  w.U8(kStateFormat);
  for (const auto& p : parts) w.Str(p);
  return w.Take();
}

core::Result<State> DecodeState(std::string_view bytes) {
  journal::Reader r(bytes);
  uint8_t format = r.U8();
  if (format < 1 || format > kStateFormat) return core::Corrupt("unknown snapshot format");
  std::string_view incidents = r.StrView();
  // Format 1 snapshots predate the labelled-alert model, format 2 paging: they start empty.
  std::string_view alerts = format == 1 ? std::string_view() : r.StrView();
  std::string_view paging = format <= 2 ? std::string_view() : r.StrView();
  std::string_view classification = format <= 3 ? std::string_view() : r.StrView();
  std::string_view coordination = format <= 4 ? std::string_view() : r.StrView();
  std::string_view pooled = format <= 5 ? std::string_view() : r.StrView();
  if (auto st = r.Finish("snapshot"); !st.ok()) return st.error();
  auto model = incident::DecodeModel(incidents);
  if (!model.ok()) return model.error();
  State s;
  s.incidents = std::move(model).value();
  if (format != 1) {
    auto labelled = correlate::DecodeModel(alerts);
    if (!labelled.ok()) return labelled.error();
    s.alerts = std::move(labelled).value();
  }
  auto pages = escalation::DecodeModel(paging);
  if (!pages.ok()) return pages.error();
  s.paging = std::move(pages).value();
  auto classes = classify::DecodeModel(classification);
  if (!classes.ok()) return classes.error();
  s.classify = std::move(classes).value();
  auto coordinated = coord::DecodeModel(coordination);
  if (!coordinated.ok()) return coordinated.error();
  s.coord = std::move(coordinated).value();
  auto pool_state = pools::DecodeModel(pooled);
  if (!pool_state.ok()) return pool_state.error();
  s.pools = std::move(pool_state).value();
  return s;
}

void ReserveFor(State& state, uint64_t records) {
  constexpr uint64_t kCap = 1'000'000;
  size_t n = static_cast<size_t>(std::min(records / 2, kCap));
  auto& m = state.incidents;
  m.alerts.reserve(m.alerts.size() + n);
  m.incidents.reserve(m.incidents.size() + n);
  m.alert_by_key.Reserve(m.alert_by_key.size() + n);
  m.open_groups.Reserve(m.open_groups.size() + n);
}

core::Status ApplyRecord(State& state, const journal::Record& record, incident::Payload payload,
                         incident::Observer* observer) {
  const auto* closed = std::get_if<incident::IncidentClosed>(&payload);
  const uint64_t closed_id = closed != nullptr ? closed->incident_id : 0;
  if (auto st = incident::Apply(state.incidents, record, std::move(payload), observer); !st.ok()) return st;
  if (closed_id != 0) {
    escalation::Forget(state.paging, closed_id);
    classify::Forget(state.classify, closed_id);
    coord::Forget(state.coord, closed_id);
    pools::Forget(state.pools, closed_id);
  }
  return core::Ok();
}

core::Status ApplyRecord(State& state, const journal::Record& record, correlate::Payload payload) {
  return correlate::Apply(state.alerts, record, std::move(payload));
}

core::Status ApplyRecord(State& state, const journal::Record& record, incident::Observer* observer) {
  if (record.type >= incident::kFirstType && record.type <= incident::kLastType) {
    auto decoded = incident::DecodePayload(record.type, record.version, record.payload);
    if (!decoded.ok()) return decoded.error();
    return ApplyRecord(state, record, std::move(decoded).value(), observer);
  }
  if (record.type >= correlate::kFirstType && record.type <= correlate::kLastType) {
    return correlate::Apply(state.alerts, record);
  }
  if (record.type >= classify::kFirstType && record.type <= classify::kLastType) {
    if (auto st = classify::Apply(state.classify, record); !st.ok()) return st;
    if (observer != nullptr && record.type == static_cast<uint16_t>(classify::RecordType::kRegulatoryFact)) {
      auto p = classify::DecodePayload(record.type, record.version, record.payload);
      if (p.ok()) {
        const auto& f = std::get<classify::RegulatoryFact>(p.value());
        observer->TimelineEntry(f.incident_id, "regulatory",
                                std::string(f.fact == "breach"     ? "Breach confirmed"
                                            : f.fact == "material" ? "Determined material"
                                                                   : "Breach assessed as a high risk to people") +
                                    (f.note.empty() ? "" : ": " + f.note) + " (regulatory clocks count from now)");
      }
    }
    if (observer != nullptr && record.type == static_cast<uint16_t>(classify::RecordType::kRegulatorySubmitted)) {
      auto p = classify::DecodePayload(record.type, record.version, record.payload);
      if (p.ok()) {
        const auto& x = std::get<classify::RegulatorySubmitted>(p.value());
        observer->TimelineEntry(x.incident_id, "regulatory",
                                "Submitted " + x.regime + " " + x.stage +
                                    (x.reference.empty() ? "" : " (reference " + x.reference + ")"));
      }
    }
    if (observer != nullptr && record.type == static_cast<uint16_t>(classify::RecordType::kOwnerAssigned)) {
      auto p = classify::DecodePayload(record.type, record.version, record.payload);
      if (p.ok()) {
        const auto& x = std::get<classify::OwnerAssigned>(p.value());
        observer->TimelineEntry(x.incident_id, "owner",
                                "Primary owner: " + x.team + ", assigned by " + record.actor +
                                    (x.reason.empty() ? "" : ": " + x.reason));
      }
    }
    if (observer != nullptr && record.type == static_cast<uint16_t>(classify::RecordType::kIncidentMajor)) {
      auto p = classify::DecodePayload(record.type, record.version, record.payload);
      if (p.ok()) {
        const auto& major = std::get<classify::IncidentMajor>(p.value());
        observer->TimelineEntry(major.incident_id, "major", "Promoted to major incident: " + major.reason);
        if (const incident::Incident* inc = state.incidents.FindIncident(major.incident_id)) {
          observer->IncidentChanged(*inc);
        }
      }
    }
    return core::Ok();
  }
  if (record.type >= escalation::kFirstType && record.type <= escalation::kLastType) {
    if (auto st = escalation::Apply(state.paging, record); !st.ok()) return st;
    if (observer != nullptr) {
      auto payload = escalation::DecodePayload(record.type, record.version, record.payload);
      if (payload.ok()) {
        if (auto line = escalation::Describe(state.paging, payload.value()); line && line->incident_id != 0) {
          observer->TimelineEntry(line->incident_id, line->kind, std::move(line->text));
        }
      }
    }
    return core::Ok();
  }
  if (record.type >= coord::kFirstType && record.type <= coord::kLastType) {
    if (auto st = coord::Apply(state.coord, record); !st.ok()) return st;
    if (observer != nullptr) {
      auto p = coord::DecodePayload(record.type, record.version, record.payload);
      if (p.ok()) {
        std::string kind;
        switch (coord::TypeOf(p.value())) {
          case coord::RecordType::kRoleAssigned: kind = "role"; break;
          case coord::RecordType::kChannelOpened: kind = "channel"; break;
          case coord::RecordType::kLogEntry: kind = std::get<coord::LogEntry>(p.value()).kind; break;
          case coord::RecordType::kStatusUpdated: kind = "status_update"; break;
          case coord::RecordType::kCadenceNotified: kind = "cadence"; break;
          case coord::RecordType::kCommanderEscalated: kind = "commander"; break;
          case coord::RecordType::kVendorGranted:
          case coord::RecordType::kVendorRevoked:
          case coord::RecordType::kVendorUsed: kind = "vendor"; break;
        }
        observer->TimelineEntry(coord::IncidentOf(p.value()), kind, coord::Describe(p.value(), record.actor));
      }
    }
    return core::Ok();
  }
  if (record.type >= pools::kFirstType && record.type <= pools::kLastType) {
    if (auto st = pools::Apply(state.pools, record); !st.ok()) return st;
    if (observer != nullptr) {
      auto p = pools::DecodePayload(record.type, record.version, record.payload);
      if (p.ok()) {
        // One record, one line on the timeline of every incident it concerns (both sides of a yield or conflict).
        const std::string text = pools::Describe(p.value(), record.actor);
        for (uint64_t id : pools::IncidentsOf(p.value())) {
          observer->TimelineEntry(id, pools::TimelineKind(p.value()), text);
        }
      }
    }
    return core::Ok();
  }
  return core::Corrupt("record " + std::to_string(record.seq) + " has unknown type " + std::to_string(record.type));
}

const char* RecordTypeName(uint16_t type) {
  if (type >= escalation::kFirstType && type <= escalation::kLastType) return escalation::TypeName(type);
  if (type >= classify::kFirstType && type <= classify::kLastType) return classify::TypeName(type);
  if (type >= coord::kFirstType && type <= coord::kLastType) return coord::TypeName(type);
  if (type >= pools::kFirstType && type <= pools::kLastType) return pools::TypeName(type);
  if (type >= correlate::kFirstType && type <= correlate::kLastType) return correlate::TypeName(type);
  return incident::TypeName(type);
}

}  // namespace engine
