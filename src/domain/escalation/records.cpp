#include "domain/escalation/records.h"

#include "journal/codec.h"

namespace escalation {
namespace {

// One field list per payload serves both directions: Out writes, In reads.
struct Out {
  journal::Writer w;
  void operator()(const uint64_t& v) { w.U64(v); }
  void operator()(const uint32_t& v) { w.U64(v); }
  void operator()(const int64_t& v) { w.I64(v); }
  void operator()(const int32_t& v) { w.I64(v); }
  void operator()(const bool& v) { w.Bool(v); }
  void operator()(const std::string& v) { w.Str(v); }
  void operator()(const std::vector<std::string>& v) {
    w.U64(v.size());
    for (const auto& s : v) w.Str(s);
  }
};
struct In {
  journal::Reader r;
  void operator()(uint64_t& v) { v = r.U64(); }
  void operator()(uint32_t& v) { v = static_cast<uint32_t>(r.U64()); }
  void operator()(int64_t& v) { v = r.I64(); }
  void operator()(int32_t& v) { v = static_cast<int32_t>(r.I64()); }
  void operator()(bool& v) { v = r.Bool(); }
  void operator()(std::string& v) { v = r.Str(); }
  void operator()(std::vector<std::string>& v) {
    uint64_t n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) v.push_back(r.Str());
  }
};

template <typename Io, typename P>
void Fields(Io& io, P& p) {
  using T = std::remove_const_t<P>;
  if constexpr (std::is_same_v<T, EscalationStarted>) {
    io(p.incident_id), io(p.policy), io(p.rule), io(p.reason);
  } else if constexpr (std::is_same_v<T, EscalationStepped>) {
    io(p.incident_id), io(p.step), io(p.round), io(p.users), io(p.problems), io(p.next_at_ms);
  } else if constexpr (std::is_same_v<T, EscalationStopped>) {
    io(p.incident_id), io(p.reason);
  } else if constexpr (std::is_same_v<T, DeliveryQueued>) {
    io(p.incident_id), io(p.user), io(p.channel), io(p.address), io(p.kind), io(p.subject), io(p.text), io(p.key),
        io(p.due_ms), io(p.page);
  } else if constexpr (std::is_same_v<T, DeliveryAttempted>) {
    io(p.delivery_id), io(p.attempt), io(p.ok), io(p.permanent), io(p.status), io(p.error), io(p.next_at_ms);
  } else if constexpr (std::is_same_v<T, DeliveryCancelled>) {
    io(p.delivery_id), io(p.reason);
  } else if constexpr (std::is_same_v<T, DrillStarted>) {
    io(p.drill), io(p.dedup_key), io(p.deadline_ms), io(p.manual);
  } else if constexpr (std::is_same_v<T, DrillLinked>) {
    io(p.run), io(p.incident_id);
  } else if constexpr (std::is_same_v<T, DrillFinished>) {
    io(p.run), io(p.passed), io(p.link), io(p.detail), io(p.ack_ms);
  } else if constexpr (std::is_same_v<T, EscalationForced>) {
    io(p.incident_id), io(p.reason), io(p.actor);
  } else if constexpr (std::is_same_v<T, OverrideCreated>) {
    io(p.id), io(p.schedule), io(p.start_ms), io(p.end_ms), io(p.kind), io(p.user), io(p.replaced_user),
        io(p.reason), io(p.actor);
  } else if constexpr (std::is_same_v<T, OverrideRemoved>) {
    io(p.id), io(p.schedule), io(p.actor);
  }
}

template <typename T>
core::Result<Payload> Decode(std::string_view bytes, uint16_t type) {
  In in{journal::Reader(bytes)};
  T p;
  Fields(in, p);
  if (auto st = in.r.Finish(TypeName(type)); !st.ok()) return st.error();
  return Payload(std::move(p));
}

}  // namespace

const char* TypeName(uint16_t type) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kEscalationStarted: return "escalation.started";
    case RecordType::kEscalationStepped: return "escalation.stepped";
    case RecordType::kEscalationStopped: return "escalation.stopped";
    case RecordType::kDeliveryQueued: return "delivery.queued";
    case RecordType::kDeliveryAttempted: return "delivery.attempted";
    case RecordType::kDeliveryCancelled: return "delivery.cancelled";
    case RecordType::kDrillStarted: return "drill.started";
    case RecordType::kDrillLinked: return "drill.linked";
    case RecordType::kDrillFinished: return "drill.finished";
    case RecordType::kEscalationForced: return "escalation.forced";
    case RecordType::kOverrideCreated: return "override.created";
    case RecordType::kOverrideRemoved: return "override.removed";
  }
  return "unknown";
}

RecordType TypeOf(const Payload& payload) {
  static constexpr RecordType kTypes[] = {
      RecordType::kEscalationStarted, RecordType::kEscalationStepped, RecordType::kEscalationStopped,
      RecordType::kDeliveryQueued,    RecordType::kDeliveryAttempted, RecordType::kDeliveryCancelled,
      RecordType::kDrillStarted,      RecordType::kDrillLinked,       RecordType::kDrillFinished,
      RecordType::kEscalationForced,  RecordType::kOverrideCreated,   RecordType::kOverrideRemoved};
  static_assert(std::size(kTypes) == std::variant_size_v<Payload>);
  return kTypes[payload.index()];
}

std::string EncodePayload(const Payload& payload) {
  Out out;
  std::visit([&](const auto& p) { Fields(out, p); }, payload);
  return out.w.Take();
}

core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes) {
  if (version != kPayloadVersion) {
    return core::Corrupt("record type " + std::to_string(type) + " has unknown version " + std::to_string(version));
  }
  switch (static_cast<RecordType>(type)) {
    case RecordType::kEscalationStarted: return Decode<EscalationStarted>(bytes, type);
    case RecordType::kEscalationStepped: return Decode<EscalationStepped>(bytes, type);
    case RecordType::kEscalationStopped: return Decode<EscalationStopped>(bytes, type);
    case RecordType::kDeliveryQueued: return Decode<DeliveryQueued>(bytes, type);
    case RecordType::kDeliveryAttempted: return Decode<DeliveryAttempted>(bytes, type);
    case RecordType::kDeliveryCancelled: return Decode<DeliveryCancelled>(bytes, type);
    case RecordType::kDrillStarted: return Decode<DrillStarted>(bytes, type);
    case RecordType::kDrillLinked: return Decode<DrillLinked>(bytes, type);
    case RecordType::kDrillFinished: return Decode<DrillFinished>(bytes, type);
    case RecordType::kEscalationForced: return Decode<EscalationForced>(bytes, type);
    case RecordType::kOverrideCreated: return Decode<OverrideCreated>(bytes, type);
    case RecordType::kOverrideRemoved: return Decode<OverrideRemoved>(bytes, type);
  }
  return core::Corrupt("record type " + std::to_string(type) + " is not a paging record");
}

}  // namespace escalation
