// On-call overrides made at run time (journaled, unlike the configured ones) and the effective schedule they give:
// the configured schedule with its configured overrides first, then the created ones in id order. Paging, the
// commander check and the schedule views all read the effective schedule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/escalation/model.h"
#include "domain/escalation/paging.h"
#include "domain/oncall/schedule.h"

namespace escalation {

constexpr core::Duration kMaxOverrideLength = std::chrono::hours(24 * 90);

// What a person asks for; checked by CreateOverride.
struct OverrideRequest {
  std::string schedule;
  core::Timestamp start{};
  core::Timestamp end{};
  std::string kind;           // replace, add, remove
  std::string user;
  std::string replaced_user;  // replace only (optional)
  std::string reason;         // optional
};

// Journals the override (override.created) and returns its id. Nothing is written on error:
// - kNotFound: no configured schedule of that name;
// - kInvalid naming the field: "/kind" not replace, add or remove; "/user" empty or nobody the configuration knows
//   (a person of `people:` or a participant of a schedule); "/replaced_user" given for add or remove, or unknown;
//   "/end" not after start, in the past (at the emitter's now), or more than kMaxOverrideLength after start;
//   "/reason" longer than 500 bytes.
core::Result<uint64_t> CreateOverride(const View& view, const OverrideRequest& request, const std::string& actor,
                                      Emitter& emit);

// Journals the removal (override.removed). kNotFound when the schedule has no created override with that id.
core::Status RemoveOverride(const View& view, std::string_view schedule, uint64_t id, const std::string& actor,
                            Emitter& emit);

// The created overrides of a schedule, in id order.
std::vector<CreatedOverride> CreatedOverridesOf(const Model& model, std::string_view schedule);

// `base` with `created` appended to its overrides (in the order given). `base` itself when `created` is empty or
// (never expected: created overrides are checked when made) the combination does not make a schedule.
oncall::Schedule WithCreatedOverrides(const oncall::Schedule& base, const std::vector<CreatedOverride>& created);

// The effective schedule of that name under `config`, or nullopt when it is not configured.
std::optional<oncall::Schedule> EffectiveSchedule(const Config& config, const Model& model, std::string_view name);

// "replace", "add", "remove".
const char* ToString(oncall::OverrideKind kind);

}  // namespace escalation
