#include "app/follower.h"

#include <spdlog/spdlog.h>

namespace app {
namespace {

core::Timestamp Now() { return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now()); }

}  // namespace

Follower::Follower(engine::Store& store, const Config& cfg, std::function<core::Result<std::string>()> writer_address)
    : engine_(store, cfg.services, cfg.alerts, Now, cfg.engine),
      backend_(engine_, cfg.alerts, cfg.schedules, cfg.taxonomy.get()),
      cfg_(cfg),
      writer_address_(std::move(writer_address)) {
  engine_.SetPaging(cfg.paging);
  engine_.SetClassify(cfg.classify);
  engine_.SetCoord(cfg.coordination);
  engine_.SetPools(cfg.pools);
  backend_.set_ready([this] { return CaughtUp(); });
}

Follower::~Follower() { Stop(); }

core::Result<std::string> Follower::Start(uint16_t port) {
  const auto started = std::chrono::steady_clock::now();
  if (auto st = engine_.Recover(); !st.ok()) return st.error();
  spdlog::info("follower: recovered {} records in {:.3f}s; following the writer's journal",
               engine_.stats().last_seq.load(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  engine_.StartFollowing(kPoll);
  refreshed_ = {};
  Refresh();
  http::ServerOptions options = cfg_.http;
  options.port = port;
  options.writer = [this] { return writer(); };
  server_ = std::make_unique<http::Server>(backend_, std::move(options));
  return server_->Start();
}

void Follower::Refresh() {
  const auto now = std::chrono::steady_clock::now();
  if (now - refreshed_ < std::chrono::seconds(1)) return;
  refreshed_ = now;
  auto address = writer_address_();
  if (!address.ok()) return;  // keep the last one known; the store is probably unreachable for a moment
  std::lock_guard lock(mu_);
  if (*address != writer_ && !address->empty()) spdlog::info("follower: the writer is at {}", *address);
  writer_ = std::move(address).value();
}

std::string Follower::writer() const {
  std::lock_guard lock(mu_);
  return writer_;
}

bool Follower::CaughtUp() const {
  if (engine_.failed()) return false;
  const int64_t followed = engine_.stats().followed_at_ms.load();
  if (followed == 0) return false;
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  return now - followed <= std::chrono::duration_cast<std::chrono::milliseconds>(kMaxLag).count();
}

void Follower::Stop() {
  // The server first: requests in flight may still read the state.
  if (server_) server_->Stop();
  engine_.Stop();
}

}  // namespace app
