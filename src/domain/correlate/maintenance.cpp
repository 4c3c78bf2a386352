#include "domain/correlate/maintenance.h"

#include <algorithm>

#include <boost/json.hpp>

#include "domain/correlate/silence.h"
#include "journal/codec.h"

namespace correlate {
namespace {

namespace json = boost::json;
constexpr uint8_t kWindowFormat = 1;

core::Error Bad(const std::string& field, const std::string& message) { return core::Invalid(message, field); }

// A string member: absent → `fallback` (or an error when required), present → must be a non-empty string.
core::Status Text(const json::object& o, const char* key, const std::string& field, bool required, std::string& out,
                  size_t max = 1000) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    if (required) return Bad(field, std::string(key) + " is required");
    return core::Ok();
  }
  if (!it->value().is_string() || it->value().as_string().empty()) {
    return Bad(field, std::string(key) + " must be a non-empty string");
  }
  if (it->value().as_string().size() > max) return Bad(field, std::string(key) + " is too long");
  out = std::string(it->value().as_string());
  return core::Ok();
}

core::Status Strings(const json::object& o, const char* key, const std::string& field, std::vector<std::string>& out) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return core::Ok();
  if (!it->value().is_array()) return Bad(field, std::string(key) + " must be an array of strings");
  const auto& a = it->value().as_array();
  if (a.size() > kMaxWindowListItems) return Bad(field, std::string(key) + " has too many items");
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string() || a[i].as_string().empty()) {
      return Bad(field + "/" + std::to_string(i), "must be a non-empty string");
    }
    out.emplace_back(a[i].as_string());
  }
  return core::Ok();
}

core::Status DurationField(const json::object& o, const char* key, const std::string& field, core::Duration& out) {
  std::string text;
  if (auto st = Text(o, key, field, false, text, 32); !st.ok()) return st;
  if (text.empty()) return core::Ok();
  auto d = core::ParseDuration(text);
  if (!d.ok() || d->count() <= 0) return Bad(field, std::string(key) + " must be a duration like 30m or 2h");
  out = d.value();
  return core::Ok();
}

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

void WriteStrs(journal::Writer& w, const std::vector<std::string>& v) {
  w.U64(v.size());
  for (const auto& s : v) w.Str(s);
}
std::vector<std::string> ReadStrs(journal::Reader& r) {
  std::vector<std::string> v;
  uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) v.push_back(r.Str());
  return v;
}
void WriteOpt(journal::Writer& w, const std::optional<core::Timestamp>& t) {
  w.Bool(t.has_value());
  if (t) w.Time(*t);
}
std::optional<core::Timestamp> ReadOpt(journal::Reader& r) {
  if (!r.Bool()) return std::nullopt;
  return r.Time();
}

}  // namespace

