// RFC 9457 problem documents: the one table mapping error codes to HTTP statuses and problem types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace http {

// One row of the table: status, the `<code>` in "urn:incidentd:problem:<code>", and the title.
struct ProblemType {
  int status;
  const char* code;
  const char* title;
};

// The problem types of the HTTP layer itself (no core::ErrorCode maps to them).
inline constexpr ProblemType kMethodNotAllowed{405, "method_not_allowed", "Method not allowed"};
inline constexpr ProblemType kPayloadTooLarge{413, "payload_too_large", "Payload too large"};
inline constexpr ProblemType kUnsupportedMediaType{415, "unsupported_media_type", "Unsupported media type"};
inline constexpr ProblemType kHeaderTooLarge{431, "header_too_large", "Request header fields too large"};
inline constexpr ProblemType kInvalidRequest{400, "invalid", "Invalid request"};
inline constexpr ProblemType kNotFoundProblem{404, "not_found", "Not found"};
inline constexpr ProblemType kUnauthenticatedProblem{401, "unauthenticated", "Unauthenticated"};
inline constexpr ProblemType kDeniedProblem{403, "denied", "Denied"};
inline constexpr ProblemType kOverloadedProblem{429, "overloaded", "Overloaded"};
inline constexpr ProblemType kUnavailableProblem{503, "unavailable", "Service unavailable"};
inline constexpr ProblemType kInternalProblem{500, "internal", "Internal error"};
// A follower relaying the writer's answer could not (too large, malformed).
inline constexpr ProblemType kBadGatewayProblem{502, "bad_gateway", "Bad gateway"};

// The table: kInvalid → 400, kUnauthenticated → 401, kDenied → 403, kNotFound → 404, kConflict → 409,
// kOverloaded → 429, kUnavailable → 503, kCorrupt and kInternal → 500.
const ProblemType& ProblemFor(core::ErrorCode code);

// True for codes whose message may carry internals (kInternal, kCorrupt): the client gets a generic detail and
// the message goes to the log.
bool IsInternal(core::ErrorCode code);

// Extra members some endpoints add (PagerDuty's "message" and "errors" on /v2/enqueue).
struct ProblemExtras {
  std::string message;
  std::vector<std::string> errors;
};

// The JSON document: {"type","title","status","detail"[,"field"][,"message","errors"]}. Empty `detail` and
// `field` are omitted.
std::string ProblemJson(const ProblemType& type, std::string_view detail, std::string_view field = {},
                        const ProblemExtras* extras = nullptr);

// The media type to send a problem document as, given the request's Accept header: application/problem+json,
// unless the client lists application/json but neither problem+json nor a wildcard (Go clients generated from
// Alertmanager's OpenAPI spec, such as amtool, refuse any other type), then application/json. The body is the same.
std::string_view ProblemMediaType(std::string_view accept);

// The document for an error, logging internals instead of showing them (see IsInternal).
std::string ProblemJson(const core::Error& error);

}  // namespace http
