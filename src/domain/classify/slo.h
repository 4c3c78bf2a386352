// Incident or routine, from SLOs: SLI samples (good and total events) per service objective, and multi-window
// multi-burn-rate rules (a long and a short window must both burn above a rate) that page or open a ticket. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace classify {

// A service level objective: `objective` of events good over `window` (0.999 over 30 days).
struct Slo {
  std::string service;
  std::string name;        // "availability", "latency"
  std::string sli;         // what is counted, for people ("requests answered 2xx within 300 ms")
  double objective = 0.999;
  core::Duration window = std::chrono::hours(24 * 30);
};

enum class Verdict : uint8_t { kNone = 0, kTicket = 1, kPage = 2 };
const char* ToString(Verdict verdict);

// Fires when both windows burn at or above `burn_rate` (Google SRE Workbook, multiwindow multi-burn-rate).
struct BurnRule {
  Verdict verdict = Verdict::kPage;
  core::Duration long_window{};
  core::Duration short_window{};
  double burn_rate = 1;
};
// The facts catalogue's table: 14.4× over 1 h and 5 m → page; 6× over 6 h and 30 m → page; 1× over 3 d and 6 h →
// ticket.
std::vector<BurnRule> DefaultBurnRules();

// Good and total events of one SLO, in one-minute buckets over the last kHistory.
class SliSeries {
 public:
  static constexpr int64_t kBucketMs = 60'000;
  static constexpr core::Duration kHistory = std::chrono::hours(24 * 3) + std::chrono::minutes(10);

  void Add(int64_t at_ms, uint64_t good, uint64_t total);
  // Drops buckets older than kHistory before `now_ms`.
  void Prune(int64_t now_ms);
  // Error budget burn over (now - window, now]: (1 - good/total) / (1 - objective); 0 without events.
  double Burn(int64_t now_ms, core::Duration window, double objective) const;
  const std::map<int64_t, std::pair<uint64_t, uint64_t>>& buckets() const { return buckets_; }
  friend bool operator==(const SliSeries&, const SliSeries&) = default;

 private:
  std::map<int64_t, std::pair<uint64_t, uint64_t>> buckets_;  // minute index → (good, total)
};

struct BurnVerdict {
  Verdict verdict = Verdict::kNone;
  const BurnRule* rule = nullptr;  // the rule that fired
  double long_burn = 0, short_burn = 0;
  std::string reason;  // "burning 15.0× the error budget over 1h and 15.0× over 5m (page at 14.4×)"
};
// The highest verdict any rule gives at now.
BurnVerdict Evaluate(const SliSeries& series, const Slo& slo, const std::vector<BurnRule>& rules, int64_t now_ms);

}  // namespace classify
