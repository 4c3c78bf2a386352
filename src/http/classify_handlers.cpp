// Classification over HTTP: the taxonomy and how it is used, and reclassifying an incident.
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "http/backend.h"
#include "http/handlers.h"
#include "http/problem.h"
#include "http/server.h"

namespace http {
namespace {

namespace json = boost::json;

core::Result<std::string> OptionalString(const json::object& body, const char* key, size_t max) {
  std::string out;
  if (auto st = ReadStringField(body, key, max, out); !st.ok()) return st.error();
  return out;
}

struct Field {
  const char* name;
  size_t max;
  bool required;
};

// Reads the named string fields of an object body, in order (absent or null: ""; 400 naming the field when it is
// not a string, too long, or required and empty).
core::Result<std::vector<std::string>> StringFields(Context& ctx, const Request& request,
                                                    std::initializer_list<Field> fields) {
  json::monotonic_resource arena;
  core::Result<json::value> parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  std::vector<std::string> out;
  for (const Field& f : fields) {
    auto v = OptionalString(parsed->as_object(), f.name, f.max);
    if (!v.ok()) return v.error();
    if (f.required && v->empty()) return core::Invalid(std::string(f.name) + " is required", std::string("/") + f.name);
    out.push_back(std::move(v).value());
  }
  return out;
}

// The body of POST /api/v1/sli as a command. A plain function, not a coroutine: GCC 12 mishandles temporaries
// (initializer lists) in range-for loops inside coroutines.
core::Result<engine::RecordSli> SliCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  core::Result<json::value> parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& body = parsed->as_object();
  auto service = OptionalString(body, "service", 200);
  if (!service.ok()) return service.error();
  auto slo = OptionalString(body, "slo", 200);
  if (!slo.ok()) return slo.error();
  if (service->empty()) return core::Invalid("service is required", "/service");
  if (slo->empty()) return core::Invalid("slo is required", "/slo");
  const json::value* samples = body.if_contains("samples");
  if (samples == nullptr || !samples->is_array()) {
    return core::Invalid("samples must be a list of {time, good, total}", "/samples");
  }
  const json::array& list = samples->as_array();
  if (list.size() > classify::kMaxSamplesPerPost) return core::Invalid("at most 1000 samples per request", "/samples");
  engine::RecordSli cmd{*service, *slo, {}};
  static constexpr const char* kCounts[] = {"good", "total"};
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = "/samples/" + std::to_string(i);
    if (!list[i].is_object()) return core::Invalid("a sample is an object", at);
    const json::object& o = list[i].as_object();
    classify::SliSample x;
    for (const char* key : kCounts) {
      const json::value* v = o.if_contains(key);
      uint64_t n = 0;
      if (v != nullptr && v->is_uint64()) {
        n = v->as_uint64();
      } else if (v != nullptr && v->is_int64() && v->as_int64() >= 0) {
        n = static_cast<uint64_t>(v->as_int64());
      } else {
        return core::Invalid(std::string(key) + " must be a whole number >= 0", at + "/" + key);
      }
      (std::string_view(key) == "good" ? x.good : x.total) = n;
    }
    if (const json::value* t = o.if_contains("time"); t != nullptr && !t->is_null()) {
      if (!t->is_string()) return core::Invalid("time must be an RFC 3339 time", at + "/time");
      auto when = core::ParseRfc3339(t->get_string());
      if (!when.ok()) return core::Invalid("time must be an RFC 3339 time", at + "/time");
      x.at_ms = core::ToUnixMillis(*when);
    }
    cmd.samples.push_back(x);
  }
  return cmd;
}

core::Result<engine::ReclassifyIncident> ReclassifyCommand(Context& ctx, const Request& request) {
  auto f = StringFields(ctx, request, {{"category", 200, true}, {"subcategory", 200, false}, {"reason", 10000, false}});
  if (!f.ok()) return f.error();
  return engine::ReclassifyIncident{request.id, (*f)[0], (*f)[1], (*f)[2]};
}

core::Result<engine::RecordRegulatoryFact> FactCommand(Context& ctx, const Request& request) {
  auto f = StringFields(ctx, request, {{"fact", 20, true}, {"note", 10000, false}});
  if (!f.ok()) return f.error();
  return engine::RecordRegulatoryFact{request.id, (*f)[0], (*f)[1]};
}

