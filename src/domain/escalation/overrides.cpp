#include "domain/escalation/overrides.h"

#include <algorithm>

namespace escalation {
namespace {

bool Known(const Config& config, const std::string& user) {
  if (config.FindPerson(user) != nullptr) return true;
  for (const oncall::Schedule& s : config.schedules()) {
    for (const oncall::Layer& layer : s.definition().layers) {
      for (const oncall::Rotation& rotation : layer.rotations) {
        const auto& p = rotation.participants;
        if (std::find(p.begin(), p.end(), user) != p.end()) return true;
      }
    }
  }
  return false;
}

}  // namespace

const char* ToString(oncall::OverrideKind kind) {
  switch (kind) {
    case oncall::OverrideKind::kReplace: return "replace";
    case oncall::OverrideKind::kAdd: return "add";
    case oncall::OverrideKind::kRemove: return "remove";
  }
  return "replace";
}

core::Result<uint64_t> CreateOverride(const View& v, const OverrideRequest& r, const std::string& actor,
                                      Emitter& emit) {
  if (v.config.FindSchedule(r.schedule) == nullptr) {
    return core::NotFound("schedule '" + r.schedule + "' is not configured");
  }
  if (r.kind != "replace" && r.kind != "add" && r.kind != "remove") {
    return core::Invalid("kind must be replace, add or remove", "/kind");
  }
  if (r.user.empty()) return core::Invalid("user is required", "/user");
  if (!Known(v.config, r.user)) {
    return core::Invalid("user '" + r.user + "' is neither a person (people:) nor in a schedule", "/user");
  }
  if (!r.replaced_user.empty()) {
    if (r.kind != "replace") return core::Invalid("replaced_user is only for kind replace", "/replaced_user");
    if (!Known(v.config, r.replaced_user)) {
      return core::Invalid("replaced_user '" + r.replaced_user + "' is neither a person (people:) nor in a schedule",
                           "/replaced_user");
    }
  }
  if (r.end <= r.start) return core::Invalid("end must be after start", "/end");
  if (r.end <= emit.now()) return core::Invalid("end is in the past", "/end");
  if (r.end - r.start > kMaxOverrideLength) return core::Invalid("an override lasts at most 90 days", "/end");
  if (r.reason.size() > 500) return core::Invalid("reason is longer than 500 bytes", "/reason");
  OverrideCreated c;
  c.id = v.paging.next_override_id;
  c.schedule = r.schedule;
  c.start_ms = core::ToUnixMillis(r.start);
  c.end_ms = core::ToUnixMillis(r.end);
  c.kind = r.kind;
  c.user = r.user;
  c.replaced_user = r.replaced_user;
  c.reason = r.reason;
  c.actor = actor;
  const uint64_t id = c.id;
  emit.Emit(c);
  return id;
}

core::Status RemoveOverride(const View& v, std::string_view schedule, uint64_t id, const std::string& actor,
                            Emitter& emit) {
  auto it = v.paging.overrides.find(id);
  if (it == v.paging.overrides.end() || it->second.schedule != schedule) {
    return core::NotFound("schedule '" + std::string(schedule) + "' has no override " + std::to_string(id));
  }
  emit.Emit(OverrideRemoved{id, std::string(schedule), actor});
  return core::Ok();
}

std::vector<CreatedOverride> CreatedOverridesOf(const Model& model, std::string_view schedule) {
  std::vector<CreatedOverride> out;
  for (const auto& [id, o] : model.overrides) {
    if (o.schedule == schedule) out.push_back(o);
  }
  return out;
}

oncall::Schedule WithCreatedOverrides(const oncall::Schedule& base, const std::vector<CreatedOverride>& created) {
  if (created.empty()) return base;
  oncall::Definition d = base.definition();
  for (const CreatedOverride& c : created) {
    oncall::Override o;
    o.start = core::FromUnixMillis(c.start_ms);
    o.end = core::FromUnixMillis(c.end_ms);
    o.kind = c.kind;
    o.user = c.user;
    o.replaced_user = c.replaced_user;
    d.overrides.push_back(std::move(o));
  }
  auto made = oncall::Schedule::Make(std::move(d));
  return made.ok() ? std::move(made).value() : base;
}

std::optional<oncall::Schedule> EffectiveSchedule(const Config& config, const Model& model, std::string_view name) {
  const oncall::Schedule* base = config.FindSchedule(name);
  if (base == nullptr) return std::nullopt;
  return WithCreatedOverrides(*base, CreatedOverridesOf(model, name));
}

}  // namespace escalation
