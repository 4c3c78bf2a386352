#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/utf8.h"
#include "http/handlers.h"
#include "http/server.h"

namespace http {

namespace json = boost::json;

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool IsJsonContentType(std::string_view content_type) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  if (EqualsIgnoreCase(media, "application/json")) return true;
  // `curl -d @event.json URL` sends this type by default; the body is still parsed (and validated) as JSON, so the
  // one-line examples people copy from PagerDuty's and our docs work as written.
  if (EqualsIgnoreCase(media, "application/x-www-form-urlencoded")) return true;
  constexpr std::string_view kApp = "application/";
  constexpr std::string_view kSuffix = "+json";
  return media.size() > kApp.size() + kSuffix.size() && EqualsIgnoreCase(media.substr(0, kApp.size()), kApp) &&
         EqualsIgnoreCase(media.substr(media.size() - kSuffix.size()), kSuffix);
}

core::Result<json::value> ParseJsonBody(std::string_view body, int max_depth, json::storage_ptr storage) {
  if (!core::IsValidUtf8(body)) return core::Invalid("request body is not valid UTF-8");
  json::parse_options options;
  options.max_depth = static_cast<std::size_t>(max_depth > 0 ? max_depth : 1);
  boost::system::error_code ec;
  // The parser keeps its own explicit stack, so a 100k-deep "[[[[" is refused at max_depth without recursion.
  json::value value = json::parse(body, ec, std::move(storage), options);
  if (ec == json::error::too_deep) {
    return core::Invalid("request body nests deeper than " + std::to_string(max_depth) + " levels");
  }
  if (ec == json::error::incomplete) return core::Invalid("request body is truncated JSON");
  if (ec) return core::Invalid("request body is not valid JSON (" + ec.message() + ")");
  return value;
}

core::Result<json::value> ParseObjectBody(const Context& ctx, const Request& request, json::storage_ptr storage) {
  core::Result<json::value> parsed = ParseJsonBody(request.body, ctx.options.max_json_depth, std::move(storage));
  if (!parsed.ok()) return parsed.error();
  if (!parsed->is_object()) return core::Invalid("request body must be a JSON object");
  return parsed;
}

core::Status ReadStringField(const json::object& body, const char* key, size_t max, std::string& out) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return core::Ok();
  if (!v->is_string() || v->get_string().size() > max) {
    return core::Invalid(std::string(key) + " must be a string of at most " + std::to_string(max) + " bytes",
                         std::string("/") + key);
  }
  out = std::string(v->get_string());
  return core::Ok();
}

core::Status ReadBoolField(const json::object& body, const char* key, bool& out) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return core::Ok();
  if (!v->is_bool()) return core::Invalid(std::string(key) + " must be true or false", std::string("/") + key);
  out = v->get_bool();
  return core::Ok();
}

}  // namespace http