core::Result<Window> ParseWindow(const json::value& body, std::string id, std::string created_by) {
  if (!body.is_object()) return Bad("", "the body must be a JSON object");
  const json::object& o = body.as_object();
  Window w;
  w.id = std::move(id);
  w.created_by = std::move(created_by);
  if (auto st = Text(o, "name", "/name", true, w.name); !st.ok()) return st.error();
  if (auto st = Text(o, "owner", "/owner", true, w.owner); !st.ok()) return st.error();
  w.recurrence.time_zone = "UTC";
  if (auto st = Text(o, "time_zone", "/time_zone", false, w.recurrence.time_zone, 64); !st.ok()) return st.error();
  if (auto st = Text(o, "start", "/start", true, w.recurrence.start_local, 32); !st.ok()) return st.error();
  if (auto st = Text(o, "rrule", "/rrule", false, w.recurrence.rrule, 500); !st.ok()) return st.error();
  if (!o.contains("duration")) return Bad("/duration", "duration is required");
  if (auto st = DurationField(o, "duration", "/duration", w.recurrence.duration); !st.ok()) return st.error();
  if (auto st = DurationField(o, "max_length", "/max_length", w.max_length); !st.ok()) return st.error();
  if (auto st = DurationField(o, "remind_before", "/remind_before", w.remind_before); !st.ok()) return st.error();
  if (auto it = o.find("scope"); it != o.end()) {
    if (!it->value().is_object()) return Bad("/scope", "scope must be an object");
    const json::object& s = it->value().as_object();
    for (const auto& kv : s) {
      if (kv.key() != "services" && kv.key() != "hosts" && kv.key() != "matchers") {
        return Bad("/scope/" + std::string(kv.key()), "unknown key (known: services, hosts, matchers)");
      }
    }
    if (auto st = Strings(s, "services", "/scope/services", w.services); !st.ok()) return st.error();
    if (auto st = Strings(s, "hosts", "/scope/hosts", w.hosts); !st.ok()) return st.error();
    std::vector<std::string> matchers;
    if (auto st = Strings(s, "matchers", "/scope/matchers", matchers); !st.ok()) return st.error();
    for (size_t i = 0; i < matchers.size(); ++i) {
      auto m = core::Matcher::Parse(matchers[i]);
      if (!m.ok()) return Bad("/scope/matchers/" + std::to_string(i), m.error().message);
      w.matchers.push_back(std::move(m).value());
    }
  }
  if (auto it = o.find("cancel_pending"); it != o.end()) {
    if (!it->value().is_bool()) return Bad("/cancel_pending", "cancel_pending must be true or false");
    w.cancel_pending = it->value().as_bool();
  }
  if (w.services.empty() && w.hosts.empty() && w.matchers.empty()) {
    return Bad("/scope", "a window needs a scope: services, hosts or matchers (it would otherwise hide everything)");
  }
  if (auto it = o.find("expect"); it != o.end()) {
    if (!it->value().is_object()) return Bad("/expect", "expect must be an object");
    const json::object& e = it->value().as_object();
    for (const auto& kv : e) {
      if (kv.key() != "services" && kv.key() != "alertnames" && kv.key() != "severities") {
        return Bad("/expect/" + std::string(kv.key()), "unknown key (known: services, alertnames, severities)");
      }
    }
    if (auto st = Strings(e, "services", "/expect/services", w.expect_services); !st.ok()) return st.error();
    if (auto st = Strings(e, "alertnames", "/expect/alertnames", w.expect_alertnames); !st.ok()) return st.error();
    std::vector<std::string> severities;
    if (auto st = Strings(e, "severities", "/expect/severities", severities); !st.ok()) return st.error();
    for (size_t i = 0; i < severities.size(); ++i) {
      auto sev = ingest::ParseSeverity(severities[i]);
      if (!sev) return Bad("/expect/severities/" + std::to_string(i), "must be critical, error, warning or info");
      w.expect_severities.push_back(*sev);
    }
  }
  for (const auto& kv : o) {
    static const char* kKnown[] = {"name",       "owner",         "time_zone", "start",  "duration",      "rrule",
                                   "max_length", "remind_before", "scope",     "expect", "cancel_pending"};
    if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return kv.key() == k; })) {
      return Bad("/" + std::string(kv.key()), "unknown key");
    }
  }
  auto schedule = Schedule::Make(w.recurrence, w.max_length);
  if (!schedule.ok()) {
    std::string field = schedule.error().field == "/start_local" ? "/start" : schedule.error().field;
    return Bad(field, schedule.error().message);
  }
  return w;
}

bool InScope(const Window& w, const AlertFacts& a) {
  if (!w.services.empty() && !Contains(w.services, a.service)) return false;
  if (!w.hosts.empty() && !Contains(w.hosts, a.host)) return false;
  if (!w.matchers.empty()) {
    if (a.labels == nullptr) return false;
    for (const auto& m : w.matchers) {
      if (!m.Matches(*a.labels)) return false;
    }
  }
  return true;
}

bool Expected(const Window& w, const AlertFacts& a) {
  if (!w.expect_services.empty() && !Contains(w.expect_services, a.service)) return false;
  if (!w.expect_alertnames.empty() && !Contains(w.expect_alertnames, a.kind_name)) return false;
  if (!w.expect_severities.empty() &&
      std::find(w.expect_severities.begin(), w.expect_severities.end(), a.severity) == w.expect_severities.end()) {
    return false;
  }
  return true;
}

core::Timestamp OpenEnd(const WindowState& s) {
  core::Timestamp end = s.open ? s.open->end : core::Timestamp{};
  if (s.window.extended_end) end = *s.window.extended_end;
  if (s.window.ended_early && *s.window.ended_early < end) end = *s.window.ended_early;
  return end;
}

int64_t NextDue(const WindowState& s, core::Timestamp now) {
  if (s.open) {
    core::Timestamp end = OpenEnd(s);
    core::Timestamp remind = end - s.window.remind_before;
    if (!s.reminded && remind > s.open->start && remind < end) return core::ToUnixMillis(std::max(remind, now));
    return core::ToUnixMillis(std::max(end, now));
  }
  if (s.window.cancelled_at || !s.schedule) return 0;
  auto next = s.schedule->NextEndingAfter(std::max(now, s.closed_until));
  if (!next) return 0;
  return core::ToUnixMillis(std::max(next->start, now));
}

