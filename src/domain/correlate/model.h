// The labelled-alert state: alerts from Alertmanager's API and webhooks by identity, with their times, the incident
// alert each one feeds, the timers that end or unmute them, and the silences.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/labels.h"
#include "core/result.h"
#include "core/time.h"
#include "domain/correlate/silence.h"

namespace correlate {

// What identifies an alert besides its labels: the same labels posted to the API and received in a webhook for
// a group are two alerts.
struct LabeledAlert {
  uint64_t key = 0;          // identity in the model: the fingerprint (API), or a hash of service, group and fingerprint
  uint64_t fingerprint = 0;  // Alertmanager's fingerprint of the labels
  uint64_t alert_id = 0;     // the incident alert it feeds; 0 while a silence keeps it out of incidents
  uint64_t incident_id = 0;
  core::Timestamp starts_at{};
  core::Timestamp ends_at{};      // for webhook alerts: what the payload said (they end only when resolved)
  core::Timestamp updated_at{};
  core::Timestamp muted_until{};  // while muted: when to look at the silences again
  bool timeout = false;           // ends_at came from resolve_timeout, not from the client
  bool webhook = false;           // received through an Alertmanager webhook: no ending by time
  std::string service;
  std::string group_key;  // webhook alerts: Alertmanager's groupKey (API alerts take theirs from the route)
  std::string content;    // EncodeContent: labels, annotations, generatorURL

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

// Owned by the engine's writer thread.
struct Model {
  std::unordered_map<uint64_t, LabeledAlert> alerts;       // alerts not resolved, by key
  std::set<std::pair<int64_t, uint64_t>> expiries;         // (ends_at ms, key): API alerts end by time
  std::set<std::pair<int64_t, uint64_t>> mutes;            // (muted_until ms, key)
  SilenceMap silences;                                     // pending, active and recently expired
  std::set<std::pair<int64_t, std::string>> silence_drops;  // (when an expired silence is forgotten, id)

  const LabeledAlert* Find(uint64_t key) const;
};

std::string EncodeModel(const Model& model);
core::Result<Model> DecodeModel(std::string_view bytes);

}  // namespace correlate
