// Internal: running a blocking call (a store read, a journal scan) on the server's blocking pool from a handler,
// resuming the handler on its own executor afterwards.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/exchange.h"

namespace http {

// Calls `fn()` on ctx.blocking; awaiting the result yields an engaged optional holding fn's result (co_spawn
// reports a default-constructed value alongside an exception, hence the optional). Exceptions propagate to the
// awaiting coroutine. `fn` must capture only references (to the awaiting frame, which outlives the call) and
// trivially copyable values: g++ 12 relocates a coroutine's by-value lambda parameter bitwise, which corrupts
// captured strings and containers. For the same reason OffThread is not a coroutine itself.
template <typename F>
boost::asio::awaitable<std::optional<std::invoke_result_t<F>>> OffThread(Context& ctx, F fn) {
  using R = std::invoke_result_t<F>;
  return boost::asio::co_spawn(
      ctx.blocking, [fn = std::move(fn)]() mutable -> boost::asio::awaitable<std::optional<R>> { co_return fn(); },
      boost::asio::use_awaitable);
}

}  // namespace http