json::object WindowJson(const WindowState& s, core::Timestamp now) {
  const Window& w = s.window;
  json::object o;
  o["id"] = w.id;
  o["name"] = w.name;
  o["owner"] = w.owner;
  o["created_by"] = w.created_by;
  o["time_zone"] = w.recurrence.time_zone;
  o["start"] = w.recurrence.start_local;
  o["duration"] = core::FormatDuration(w.recurrence.duration);
  o["rrule"] = w.recurrence.rrule;
  o["max_length"] = core::FormatDuration(w.max_length);
  o["remind_before"] = core::FormatDuration(w.remind_before);
  o["cancel_pending"] = w.cancel_pending;
  o["cancelled_at"] = w.cancelled_at ? json::value(core::FormatRfc3339(*w.cancelled_at)) : json::value(nullptr);
  auto strs = [](const std::vector<std::string>& v) {
    json::array a;
    for (const auto& x : v) a.emplace_back(x);
    return a;
  };
  json::array matchers;
  for (const auto& m : w.matchers) matchers.emplace_back(m.ToString());
  o["scope"] = json::object{{"services", strs(w.services)}, {"hosts", strs(w.hosts)}, {"matchers", matchers}};
  json::array sev;
  for (auto v : w.expect_severities) sev.emplace_back(ingest::ToString(v));
  o["expect"] = json::object{
      {"services", strs(w.expect_services)}, {"alertnames", strs(w.expect_alertnames)}, {"severities", sev}};
  if (s.open) {
    o["state"] = "open";
    o["occurrence"] = json::object{{"start", core::FormatRfc3339(s.open->start)},
                                   {"end", core::FormatRfc3339(OpenEnd(s))}};
    o["can_extend_until"] = core::FormatRfc3339(s.open->start + w.max_length);
  } else if (w.cancelled_at || !s.schedule || !s.schedule->NextEndingAfter(std::max(now, s.closed_until))) {
    o["state"] = "ended";
    o["occurrence"] = nullptr;
  } else {
    auto next = s.schedule->NextEndingAfter(std::max(now, s.closed_until));
    o["state"] = "scheduled";
    o["occurrence"] = json::object{{"start", core::FormatRfc3339(next->start)},
                                   {"end", core::FormatRfc3339(next->end)}};
  }
  return o;
}

std::string EncodeWindow(const Window& w) {
  journal::Writer out;
  out.U8(kWindowFormat);
  out.Str(w.id);
  out.Str(w.name);
  out.Str(w.owner);
  out.Str(w.created_by);
  out.Str(w.recurrence.time_zone);
  out.Str(w.recurrence.start_local);
  out.I64(w.recurrence.duration.count());
  out.Str(w.recurrence.rrule);
  out.I64(w.max_length.count());
  out.I64(w.remind_before.count());
  WriteStrs(out, w.services);
  WriteStrs(out, w.hosts);
  WriteMatchers(out, w.matchers);
  WriteStrs(out, w.expect_services);
  WriteStrs(out, w.expect_alertnames);
  out.U64(w.expect_severities.size());
  for (auto s : w.expect_severities) out.U8(static_cast<uint8_t>(s));
  WriteOpt(out, w.cancelled_at);
  WriteOpt(out, w.extended_end);
  WriteOpt(out, w.ended_early);
  out.Bool(w.cancel_pending);
  return out.Take();
}

core::Result<Window> DecodeWindow(std::string_view bytes) {
  journal::Reader r(bytes);
  Window w;
  if (r.U8() != kWindowFormat) return core::Corrupt("unknown maintenance window format");
  w.id = r.Str();
  w.name = r.Str();
  w.owner = r.Str();
  w.created_by = r.Str();
  w.recurrence.time_zone = r.Str();
  w.recurrence.start_local = r.Str();
  w.recurrence.duration = core::Duration(r.I64());
  w.recurrence.rrule = r.Str();
  w.max_length = core::Duration(r.I64());
  w.remind_before = core::Duration(r.I64());
  w.services = ReadStrs(r);
  w.hosts = ReadStrs(r);
  if (auto st = ReadMatchers(r, w.matchers); !st.ok()) return st.error().WithContext("maintenance window");
  w.expect_services = ReadStrs(r);
  w.expect_alertnames = ReadStrs(r);
  uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    uint8_t v = r.U8();
    w.expect_severities.push_back(static_cast<ingest::Severity>(v <= 3 ? v : 1));
  }
  w.cancelled_at = ReadOpt(r);
  w.extended_end = ReadOpt(r);
  w.ended_early = ReadOpt(r);
  w.cancel_pending = r.Bool();
  if (auto st = r.Finish("maintenance window"); !st.ok()) return st.error();
  return w;
}

}  // namespace correlate
