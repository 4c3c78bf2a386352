#include "domain/coord/model.h"

#include "domain/coord/records.h"
#include "journal/codec.h"

#include <algorithm>

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

const Grant* Model::FindGrant(uint64_t grant_id) const {
  auto it = grants.find(grant_id);
  return it == grants.end() ? nullptr : &it->second;
}

uint64_t Model::GrantByToken(std::string_view sha256) const {
  for (const auto& [id, g] : grants) {
    if (g.token_sha256 == sha256) return id;
  }
  return 0;
}

const IncidentCoord* Model::Find(uint64_t incident_id) const {
  auto it = incidents.find(incident_id);
  return it == incidents.end() ? nullptr : &it->second;
}

core::Status Apply(Model& m, const journal::Record& record) {
  auto decoded = DecodePayload(record.type, record.version, record.payload);
  if (!decoded.ok()) return decoded.error();
  const int64_t now = core::ToUnixMillis(record.time);
  if (auto* g = std::get_if<VendorGranted>(&decoded.value())) {
    m.grants[g->grant_id] = Grant{g->incident_id, g->vendor, g->scopes, g->expires_ms, g->token_sha256, "", 0};
    m.next_grant_id = std::max(m.next_grant_id, g->grant_id + 1);
    return core::Ok();
  }
  if (auto* rv = std::get_if<VendorRevoked>(&decoded.value())) {
    if (auto it = m.grants.find(rv->grant_id); it != m.grants.end()) it->second.revoked = rv->reason;
    return core::Ok();
  }
  if (auto* u = std::get_if<VendorUsed>(&decoded.value())) {
    if (auto it = m.grants.find(u->grant_id); it != m.grants.end()) ++it->second.uses;
    return core::Ok();
  }
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
  std::erase_if(m.grants, [&](const auto& g) { return g.second.incident_id == incident_id; });
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
  w.U64(m.next_grant_id);
  w.U64(m.grants.size());
  for (const auto& [id, g] : m.grants) {
    w.U64(id);
    w.U64(g.incident_id);
    w.Str(g.vendor);
    w.U64(g.scopes.size());
    for (const auto& s : g.scopes) w.Str(s);
    w.I64(g.expires_ms);
    w.Str(g.token_sha256);
    w.Str(g.revoked);
    w.U64(g.uses);
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
  m.next_grant_id = r.U64();
  const uint64_t grants = r.U64();
  for (uint64_t i = 0; i < grants && r.ok(); ++i) {
    Grant& g = m.grants[r.U64()];
    g.incident_id = r.U64();
    g.vendor = r.Str();
    const uint64_t k = r.U64();
    for (uint64_t j = 0; j < k && r.ok(); ++j) g.scopes.push_back(r.Str());
    g.expires_ms = r.I64();
    g.token_sha256 = r.Str();
    g.revoked = r.Str();
    g.uses = r.U64();
  }
  if (auto st = r.Finish("coordination state"); !st.ok()) return st.error();
  return m;
}

}  // namespace coord
