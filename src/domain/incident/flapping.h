// Flap detection, Nagios-style: the weighted percent of state changes over an alert's last samples (trigger and
// resolve events), with a high threshold to start flapping and a low one to stop. Pure.
#pragma once

#include <cstdint>

#include "core/time.h"

namespace incident {

// Samples kept per alert, and how long a quiet alert's history is kept: fixed, so replaying the journal under a
// changed configuration folds the same histories.
constexpr int kFlapHistory = 21;
constexpr core::Duration kFlapForget = std::chrono::hours(1);

// The verdict's thresholds (configurable: `flapping:` in the configuration).
struct FlapSettings {
  int min_samples = 6;     // no verdict on fewer
  double high = 50.0;      // percent state change above which an alert starts flapping
  double low = 25.0;       // ... and below which it stops
};

// The recent samples of one alert identity (service + dedup key).
struct FlapHistory {
  uint32_t states = 0;  // bit 0 = newest sample; 1 = firing, 0 = resolved
  uint8_t count = 0;    // samples held
  bool flapping = false;
  core::Timestamp last{};

  // Adds a sample (keeps at most `history`).
  void Add(bool firing, core::Timestamp at, int history);
  // Weighted percent of changes between consecutive samples: the newest change weighs 1.2, the oldest 0.8
  // (Nagios's curve), normalised so that all changes give 100.
  double PercentChange() const;

  friend bool operator==(const FlapHistory&, const FlapHistory&) = default;
};

enum class FlapVerdict { kNone, kStarted, kStopped };
// What the history says now, given whether it was flapping.
FlapVerdict Judge(const FlapHistory& history, const FlapSettings& settings);

}  // namespace incident
