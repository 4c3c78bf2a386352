// Regulatory clocks: which notification regimes (GDPR, NIS2, DORA, SEC, HIPAA, US states, ...) apply to an incident
// and when each report is due, computed from the right anchor. The regimes are data (rules/regulatory.yaml); this
// module evaluates them. Pure: time is passed in; the only outside data read is the tz database.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace classify {

// The moment a deadline counts from.
enum class Anchor : uint8_t {
  kAwareness,                  // the entity is reasonably certain an in-scope incident happened
  kAwarenessOfSignificant,     // aware of an incident meeting the significance test (NIS2)
  kClassificationAsMajor,      // classified as major (DORA)
  kPreviousSubmission,         // the previous report of the chain was submitted
  kMaterialityDetermination,   // determined to be material (SEC)
  kDiscovery,                  // first known, or knowable with reasonable diligence (HIPAA, states)
  kDeterminationOfBreach,      // sufficient evidence that a breach occurred (US states)
  kEndOfCalendarYear,          // 31 December of the year of discovery (HIPAA small breaches)
};
const char* ToString(Anchor anchor);
std::optional<Anchor> ParseAnchor(std::string_view text);

// kUndueDelay: "without undue delay", no fixed period (GDPR Art. 34): the stage has no due time, only its anchor.
enum class Unit : uint8_t { kHours, kCalendarDays, kUsBusinessDays, kMonths, kUndueDelay };
const char* ToString(Unit unit);
std::optional<Unit> ParseUnit(std::string_view text);

// One report a regime requires.
struct Stage {
  std::string id;       // "initial_notification"
  std::string name;     // "initial notification to the competent authority"
  Anchor anchor = Anchor::kAwareness;
  Unit unit = Unit::kHours;
  int64_t amount = 0;
  // Both limbs apply and whichever expires first governs (DORA: 4 h from classification, at most 24 h from
  // awareness) — unless the anchor itself came after the outer limit (classified late): then the stage's own
  // deadline governs alone.
  std::optional<Anchor> outer_anchor;
  int64_t outer_hours = 0;
  std::vector<std::string> required_fields;
  // DORA's calendar rule: a deadline falling on a Saturday or Sunday (in the entity's time zone) moves to 12:00 on
  // the next working day, unless the entity is one of `weekend_excluded` (credit institutions, ...).
  bool weekend_to_noon = false;
  std::vector<std::string> weekend_excluded = {};
};

// When a regime applies. Every non-empty list must share a value with the incident's facts; `major` and
// `breach` must hold when set.
struct Scope {
  std::vector<std::string> jurisdictions;  // the service's jurisdictions: "EU", "US", "US-NY", ...
  std::vector<std::string> data;           // data the service processes: personal, health, payment_card
  std::vector<std::string> entity;         // what the organisation is: financial_entity, nis2_entity, sec_registrant
  std::vector<std::string> categories;     // the incident's category: security, data_corruption, outage, ...
  bool major = false;                      // only major incidents (DORA)
  bool breach = false;                     // only when a breach of the data is confirmed
  bool material = false;                   // only once determined material (SEC)
  bool high_risk = false;                  // only once the breach is assessed as high risk to people (GDPR Art. 34)
};

struct Regime {
  std::string id;           // "eu_dora_major_ict_incident"
  std::string name;
  std::string source;       // where the rule comes from (instrument and URL)
  std::string effective;    // "2025-01-17": incidents aware before this date are out of scope
  std::string confidence;   // high, medium, low (from the facts catalogue)
  Scope scope;
  std::vector<Stage> stages;
};

// What is known about an incident for these rules.
struct Facts {
  std::set<std::string> jurisdictions;
  std::set<std::string> data;
  std::set<std::string> entity;
  std::string category;
  bool major = false;
  bool breach = false;
  bool material = false;
  bool high_risk = false;
  std::string time_zone = "UTC";  // the entity's (for calendar rules that count its working days)
  std::map<Anchor, core::Timestamp> anchors;  // those known so far
  // (regime id, stage id) → when that report was submitted.
  std::map<std::pair<std::string, std::string>, core::Timestamp> submissions;
};

struct Deadline {
  std::string regime;
  std::string regime_name;
  std::string stage;
  std::string stage_name;
  std::optional<core::Timestamp> due;  // nullopt until its anchor is known, and always for "without undue delay"
  bool undue_delay = false;            // no fixed period: due "without undue delay" from the anchor
  std::string basis;                   // "4 h from classification as major (2026-03-02T10:00:00Z)"
  std::string waiting_for;             // the anchor still missing ("" when due is known)
  std::optional<core::Timestamp> submitted;
  std::vector<std::string> required_fields;
};

// kInvalid naming the field ("/1/stages/0/anchor") for an empty id, a duplicate id, a stage without amount, a
// kPreviousSubmission first stage, an effective date that is not YYYY-MM-DD.
core::Status Validate(const std::vector<Regime>& regimes);

// Whether the regime applies to the facts (scope, and awareness on or after its effective date when known).
bool Applies(const Regime& regime, const Facts& facts);

// Every stage of every regime that applies, in regime order then stage order.
std::vector<Deadline> Evaluate(const std::vector<Regime>& regimes, const Facts& facts);

// `t` plus `amount` of `unit`: hours of elapsed time; calendar days and months in UTC (a month from Jan 31 is the
// last day of February); US business days as the SEC counts them: the filing is due by 17:30 New York time on the
// `amount`-th US federal business day after the day (New York time) of `t`.
core::Timestamp AddTime(core::Timestamp t, Unit unit, int64_t amount);

// Whether a date (UTC calendar date of `day`, days since 1970-01-01) is a US federal holiday as observed (a
// Saturday holiday on the Friday before, a Sunday one on the Monday after).
bool IsUsFederalHoliday(int64_t days_since_epoch);

}  // namespace classify
