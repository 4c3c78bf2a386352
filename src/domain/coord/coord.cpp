#include "domain/coord/coord.h"

#include <algorithm>
#include <vector>

#include "domain/escalation/overrides.h"

namespace coord {
namespace {

bool OneOf(const std::string& s, const auto& list) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

std::string Expand(std::string text, const incident::Incident& inc) {
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  };
  replace("{{id}}", std::to_string(inc.id));
  replace("{{service}}", inc.service);
  replace("{{title}}", inc.title);
  return text;
}

const IncidentCoord* Find(const View& v, uint64_t id) { return v.coord.Find(id); }

std::string Holder(const View& v, uint64_t id, const std::string& role) {
  const IncidentCoord* c = Find(v, id);
  if (c == nullptr) return "";
  auto it = c->roles.find(role);
  return it == c->roles.end() ? "" : it->second;
}

const incident::Incident* Live(const View& v, uint64_t id) {
  return v.classification.incidents.FindIncident(id);
}

core::Error NotLive(uint64_t id) { return core::NotFound("incident " + std::to_string(id) + " is closed or unknown"); }

// Tells one person (kDirect), or the people paged for the incident when nobody is named.
void Tell(uint64_t id, const std::string& to, const std::string& text, Emitter& emit) {
  using Kind = incident::NotificationRequested::Kind;
  emit.Emit(incident::NotificationRequested{id, to.empty() ? Kind::kUpdated : Kind::kDirect, text, to});
}

}  // namespace

core::Status AssignRole(const View& v, uint64_t id, const std::string& role, const std::string& user, bool handoff,
                        const std::string& actor, bool actor_is_admin, const std::string& reason, Emitter& emit) {
  if (!OneOf(role, kRoles)) {
    return core::Invalid("role must be one of commander, communications, scribe, operations, liaison", "/role");
  }
  if (user.size() > 200) return core::Invalid("user is longer than 200 bytes", "/user");
  if (reason.size() > 10000) return core::Invalid("reason is longer than 10000 bytes", "/reason");
  if (Live(v, id) == nullptr) return NotLive(id);
  const std::string current = Holder(v, id, role);
  if (current == user) return core::Ok();
  const bool outgoing = actor == "user:" + current;
  if (role == "commander") {
    if (!user.empty() && !v.config.commanders.empty() && !v.config.commanders.count(user)) {
      return core::Invalid(user + " is not commander-eligible (users with role commander or admin)", "/user");
    }
    if (!current.empty()) {
      if (!handoff && !user.empty()) {
        return core::Conflict("incident " + std::to_string(id) + " already has a commander (" + current +
                              "); a hand-off must be explicit (handoff: true) by " + current + " or an admin");
      }
      if (!outgoing && !actor_is_admin) {
        return core::Error{core::ErrorCode::kDenied,
                           "only the outgoing commander (" + current + ") or an admin can hand off or vacate command",
                           {}};
      }
    }
  }
  emit.Emit(RoleAssigned{id, role, user, current, role == "commander" && handoff && !current.empty() && !user.empty(),
                         reason});
  return core::Ok();
}

core::Status AddLogEntry(const View& v, uint64_t id, const std::string& kind, const std::string& text,
                         Emitter& emit) {
  if (!OneOf(kind, kLogKinds)) return core::Invalid("kind must be one of decision, action, observation, note", "/kind");
  if (text.empty() || text.size() > 10000) return core::Invalid("text must be 1 to 10000 bytes", "/text");
  if (Live(v, id) == nullptr) return NotLive(id);
  emit.Emit(LogEntry{id, kind, text});
  return core::Ok();
}

core::Status PostStatusUpdate(const View& v, uint64_t id, const std::string& text, bool no_change, Emitter& emit) {
  if (text.size() > 10000) return core::Invalid("text is longer than 10000 bytes", "/text");
  if (text.empty() && !no_change) return core::Invalid("text is required unless no_change is true", "/text");
  if (Live(v, id) == nullptr) return NotLive(id);
  emit.Emit(StatusUpdated{id, text.empty() ? "No change since the last update." : text, no_change});
  return core::Ok();
}

const Vendor* Config::FindVendor(std::string_view name) const {
  for (const auto& vendor : vendors) {
    if (vendor.name == name) return &vendor;
  }
  return nullptr;
}

