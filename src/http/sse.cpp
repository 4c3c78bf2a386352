#include "http/sse.h"

#include <array>
#include <charconv>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "engine/journal_tools.h"
#include "http/backend.h"
#include "http/blocking.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/views.h"
#include "journal/record.h"

namespace http {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

constexpr std::string_view kHeader =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-store\r\n"
    "X-Accel-Buffering: no\r\n"
    "Connection: close\r\n"
    "\r\n";
constexpr std::string_view kKeepalive = ": keepalive\n\n";
// A replay is read and written in pieces of about this size, so Last-Event-ID: 0 on a long journal streams
// instead of building the whole history in memory.
constexpr size_t kReplayChunkBytes = 256 * 1024;

struct ReplayChunk {
  std::string frames;
  uint64_t last_seq = 0;
  bool more = false;
};

// Reads records after `after` from the journal and formats them, stopping after about kReplayChunkBytes.
core::Result<ReplayChunk> ReadReplayChunk(engine::Store& store, uint64_t after) {
  ReplayChunk chunk;
  chunk.last_seq = after;
  bool full = false;
  core::Status st = store.ScanJournal(after, [&](const engine::StoredRecord& stored) -> core::Status {
    if (chunk.frames.size() >= kReplayChunkBytes) {
      full = true;
      return core::Error{core::ErrorCode::kConflict, "chunk full", {}};
    }
    chunk.last_seq = stored.seq;
    core::Result<journal::Record> record = journal::Decode(stored.bytes);
    if (!record.ok()) {
      spdlog::error("http: SSE replay: record {}: {}", stored.seq, record.error().message);
      return core::Ok();
    }
    core::Result<engine::Published> published = engine::Describe(*record);
    if (!published.ok()) {
      spdlog::error("http: SSE replay: record {}: {}", stored.seq, published.error().message);
      return core::Ok();
    }
    chunk.frames += SseFrame(*published);
    return core::Ok();
  });
  if (full) {
    chunk.more = true;
    return chunk;
  }
  if (!st.ok()) return st.error();
  return chunk;
}

std::optional<uint64_t> ParseLastEventId(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

asio::awaitable<bool> WriteAll(Context& ctx, beast::tcp_stream& stream, std::string_view bytes) {
  stream.expires_after(ctx.options.request_timeout);
  auto [ec, n] =
      co_await asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), asio::as_tuple(asio::use_awaitable));
  stream.expires_never();
  co_return !ec;
}

// Reads (and discards) from an open stream so that a client that goes away is noticed at once rather than at the
// next keepalive write. Touches only the sink after the read completes: the stream may be gone by then.
asio::awaitable<void> WatchForClose(beast::tcp_stream& stream, std::shared_ptr<SseSink> sink) {
  std::array<char, 512> scratch;
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
  }
  if (!sink->aborted) {
    sink->aborted = true;
    sink->wake.cancel();
  }
}

}  // namespace

void SseSink::Deliver(std::shared_ptr<const SseBatch> batch, size_t bytes, size_t cap) {
  if (aborted || overflow) return;
  pending_bytes += bytes;
  pending.push_back(std::move(batch));
  if (pending_bytes > cap) {
    overflow = true;
    pending.clear();
    if (cancel_io) cancel_io();
  }
  wake.cancel();
}

void SseSink::Abort() {
  aborted = true;
  pending.clear();
  if (cancel_io) cancel_io();
  wake.cancel();
}

void SseHub::Attach(Backend& backend) {
  std::lock_guard lock(subscription_mu_);
  backend_ = &backend;
}

void SseHub::Detach() {
  std::lock_guard sub_lock(subscription_mu_);
  {
    std::lock_guard lock(mu_);
    if (detached_) return;
    detached_ = true;
  }
  // After Unsubscribe returns no Publish runs any more, so no frame can follow the aborts below.
  if (subscribed_) backend_->Unsubscribe(subscription_);
  subscribed_ = false;
  std::lock_guard lock(mu_);
  for (auto& weak : sinks_) {
    if (auto sink = weak.lock()) asio::post(sink->executor, [sink] { sink->Abort(); });
  }
  sinks_.clear();
}

bool SseHub::Add(const std::shared_ptr<SseSink>& sink) {
  std::lock_guard sub_lock(subscription_mu_);
  {
    std::lock_guard lock(mu_);
    if (detached_) return false;
    sinks_.push_back(sink);
  }
  if (!subscribed_ && backend_ != nullptr) {
    subscription_ = backend_->Subscribe([this](const std::vector<engine::Published>& records) { Publish(records); });
    subscribed_ = true;
  }
  return true;
}

