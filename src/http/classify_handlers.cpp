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
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string() || v->get_string().size() > max) {
    return core::Invalid(std::string(key) + " must be a string of at most " + std::to_string(max) + " bytes",
                         std::string("/") + key);
  }
  return std::string(v->get_string());
}

}  // namespace

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
  json::monotonic_resource arena;
  core::Result<json::value> parsed = ParseJsonBody(request.body, ctx.options.max_json_depth, &arena);
  if (!parsed.ok()) co_return ErrorResponse(parsed.error());
  if (!parsed->is_object()) co_return ErrorResponse(core::Invalid("request body must be a JSON object"));
  const json::object& body = parsed->as_object();
  auto category = OptionalString(body, "category", 200);
  auto subcategory = OptionalString(body, "subcategory", 200);
  auto reason = OptionalString(body, "reason", 10000);
  for (const auto* r : {&category, &subcategory, &reason}) {
    if (!r->ok()) co_return ErrorResponse(r->error());
  }
  if (category->empty()) co_return ErrorResponse(core::Invalid("category is required", "/category"));
  engine::Outcome outcome;
  engine::Command command{request.principal->actor,
                          engine::ReclassifyIncident{request.id, *category, *subcategory, *reason}};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return JsonResponse(200, json::serialize(json::object{{"incident_id", request.id},
                                                            {"category", *category},
                                                            {"subcategory", *subcategory}}));
}

}  // namespace http
