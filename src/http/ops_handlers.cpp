#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "engine/journal_tools.h"
#include "http/backend.h"
#include "http/blocking.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/server.h"

namespace http {

namespace json = boost::json;

Response HandleHealthz(const Context& ctx) {
  Response res;
  res.content_type = "text/plain; charset=utf-8";
  res.body = ctx.options.writer ? "follower" : "ok";
  return res;
}

Response HandleReadyz(Context& ctx) {
  if (ctx.draining.load(std::memory_order_relaxed)) return ProblemResponse(kUnavailableProblem, "draining");
  if (!ctx.backend.ready()) {
    return ProblemResponse(kUnavailableProblem, ctx.options.writer
                                                    ? "not ready: this follower is not caught up with the journal"
                                                    : "not ready: recovering the journal");
  }
  Response res;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "ready";
  return res;
}

Response HandleMetrics(Context& ctx) {
  Response res;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = ctx.metrics.Render(ctx.backend.stats());
  return res;
}

Task<Response> HandleVerifyJournal(Context& ctx) {
  Backend& backend = ctx.backend;
  // Walks the whole journal: far too long to run on an I/O thread.
  engine::VerifyReport report = *co_await OffThread(ctx, [&backend] { return engine::VerifyJournal(backend.store()); });
  json::object o;
  o["ok"] = report.ok;
  o["records"] = report.records;
  if (report.ok) {
    o["head_seq"] = report.head_seq;
    o["head_hash"] = journal::HashHex(report.head_hash);
  } else {
    o["error"] = report.error;
  }
  co_return JsonResponse(200, json::serialize(o));
}

Response HandleWhoami(const Request& request) {
  // The router only dispatches here after authenticating (kRead), so the principal is set.
  INCIDENTD_CHECK(request.principal != nullptr);
  const Principal& who = *request.principal;
  json::object o;
  o["name"] = who.name;
  o["role"] = ToString(who.role);
  o["actor"] = who.actor;
  json::array teams;
  for (const std::string& team : who.teams) teams.emplace_back(team);
  o["teams"] = std::move(teams);
  return JsonResponse(200, json::serialize(o));
}

}  // namespace http
