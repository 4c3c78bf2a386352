#include "domain/coord/records.h"

#include "core/time.h"
#include "journal/codec.h"

namespace coord {

const char* TypeName(uint16_t type) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kRoleAssigned: return "incident.role_assigned";
    case RecordType::kChannelOpened: return "incident.channel_opened";
    case RecordType::kLogEntry: return "incident.log_entry";
    case RecordType::kStatusUpdated: return "incident.status_updated";
    case RecordType::kCadenceNotified: return "incident.cadence_notified";
    case RecordType::kCommanderEscalated: return "incident.commander_escalated";
    case RecordType::kVendorGranted: return "vendor.granted";
    case RecordType::kVendorRevoked: return "vendor.revoked";
    case RecordType::kVendorUsed: return "vendor.used";
  }
  return "unknown";
}

RecordType TypeOf(const Payload& payload) { return static_cast<RecordType>(kFirstType + payload.index()); }

std::string EncodePayload(const Payload& payload) {
  journal::Writer w;
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        w.U64(p.incident_id);
        if constexpr (std::is_same_v<T, RoleAssigned>) {
          w.Str(p.role);
          w.Str(p.user);
          w.Str(p.previous);
          w.U8(p.handoff ? 1 : 0);
          w.Str(p.reason);
        } else if constexpr (std::is_same_v<T, ChannelOpened>) {
          w.Str(p.chat_name);
          w.Str(p.chat_url);
          w.Str(p.bridge);
        } else if constexpr (std::is_same_v<T, LogEntry>) {
          w.Str(p.kind);
          w.Str(p.text);
        } else if constexpr (std::is_same_v<T, StatusUpdated>) {
          w.Str(p.text);
          w.U8(p.no_change ? 1 : 0);
        } else if constexpr (std::is_same_v<T, CadenceNotified>) {
          w.Str(p.stage);
          w.I64(p.due_ms);
          w.Str(p.to);
        } else if constexpr (std::is_same_v<T, VendorGranted>) {
          w.U64(p.grant_id);
          w.Str(p.vendor);
          w.U64(p.scopes.size());
          for (const auto& s : p.scopes) w.Str(s);
          w.I64(p.expires_ms);
          w.Str(p.token_sha256);
          w.Str(p.reason);
        } else if constexpr (std::is_same_v<T, VendorRevoked>) {
          w.U64(p.grant_id);
          w.Str(p.reason);
        } else if constexpr (std::is_same_v<T, VendorUsed>) {
          w.U64(p.grant_id);
          w.Str(p.action);
          w.Str(p.detail);
        } else {
          w.Str(p.to);
          w.Str(p.reason);
        }
      },
      payload);
  return w.Take();
}

core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes) {
  if (version != kPayloadVersion) return core::Corrupt(std::string("unsupported version of ") + TypeName(type));
  journal::Reader r(bytes);
  Payload out;
  const uint64_t id = r.U64();
  switch (static_cast<RecordType>(type)) {
    case RecordType::kRoleAssigned: {
      RoleAssigned x;
      x.incident_id = id;
      x.role = r.Str();
      x.user = r.Str();
      x.previous = r.Str();
      x.handoff = r.U8() != 0;
      x.reason = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kChannelOpened: {
      ChannelOpened x;
      x.incident_id = id;
      x.chat_name = r.Str();
      x.chat_url = r.Str();
      x.bridge = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kLogEntry: {
      LogEntry x;
      x.incident_id = id;
      x.kind = r.Str();
      x.text = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kStatusUpdated: {
      StatusUpdated x;
      x.incident_id = id;
      x.text = r.Str();
      x.no_change = r.U8() != 0;
      out = std::move(x);
      break;
    }
    case RecordType::kCadenceNotified: {
      CadenceNotified x;
      x.incident_id = id;
      x.stage = r.Str();
      x.due_ms = r.I64();
      x.to = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kCommanderEscalated: {
      CommanderEscalated x;
      x.incident_id = id;
      x.to = r.Str();
      x.reason = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kVendorGranted: {
      VendorGranted x;
      x.incident_id = id;
      x.grant_id = r.U64();
      x.vendor = r.Str();
      const uint64_t n = r.U64();
      for (uint64_t i = 0; i < n && r.ok(); ++i) x.scopes.push_back(r.Str());
      x.expires_ms = r.I64();
      x.token_sha256 = r.Str();
      x.reason = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kVendorRevoked: {
      VendorRevoked x;
      x.incident_id = id;
      x.grant_id = r.U64();
      x.reason = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kVendorUsed: {
      VendorUsed x;
      x.incident_id = id;
      x.grant_id = r.U64();
      x.action = r.Str();
      x.detail = r.Str();
      out = std::move(x);
      break;
    }
    default:
      return core::Corrupt("record type " + std::to_string(type) + " is not a coordination record");
  }
  if (auto st = r.Finish(TypeName(type)); !st.ok()) return st.error();
  return out;
}

uint64_t IncidentOf(const Payload& payload) {
  return std::visit([](const auto& p) { return p.incident_id; }, payload);
}

std::string Describe(const Payload& payload, const std::string& actor) {
  return std::visit(
      [&](const auto& p) -> std::string {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RoleAssigned>) {
          std::string s;
          if (p.handoff) {
            s = "Incident commander handed off from " + p.previous + " to " + p.user + " by " + actor;
          } else if (p.user.empty()) {
            s = p.previous + " stepped down as " + p.role + " (" + actor + ")";
          } else {
            s = p.user + " is " + p.role + (p.previous.empty() ? "" : " (was " + p.previous + ")") + ", assigned by " +
                actor;
          }
          return s + (p.reason.empty() ? "" : ": " + p.reason);
        } else if constexpr (std::is_same_v<T, ChannelOpened>) {
          std::string s = "Coordination channel " + p.chat_name;
          if (!p.chat_url.empty()) s += " (" + p.chat_url + ")";
          if (!p.bridge.empty()) s += ", bridge " + p.bridge;
          return s;
        } else if constexpr (std::is_same_v<T, LogEntry>) {
          std::string kind = p.kind;
          if (!kind.empty()) kind[0] = static_cast<char>(kind[0] - 'a' + 'A');
          return kind + " by " + actor + ": " + p.text;
        } else if constexpr (std::is_same_v<T, StatusUpdated>) {
          return std::string("Status update by ") + actor + (p.no_change ? " (no change)" : "") + ": " + p.text;
        } else if constexpr (std::is_same_v<T, CadenceNotified>) {
          return p.stage == "overdue" ? "Status update overdue: " + p.to + " told"
                                      : "Status update due soon: " + p.to + " reminded";
        } else if constexpr (std::is_same_v<T, VendorGranted>) {
          std::string scopes;
          for (const auto& s : p.scopes) scopes += (scopes.empty() ? "" : ", ") + s;
          return "Vendor " + p.vendor + " granted " + scopes + " access (grant " + std::to_string(p.grant_id) +
                 ") by " + actor + " until " + core::FormatRfc3339(core::FromUnixMillis(p.expires_ms)) +
                 (p.reason.empty() ? "" : ": " + p.reason);
        } else if constexpr (std::is_same_v<T, VendorRevoked>) {
          return "Vendor grant " + std::to_string(p.grant_id) + " revoked: " + p.reason;
        } else if constexpr (std::is_same_v<T, VendorUsed>) {
          return "Vendor grant " + std::to_string(p.grant_id) + " used by " + actor + ": " + p.action + " " + p.detail;
        } else {
          return "No incident commander: " + p.reason + (p.to.empty() ? "" : "; paged " + p.to);
        }
      },
      payload);
}

}  // namespace coord
