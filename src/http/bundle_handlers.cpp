// An incident's evidence bundle over HTTP, and a journal record's hash to compare a bundle with.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cctype>
#include <chrono>
#include <optional>

#include "engine/journal_tools.h"
#include "http/backend.h"
#include "http/blocking.h"
#include "http/handlers.h"
#include "http/metrics.h"

namespace http {
namespace {

namespace json = boost::json;

bool ContainsNoCase(std::string_view text, std::string_view lower_needle) {
  if (lower_needle.size() > text.size()) return false;
  for (size_t i = 0; i + lower_needle.size() <= text.size(); ++i) {
    size_t k = 0;
    while (k < lower_needle.size() &&
           static_cast<char>(std::tolower(static_cast<unsigned char>(text[i + k]))) == lower_needle[k]) {
      ++k;
    }
    if (k == lower_needle.size()) return true;
  }
  return false;
}

// ?format=json|markdown wins; without it, an Accept naming text/markdown asks for Markdown. A plain function: see
// handlers.h on parsing inside coroutines.
core::Result<bool> WantsMarkdown(std::string_view query, std::string_view accept) {
  std::optional<bool> markdown;
  core::Status st = ForEachQueryParam(query, [&markdown](const std::string& key, const std::string& value) {
    if (key != "format") return core::Ok();
    if (value == "json") {
      markdown = false;
    } else if (value == "markdown") {
      markdown = true;
    } else {
      return core::Status(core::Invalid("format must be json or markdown", "format"));
    }
    return core::Ok();
  });
  if (!st.ok()) return st.error();
  if (markdown) return *markdown;
  return ContainsNoCase(accept, "text/markdown");
}

// Made on the blocking pool: a long incident's bundle is large.
core::Result<std::string> BundleBody(engine::Store& store, uint64_t id, core::Timestamp now,
                                     const std::string& exporter, bool markdown) {
  auto bundle = engine::ExportIncident(store, id, now, exporter);
  if (!bundle.ok()) return bundle.error();
  return markdown ? journal::BundleMarkdown(*bundle) : journal::BundleJson(*bundle);
}

Response RecordHashResponse(const core::Result<journal::Record>& record) {
  if (!record.ok()) return ErrorResponse(record.error());
  json::object o;
  o["seq"] = record->seq;
  o["hash"] = journal::HashHex(record->hash);
  o["prev"] = journal::HashHex(record->prev);
  o["time"] = core::FormatRfc3339(record->time);
  return JsonResponse(200, json::serialize(o));
}

}  // namespace

Task<Response> HandleIncidentBundle(Context& ctx, Request& request) {
  core::Result<bool> markdown = WantsMarkdown(request.query, request.accept);
  if (!markdown.ok()) {
    ctx.metrics.CountRejected(RejectReason::kInvalid);
    co_return ErrorResponse(markdown.error());
  }
  Backend& backend = ctx.backend;
  const uint64_t id = request.id;
  const bool as_markdown = *markdown;
  const core::Timestamp now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  const std::string& exporter = request.principal->actor;
  core::Result<std::string> body = *co_await OffThread(ctx, [&backend, id, now, &exporter, as_markdown] {
    return BundleBody(backend.store(), id, now, exporter, as_markdown);
  });
  if (!body.ok()) co_return ErrorResponse(body.error());
  Response res = JsonResponse(200, std::move(body).value());
  if (as_markdown) res.content_type = "text/markdown; charset=utf-8";
  co_return res;
}

Task<Response> HandleRecordHash(Context& ctx, Request& request) {
  Backend& backend = ctx.backend;
  const uint64_t seq = request.id;
  core::Result<journal::Record> record =
      *co_await OffThread(ctx, [&backend, seq] { return engine::ReadRecord(backend.store(), seq); });
  co_return RecordHashResponse(record);
}

}  // namespace http
