#include "domain/incident/records.h"

#include "journal/codec.h"

namespace incident {
namespace {

using journal::Reader;
using journal::Writer;

ingest::Severity ReadSeverity(Reader& r) {
  uint8_t v = r.U8();
  return v <= 3 ? static_cast<ingest::Severity>(v) : ingest::Severity::kError;
}

struct Encoder {
  Writer& w;
  void operator()(const IncidentOpened& p) {
    w.U64(p.incident_id);
    w.Str(p.service);
    w.Str(p.group_key);
    w.Str(p.title);
    w.U8(static_cast<uint8_t>(p.severity));
    w.U64(p.subject);
    w.I64(p.notify_at_ms);
    w.Str(p.category);
    w.Str(p.subcategory);
    w.Str(p.category_rule);
  }
  void operator()(const AlertTriggered& p) {
    w.U64(p.incident_id);
    w.Str(p.service);
    w.Str(p.dedup_key);
    w.Str(p.summary);
    w.Str(p.source);
    w.U8(static_cast<uint8_t>(p.severity));
    w.Str(p.details_json);
    const Placement& pl = p.placement;
    w.U8(static_cast<uint8_t>(pl.kind));
    w.U64(pl.incident_id);
    w.Str(pl.rule);
    w.Str(pl.parent);
    w.I64(pl.offset_ms);
    w.Str(pl.window);
    w.Str(pl.window_name);
    w.U64(p.subject);
    w.Bool(p.failure);
    w.U64(p.member);
    w.I64(p.notify_at_ms);
    w.Str(p.group_key);
    w.Str(p.title);
  }
  void operator()(const IncidentMerged& p) {
    w.U64(p.incident_id);
    w.U64(p.into);
    w.Str(p.rule);
    w.Str(p.parent);
    w.I64(p.offset_ms);
    w.I64(p.close_at_ms);
    w.I64(p.notify_at_ms);
  }
  void operator()(const NotificationRequested& p) {
    w.U64(p.incident_id);
    w.U8(static_cast<uint8_t>(p.kind));
    w.Str(p.text);
    w.Str(p.to);
  }
  void operator()(const AlertFlapping& p) {
    w.Str(p.service);
    w.Str(p.dedup_key);
    w.Bool(p.started);
    w.U64(p.percent_x100);
  }
  void operator()(const FlapsPruned& p) { w.I64(p.before_ms); }
  void operator()(const NotificationCancelled& p) {
    w.U64(p.incident_id);
    w.Str(p.reason);
  }
  void operator()(const IncidentReclassified& p) {
    w.U64(p.incident_id);
    w.Str(p.category);
    w.Str(p.subcategory);
    w.Str(p.reason);
  }
  void operator()(const AlertLinked& p) {
    w.U64(p.alert_id);
    w.U64(p.incident_id);
    w.I64(p.notify_at_ms);
    w.Str(p.reason);
  }
  void operator()(const AlertRetriggered& p) {
    w.U64(p.alert_id);
    w.Str(p.summary);
    w.U8(static_cast<uint8_t>(p.severity));
    w.Str(p.details_json);
  }
  void operator()(const AlertAcknowledged& p) { w.U64(p.alert_id); }
  void operator()(const AlertResolved& p) { w.U64(p.alert_id); }
  void operator()(const IncidentAcknowledged& p) {
    w.U64(p.incident_id);
    w.I64(p.timeout_at_ms);
  }
  void operator()(const IncidentUnacknowledged& p) {
    w.U64(p.incident_id);
    w.Str(p.reason);
  }
  void operator()(const IncidentResolved& p) {
    w.U64(p.incident_id);
    w.Str(p.note);
    w.I64(p.close_at_ms);
  }
  void operator()(const IncidentClosed& p) { w.U64(p.incident_id); }
  void operator()(const NoteAdded& p) {
    w.U64(p.incident_id);
    w.Str(p.text);
  }
  void operator()(const SeverityRaised& p) {
    w.U64(p.incident_id);
    w.U8(static_cast<uint8_t>(p.severity));
  }
  void operator()(const EventDropped& p) {
    w.Str(p.service);
    w.Str(p.dedup_key);
    w.U8(static_cast<uint8_t>(p.action));
    w.Str(p.reason);
  }
};

}  // namespace

const char* TypeName(uint16_t type) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kIncidentOpened: return "incident.opened";
    case RecordType::kAlertTriggered: return "alert.triggered";
    case RecordType::kAlertRetriggered: return "alert.retriggered";
    case RecordType::kAlertAcknowledged: return "alert.acknowledged";
    case RecordType::kAlertResolved: return "alert.resolved";
    case RecordType::kIncidentAcknowledged: return "incident.acknowledged";
    case RecordType::kIncidentUnacknowledged: return "incident.unacknowledged";
    case RecordType::kIncidentResolved: return "incident.resolved";
    case RecordType::kIncidentClosed: return "incident.closed";
    case RecordType::kNoteAdded: return "incident.note";
    case RecordType::kSeverityRaised: return "incident.severity_raised";
    case RecordType::kEventDropped: return "event.dropped";
    case RecordType::kIncidentMerged: return "incident.merged";
    case RecordType::kNotificationRequested: return "notification.requested";
    case RecordType::kAlertLinked: return "alert.linked";
    case RecordType::kAlertFlapping: return "alert.flapping";
    case RecordType::kFlapsPruned: return "flaps.pruned";
    case RecordType::kNotificationCancelled: return "notification.cancelled";
    case RecordType::kIncidentReclassified: return "incident.reclassified";
  }
  return "unknown";
}

