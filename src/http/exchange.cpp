#include "http/exchange.h"

namespace http {

Response ProblemResponse(const ProblemType& type, std::string_view detail, std::string_view field) {
  Response res;
  res.status = type.status;
  res.content_type = "application/problem+json";
  res.body = ProblemJson(type, detail, field);
  if (type.status == 429 || type.status == 503) res.retry_after = 1;
  if (type.status == 401) res.www_authenticate = true;
  return res;
}

Response ErrorResponse(const core::Error& error) {
  Response res;
  const ProblemType& type = ProblemFor(error.code);
  res.status = type.status;
  res.content_type = "application/problem+json";
  res.body = ProblemJson(error);
  if (type.status == 429 || type.status == 503) res.retry_after = 1;
  if (type.status == 401) res.www_authenticate = true;
  return res;
}

Response JsonResponse(int status, std::string body) {
  Response res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

}  // namespace http
