#include <array>

#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "domain/ingest/event.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/server.h"

namespace http {

namespace json = boost::json;

namespace {

constexpr std::string_view kInvalidEvent = "Event object is invalid";

// "/payload/severity" → "payload.severity", the way PagerDuty names fields in its error lines.
std::string DottedField(std::string_view pointer) {
  std::string out;
  if (!pointer.empty() && pointer.front() == '/') pointer.remove_prefix(1);
  out.reserve(pointer.size());
  for (char c : pointer) out.push_back(c == '/' ? '.' : c);
  return out;
}

Response InvalidEvent(std::string_view detail, std::string_view field, std::vector<std::string> errors) {
  ProblemExtras extras{std::string(kInvalidEvent), std::move(errors)};
  Response res;
  res.status = 400;
  res.content_type = "application/problem+json";
  res.body = ProblemJson(kInvalidRequest, detail, field, &extras);
  return res;
}

}  // namespace

std::string NewDedupKey() {
  std::array<uint8_t, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // The CSPRNG failing is not something a caller can fix; dedup keys must never repeat, so stop here.
    core::CheckFailed("RAND_bytes", __FILE__, __LINE__);
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

Task<Response> HandleEnqueue(Context& ctx, Request& request) {
  json::monotonic_resource arena;
  core::Result<json::value> body = ParseJsonBody(request.body, ctx.options.max_json_depth, &arena);
  if (!body.ok()) {
    ctx.metrics.CountEvent(EventOutcome::kInvalid);
    ctx.metrics.CountRejected(RejectReason::kInvalid);
    co_return InvalidEvent(body.error().message, {}, {body.error().message});
  }
  auto [event, errors] = ingest::ParseEventV2(*body);
  if (!event) {
    ctx.metrics.CountEvent(EventOutcome::kInvalid);
    ctx.metrics.CountRejected(RejectReason::kInvalid);
    std::vector<std::string> lines;
    lines.reserve(errors.size());
    for (const ingest::FieldError& e : errors) lines.push_back(DottedField(e.field) + " " + e.message);
    if (lines.empty()) lines.emplace_back("event is invalid");
    std::string first_field = errors.empty() ? std::string() : errors.front().field;
    std::string detail = lines.front();
    co_return InvalidEvent(detail, first_field, std::move(lines));
  }
  // Randomness lives at the edge, so the engine stays deterministic on replay.
  if (event->action == ingest::Action::kTrigger && event->dedup_key.empty()) event->dedup_key = NewDedupKey();
  std::string dedup_key = event->dedup_key;

  engine::Command command{request.principal->actor, engine::SubmitEvent{std::move(*event)}};
  core::Result<engine::Outcome> outcome = co_await SubmitAndWait(ctx, std::move(command));

  if (!outcome.ok()) {
    const bool overloaded = outcome.error().code == core::ErrorCode::kOverloaded;
    ctx.metrics.CountEvent(overloaded ? EventOutcome::kOverloaded : EventOutcome::kUnavailable);
    ctx.metrics.CountRejected(overloaded ? RejectReason::kOverloaded : RejectReason::kUnavailable);
    co_return ErrorResponse(outcome.error());
  }
  if (!outcome->status.ok()) {
    const core::Error& error = outcome->status.error();
    ctx.metrics.CountEvent(error.code == core::ErrorCode::kInvalid ? EventOutcome::kInvalid : EventOutcome::kFailed);
    if (error.code == core::ErrorCode::kInvalid) {
      // The engine refused it (e.g. an unknown routing key): same PagerDuty shape as a validation failure.
      std::string line = error.field.empty() ? error.message : DottedField(error.field) + " " + error.message;
      co_return InvalidEvent(error.message, error.field, {line});
    }
    co_return ErrorResponse(error);
  }
  ctx.metrics.CountEvent(outcome->dropped ? EventOutcome::kDropped : EventOutcome::kAccepted);
  json::object reply;
  reply["status"] = "success";
  reply["message"] = "Event processed";
  reply["dedup_key"] = outcome->dedup_key.empty() ? dedup_key : outcome->dedup_key;
  co_return JsonResponse(202, json::serialize(reply));
}

}  // namespace http