uint16_t PayloadVersion(RecordType type) {
  if (type == RecordType::kIncidentOpened) return 4;
  return type == RecordType::kAlertTriggered ? 2 : 1;
}

const char* ToString(Placement::Kind kind) {
  switch (kind) {
    case Placement::Kind::kOpened: return "opened";
    case Placement::Kind::kGrouped: return "grouped";
    case Placement::Kind::kSymptom: return "symptom";
    case Placement::Kind::kSuppressed: return "suppressed";
  }
  return "opened";
}

const char* ToString(NotificationRequested::Kind kind) {
  switch (kind) {
    case NotificationRequested::Kind::kTriggered: return "triggered";
    case NotificationRequested::Kind::kUpdated: return "updated";
    case NotificationRequested::Kind::kResolved: return "resolved";
    case NotificationRequested::Kind::kMerged: return "merged";
    case NotificationRequested::Kind::kFlappingStarted: return "flapping_started";
    case NotificationRequested::Kind::kFlappingStopped: return "flapping_stopped";
    case NotificationRequested::Kind::kMaintenance: return "maintenance";
    case NotificationRequested::Kind::kDirect: return "message";
  }
  return "triggered";
}

RecordType TypeOf(const Payload& payload) { return static_cast<RecordType>(payload.index() + kFirstType); }

std::string EncodePayload(const Payload& payload) {
  Writer w(256);  // most payloads are an alert's or an incident's strings
  std::visit(Encoder{w}, payload);
  return w.Take();
}

