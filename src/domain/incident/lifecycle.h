// The incident lifecycle: decisions (events, acknowledge, resolve, notes, timers → records) and the fold of those
// records into the Model. Pure: time comes from the Emitter's now, nothing here does I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
};

// Where decisions go. The engine links the payload into the journal, applies it to the model (so the next decision
// sees it), and returns the record's seq.
class Emitter {
 public:
  virtual ~Emitter() = default;
  virtual uint64_t Emit(const Payload& payload) = 0;
  virtual core::Timestamp now() const = 0;
};

// Folds one record into the model; `observer` may be null (replay). kCorrupt when the payload does not decode or
// names an alert or incident the model does not have (the journal and the state disagree).
core::Status Apply(Model& model, const journal::Record& record, Observer* observer);

struct EventResult {
  uint64_t incident_id = 0;
  bool dropped = false;
  std::string message;
};

// An Events v2 event. kInvalid (field /routing_key) for an unknown routing key; otherwise records per PagerDuty's
// dedup semantics (see docs/api.md). `event.dedup_key` must be set.
core::Result<EventResult> HandleEvent(const Model& model, const Config& config, const ingest::Event& event,
                                      Emitter& emit);

// An alert another module decided to open (labelled alerts from Alertmanager's API): it joins the service's open
// incident for `group_key`, or opens one titled `title`.
struct NewAlert {
  std::string service;
  std::string group_key;
  std::string title;
  std::string dedup_key;
  std::string summary;
  std::string source;
  ingest::Severity severity = ingest::Severity::kError;
  std::string details_json;
};
struct OpenedAlert {
  uint64_t incident_id = 0;
  uint64_t alert_id = 0;
};
// The service must exist in `config`: callers route to configured services only.
OpenedAlert OpenAlert(const Model& model, const NewAlert& alert, Emitter& emit);
// Resolves one open alert, and its incident when that was the incident's last open alert (auto-close per the
// service). No-op when the alert is not open (already resolved by a person).
void CloseAlert(const Model& model, const Config& config, uint64_t alert_id, Emitter& emit);

// kNotFound for an id never issued; kConflict when resolved or closed. Acknowledging an acknowledged incident is a
// no-op success (no record).
core::Status Acknowledge(const Model& model, const Config& config, uint64_t incident_id, Emitter& emit);
// Resolves the incident and its open alerts. kNotFound / kConflict as above.
core::Status Resolve(const Model& model, const Config& config, uint64_t incident_id, const std::string& note,
                     Emitter& emit);
// kInvalid for empty or over-long text (field /text); kNotFound / kConflict (closed) as above.
core::Status AddNote(const Model& model, uint64_t incident_id, const std::string& text, Emitter& emit);
// Emits the records for every timer due at emit.now(): expired acknowledgements and auto-closes.
void FireTimers(const Model& model, Emitter& emit);

constexpr size_t kMaxNoteLength = 10000;

}  // namespace incident
