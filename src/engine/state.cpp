#include "engine/state.h"

#include <algorithm>

#include "domain/incident/records.h"
#include "journal/codec.h"

namespace engine {
namespace {
constexpr uint8_t kStateFormat = 1;
}

std::string EncodeState(const State& state) {
  journal::Writer w;
  w.U8(kStateFormat);
  w.Str(incident::EncodeModel(state.incidents));
  return w.Take();
}

core::Result<State> DecodeState(std::string_view bytes) {
  journal::Reader r(bytes);
  if (r.U8() != kStateFormat) return core::Corrupt("unknown snapshot format");
  std::string_view incidents = r.StrView();
  if (auto st = r.Finish("snapshot"); !st.ok()) return st.error();
  auto model = incident::DecodeModel(incidents);
  if (!model.ok()) return model.error();
  State s;
  s.incidents = std::move(model).value();
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

core::Status ApplyRecord(State& state, const journal::Record& record, incident::Observer* observer) {
  if (record.type >= incident::kFirstType && record.type <= incident::kLastType) {
    return incident::Apply(state.incidents, record, observer);
  }
  return core::Corrupt("record " + std::to_string(record.seq) + " has unknown type " + std::to_string(record.type));
}

const char* RecordTypeName(uint16_t type) { return incident::TypeName(type); }

}  // namespace engine
