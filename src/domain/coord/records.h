// Journal record payloads of coordination (type tags 400..499): incident roles, the coordination channel, the typed
// incident log, status updates and their cadence. Versioned encoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace coord {

enum class RecordType : uint16_t {
  kRoleAssigned = 400,
  kChannelOpened = 401,
  kLogEntry = 402,
  kStatusUpdated = 403,
  kCadenceNotified = 404,
  kCommanderEscalated = 405,
  kVendorGranted = 406,
  kVendorRevoked = 407,
  kVendorUsed = 408,
};
constexpr uint16_t kFirstType = 400;
constexpr uint16_t kLastType = 499;
const char* TypeName(uint16_t type);

// A person took an incident role (commander, communications, scribe, operations, liaison). `previous` is who held
// it (empty: nobody); `handoff` when the commander role passed from one person to another by explicit hand-off.
struct RoleAssigned {
  uint64_t incident_id = 0;
  std::string role;
  std::string user;
  std::string previous;
  bool handoff = false;
  std::string reason;
};
// The incident's one coordination channel and bridge (from the configuration's templates).
struct ChannelOpened {
  uint64_t incident_id = 0;
  std::string chat_name;
  std::string chat_url;
  std::string bridge;
};
// A typed entry of the incident log: decision, action, observation or note.
struct LogEntry {
  uint64_t incident_id = 0;
  std::string kind;
  std::string text;
};
// A status update went out (the cadence restarts from it). `no_change` is a valid update saying nothing changed.
struct StatusUpdated {
  uint64_t incident_id = 0;
  std::string text;
  bool no_change = false;
};
// The cadence told someone: "reminder" (the update is due soon, to the communications lead) or "overdue" (to the
// commander). `due_ms` identifies the due time, so each goes out once.
struct CadenceNotified {
  uint64_t incident_id = 0;
  std::string stage;
  int64_t due_ms = 0;
  std::string to;
};
// A major incident had no commander in time: the commander-on-call was paged.
struct CommanderEscalated {
  uint64_t incident_id = 0;
  std::string to;
  std::string reason;
};

// A pre-authorised vendor was given access to one incident: `scopes` (read, log) until `expires_ms`. Only the
// SHA-256 (hex) of the token is kept; the token itself went to the person who granted it, once.
struct VendorGranted {
  uint64_t incident_id = 0;
  uint64_t grant_id = 0;
  std::string vendor;
  std::vector<std::string> scopes;
  int64_t expires_ms = 0;
  std::string token_sha256;
  std::string reason;
};
// The grant ended: "expired", "incident resolved", or revoked by a person (with the reason).
struct VendorRevoked {
  uint64_t incident_id = 0;
  uint64_t grant_id = 0;
  std::string reason;
};
// A vendor used a grant: `action` read or log, `detail` what (the request path).
struct VendorUsed {
  uint64_t incident_id = 0;
  uint64_t grant_id = 0;
  std::string action;
  std::string detail;
};

using Payload = std::variant<RoleAssigned, ChannelOpened, LogEntry, StatusUpdated, CadenceNotified,
                             CommanderEscalated, VendorGranted, VendorRevoked, VendorUsed>;
RecordType TypeOf(const Payload& payload);
constexpr uint16_t kPayloadVersion = 1;
std::string EncodePayload(const Payload& payload);
core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes);
// One human-readable line for the timeline (`actor`: who caused the record).
std::string Describe(const Payload& payload, const std::string& actor);
uint64_t IncidentOf(const Payload& payload);

}  // namespace coord
