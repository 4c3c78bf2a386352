#include "domain/incident/flapping.h"

#include <algorithm>

namespace incident {

void FlapHistory::Add(bool firing, core::Timestamp at, int history) {
  history = std::clamp(history, 2, 32);
  states = (states << 1) | (firing ? 1u : 0u);
  if (history < 32) states &= (1u << history) - 1;
  if (count < history) ++count;
  last = at;
}

double FlapHistory::PercentChange() const {
  const int transitions = count - 1;
  if (transitions < 1) return 0.0;
  double changed = 0.0;
  double total = 0.0;
  for (int i = 0; i < transitions; ++i) {
    // i = 0 is the newest transition (between samples 0 and 1).
    double weight = transitions == 1 ? 1.0 : 1.2 - 0.4 * static_cast<double>(i) / (transitions - 1);
    total += weight;
    if (((states >> i) & 1u) != ((states >> (i + 1)) & 1u)) changed += weight;
  }
  return changed / total * 100.0;
}

FlapVerdict Judge(const FlapHistory& h, const FlapSettings& s) {
  if (!h.flapping && h.count >= s.min_samples && h.PercentChange() > s.high) return FlapVerdict::kStarted;
  if (h.flapping && h.PercentChange() < s.low) return FlapVerdict::kStopped;
  return FlapVerdict::kNone;
}

}  // namespace incident