core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes) {
  if (type < kFirstType || type > kLastType) return core::Corrupt("unknown record type " + std::to_string(type));
  if (version < 1 || version > PayloadVersion(static_cast<RecordType>(type))) {
    return core::Corrupt(std::string("unsupported version ") + std::to_string(version) + " of " + TypeName(type));
  }
  Reader r(bytes);
  Payload out;
  switch (static_cast<RecordType>(type)) {
    case RecordType::kIncidentOpened: {
      IncidentOpened p;
      p.incident_id = r.U64();
      p.service = r.Str();
      p.group_key = r.Str();
      p.title = r.Str();
      p.severity = ReadSeverity(r);
      if (version >= 2) {
        p.subject = r.U64();
        p.notify_at_ms = r.I64();
      }
      if (version >= 3) p.category = r.Str();
      if (version >= 4) {
        p.subcategory = r.Str();
        p.category_rule = r.Str();
      }
      out = std::move(p);
      break;
    }
    case RecordType::kAlertTriggered: {
      AlertTriggered p;
      p.incident_id = r.U64();
      p.service = r.Str();
      p.dedup_key = r.Str();
      p.summary = r.Str();
      p.source = r.Str();
      p.severity = ReadSeverity(r);
      p.details_json = r.Str();
      if (version >= 2) {
        Placement& pl = p.placement;
        uint8_t kind = r.U8();
        pl.kind = kind <= 3 ? static_cast<Placement::Kind>(kind) : Placement::Kind::kOpened;
        pl.incident_id = r.U64();
        pl.rule = r.Str();
        pl.parent = r.Str();
        pl.offset_ms = r.I64();
        pl.window = r.Str();
        pl.window_name = r.Str();
        p.subject = r.U64();
        p.failure = r.Bool();
        p.member = r.U64();
        p.notify_at_ms = r.I64();
        p.group_key = r.Str();
        p.title = r.Str();
      }
      out = std::move(p);
      break;
    }
    case RecordType::kAlertRetriggered: {
      AlertRetriggered p;
      p.alert_id = r.U64();
      p.summary = r.Str();
      p.severity = ReadSeverity(r);
      p.details_json = r.Str();
      out = std::move(p);
      break;
    }
    case RecordType::kAlertAcknowledged: out = AlertAcknowledged{r.U64()}; break;
    case RecordType::kAlertResolved: out = AlertResolved{r.U64()}; break;
    case RecordType::kIncidentAcknowledged: {
      IncidentAcknowledged p;
      p.incident_id = r.U64();
      p.timeout_at_ms = r.I64();
      out = p;
      break;
    }
    case RecordType::kIncidentUnacknowledged: {
      IncidentUnacknowledged p;
      p.incident_id = r.U64();
      p.reason = r.Str();
      out = std::move(p);
      break;
    }
    case RecordType::kIncidentResolved: {
      IncidentResolved p;
      p.incident_id = r.U64();
      p.note = r.Str();
      p.close_at_ms = r.I64();
      out = std::move(p);
      break;
    }
    case RecordType::kIncidentClosed: out = IncidentClosed{r.U64()}; break;
    case RecordType::kNoteAdded: {
      NoteAdded p;
      p.incident_id = r.U64();
      p.text = r.Str();
      out = std::move(p);
      break;
    }
    case RecordType::kSeverityRaised: {
      SeverityRaised p;
      p.incident_id = r.U64();
      p.severity = ReadSeverity(r);
      out = p;
      break;
    }
    case RecordType::kEventDropped: {
      EventDropped p;
      p.service = r.Str();
      p.dedup_key = r.Str();
      uint8_t a = r.U8();
      p.action = a <= 2 ? static_cast<ingest::Action>(a) : ingest::Action::kTrigger;
      p.reason = r.Str();
      out = std::move(p);
      break;
    }
    case RecordType::kIncidentMerged: {
      IncidentMerged p;
      p.incident_id = r.U64();
      p.into = r.U64();
      p.rule = r.Str();
      p.parent = r.Str();
      p.offset_ms = r.I64();
      p.close_at_ms = r.I64();
      p.notify_at_ms = r.I64();
      out = std::move(p);
      break;
    }
    case RecordType::kNotificationRequested: {
      NotificationRequested p;
      p.incident_id = r.U64();
      uint8_t kind = r.U8();
      if (kind > 7) return core::Corrupt("notification.requested with unknown kind " + std::to_string(kind));
      p.kind = static_cast<NotificationRequested::Kind>(kind);
      p.text = r.Str();
      p.to = r.Str();
      out = std::move(p);
      break;
    }
    case RecordType::kAlertLinked: {
      AlertLinked p;
      p.alert_id = r.U64();
      p.incident_id = r.U64();
      p.notify_at_ms = r.I64();
      p.reason = r.Str();
      out = std::move(p);
      break;
    }
    case RecordType::kAlertFlapping: {
      AlertFlapping p;
      p.service = r.Str();
      p.dedup_key = r.Str();
      p.started = r.Bool();
      p.percent_x100 = static_cast<uint32_t>(r.U64());
      out = std::move(p);
      break;
    }
    case RecordType::kFlapsPruned: out = FlapsPruned{r.I64()}; break;
    case RecordType::kNotificationCancelled: {
      NotificationCancelled p;
      p.incident_id = r.U64();
      p.reason = r.Str();
      out = std::move(p);
      break;
    }
    case RecordType::kIncidentReclassified: {
      IncidentReclassified p;
      p.incident_id = r.U64();
      p.category = r.Str();
      p.subcategory = r.Str();
      p.reason = r.Str();
      out = std::move(p);
      break;
    }
    default:
      return core::Corrupt("unknown record type " + std::to_string(type));
  }
  if (auto st = r.Finish(TypeName(type)); !st.ok()) return st.error();
  return out;
}

}  // namespace incident