core::Result<engine::AssignOwner> OwnerCommand(Context& ctx, const Request& request) {
  auto f = StringFields(ctx, request, {{"team", 200, true}, {"reason", 10000, false}});
  if (!f.ok()) return f.error();
  return engine::AssignOwner{request.id, (*f)[0], (*f)[1]};
}

core::Result<engine::RecordSubmission> SubmissionCommand(Context& ctx, const Request& request) {
  auto f = StringFields(ctx, request, {{"regime", 200, true}, {"stage", 200, true}, {"reference", 1000, false}});
  if (!f.ok()) return f.error();
  return engine::RecordSubmission{request.id, (*f)[0], (*f)[1], (*f)[2]};
}

}  // namespace

Response HandleClassification(Context& ctx, Request& request) {
  const classify::Config& config = ctx.backend.classification();
  std::optional<json::object> view;
  ctx.backend.ReadState([&](const engine::State& s) {
    const incident::Incident* inc = s.incidents.FindIncident(request.id);
    if (inc == nullptr) return;
    const classify::View v{s.classify, s.incidents, config, incident::Config()};
    const classify::Assessment a = classify::Assess(v, *inc);
    auto major = s.classify.majors.find(inc->id);
    json::object o;
    o["incident_id"] = inc->id;
    o["category"] = inc->category.empty() ? json::value(nullptr) : json::value(inc->category);
    o["subcategory"] = inc->subcategory.empty() ? json::value(nullptr) : json::value(inc->subcategory);
    o["category_rule"] = inc->category_rule.empty() ? json::value(nullptr) : json::value(inc->category_rule);
    o["major"] = major != s.classify.majors.end();
    o["major_reason"] = major == s.classify.majors.end() ? json::value(nullptr) : json::value(major->second);
    o["severity"] = json::object{{"level", a.severity}, {"reason", a.severity_reason}};
    o["priority"] = json::object{
        {"level", a.priority}, {"impact", a.impact}, {"urgency", a.urgency}, {"reason", a.priority_reason}};
    o["owner"] = json::object{{"team", a.owner_team.empty() ? json::value(nullptr) : json::value(a.owner_team)},
                              {"reason", a.owner_reason}};
    // What the service catalogue says about the incident's service (null when it says nothing).
    if (const classify::ServiceFacts* f = config.FindService(inc->service)) {
      auto list = [](const std::vector<std::string>& xs) {
        json::array out;
        for (const auto& x : xs) out.emplace_back(x);
        return out;
      };
      o["service"] = json::object{{"name", f->service},
                                  {"owner_team", f->owner_team},
                                  {"business_functions", list(f->business_functions)},
                                  {"customers", f->customers},
                                  {"regions", list(f->regions)},
                                  {"jurisdictions", list(f->jurisdictions)},
                                  {"data", list(f->data)}};
    } else {
      o["service"] = nullptr;
    }
    view = std::move(o);
  });
  if (!view) return ErrorResponse(core::NotFound("incident " + std::to_string(request.id) + " is not open or resolved"));
  return JsonResponse(200, json::serialize(*view));
}

