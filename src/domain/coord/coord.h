// Coordination decisions: exactly one incident commander (a second only by explicit hand-off), the other incident
// roles, one coordination channel per incident, the typed incident log, and the status-update cadence (reminders
// to the communications lead, overdue notices to the commander). Pure: time comes from the Emitter.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/classify/pipeline.h"
#include "domain/coord/model.h"
#include "domain/coord/records.h"
#include "domain/escalation/paging.h"

namespace coord {

// Channel templates: {{id}}, {{service}} and {{title}} are replaced. `announce_to` is a person (people:) whose
// contact methods get the announcement, e.g. one whose contact is the team's chat webhook.
struct ChannelTemplate {
  std::string chat_name;
  std::string chat_url;
  std::string bridge;
  std::string announce_to;
};

// A pre-authorised third party: who to contact, what a grant may allow (read: the incident and its timeline;
// log: post to its log), for how long at most, and how to work with them.
struct Vendor {
  std::string name;
  std::vector<std::string> contacts;
  std::vector<std::string> scopes;
  core::Duration max_grant = std::chrono::hours(8);
  std::string protocol;
};

struct Config {
  std::vector<Vendor> vendors;                     // key `vendors`
  const Vendor* FindVendor(std::string_view name) const;
  std::optional<ChannelTemplate> channel;          // key coordination.channel
  std::map<std::string, core::Duration> cadence;   // severity (SEV1..SEV5) → status update interval
  core::Duration remind_before = std::chrono::minutes(5);
  core::Duration commander_within{0};              // a major incident without a commander this long (0: off) ...
  std::string commander_schedule;                  // ... pages who is on call in this schedule
  std::set<std::string> commanders;                // users who may be commander (empty: anyone)
};

constexpr const char* kRoles[] = {"commander", "communications", "scribe", "operations", "liaison"};
constexpr const char* kLogKinds[] = {"decision", "action", "observation", "note"};

class Emitter : public classify::Emitter {
 public:
  using classify::Emitter::Emit;
  virtual uint64_t Emit(const Payload& payload) = 0;
};

struct View {
  const Model& coord;
  const Config& config;
  const classify::View& classification;
  const escalation::View& paging;
};

// Assigns `user` to an incident role (empty user: the holder steps down). The commander role is exclusive: while
// someone holds it, another person gets it only with `handoff`, asked by the outgoing commander (`actor` is
// "user:<them>") or an admin (kDenied otherwise), and kConflict without `handoff`. kInvalid naming /role or /user
// (a user who is not commander-eligible); kNotFound for an incident that is closed or unknown. No record when the
// person already holds the role.
core::Status AssignRole(const View& view, uint64_t incident_id, const std::string& role, const std::string& user,
                        bool handoff, const std::string& actor, bool actor_is_admin, const std::string& reason,
                        Emitter& emit);

// A typed entry of the incident log. kInvalid naming /kind or /text (1..10000 bytes).
core::Status AddLogEntry(const View& view, uint64_t incident_id, const std::string& kind, const std::string& text,
                         Emitter& emit);

// A status update (restarts the cadence). `no_change`: a valid update saying nothing changed (text optional).
core::Status PostStatusUpdate(const View& view, uint64_t incident_id, const std::string& text, bool no_change,
                              Emitter& emit);

// Grants `vendor` access to the incident: `scopes` within the profile's, for `duration` (at most the profile's
// max_grant), the token known only by its SHA-256 (hex, made at the edge). kInvalid naming /vendor, /scopes or
// /duration; kConflict when the incident is resolved; kNotFound when closed or unknown. Returns the grant id.
core::Result<uint64_t> GrantVendor(const View& view, uint64_t incident_id, const std::string& vendor,
                                   const std::vector<std::string>& scopes, core::Duration duration,
                                   const std::string& token_sha256, const std::string& reason, Emitter& emit);
// Ends a grant by hand. kNotFound for an unknown grant; no record when it already ended.
core::Status RevokeVendor(const View& view, uint64_t grant_id, const std::string& reason, Emitter& emit);
// Journals one use of a grant (`action` read or log), refusing (kDenied) a grant that expired, was revoked, whose
// incident is resolved or closed, or whose scopes do not include `action`.
core::Status UseVendorGrant(const View& view, uint64_t grant_id, const std::string& action, const std::string& detail,
                            Emitter& emit);

// Reacts to an incident record: a new incident gets its coordination channel (and the announcement); a resolved
// one ends its vendor grants.
void React(const View& view, const incident::Payload& record, Emitter& emit);

// Cadence reminders and overdue notices due at emit.now(); major incidents still without a commander; expired
// vendor grants.
void FireTimers(const View& view, Emitter& emit);

// When the incident's next status update is due under the cadence of its current severity (nullopt: no cadence).
struct Cadence {
  std::string severity;
  core::Duration every{0};
  core::Timestamp next_due{};
  bool overdue = false;
};
std::optional<Cadence> CadenceOf(const View& view, const incident::Incident& incident, core::Timestamp now);

}  // namespace coord