void SseHub::Remove(const std::shared_ptr<SseSink>& sink) {
  std::lock_guard sub_lock(subscription_mu_);
  bool last = false;
  {
    std::lock_guard lock(mu_);
    if (detached_) return;
    std::erase_if(sinks_, [&sink](const std::weak_ptr<SseSink>& weak) {
      auto live = weak.lock();
      return !live || live == sink;
    });
    last = sinks_.empty();
  }
  if (last && subscribed_) {
    backend_->Unsubscribe(subscription_);
    subscribed_ = false;
  }
}

void SseHub::Publish(const std::vector<engine::Published>& records) {
  std::vector<std::shared_ptr<SseSink>> live;
  {
    std::lock_guard lock(mu_);
    if (detached_) return;
    std::erase_if(sinks_, [&live](const std::weak_ptr<SseSink>& weak) {
      auto sink = weak.lock();
      if (!sink) return true;
      live.push_back(std::move(sink));
      return false;
    });
  }
  if (live.empty() || records.empty()) return;  // nobody listens: do not even format
  auto batch = std::make_shared<SseBatch>();
  batch->reserve(records.size());
  size_t bytes = 0;
  for (const engine::Published& r : records) {
    batch->emplace_back(r.seq, SseFrame(r));
    bytes += batch->back().second.size();
  }
  std::shared_ptr<const SseBatch> shared = std::move(batch);
  for (auto& sink : live) {
    asio::post(sink->executor, [sink, shared, bytes, cap = buffer_cap_] { sink->Deliver(shared, bytes, cap); });
  }
}

namespace {

// One client's stream after registration: header, replay, then live frames and keepalives.
asio::awaitable<void> Stream(Context& ctx, beast::tcp_stream& stream, const Request& request,
                             const std::shared_ptr<SseSink>& sink_ptr) {
  SseSink* sink = sink_ptr.get();
  ctx.metrics.CountResponse(200);
  if (!co_await WriteAll(ctx, stream, kHeader)) co_return;
  asio::co_spawn(stream.get_executor(), WatchForClose(stream, sink_ptr), asio::detached);

  uint64_t last_sent = 0;
  if (std::optional<uint64_t> after = ParseLastEventId(request.last_event_id)) {
    last_sent = *after;
    Backend& backend = ctx.backend;
    for (;;) {
      const uint64_t cursor = last_sent;
      core::Result<ReplayChunk> chunk =
          *co_await OffThread(ctx, [&backend, cursor] { return ReadReplayChunk(backend.store(), cursor); });
      if (!chunk.ok()) {
        spdlog::error("http: SSE replay after {}: {}", cursor, chunk.error().message);
        co_return;
      }
      if (sink->aborted || sink->overflow) break;
      if (!chunk->frames.empty() && !co_await WriteAll(ctx, stream, chunk->frames)) co_return;
      last_sent = chunk->last_seq;
      if (!chunk->more) break;
    }
  }

  std::string out;
  for (;;) {
    if (sink->overflow) {
      ctx.metrics.CountRejected(RejectReason::kSlowConsumer);
      spdlog::warn("http: SSE client too slow ({} bytes queued), disconnecting", sink->pending_bytes);
      co_return;
    }
    if (sink->aborted) co_return;
    if (!sink->pending.empty()) {
      out.clear();
      for (const auto& batch : sink->pending) {
        for (const auto& [seq, frame] : *batch) {
          if (seq <= last_sent) continue;
          out += frame;
          last_sent = seq;
        }
      }
      sink->pending.clear();
      sink->pending_bytes = 0;
      if (!out.empty() && !co_await WriteAll(ctx, stream, out)) co_return;
      continue;
    }
    sink->wake.expires_after(ctx.options.sse_keepalive);
    auto [ec] = co_await sink->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec && !co_await WriteAll(ctx, stream, kKeepalive)) co_return;
  }
}

}  // namespace

asio::awaitable<void> ServeEvents(Context& ctx, beast::tcp_stream& stream, const Request& request) {
  auto sink = std::make_shared<SseSink>(stream.get_executor());
  // Registered before the replay, so no record committed meanwhile is missed; duplicates are dropped by seq.
  if (!ctx.hub.Add(sink)) co_return;
  sink->cancel_io = [&stream] { stream.socket().cancel(); };
  auto finish = [&] {
    sink->cancel_io = nullptr;
    sink->aborted = true;
    ctx.hub.Remove(sink);
  };
  try {
    co_await Stream(ctx, stream, request, sink);
  } catch (...) {
    finish();
    throw;
  }
  finish();
}

}  // namespace http
