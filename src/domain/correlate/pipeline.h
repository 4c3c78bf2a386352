// Decisions of the labelled-alert path: alerts posted to Alertmanager's API or received from its webhooks become
// labelled alerts (deduplicated by fingerprint, merged the way Alertmanager merges re-sends), silences keep them out
// of incidents, and the rest feed the incident lifecycle through the route that matches their labels. Also the fold
// of this module's records. Pure: time comes from the Emitter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/correlate/model.h"
#include "domain/correlate/prepare.h"
#include "domain/correlate/records.h"
#include "domain/correlate/routes.h"
#include "domain/correlate/silence.h"
#include "domain/incident/config.h"
#include "domain/incident/lifecycle.h"
#include "domain/ingest/alertmanager.h"
#include "journal/record.h"

namespace correlate {

// Where decisions go: the incident module's records and this module's. Each Emit links, applies and returns the seq.
class Emitter : public incident::Emitter {
 public:
  using incident::Emitter::Emit;
  virtual uint64_t Emit(const Payload& payload) = 0;
  // The same for a payload the caller gives up: an emitter may move from it.
  virtual uint64_t Emit(Payload&& payload) { return Emit(static_cast<const Payload&>(payload)); }
};

// Everything the decisions read (owned by the engine's writer).
struct View {
  const Model& alerts;
  const incident::Model& incidents;
  const Config& config;
  const incident::Config& services;
  const incident::Correlator* correlator = nullptr;  // topology and maintenance windows; null = none
};

struct PostSummary {
  size_t received = 0;   // alerts in the request
  size_t opened = 0;     // new alerts that joined or opened an incident
  size_t muted = 0;      // new alerts a silence keeps out of incidents
  size_t updated = 0;    // re-sends of alerts already held
  size_t resolved = 0;   // alerts that ended
  size_t ignored = 0;    // resolved alerts not held (a resolved re-send): nothing to do
  // Keys of the held alerts this request re-sent through Alertmanager's API, whatever was decided about them (the
  // engine's re-send cache looks at them again after the batch: engine/resend_cache.h).
  std::vector<uint64_t> resent;
};

// What answering a re-send of a held alert without the writer rests on: the alert as its last durable record left
// it, while it feeds an open incident alert or is muted (QuietStampOf).
struct QuietStamp {
  core::Timestamp starts_at{};
  core::Timestamp ends_at{};
  core::Timestamp updated_at{};
  bool timeout = false;
  std::string content;  // EncodeContent bytes
};
// The stamp of the API alert held under `key`; nullopt when none is held, it came from a webhook, or a re-send would
// not be quiet whatever it carried (it no longer feeds an open incident alert and is not muted).
std::optional<QuietStamp> QuietStampOf(const View& view, uint64_t key);
// Whether `alert` (posted through the API, `prepared` = Prepare's for it) is a quiet re-send of the alert `held`
// describes at `now`: PostAlerts would record nothing for it. The same test as PostAlerts makes on the writer.
bool QuietResend(const QuietStamp& held, const ingest::PostableAlert& alert, const Prepared& prepared,
                 core::Timestamp now, core::Duration resolve_timeout);

// POST /api/v2/alerts. Defaults as Alertmanager: startsAt = endsAt when only endsAt is given, else now; no endsAt
// means now + resolve_timeout (and the alert is marked timeout-based). kUnavailable when no route is configured
// (nothing written); otherwise every alert is handled (an alert no route matches is counted as ignored).
// `prepared`, when given, holds Prepare(alerts) (one per alert); its strings are moved from. Without it the same
// is computed here.
core::Result<PostSummary> PostAlerts(const View& view, const std::vector<ingest::PostableAlert>& alerts,
                                     Emitter& emit, std::vector<Prepared>* prepared = nullptr);

// POST /api/v1/integrations/alertmanager/{service}: upserts by group key + fingerprint; only status "resolved"
// resolves (an alert missing from a later payload stays open). kNotFound when the service is not configured.
core::Result<PostSummary> ReceiveWebhook(const View& view, std::string_view service,
                                         const ingest::WebhookPayload& payload, Emitter& emit);

// POST /api/v2/silences: see DecidePost. Returns the id of the silence that now carries the post. Alerts muted by a
// silence that this expires are re-examined at once.
core::Result<std::string> PostSilence(const View& view, const PostableSilence& post, std::string new_id,
                                      Emitter& emit);
// DELETE /api/v2/silence/{id}: see DecideExpire. Muted alerts the silence held are re-examined at once.
core::Status ExpireSilence(const View& view, std::string_view id, Emitter& emit);

// Timers due at emit.now(): alerts whose endsAt passed resolve, muted alerts whose silences ended enter incidents,
// expired silences past their retention are dropped. At most `limit` alerts per call (the rest next time).
void FireTimers(const View& view, Emitter& emit, size_t limit = 20000);

// The silences active at `now` that match an alert's labels.
std::vector<std::string> SilencedBy(const Model& model, const core::LabelSet& labels, core::Timestamp now);

// Journals `topology` when it differs from the one in force (kInvalid, naming the key, when it does not compile).
// Returns whether a record was written.
core::Result<bool> SaveTopology(const View& view, TopologyConfig topology, Emitter& emit);

// Maintenance windows. SaveWindow creates one (ParseWindow validated it); it opens at once when an occurrence is
// running. ExtendWindow moves the open occurrence's end (kNotFound; kConflict when it is not open, or the new end
// is not after now or runs past start + max_length). EndWindow ends the open occurrence now (kConflict when none is
// open) and, with `cancel`, every later one; a window that is not open can always be cancelled. Both replay what the
// occurrence held.
core::Status SaveWindow(const View& view, Window window, Emitter& emit);
core::Status ExtendWindow(const View& view, std::string_view id, core::Timestamp until, Emitter& emit);
core::Status EndWindow(const View& view, std::string_view id, bool cancel, Emitter& emit);

// Folds one of this module's records. kCorrupt when the payload does not decode or names an alert the model lacks.
core::Status Apply(Model& model, const journal::Record& record);
// The same for a payload decoded already, or never encoded: time and seq come from `record`, whose payload bytes
// are not read.
core::Status Apply(Model& model, const journal::Record& record, Payload payload);

}  // namespace correlate
