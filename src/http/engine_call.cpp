#include <memory>
#include <type_traits>
#include <utility>
#include <optional>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/io_context.hpp>
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

// Whether `executor` is an io_context's (work-tracking or not) and this thread is running that io_context.
template <typename Executor>
bool OnThisThread(const Executor& executor) {
  using Plain = asio::io_context::executor_type;
  using Tracked = std::decay_t<decltype(asio::prefer(std::declval<Plain>(), asio::execution::outstanding_work.tracked))>;
  if (const auto* e = executor.template target<Plain>()) return e->running_in_this_thread();
  if (const auto* e = executor.template target<Tracked>()) return e->running_in_this_thread();
  return false;
}

struct Initiation {
  Context* ctx;

  template <typename Handler>
  void operator()(Handler handler, engine::Command command) const {
    auto executor = asio::get_associated_executor(handler);
    // std::function needs a copyable callable; the handler is move-only, so it lives behind a shared_ptr and is
    // invoked exactly once: either by `done` or, when Submit refuses, right here (posted, never inline).
    auto slot = std::make_shared<std::optional<Handler>>(std::move(handler));
    // The writer is woken once per round of this thread's ready requests rather than once per request: the wake-up
    // is posted behind the handlers already queued (the rest of what the last poll returned), and the commands
    // they submit meanwhile go into the same batch. Each I/O thread runs its own io_context, hence thread_local.
    // Elsewhere (not on the thread of the handler's io_context) the writer is woken at once.
    thread_local bool wake_posted = false;
    const bool quietly = OnThisThread(executor);
    auto done = [slot, executor, lifetime = ctx->lifetime](engine::Outcome outcome) {
          // The engine thread: hop back to the connection's thread before touching anything of the connection.
          asio::post(executor, [slot, outcome = std::move(outcome)]() mutable {
            Handler h = std::move(**slot);
            slot->reset();
            std::move(h)(SubmitResult(std::move(outcome)));
          });
        };
    core::Status submitted = quietly ? ctx->backend.SubmitQuietly(std::move(command), std::move(done))
                                     : ctx->backend.Submit(std::move(command), std::move(done));
    if (submitted.ok() && quietly && !wake_posted) {
      wake_posted = true;
      asio::post(executor, [backend = &ctx->backend] {
        wake_posted = false;
        backend->WakeWriter();
      });
    }
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
