// Commands: what the edges ask the engine to do, and the Outcome each caller gets back after commit.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include "core/result.h"
#include "domain/correlate/maintenance.h"
#include "domain/correlate/prepare.h"
#include "domain/correlate/silence.h"
#include "domain/classify/pipeline.h"
#include "domain/classify/records.h"
#include "domain/correlate/topology.h"
#include "domain/escalation/overrides.h"
#include "domain/escalation/paging.h"
#include "domain/ingest/alertmanager.h"
#include "domain/ingest/event.h"

namespace engine {

// An Events-v2-shaped event, already parsed and validated at the edge (dedup_key filled in for triggers).
struct SubmitEvent {
  ingest::Event event;
};
struct AcknowledgeIncident {
  uint64_t incident_id = 0;
};
struct ResolveIncident {
  uint64_t incident_id = 0;
  std::string note;  // optional; recorded on the timeline
};
struct AddNote {
  uint64_t incident_id = 0;
  std::string text;
};
// Alertmanager API v2 alerts, validated at the edge (the rejected ones never get here).
struct PostAlerts {
  std::vector<ingest::PostableAlert> alerts;
  // correlate::Prepare(alerts), computed at the edge so the writer does not; empty: the writer computes it.
  std::vector<correlate::Prepared> prepared;
};
// An Alertmanager webhook notification for a service.
struct ReceiveWebhook {
  std::string service;
  ingest::WebhookPayload payload;
};
// Creates or updates a silence; `new_id` (a UUID from the edge) is used when a new silence results.
struct PostSilence {
  correlate::PostableSilence silence;
  std::string new_id;
};
struct ExpireSilence {
  std::string id;
};
// Journals the service topology when it differs from the one in force (start-up, configuration reload).
struct SaveTopology {
  correlate::TopologyConfig topology;
};
// Maintenance windows (validated at the edge by correlate::ParseWindow).
struct SaveWindow {
  correlate::Window window;
};
struct ExtendWindow {
  std::string id;
  core::Timestamp until{};
};
struct EndWindow {
  std::string id;
  bool cancel = false;  // also no later occurrence
};
// What the coverage check of an on-call schedule found (the edge computes it from the schedule and the clock): the
// first period with nobody on call in the window it looked at, or none. An alert for the schedule opens on the
// given service while there is a gap and resolves when there is none.
struct ReportCoverage {
  std::string schedule;
  std::string service;
  bool gap = false;
  core::Timestamp gap_start{};
  core::Timestamp gap_end{};
};
// What the outbox worker saw when it tried to deliver a notification.
struct RecordDelivery {
  escalation::AttemptReport report;
};
// Restarts an incident's escalation with another policy, or pages one person (exactly one of the two).
struct ReassignIncident {
  uint64_t incident_id = 0;
  std::string policy;
  std::string user;
};
// A person sets an incident's category (checked against the taxonomy).
struct ReclassifyIncident {
  uint64_t incident_id = 0;
  std::string category;
  std::string subcategory;
  std::string reason;
};
// SLI samples of one SLO (good and total events), validated at the edge for shape only.
struct RecordSli {
  std::string service;
  std::string slo;
  std::vector<classify::SliSample> samples;
};
// A regulatory fact about an incident: "breach" confirmed, "material" determined or "high_risk" assessed (now).
struct RecordRegulatoryFact {
  uint64_t incident_id = 0;
  std::string fact;
  std::string note;
};
// A regulatory report was submitted (now).
struct RecordSubmission {
  uint64_t incident_id = 0;
  std::string regime;
  std::string stage;
  std::string reference;
};
// A person makes a team the incident's primary owner.
struct AssignOwner {
  uint64_t incident_id = 0;
  std::string team;
  std::string reason;
};
// Runs a configured fire drill now; the outcome's seq is the run id.
struct RunDrill {
  std::string drill;
};
// Coordination (domain/coord): an incident role, a typed log entry, a status update.
struct AssignRole {
  uint64_t incident_id = 0;
  std::string role;
  std::string user;  // empty: the holder steps down
  bool handoff = false;
  std::string reason;
  bool actor_is_admin = false;  // the edge knows the caller's role
};
struct AddLogEntry {
  uint64_t incident_id = 0;
  std::string kind;
  std::string text;
};
struct PostStatusUpdate {
  uint64_t incident_id = 0;
  std::string text;
  bool no_change = false;
};
// Vendor access (domain/coord): a grant to one incident (the edge made the token and hashed it), its revocation,
// and each use of it (journaled before the vendor's request is served).
struct GrantVendor {
  uint64_t incident_id = 0;
  std::string vendor;
  std::vector<std::string> scopes;
  core::Duration duration{0};
  std::string token_sha256;
  std::string reason;
};
struct RevokeVendor {
  uint64_t grant_id = 0;
  std::string reason;
};
struct UseVendorGrant {
  uint64_t grant_id = 0;
  std::string action;
  std::string detail;
};
// Shared responder pools (domain/pools): request a pool for an incident, release it, or yield a held slot to a
// waiting incident (a person's decision, with a reason).
struct RequestPool {
  uint64_t incident_id = 0;
  std::string pool;
  std::string note;
};
struct ReleasePool {
  uint64_t incident_id = 0;
  std::string pool;
};
struct YieldPool {
  std::string pool;
  uint64_t from = 0;
  uint64_t to = 0;
  std::string reason;
};
// The configuration file changed (start-up or reload): journals config.changed when the digests differ from those
// in force, then puts the classification and paging settings given (null: unchanged) in force from the next batch
// and re-evaluates open incidents against the major-incident criteria.
struct ReloadConfig {
  std::shared_ptr<const classify::Config> classify;
  std::shared_ptr<const escalation::Config> paging;
  std::map<std::string, std::string> digests;
  std::vector<std::string> changes;
};
// On-call overrides made at run time (checked by escalation::CreateOverride; the outcome's message is the new id),
// and their removal.
struct CreateOverride {
  escalation::OverrideRequest request;
};
struct RemoveOverride {
  std::string schedule;
  uint64_t id = 0;
};
// Moves the incident's running escalation to its next step now.
struct EscalateIncident {
  uint64_t incident_id = 0;
  std::string reason;
};
// Evaluates timers (ack timeouts, auto-close) that are due at the engine's now. Queued by the writer itself.
struct Tick {};

struct Command {
  std::string actor;  // who asks: "token:<name>", "user:<name>", "system"
  std::variant<SubmitEvent, AcknowledgeIncident, ResolveIncident, AddNote, PostAlerts, ReceiveWebhook, PostSilence,
               ExpireSilence, SaveTopology, SaveWindow, ExtendWindow, EndWindow, ReportCoverage, RecordDelivery, ReassignIncident, RunDrill,
               ReclassifyIncident, RecordSli, RecordRegulatoryFact, RecordSubmission, AssignOwner,
               ReloadConfig, AssignRole, AddLogEntry, PostStatusUpdate, GrantVendor, RevokeVendor, UseVendorGrant,
               RequestPool, ReleasePool, YieldPool, CreateOverride, RemoveOverride, EscalateIncident, Tick>
      body;
};

struct Outcome {
  core::Status status;      // the command's own error (nothing written), or ok
  std::string dedup_key;    // for events
  uint64_t incident_id = 0;
  bool dropped = false;     // an event that matched nothing to act on (PagerDuty semantics: accepted, no effect)
  std::string message;      // short human-readable result
  uint64_t seq = 0;         // last record written for this command, 0 when none
  std::string silence_id;   // PostSilence: the silence that now carries the post
  uint64_t grant_id = 0;    // GrantVendor: the new grant
};

}  // namespace engine
