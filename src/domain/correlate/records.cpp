#include "domain/correlate/records.h"

#include "journal/codec.h"

namespace correlate {
namespace {

using journal::Reader;
using journal::Writer;
using Kind = AlertChange::Kind;

void EncodeChange(Writer& w, const AlertChange& c) {
  w.U8(static_cast<uint8_t>(c.kind));
  w.U64(c.key);
  switch (c.kind) {
    case Kind::kNew:
      w.U64(c.fingerprint);
      w.Bool(c.webhook);
      w.Str(c.service);
      w.Str(c.group_key);
      w.Str(c.content);
      w.Time(c.starts_at);
      w.Time(c.ends_at);
      w.Bool(c.timeout);
      w.U64(c.alert_id);
      w.U64(c.incident_id);
      w.Time(c.muted_until);
      break;
    case Kind::kUpdate:
      w.Str(c.content);
      w.Time(c.starts_at);
      w.Time(c.ends_at);
      w.Bool(c.timeout);
      break;
    case Kind::kRefresh:
      w.Time(c.starts_at);
      w.Time(c.ends_at);
      w.Bool(c.timeout);
      break;
    case Kind::kResolve:
      w.Time(c.ends_at);
      break;
    case Kind::kLink:
      w.U64(c.alert_id);
      w.U64(c.incident_id);
      break;
    case Kind::kMute:
      w.Time(c.muted_until);
      break;
  }
}

bool DecodeChange(Reader& r, AlertChange& c) {
  uint8_t kind = r.U8();
  if (kind > static_cast<uint8_t>(Kind::kMute)) return false;
  c.kind = static_cast<Kind>(kind);
  c.key = r.U64();
  switch (c.kind) {
    case Kind::kNew:
      c.fingerprint = r.U64();
      c.webhook = r.Bool();
      c.service = r.Str();
      c.group_key = r.Str();
      c.content = r.Str();
      c.starts_at = r.Time();
      c.ends_at = r.Time();
      c.timeout = r.Bool();
      c.alert_id = r.U64();
      c.incident_id = r.U64();
      c.muted_until = r.Time();
      break;
    case Kind::kUpdate:
      c.content = r.Str();
      c.starts_at = r.Time();
      c.ends_at = r.Time();
      c.timeout = r.Bool();
      break;
    case Kind::kRefresh:
      c.starts_at = r.Time();
      c.ends_at = r.Time();
      c.timeout = r.Bool();
      break;
    case Kind::kResolve:
      c.ends_at = r.Time();
      break;
    case Kind::kLink:
      c.alert_id = r.U64();
      c.incident_id = r.U64();
      break;
    case Kind::kMute:
      c.muted_until = r.Time();
      break;
  }
  return r.ok();
}

}  // namespace

const char* TypeName(uint16_t type) {
  switch (type) {
    case 100: return "alerts.changed";
    case 101: return "silence.saved";
    case 102: return "silence.dropped";
    case 103: return "topology.saved";
    case 104: return "window.saved";
    case 105: return "window.opened";
    case 106: return "window.closed";
    case 107: return "window.reminded";
    default: return "unknown";
  }
}

const char* ToString(Cause cause) {
  switch (cause) {
    case Cause::kApi: return "api";
    case Cause::kWebhook: return "webhook";
    case Cause::kTimer: return "timer";
    case Cause::kSilence: return "silence";
  }
  return "api";
}

RecordType TypeOf(const Payload& payload) {
  switch (payload.index()) {
    case 0: return RecordType::kAlertsChanged;
    case 1: return RecordType::kSilenceSaved;
    case 2: return RecordType::kSilenceDropped;
    case 3: return RecordType::kTopologySaved;
    case 4: return RecordType::kWindowSaved;
    case 5: return RecordType::kWindowOpened;
    case 6: return RecordType::kWindowClosed;
    default: return RecordType::kWindowReminded;
  }
}

std::string EncodePayload(const Payload& payload) {
  const auto* changed = std::get_if<AlertsChanged>(&payload);
  size_t size = 256;
  if (changed != nullptr) {
    // What EncodeChange writes, give or take the varints: a refresh is a few bytes, a new alert carries its content.
    size = 16;
    for (const auto& c : changed->changes) size += 48 + c.service.size() + c.group_key.size() + c.content.size();
  }
  Writer w(size);
  if (const auto* p = changed) {
    w.U8(static_cast<uint8_t>(p->cause));
    w.U64(p->changes.size());
    for (const auto& c : p->changes) EncodeChange(w, c);
  } else if (const auto* s = std::get_if<SilenceSaved>(&payload)) {
    w.Str(EncodeSilence(s->silence));
    w.I64(s->drop_at_ms);
  } else if (const auto* d = std::get_if<SilenceDropped>(&payload)) {
    w.Str(d->id);
  } else if (const auto* t = std::get_if<TopologySaved>(&payload)) {
    w.Str(EncodeTopology(t->topology));
  } else if (const auto* ws = std::get_if<WindowSaved>(&payload)) {
    w.Str(EncodeWindow(ws->window));
  } else if (const auto* o = std::get_if<WindowOpened>(&payload)) {
    w.Str(o->id);
    w.I64(o->start_ms);
    w.I64(o->end_ms);
  } else if (const auto* c = std::get_if<WindowClosed>(&payload)) {
    w.Str(c->id);
  } else {
    w.Str(std::get<WindowReminded>(payload).id);
  }
  return w.Take();
}

core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes) {
  if (version != kPayloadVersion) {
    return core::Corrupt(std::string(TypeName(type)) + " record version " + std::to_string(version) + " is unknown");
  }
  Reader r(bytes);
  switch (static_cast<RecordType>(type)) {
    case RecordType::kAlertsChanged: {
      AlertsChanged p;
      uint8_t cause = r.U8();
      if (cause > static_cast<uint8_t>(Cause::kSilence)) return core::Corrupt("alerts.changed: unknown cause");
      p.cause = static_cast<Cause>(cause);
      uint64_t n = r.U64();
      if (n > bytes.size()) return core::Corrupt("alerts.changed: change count exceeds the payload");
      p.changes.resize(n);
      for (auto& c : p.changes) {
        if (!DecodeChange(r, c)) return core::Corrupt("alerts.changed: malformed change");
      }
      if (auto st = r.Finish("alerts.changed"); !st.ok()) return st.error();
      return Payload(std::move(p));
    }
    case RecordType::kSilenceSaved: {
      std::string_view encoded = r.StrView();
      int64_t drop = r.I64();
      if (auto st = r.Finish("silence.saved"); !st.ok()) return st.error();
      auto silence = DecodeSilence(encoded);
      if (!silence.ok()) return silence.error();
      return Payload(SilenceSaved{std::move(silence).value(), drop});
    }
    case RecordType::kSilenceDropped: {
      std::string id = r.Str();
      if (auto st = r.Finish("silence.dropped"); !st.ok()) return st.error();
      return Payload(SilenceDropped{std::move(id)});
    }
    case RecordType::kTopologySaved: {
      std::string_view encoded = r.StrView();
      if (auto st = r.Finish("topology.saved"); !st.ok()) return st.error();
      auto topology = DecodeTopology(encoded);
      if (!topology.ok()) return topology.error();
      return Payload(TopologySaved{std::move(topology).value()});
    }
    case RecordType::kWindowSaved: {
      std::string_view encoded = r.StrView();
      if (auto st = r.Finish("window.saved"); !st.ok()) return st.error();
      auto window = DecodeWindow(encoded);
      if (!window.ok()) return window.error();
      return Payload(WindowSaved{std::move(window).value()});
    }
    case RecordType::kWindowOpened: {
      WindowOpened o;
      o.id = r.Str();
      o.start_ms = r.I64();
      o.end_ms = r.I64();
      if (auto st = r.Finish("window.opened"); !st.ok()) return st.error();
      return Payload(std::move(o));
    }
    case RecordType::kWindowClosed: {
      std::string id = r.Str();
      if (auto st = r.Finish("window.closed"); !st.ok()) return st.error();
      return Payload(WindowClosed{std::move(id)});
    }
    case RecordType::kWindowReminded: {
      std::string id = r.Str();
      if (auto st = r.Finish("window.reminded"); !st.ok()) return st.error();
      return Payload(WindowReminded{std::move(id)});
    }
  }
  return core::Corrupt("record type " + std::to_string(type) + " is not a correlate record");
}

}  // namespace correlate