Response HandleRegulatory(Context& ctx, Request& request) {
  const core::Timestamp now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  const classify::Config& config = ctx.backend.classification();
  std::optional<json::object> view;
  ctx.backend.ReadState([&](const engine::State& s) {
    const incident::Incident* inc = s.incidents.FindIncident(request.id);
    if (inc == nullptr) return;
    const classify::View v{s.classify, s.incidents, config, incident::Config()};
    const classify::Facts f = classify::FactsOf(v, *inc);
    json::object facts;
    auto list = [](const std::set<std::string>& set) {
      json::array a;
      for (const auto& x : set) a.emplace_back(x);
      return a;
    };
    facts["jurisdictions"] = list(f.jurisdictions);
    facts["data"] = list(f.data);
    facts["entity"] = list(f.entity);
    facts["category"] = f.category;
    facts["major"] = f.major;
    facts["breach"] = f.breach;
    facts["material"] = f.material;
    facts["high_risk"] = f.high_risk;
    json::object anchors;
    for (const auto& [anchor, at] : f.anchors) anchors[classify::ToString(anchor)] = core::FormatRfc3339(at);
    facts["anchors"] = std::move(anchors);
    json::array deadlines;
    for (const auto& d : classify::Evaluate(config.regimes, f)) {
      json::object o;
      o["regime"] = d.regime;
      o["regime_name"] = d.regime_name;
      o["stage"] = d.stage;
      o["stage_name"] = d.stage_name;
      o["due"] = d.due ? json::value(core::FormatRfc3339(*d.due)) : json::value(nullptr);
      o["seconds_left"] = d.due && !d.submitted
                              ? json::value(std::chrono::duration_cast<std::chrono::seconds>(*d.due - now).count())
                              : json::value(nullptr);
      o["without_undue_delay"] = d.undue_delay;
      o["basis"] = d.basis;
      o["waiting_for"] = d.waiting_for.empty() ? json::value(nullptr) : json::value(d.waiting_for);
      o["submitted"] = d.submitted ? json::value(core::FormatRfc3339(*d.submitted)) : json::value(nullptr);
      json::array fields;
      for (const auto& x : d.required_fields) fields.emplace_back(x);
      o["required_fields"] = std::move(fields);
      deadlines.push_back(std::move(o));
    }
    view = json::object{{"incident_id", request.id}, {"facts", std::move(facts)}, {"deadlines", std::move(deadlines)}};
  });
  if (!view) return ErrorResponse(core::NotFound("incident " + std::to_string(request.id) + " is not open or resolved"));
  return JsonResponse(200, json::serialize(*view));
}

Task<Response> HandleRegulatoryFact(Context& ctx, Request& request) {
  return CommandThenView(ctx, request, FactCommand(ctx, request), &HandleRegulatory);
}

Task<Response> HandleAssignOwner(Context& ctx, Request& request) {
  return CommandThenView(ctx, request, OwnerCommand(ctx, request), &HandleClassification);
}

Task<Response> HandleRegulatorySubmission(Context& ctx, Request& request) {
  return CommandThenView(ctx, request, SubmissionCommand(ctx, request), &HandleRegulatory);
}

Response HandleTaxonomy(Context& ctx) {
  json::array categories;
  json::array rules;
  if (const classify::Taxonomy* t = ctx.backend.taxonomy()) {
    for (const auto& [name, subs] : t->categories()) {
      json::array s;
      for (const auto& sub : subs) s.emplace_back(sub);
      categories.push_back(json::object{{"name", name}, {"subcategories", std::move(s)}});
    }
    for (const auto& r : t->rules()) {
      json::array m;
      for (const auto& x : r.matchers) m.emplace_back(x);
      rules.push_back(json::object{{"name", r.name},
                                   {"category", r.category},
                                   {"subcategory", r.subcategory},
                                   {"matchers", std::move(m)},
                                   {"text", r.text}});
    }
  }
  return JsonResponse(200, json::serialize(json::object{{"categories", std::move(categories)},
                                                         {"rules", std::move(rules)}}));
}

Response HandleTaxonomyUsage(Context& ctx) {
  std::map<std::string, incident::CategoryUsage> usage;
  ctx.backend.ReadState([&](const engine::State& s) { usage = s.incidents.category_usage; });
  // Every category of the list shows, used or not: a category nobody chooses is the point of the report.
  if (const classify::Taxonomy* t = ctx.backend.taxonomy()) {
    for (const auto& [name, subs] : t->categories()) usage.try_emplace(name);
  }
  uint64_t total = 0;
  for (const auto& [name, u] : usage) total += u.assigned;
  json::array list;
  for (const auto& [name, u] : usage) {
    json::object o;
    o["category"] = name.empty() ? json::value(nullptr) : json::value(name);
    o["assigned"] = u.assigned;
    o["share"] = total == 0 ? 0.0 : static_cast<double>(u.assigned) / static_cast<double>(total);
    o["reclassified_from"] = u.reclassified_from;
    o["reclassified_to"] = u.reclassified_to;
    // Most incidents moved away from it: its rules (or its name) mislead.
    o["reclassified_away_rate"] =
        u.assigned == 0 ? 0.0 : static_cast<double>(u.reclassified_from) / static_cast<double>(u.assigned);
    list.push_back(std::move(o));
  }
  return JsonResponse(200, json::serialize(json::object{{"incidents", total}, {"categories", std::move(list)}}));
}