core::Result<uint64_t> GrantVendor(const View& v, uint64_t id, const std::string& vendor,
                                   const std::vector<std::string>& scopes, core::Duration duration,
                                   const std::string& token_sha256, const std::string& reason, Emitter& emit) {
  const Vendor* profile = v.config.FindVendor(vendor);
  if (profile == nullptr) return core::Invalid("no pre-authorised vendor named '" + vendor + "'", "/vendor");
  if (scopes.empty()) return core::Invalid("give at least one scope (read, log)", "/scopes");
  for (size_t i = 0; i < scopes.size(); ++i) {
    if (std::find(profile->scopes.begin(), profile->scopes.end(), scopes[i]) == profile->scopes.end()) {
      return core::Invalid("scope '" + scopes[i] + "' is not pre-authorised for " + vendor,
                           "/scopes/" + std::to_string(i));
    }
  }
  if (duration <= core::Duration(0) || duration > profile->max_grant) {
    return core::Invalid("duration must be positive and at most " + core::FormatDuration(profile->max_grant) +
                             " for " + vendor,
                         "/duration");
  }
  if (token_sha256.size() != 64) return core::Invalid("token hash must be 64 hex digits", "/token");
  if (reason.size() > 10000) return core::Invalid("reason is longer than 10000 bytes", "/reason");
  const incident::Incident* inc = Live(v, id);
  if (inc == nullptr) return NotLive(id);
  if (!inc->open()) return core::Conflict("incident " + std::to_string(id) + " is resolved: no new vendor access");
  const uint64_t grant_id = v.coord.next_grant_id;
  emit.Emit(VendorGranted{id, grant_id, vendor, scopes, core::ToUnixMillis(emit.now() + duration), token_sha256,
                          reason});
  return grant_id;
}

core::Status RevokeVendor(const View& v, uint64_t grant_id, const std::string& reason, Emitter& emit) {
  const Grant* g = v.coord.FindGrant(grant_id);
  if (g == nullptr) return core::NotFound("vendor grant " + std::to_string(grant_id) + " does not exist");
  if (!g->revoked.empty()) return core::Ok();
  emit.Emit(VendorRevoked{g->incident_id, grant_id, reason.empty() ? "revoked" : "revoked: " + reason});
  return core::Ok();
}

core::Status UseVendorGrant(const View& v, uint64_t grant_id, const std::string& action, const std::string& detail,
                            Emitter& emit) {
  auto denied = [](std::string why) { return core::Error{core::ErrorCode::kDenied, std::move(why), {}}; };
  // A grant that ended no longer authenticates anyone: the same 401 the HTTP edge answers when it sees the end
  // first (it checks the grant at its own clock; a request at the boundary can pass there and end here).
  auto ended = [](std::string why) { return core::Error{core::ErrorCode::kUnauthenticated, std::move(why), {}}; };
  const Grant* g = v.coord.FindGrant(grant_id);
  if (g == nullptr) return ended("the vendor grant no longer exists");
  if (!g->revoked.empty()) return ended("the vendor grant ended (" + g->revoked + ")");
  if (core::ToUnixMillis(emit.now()) >= g->expires_ms) return ended("the vendor grant expired");
  const incident::Incident* inc = Live(v, g->incident_id);
  if (inc == nullptr || !inc->open()) return ended("the incident is resolved: the vendor grant ended");
  if (std::find(g->scopes.begin(), g->scopes.end(), action) == g->scopes.end()) {
    return denied("the vendor grant does not include " + action);
  }
  emit.Emit(VendorUsed{g->incident_id, grant_id, action, detail.substr(0, 500)});
  return core::Ok();
}

void React(const View& v, const incident::Payload& record, Emitter& emit) {
  if (const auto* resolved = std::get_if<incident::IncidentResolved>(&record)) {
    for (const auto& [grant_id, g] : v.coord.grants) {
      if (g.incident_id == resolved->incident_id && g.revoked.empty()) {
        emit.Emit(VendorRevoked{g.incident_id, grant_id, "incident resolved"});
      }
    }
    return;
  }
  const auto* opened = std::get_if<incident::IncidentOpened>(&record);
  if (opened == nullptr || !v.config.channel) return;
  const incident::Incident* inc = Live(v, opened->incident_id);
  if (inc == nullptr) return;
  const ChannelTemplate& t = *v.config.channel;
  ChannelOpened c{inc->id, Expand(t.chat_name, *inc), Expand(t.chat_url, *inc), Expand(t.bridge, *inc)};
  std::string text = "Incident " + std::to_string(inc->id) + " (" + inc->service + "): " + inc->title +
                     ". Coordinate in " + c.chat_name + (c.chat_url.empty() ? "" : " " + c.chat_url) +
                     (c.bridge.empty() ? "" : ", bridge " + c.bridge) + ". This is the incident's only channel.";
  emit.Emit(c);
  if (!t.announce_to.empty()) Tell(inc->id, t.announce_to, text, emit);
}

