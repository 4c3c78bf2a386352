// A bounded pool of read-only connections, so query threads never share a connection with the writer or with
// each other. Internal to store/sqlite.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace store::sqlite {

class ConnectionPool {
 public:
  // A connection for the holder's exclusive use; it goes back to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (connection_ != nullptr) pool_->Release(std::move(connection_));
    }

    Connection* operator->() const { return connection_.get(); }
    Connection& operator*() const { return *connection_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Connections open `path` with `flags` (sqlite3_open_v2) and `busy_timeout_ms`. At most `max_open` exist.
  ConnectionPool(std::string path, int flags, int busy_timeout_ms, size_t max_open);
  ~ConnectionPool() = default;
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle connection, a newly opened one when none is idle and fewer than max_open exist, or else the next one
  // released (blocks). kUnavailable when opening fails. Thread-safe. A caller must not hold two leases at once,
  // or max_open callers doing so could wait on each other forever.
  core::Result<Lease> Acquire();

  // Puts an already open connection into the pool (counts towards max_open).
  void Adopt(std::unique_ptr<Connection> connection);

 private:
  void Release(std::unique_ptr<Connection> connection);

  const std::string path_;
  const int flags_;
  const int busy_timeout_ms_;
  const size_t max_open_;

  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  size_t open_ = 0;                                // guarded by mutex_; idle plus leased
};

}  // namespace store::sqlite
