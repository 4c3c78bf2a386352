// The incident lifecycle: decisions (events, acknowledge, resolve, notes, timers → records) and the fold of those
// records into the Model. Pure: time comes from the Emitter's now, nothing here does I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/labels.h"
#include "core/result.h"
#include "domain/incident/config.h"
#include "domain/incident/model.h"
#include "domain/incident/records.h"
#include "domain/ingest/event.h"
#include "journal/record.h"

namespace incident {

// An alert's text as a record carries it (the model does not keep it). Empty details_json on a re-trigger means
// "unchanged".
struct AlertText {
  std::string_view summary;
  std::string_view source;
  std::string_view details_json;
};

// Sees each change while a record is applied, before the model forgets anything (a resolved alert is reported
// before it is erased), so the engine can keep query tables in step.
class Observer {
 public:
  virtual ~Observer() = default;
  // `text` is set when the record carries the alert's text (trigger, re-trigger), null for status changes.
  virtual void AlertChanged(const Alert& alert, const AlertText* text) = 0;
  virtual void IncidentChanged(const Incident& incident) = 0;
  virtual void TimelineEntry(uint64_t incident_id, std::string_view kind, std::string text) = 0;
  // How an alert came to be where it is (trigger, link, merge): the alert's API view shows it. `window` names the
  // maintenance window that suppressed it, if one did.
  virtual void AlertExplained(const Alert& alert, std::string explanation, std::string_view window) {
    (void)alert, (void)explanation, (void)window;
  }
};

// Where decisions go. The engine links the payload into the journal, applies it to the model (so the next decision
// sees it), and returns the record's seq.
class Emitter {
 public:
  virtual ~Emitter() = default;
  virtual uint64_t Emit(const Payload& payload) = 0;
  // The same for a payload the caller gives up (every `Emit(Payload(...))`): an emitter may move from it.
  virtual uint64_t Emit(Payload&& payload) { return Emit(static_cast<const Payload&>(payload)); }
  virtual core::Timestamp now() const = 0;
};

class Correlator;

// Folds one record into the model; `observer` may be null (replay). kCorrupt when the payload does not decode or
// names an alert or incident the model does not have (the journal and the state disagree).
core::Status Apply(Model& model, const journal::Record& record, Observer* observer);
// The same for a payload decoded already, or never encoded (the writer applies what it has just linked): seq, time
// and actor come from `record`, whose payload bytes are not read.
core::Status Apply(Model& model, const journal::Record& record, Payload payload, Observer* observer);

struct EventResult {
  uint64_t incident_id = 0;
  bool dropped = false;
  std::string message;
};

// An Events v2 event. kInvalid (field /routing_key) for an unknown routing key; otherwise records per PagerDuty's
// dedup semantics (see docs/api.md). `event.dedup_key` must be set.
core::Result<EventResult> HandleEvent(const Model& model, const Config& config, const ingest::Event& event,
                                      Emitter& emit, const Correlator* correlator = nullptr);

// A new alert: it joins a failing parent's incident (when the correlator says so), else the service's open
// incident for `group_key`, else opens one titled `title`.
struct NewAlert {
  std::string service;
  std::string group_key;
  std::string title;
  std::string dedup_key;
  std::string summary;
  std::string source;
  ingest::Severity severity = ingest::Severity::kError;
  std::string details_json;
  // What correlation reads: the alert's labels (Events v2 events: service, source, component, group, class,
  // severity, dedup_key) and the name of its kind of symptom (alertname, or the event's class).
  const core::LabelSet* labels = nullptr;
  std::string kind_name;
};
struct OpenedAlert {
  uint64_t incident_id = 0;  // 0 when a maintenance window suppresses it
  uint64_t alert_id = 0;
};

// What correlation decides about a new alert before it is placed.
struct Decision {
  Placement placement;      // kSymptom or kSuppressed from the correlator; otherwise OpenAlert fills in the kind
  uint64_t subject = 0;     // the topology node the alert is about (0: none)
  bool failure = false;     // a failure rule matched: the alert says `subject` itself is down
  bool unexpected = false;  // it arrived in a maintenance window that does not expect it: notify at once
};
// A dependent's incident that a newly failing parent takes in.
struct MergeDecision {
  uint64_t incident_id = 0;
  std::string rule;
  std::string parent;
  int64_t offset_ms = 0;  // how long before the parent's failure the dependent's incident opened
};
// Topology collapse and maintenance windows, implemented by domain/correlate; pure like everything here.
class Correlator {
 public:
  virtual ~Correlator() = default;
  // False when there is nothing to consult (no topology, no open window): callers may skip building its inputs.
  virtual bool active() const { return true; }
  virtual Decision Place(const Model& model, const NewAlert& alert, core::Timestamp now) const = 0;
  // `subject` has just started failing, its first failure alert being in `incident_id`: the incidents of its
  // dependents opened within the correlation window before now, to merge into it.
  virtual std::vector<MergeDecision> Merges(const Model& model, uint64_t subject, uint64_t incident_id,
                                            core::Timestamp now) const = 0;
  // The failing parent of topology node `subject` whose incident an alert about it would join now (a kSymptom
  // placement), if any. Used for alerts leaving a maintenance window.
  virtual std::optional<Placement> ParentOf(const Model& model, uint64_t subject, core::Timestamp now) const = 0;
};

// The service must exist in `config`: callers route to configured services only. `correlator` may be null (no
// topology, no windows).
OpenedAlert OpenAlert(const Model& model, const Config& config, const NewAlert& alert, Emitter& emit,
                      const Correlator* correlator);
// Resolves one open alert, and its incident when that was the incident's last open alert (auto-close per the
// service; a resolved notification when people were told about it). No-op when the alert is not open.
void CloseAlert(const Model& model, const Config& config, uint64_t alert_id, Emitter& emit);
// Moves suppressed alerts (a window ended: `reason` says which) into incidents. An alert joins its topology
// parent's incident, or the open incident of its own group key; the others of a service go together into one
// incident with group key and title `replay_group` (one announcement, not a storm), or into their own groups when
// `replay_group` is empty. Returns the incidents they entered.
std::vector<uint64_t> LinkSuppressed(const Model& model, const Config& config, const std::vector<Held>& alerts,
                                     const std::string& reason, const std::string& replay_group, Emitter& emit,
                                     const Correlator* correlator);

// The sentence shown on the timeline and the alert: "joined incident 12 as a symptom: host db-1 down (rule
// host-dependency), 14 s after the parent".
std::string Explain(const Placement& placement, uint64_t incident_id, std::string_view group_key);

// An on-call schedule's coverage: with a gap, an alert "coverage-gap:<schedule>" opens on `service` (once; a later
// report of the same gap changes nothing); without one, that alert resolves. kInvalid (field /service) when the
// service is not configured.
core::Status ReportCoverage(const Model& model, const Config& config, const std::string& schedule,
                            const std::string& service, bool gap, core::Timestamp gap_start, core::Timestamp gap_end,
                            Emitter& emit);

// kNotFound for an id never issued; kConflict when resolved or closed. Acknowledging an acknowledged incident is a
// no-op success (no record).
core::Status Acknowledge(const Model& model, const Config& config, uint64_t incident_id, Emitter& emit);
// Resolves the incident and its open alerts. kNotFound / kConflict as above.
core::Status Resolve(const Model& model, const Config& config, uint64_t incident_id, const std::string& note,
                     Emitter& emit);
// A person sets the incident's category. kInvalid (/category, /subcategory) when the taxonomy has no such choice;
// kNotFound / kConflict (closed) as above; no record when nothing changes.
core::Status Reclassify(const Model& model, const Config& config, uint64_t incident_id, const std::string& category,
                        const std::string& subcategory, const std::string& reason, Emitter& emit);
// kInvalid for empty or over-long text (field /text); kNotFound / kConflict (closed) as above.
core::Status AddNote(const Model& model, uint64_t incident_id, const std::string& text, Emitter& emit);
constexpr size_t kMaxTimersPerTick = 1000;
// Emits the records for the timers due at emit.now() (expired acknowledgements, auto-closes, notifications due),
// at most `max_fired` of each kind, earliest first. Returns true when due timers were left for a later call: a
// burst (thousands of incidents whose notification delay ends in the same second) is spread over several ticks
// instead of one long batch that every other command waits behind.
bool FireTimers(const Model& model, Emitter& emit, size_t max_fired = kMaxTimersPerTick);

constexpr size_t kMaxNoteLength = 10000;

}  // namespace incident
