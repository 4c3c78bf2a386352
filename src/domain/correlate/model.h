// The labelled-alert state: alerts from Alertmanager's API and webhooks by identity, with their times, the incident
// alert each one feeds, the timers that end or unmute them, and the silences.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/id_map.h"
#include "core/labels.h"
#include "core/result.h"
#include "core/time.h"
#include "core/timer_set.h"
#include "domain/correlate/maintenance.h"
#include "domain/correlate/silence.h"
#include "domain/correlate/topology.h"

namespace correlate {

// What identifies an alert besides its labels: the same labels posted to the API and received in a webhook for
// a group are two alerts.
// Alertmanager's fingerprint is not stored: it is the fingerprint of the labels in the content.
// Its identity is the key it is held under in Model::alerts: the fingerprint (API), or a hash of service, group and
// fingerprint (webhooks). Not repeated here: 144 bytes make a 160-byte node where 152 made a 192-byte one.
struct LabeledAlert {
  uint64_t alert_id = 0;     // the incident alert it feeds (which names the incident); 0 while muted
  core::Timestamp starts_at{};
  core::Timestamp ends_at{};      // for webhook alerts: what the payload said (they end only when resolved)
  core::Timestamp updated_at{};
  core::Timestamp muted_until{};  // while muted: when to look at the silences again
  bool timeout = false;           // ends_at came from resolve_timeout, not from the client
  bool webhook = false;           // received through an Alertmanager webhook: no ending by time
  std::string service;
  std::string group_key;  // webhook alerts: Alertmanager's groupKey (API alerts take theirs from the route)
  std::string packed;     // the content, packed against a template (Model::ContentOf gives it back)

  bool muted() const { return alert_id == 0; }
  friend bool operator==(const LabeledAlert&, const LabeledAlert&) = default;
};

// Labels, annotations and generatorURL packed into one string (one allocation per alert instead of one per label).
std::string EncodeContent(const core::LabelSet& labels, const core::LabelSet& annotations,
                          std::string_view generator_url);
struct Content {
  core::LabelSet labels;
  core::LabelSet annotations;
  std::string generator_url;
};
// Content of a string EncodeContent made (the model only holds those).
Content DecodeContent(std::string_view content);

// Alerts of one rule share their label names, most label values, their annotations and generatorURL. The table
// keeps one template per shape (label and annotation names) and each alert keeps only the values that differ from
// it: a few dozen bytes instead of a few hundred. Deterministic: the same sequence of Pack/Release calls gives the
// same packed strings, so a replay rebuilds the live table.
class ContentTable {
 public:
  // Packs EncodeContent bytes and takes a reference on the template used (created from `content` when its shape
  // has none yet). Content that does not parse is kept as it is.
  std::string Pack(std::string_view content);
  // The EncodeContent bytes `packed` stands for.
  std::string Unpack(std::string_view packed) const;
  // Drops the reference `packed` holds; a template nobody uses any more is forgotten.
  void Release(std::string_view packed);
  size_t template_count() const { return templates_.size(); }

 private:
  struct Template {
    uint64_t shape = 0;
    std::vector<std::string> names;   // label names, then annotation names
    size_t label_count = 0;
    std::vector<std::string> values;  // label values, annotation values, generatorURL
    uint64_t refs = 0;
  };
  std::unordered_map<uint64_t, uint64_t> by_shape_;  // shape hash → template id
  std::unordered_map<uint64_t, Template> templates_;
  uint64_t next_id_ = 1;
  // Pack's working space, kept so that packing an alert allocates only its result. Views into Pack's argument,
  // meaningless between calls.
  std::vector<std::string_view> names_scratch_;
  std::vector<std::string_view> values_scratch_;
};

// Owned by the engine's writer thread.
struct Model {
  core::IdMap<LabeledAlert> alerts;                        // alerts not resolved, by key
  core::TimerSet expiries;                                 // (ends_at ms, key): API alerts end by time
  core::TimerSet mutes;                                    // (muted_until ms, key)
  SilenceMap silences;                                     // pending, active and recently expired
  SilenceIndex silence_index;                              // the silences by label pair (derived)
  std::set<std::pair<int64_t, std::string>> silence_drops;  // (when an expired silence is forgotten, id)

  ContentTable contents;                                    // templates the alerts' packed content refers to
  Topology topology;                                        // as last saved (topology.saved)
  std::map<std::string, WindowState, std::less<>> windows;  // maintenance windows by id
  std::set<std::pair<int64_t, std::string>> window_timers;  // (due ms, id): a start, reminder or end
  std::vector<std::string> open_windows;                    // ids of the windows open now

  // Recomputes a window's timer entry after its state changed at `now`.
  void Reschedule(WindowState& w, core::Timestamp now);

  const LabeledAlert* Find(uint64_t key) const;
  // The alert's EncodeContent bytes.
  std::string ContentOf(const LabeledAlert& alert) const { return contents.Unpack(alert.packed); }
};

std::string EncodeModel(const Model& model);
core::Result<Model> DecodeModel(std::string_view bytes);

}  // namespace correlate
