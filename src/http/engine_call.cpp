#include <memory>
#include <optional>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/backend.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/problem.h"

namespace http {

namespace asio = boost::asio;

namespace {

using SubmitResult = core::Result<engine::Outcome>;

struct Initiation {
  Context* ctx;

  template <typename Handler>
  void operator()(Handler handler, engine::Command command) const {
    auto executor = asio::get_associated_executor(handler);
    // std::function needs a copyable callable; the handler is move-only, so it lives behind a shared_ptr and is
    // invoked exactly once: either by `done` or, when Submit refuses, right here (posted, never inline).
    auto slot = std::make_shared<std::optional<Handler>>(std::move(handler));
    core::Status submitted =
        ctx->backend.Submit(std::move(command), [slot, executor, lifetime = ctx->lifetime](engine::Outcome outcome) {
          // The engine thread: hop back to the connection's thread before touching anything of the connection.
          asio::post(executor, [slot, outcome = std::move(outcome)]() mutable {
            Handler h = std::move(**slot);
            slot->reset();
            std::move(h)(SubmitResult(std::move(outcome)));
          });
        });
    if (!submitted.ok()) {
      asio::post(executor, [slot, error = submitted.error()]() mutable {
        Handler h = std::move(**slot);
        slot->reset();
        std::move(h)(SubmitResult(std::move(error)));
      });
    }
  }
};

}  // namespace

// Not a coroutine: the awaitable of async_initiate is returned as is, saving a frame per request.
Task<SubmitResult> SubmitAndWait(Context& ctx, engine::Command command) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(SubmitResult)>(Initiation{&ctx}, asio::use_awaitable,
                                                                                  std::move(command));
}

Task<std::optional<Response>> RunCommand(Context& ctx, engine::Command command, engine::Outcome& out) {
  core::Result<engine::Outcome> outcome = co_await SubmitAndWait(ctx, std::move(command));
  if (!outcome.ok()) {
    ctx.metrics.CountRejected(outcome.error().code == core::ErrorCode::kOverloaded ? RejectReason::kOverloaded
                                                                                   : RejectReason::kUnavailable);
    co_return ErrorResponse(outcome.error());
  }
  if (!outcome->status.ok()) {
    if (outcome->status.error().code == core::ErrorCode::kInvalid) ctx.metrics.CountRejected(RejectReason::kInvalid);
    co_return ErrorResponse(outcome->status.error());
  }
  out = std::move(*outcome);
  co_return std::nullopt;
}

}  // namespace http
