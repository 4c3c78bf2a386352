#include "interop/observe.h"

#include <boost/json/parse.hpp>

#include <cstdlib>

namespace interop {

namespace json = boost::json;

std::optional<json::object> FindIncident(test_support::HttpClient& client, std::string_view text,
                                         std::string* last_answer) {
  auto response = client.Get("/api/v1/incidents?limit=500");
  if (!response.ok()) {
    if (last_answer != nullptr) *last_answer = response.error().message;
    client.Close();
    return std::nullopt;
  }
  if (last_answer != nullptr) {
    *last_answer = "HTTP " + std::to_string(response->status) + " " + response->body.substr(0, 2000);
  }
  if (response->status != 200) return std::nullopt;
  json::error_code ec;
  json::value page = json::parse(response->body, ec);
  const json::value* list = (!ec && page.is_object()) ? page.as_object().if_contains("incidents") : nullptr;
  if (list == nullptr || !list->is_array()) return std::nullopt;
  // Newest first, so the first match is the newest.
  for (const auto& incident : list->as_array()) {
    if (!incident.is_object()) continue;
    for (const char* field : {"group_key", "title"}) {
      const json::value* value = incident.as_object().if_contains(field);
      if (value == nullptr || !value->is_string()) continue;
      if (std::string_view(value->as_string()).find(text) != std::string_view::npos) return incident.as_object();
    }
  }
  return std::nullopt;
}

std::optional<double> MetricSum(const std::string& metrics, std::string_view name, std::string_view label) {
  std::optional<double> sum;
  size_t start = 0;
  while (start < metrics.size()) {
    size_t end = metrics.find('\n', start);
    if (end == std::string::npos) end = metrics.size();
    const std::string line = metrics.substr(start, end - start);
    start = end + 1;
    // A sample line: name, then '{' or ' '; comments start with '#'.
    if (line.rfind(name, 0) != 0 || line.size() <= name.size()) continue;
    const char after = line[name.size()];
    if (after != '{' && after != ' ') continue;
    const size_t close = line.rfind('}');
    const std::string labels =
        after == '{' && close != std::string::npos ? line.substr(name.size(), close - name.size()) : "";
    if (!label.empty() && labels.find(label) == std::string::npos) continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    sum = sum.value_or(0) + std::strtod(line.c_str() + space + 1, nullptr);
  }
  return sum;
}

std::string NowRfc3339() {
  const auto now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  return core::FormatRfc3339(now);
}

}  // namespace interop
