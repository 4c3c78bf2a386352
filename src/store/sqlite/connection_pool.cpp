#include "store/sqlite/connection_pool.h"

#include <utility>

namespace store::sqlite {

ConnectionPool::ConnectionPool(std::string path, int flags, int busy_timeout_ms, size_t max_open)
    : path_(std::move(path)), flags_(flags), busy_timeout_ms_(busy_timeout_ms), max_open_(max_open) {}

core::Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  {
    std::unique_lock lock(mutex_);
    released_.wait(lock, [this] { return !idle_.empty() || open_ < max_open_; });
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;  // reserve the slot, then open without holding the lock
  }
  auto opened = Connection::Open(path_, flags_, busy_timeout_ms_);
  if (!opened.ok()) {
    std::lock_guard lock(mutex_);
    --open_;
    released_.notify_one();
    return opened.error().WithContext("open read connection");
  }
  return Lease(this, std::move(opened).value());
}

void ConnectionPool::Adopt(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  ++open_;
  idle_.push_back(std::move(connection));
}

void ConnectionPool::Release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  released_.notify_one();
}

}  // namespace store::sqlite
