#include "domain/coord/model.h"

#include "domain/coord/records.h"
#include "journal/codec.h"

namespace coord {
namespace {

constexpr uint8_t kModelFormat = 1;

std::string ChannelLine(const IncidentCoord& c) {
  std::string s = "Coordinate in " + c.chat_name;
  if (!c.chat_url.empty()) s += " " + c.chat_url;
  if (!c.bridge.empty()) s += " · bridge " + c.bridge;
  return s + " (the incident's only channel)";
}

}  // namespace

const IncidentCoord* Model::Find(uint64_t incident_id) const {
  auto it = incidents.find(incident_id);
  return it == incidents.end() ? nullptr : &it->second;
}

core::Status Apply(Model& m, const journal::Record& record) {
  auto decoded = DecodePayload(record.type, record.version, record.payload);
  if (!decoded.ok()) return decoded.error();
  const int64_t now = core::ToUnixMillis(record.time);
  IncidentCoord& c = m.incidents[IncidentOf(decoded.value())];
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RoleAssigned>) {
          if (p.user.empty()) {
            c.roles.erase(p.role);
          } else {
            c.roles[p.role] = p.user;
          }
        } else if constexpr (std::is_same_v<T, ChannelOpened>) {
          c.chat_name = p.chat_name;
          c.chat_url = p.chat_url;
          c.bridge = p.bridge;
          m.channel_lines[p.incident_id] = ChannelLine(c);
        } else if constexpr (std::is_same_v<T, StatusUpdated>) {
          c.last_update_ms = now;
          c.last_update = p.text;
        } else if constexpr (std::is_same_v<T, CadenceNotified>) {
          c.notified.insert({p.stage, p.due_ms});
        } else if constexpr (std::is_same_v<T, CommanderEscalated>) {
          c.commander_escalated = true;
        }
      },
      decoded.value());
  return core::Ok();
}

void Forget(Model& m, uint64_t incident_id) {
  m.incidents.erase(incident_id);
  m.channel_lines.erase(incident_id);
}

std::string EncodeModel(const Model& m) {
  journal::Writer w;
  w.U8(kModelFormat);
  w.U64(m.incidents.size());
  for (const auto& [id, c] : m.incidents) {
    w.U64(id);
    w.U64(c.roles.size());
    for (const auto& [role, user] : c.roles) {
      w.Str(role);
      w.Str(user);
    }
    w.Str(c.chat_name);
    w.Str(c.chat_url);
    w.Str(c.bridge);
    w.I64(c.last_update_ms);
    w.Str(c.last_update);
    w.U64(c.notified.size());
    for (const auto& [stage, due] : c.notified) {
      w.Str(stage);
      w.I64(due);
    }
    w.U8(c.commander_escalated ? 1 : 0);
  }
  return w.Take();
}

core::Result<Model> DecodeModel(std::string_view bytes) {
  Model m;
  if (bytes.empty()) return m;  // state written before coordination existed
  journal::Reader r(bytes);
  if (r.U8() != kModelFormat) return core::Corrupt("unknown coordination state format");
  const uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    const uint64_t id = r.U64();
    IncidentCoord& c = m.incidents[id];
    const uint64_t roles = r.U64();
    for (uint64_t k = 0; k < roles && r.ok(); ++k) {
      std::string role = r.Str();
      c.roles[role] = r.Str();
    }
    c.chat_name = r.Str();
    c.chat_url = r.Str();
    c.bridge = r.Str();
    c.last_update_ms = r.I64();
    c.last_update = r.Str();
    const uint64_t notified = r.U64();
    for (uint64_t k = 0; k < notified && r.ok(); ++k) {
      std::string stage = r.Str();
      c.notified.insert({stage, r.I64()});
    }
    c.commander_escalated = r.U8() != 0;
    if (!c.chat_name.empty()) m.channel_lines[id] = ChannelLine(c);
  }
  if (auto st = r.Finish("coordination state"); !st.ok()) return st.error();
  return m;
}

}  // namespace coord
