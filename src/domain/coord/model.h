// Coordination's state per incident not yet closed: who holds which incident role, its channel, its last status
// update and the cadence notices already sent; the fold of coordination records into it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "journal/record.h"

namespace coord {

struct IncidentCoord {
  std::map<std::string, std::string> roles;  // role → user
  std::string chat_name, chat_url, bridge;
  int64_t last_update_ms = 0;  // 0: no status update yet
  std::string last_update;
  std::set<std::pair<std::string, int64_t>> notified;  // (reminder|overdue, due ms) already sent
  bool commander_escalated = false;
  friend bool operator==(const IncidentCoord&, const IncidentCoord&) = default;
};

// A vendor's access to one incident (kept until the incident closes, revoked or not, for the audit).
struct Grant {
  uint64_t incident_id = 0;
  std::string vendor;
  std::vector<std::string> scopes;
  int64_t expires_ms = 0;
  std::string token_sha256;
  std::string revoked;  // why it ended; empty while in force
  uint64_t uses = 0;
  friend bool operator==(const Grant&, const Grant&) = default;
};

struct Model {
  std::map<uint64_t, IncidentCoord> incidents;
  std::map<uint64_t, Grant> grants;                    // grant id → grant
  uint64_t next_grant_id = 1;
  const Grant* FindGrant(uint64_t grant_id) const;
  // The grant whose token hashes to `sha256` (hex), or 0.
  uint64_t GrantByToken(std::string_view sha256) const;
  // Derived: incident → the line every notification about it carries (its channel and bridge).
  std::map<uint64_t, std::string> channel_lines;
  const IncidentCoord* Find(uint64_t incident_id) const;
  friend bool operator==(const Model&, const Model&) = default;
};

core::Status Apply(Model& model, const journal::Record& record);
// The incident closed: what coordination keeps about it goes.
void Forget(Model& model, uint64_t incident_id);
std::string EncodeModel(const Model& model);
core::Result<Model> DecodeModel(std::string_view bytes);

}  // namespace coord
