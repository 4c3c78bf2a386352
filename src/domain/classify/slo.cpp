#include "domain/classify/slo.h"

#include <cstdio>

namespace classify {
namespace {

std::string Rate(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f×", r);
  return buf;
}

}  // namespace

const char* ToString(Verdict verdict) {
  switch (verdict) {
    case Verdict::kNone: return "none";
    case Verdict::kTicket: return "ticket";
    case Verdict::kPage: return "page";
  }
  return "none";
}

std::vector<BurnRule> DefaultBurnRules() {
  using std::chrono::hours;
  using std::chrono::minutes;
  return {
      {Verdict::kPage, hours(1), minutes(5), 14.4},
      {Verdict::kPage, hours(6), minutes(30), 6},
      {Verdict::kTicket, hours(72), hours(6), 1},
  };
}

void SliSeries::Add(int64_t at_ms, uint64_t good, uint64_t total) {
  auto& b = buckets_[at_ms / kBucketMs];
  b.first += good;
  b.second += total;
}

void SliSeries::Prune(int64_t now_ms) {
  const int64_t oldest = (now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(kHistory).count()) / kBucketMs;
  buckets_.erase(buckets_.begin(), buckets_.lower_bound(oldest));
}

double SliSeries::Burn(int64_t now_ms, core::Duration window, double objective) const {
  const int64_t last = now_ms / kBucketMs;
  const int64_t first = (now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(window).count()) / kBucketMs;
  uint64_t good = 0, total = 0;
  for (auto it = buckets_.upper_bound(first); it != buckets_.end() && it->first <= last; ++it) {
    good += it->second.first;
    total += it->second.second;
  }
  if (total == 0 || objective >= 1) return 0;
  const double error_ratio = 1.0 - static_cast<double>(good) / static_cast<double>(total);
  return error_ratio / (1.0 - objective);
}

BurnVerdict Evaluate(const SliSeries& series, const Slo& slo, const std::vector<BurnRule>& rules, int64_t now_ms) {
  BurnVerdict best;
  for (const BurnRule& r : rules) {
    const double long_burn = series.Burn(now_ms, r.long_window, slo.objective);
    const double short_burn = series.Burn(now_ms, r.short_window, slo.objective);
    if (long_burn < r.burn_rate || short_burn < r.burn_rate || r.verdict <= best.verdict) continue;
    best.verdict = r.verdict;
    best.rule = &r;
    best.long_burn = long_burn;
    best.short_burn = short_burn;
    best.reason = "SLO " + slo.name + " of " + slo.service + " is burning " + Rate(long_burn) +
                  " its error budget over " + core::FormatDuration(r.long_window) + " and " + Rate(short_burn) +
                  " over " + core::FormatDuration(r.short_window) + " (" + ToString(r.verdict) + " at " +
                  Rate(r.burn_rate) + ")";
  }
  return best;
}

}  // namespace classify