Task<Response> HandleReclassify(Context& ctx, Request& request) {
  core::Result<engine::ReclassifyIncident> cmd = ReclassifyCommand(ctx, request);
  if (!cmd.ok()) co_return ErrorResponse(cmd.error());
  const std::string category = cmd->category, subcategory = cmd->subcategory;
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, std::move(cmd).value()};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return JsonResponse(200, json::serialize(json::object{{"incident_id", request.id},
                                                            {"category", category},
                                                            {"subcategory", subcategory}}));
}

Task<Response> HandlePostSli(Context& ctx, Request& request) {
  core::Result<engine::RecordSli> cmd = SliCommand(ctx, request);
  if (!cmd.ok()) co_return ErrorResponse(cmd.error());
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, std::move(cmd).value()};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return JsonResponse(202, json::serialize(json::object{{"status", "accepted"}, {"seq", outcome.seq}}));
}

Response HandleListSlos(Context& ctx) {
  const core::Timestamp now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  const int64_t now_ms = core::ToUnixMillis(now);
  const classify::Config& config = ctx.backend.classification();
  json::array list;
  ctx.backend.ReadState([&](const engine::State& s) {
    for (const auto& slo : config.slos) {
      json::object o;
      o["service"] = slo.service;
      o["name"] = slo.name;
      o["sli"] = slo.sli;
      o["objective"] = slo.objective;
      o["window"] = core::FormatDuration(slo.window);
      auto it = s.classify.slos.find({slo.service, slo.name});
      json::array burns;
      for (const auto& rule : config.burn_rules) {
        double long_burn = 0, short_burn = 0;
        if (it != s.classify.slos.end()) {
          long_burn = it->second.series.Burn(now_ms, rule.long_window, slo.objective);
          short_burn = it->second.series.Burn(now_ms, rule.short_window, slo.objective);
        }
        burns.push_back(json::object{{"verdict", classify::ToString(rule.verdict)},
                                     {"threshold", rule.burn_rate},
                                     {"long_window", core::FormatDuration(rule.long_window)},
                                     {"long_burn", long_burn},
                                     {"short_window", core::FormatDuration(rule.short_window)},
                                     {"short_burn", short_burn}});
      }
      o["burn"] = std::move(burns);
      o["verdict"] = it == s.classify.slos.end() ? "none" : classify::ToString(it->second.verdict);
      o["reason"] = it == s.classify.slos.end() ? "" : it->second.reason;
      list.push_back(std::move(o));
    }
  });
  return JsonResponse(200, json::serialize(json::object{{"slos", std::move(list)}}));
}

Response HandleRoutine(Context& ctx) {
  json::array list;
  ctx.backend.ReadState([&](const engine::State& s) {
    for (auto it = s.classify.routine.rbegin(); it != s.classify.routine.rend(); ++it) {
      list.push_back(json::object{{"seq", it->seq},
                                  {"time", core::FormatRfc3339(core::FromUnixMillis(it->at_ms))},
                                  {"service", it->service},
                                  {"slo", it->slo},
                                  {"reason", it->reason}});
    }
  });
  return JsonResponse(200, json::serialize(json::object{{"routine", std::move(list)}}));
}

Response HandleConfigChanges(Context& ctx) {
  json::array list;
  json::object digests;
  ctx.backend.ReadState([&](const engine::State& s) {
    for (auto it = s.classify.config_changes.rbegin(); it != s.classify.config_changes.rend(); ++it) {
      json::array lines;
      for (const auto& line : it->changes) lines.push_back(json::string(line));
      list.push_back(json::object{{"seq", it->seq},
                                  {"time", core::FormatRfc3339(core::FromUnixMillis(it->at_ms))},
                                  {"actor", it->actor},
                                  {"changes", std::move(lines)}});
    }
    for (const auto& [section, digest] : s.classify.config_digests) digests[section] = digest;
  });
  return JsonResponse(200, json::serialize(json::object{{"changes", std::move(list)}, {"digests", std::move(digests)}}));
}

}  // namespace http