std::optional<Cadence> CadenceOf(const View& v, const incident::Incident& inc, core::Timestamp now) {
  if (v.config.cadence.empty() || !inc.open()) return std::nullopt;
  const classify::Assessment a = classify::Assess(v.classification, inc);
  auto it = v.config.cadence.find(a.severity);
  if (it == v.config.cadence.end()) return std::nullopt;
  const IncidentCoord* c = Find(v, inc.id);
  const core::Timestamp since =
      c != nullptr && c->last_update_ms != 0 ? core::FromUnixMillis(c->last_update_ms) : inc.opened_at;
  Cadence out;
  out.severity = a.severity;
  out.every = it->second;
  out.next_due = since + it->second;
  out.overdue = now >= out.next_due;
  return out;
}

void FireTimers(const View& v, Emitter& emit) {
  const core::Timestamp now = emit.now();
  for (const auto& [grant_id, g] : v.coord.grants) {
    if (g.revoked.empty() && core::ToUnixMillis(now) >= g.expires_ms) {
      emit.Emit(VendorRevoked{g.incident_id, grant_id, "expired"});
    }
  }
  std::vector<uint64_t> ids;
  for (const auto& [id, inc] : v.classification.incidents.incidents) {
    if (inc.open()) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());  // the map's order is not deterministic; the journal's must be
  for (uint64_t id : ids) {
    const incident::Incident& inc = v.classification.incidents.incidents.at(id);
    const IncidentCoord* c = Find(v, id);
    if (auto cadence = CadenceOf(v, inc, now)) {
      const int64_t due_ms = core::ToUnixMillis(cadence->next_due);
      const std::string when = core::FormatRfc3339(cadence->next_due);
      const std::string every = core::FormatDuration(cadence->every) + " for " + cadence->severity;
      if (now >= cadence->next_due && (c == nullptr || !c->notified.count({"overdue", due_ms}))) {
        const std::string to = Holder(v, id, "commander");
        emit.Emit(CadenceNotified{id, "overdue", due_ms, to});
        Tell(id, to,
             "Status update for incident " + std::to_string(id) + " is overdue (due " + when + ", every " + every +
                 "). Post one, or say nothing changed: incidentctl incidents update " + std::to_string(id) +
                 " --no-change",
             emit);
      } else if (now < cadence->next_due && now >= cadence->next_due - v.config.remind_before &&
                 (c == nullptr || !c->notified.count({"reminder", due_ms}))) {
        std::string to = Holder(v, id, "communications");
        if (to.empty()) to = Holder(v, id, "commander");
        emit.Emit(CadenceNotified{id, "reminder", due_ms, to});
        Tell(id, to,
             "Status update for incident " + std::to_string(id) + " due at " + when + " (every " + every + ")", emit);
      }
    }
    // A major incident without a commander for too long pages the commander on call.
    if (v.config.commander_within > core::Duration(0) && v.classification.classify.majors.count(id) &&
        Holder(v, id, "commander").empty() && (c == nullptr || !c->commander_escalated)) {
      auto reg = v.classification.classify.regulatory.find(id);
      const int64_t major_ms = reg == v.classification.classify.regulatory.end() ? 0 : reg->second.major_at_ms;
      if (major_ms == 0 || now < core::FromUnixMillis(major_ms) + v.config.commander_within) continue;
      std::vector<std::string> on_call;
      if (auto s = escalation::EffectiveSchedule(v.paging.config, v.paging.paging, v.config.commander_schedule)) {
        on_call = s->OnCallAt(now);
      }
      std::string to;
      for (const auto& u : on_call) to += (to.empty() ? "" : ", ") + u;
      const std::string reason = "major for " + core::FormatDuration(now - core::FromUnixMillis(major_ms)) +
                                 " without a commander (limit " + core::FormatDuration(v.config.commander_within) +
                                 ")";
      emit.Emit(CommanderEscalated{id, to, reason});
      const std::string text = "Incident " + std::to_string(id) + " is a major incident with no commander (" +
                               reason + "). Take command: incidentctl incidents roles " + std::to_string(id) +
                               " --role commander --user <you>";
      for (const auto& u : on_call) Tell(id, u, text, emit);
      if (on_call.empty()) Tell(id, "", text, emit);
    }
  }
}

}  // namespace coord
