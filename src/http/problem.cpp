#include "http/problem.h"

#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace http {

namespace json = boost::json;

namespace {
constexpr ProblemType kConflictProblem{409, "conflict", "Conflict"};
}  // namespace

const ProblemType& ProblemFor(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::kInvalid:
      return kInvalidRequest;
    case core::ErrorCode::kNotFound:
      return kNotFoundProblem;
    case core::ErrorCode::kConflict:
      return kConflictProblem;
    case core::ErrorCode::kDenied:
      return kDeniedProblem;
    case core::ErrorCode::kUnauthenticated:
      return kUnauthenticatedProblem;
    case core::ErrorCode::kUnavailable:
      return kUnavailableProblem;
    case core::ErrorCode::kOverloaded:
      return kOverloadedProblem;
    case core::ErrorCode::kCorrupt:
      return kInternalProblem;
    case core::ErrorCode::kInternal:
      return kInternalProblem;
  }
  return kInternalProblem;
}

bool IsInternal(core::ErrorCode code) {
  return code == core::ErrorCode::kInternal || code == core::ErrorCode::kCorrupt;
}

std::string ProblemJson(const ProblemType& type, std::string_view detail, std::string_view field,
                        const ProblemExtras* extras) {
  json::object doc;
  doc.reserve(8);
  doc["type"] = std::string("urn:incidentd:problem:") + type.code;
  doc["title"] = type.title;
  doc["status"] = type.status;
  if (!detail.empty()) doc["detail"] = detail;
  if (!field.empty()) doc["field"] = field;
  if (extras != nullptr) {
    doc["message"] = extras->message;
    json::array errors;
    errors.reserve(extras->errors.size());
    for (const auto& e : extras->errors) errors.emplace_back(e);
    doc["errors"] = std::move(errors);
  }
  return json::serialize(doc);
}

std::string ProblemJson(const core::Error& error) {
  const ProblemType& type = ProblemFor(error.code);
  if (IsInternal(error.code)) {
    spdlog::error("http: {} error: {}", core::ToString(error.code), error.message);
    return ProblemJson(type, "internal error; see the server log");
  }
  return ProblemJson(type, error.message, error.field);
}

std::string_view ProblemMediaType(std::string_view accept) {
  constexpr std::string_view kProblem = "application/problem+json";
  if (accept.empty()) return kProblem;
  std::string lower(accept);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  const bool takes_problem = lower.find("problem+json") != std::string::npos ||
                             lower.find("*/*") != std::string::npos ||
                             lower.find("application/*") != std::string::npos;
  if (takes_problem || lower.find("application/json") == std::string::npos) return kProblem;
  return "application/json";
}

}  // namespace http
