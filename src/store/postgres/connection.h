// libpq connections for store/postgres: statement parameters and results in binary form, a pipeline for one
// round trip per batch, reconnection, a bounded pool, and the mapping of SQLSTATEs to core::Error.
// Internal to store/postgres.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace store::postgres {

// The SQLSTATE our own checks raise (the head check of an append); read as kConflict.
inline constexpr const char* kStaleHeadState = "IC409";

// kConflict for unique violations and kStaleHeadState, kUnavailable for a lost or refused connection, shutdown,
// exhausted resources, serialization failures and deadlocks, kInvalid for data exceptions, kCorrupt for data
// corruption, kInternal otherwise. The message carries `context`, the server's message and the SQLSTATE.
core::Error ToError(const PGresult* result, PGconn* conn, std::string_view context);

// Statement parameters, $1 onwards, every one sent in binary form with an explicit type, so bytea needs no
// escaping and seqs no decimal round trip. Text is made valid UTF-8 without NUL (PostgreSQL text holds neither):
// invalid sequences and NUL become U+FFFD; other text goes through unchanged.
class Params {
 public:
  Params& Int(int64_t value);
  Params& OptionalInt(const std::optional<int64_t>& value);
  Params& Text(std::string_view value);
  Params& Bytes(std::string_view value);
  Params& OptionalBytes(const std::optional<std::string_view>& value);

  // One array parameter (`unnest($1::bigint[], ...)`), so a statement of fixed text carries any number of rows:
  // elements are added one by one and sent in PostgreSQL's binary array form.
  class Array {
   public:
    enum class Of { kInt, kText, kBytes };
    explicit Array(Of of) : of_(of) {}
    Array& Int(int64_t value);
    Array& OptionalInt(const std::optional<int64_t>& value);
    Array& Text(std::string_view value);
    Array& Bytes(std::string_view value);
    size_t size() const { return count_; }

   private:
    friend class Params;
    void Element(std::string_view bytes);
    Of of_;
    std::string elements_;  // each: 4-byte big-endian length (-1 for NULL), then the bytes
    uint32_t count_ = 0;
    bool has_null_ = false;
  };
  Params& Add(const Array& array);

  size_t size() const { return values_.size(); }

 private:
  friend class Connection;
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<Oid> types_;
};

// Owns one query result, read in binary form. Column readers note impossible values (wrong width, negative
// numbers where none can be) so a damaged row becomes kCorrupt instead of a wrapped number.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}

  int size() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  int64_t Int(int row, int column);
  uint64_t U64(int row, int column);  // 0..INT64_MAX
  std::string Text(int row, int column) const;
  std::string Bytes(int row, int column) const { return Text(row, column); }
  // kCorrupt naming `what` when any value read so far was impossible.
  core::Status Check(std::string_view what) const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
  bool bad_ = false;
};

// One server session. Not thread-safe. A session that broke (server restart, network) is re-established by the
// next call; its session settings are applied again.
class Connection {
 public:
  // Connects to `url` (a libpq URI or key=value string) and, when `schema` is not empty, makes it the session's
  // search_path. kUnavailable when the server cannot be reached or refuses.
  // `application_name` names the session in pg_stat_activity (unless the URL sets one).
  static core::Result<std::unique_ptr<Connection>> Open(const std::string& url, const std::string& schema,
                                                        const std::string& application_name = "incidentd");
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (simple query protocol).
  core::Status Exec(std::string_view sql, std::string_view context);
  // Runs one statement; rows come back in binary form.
  core::Result<Rows> Query(const std::string& sql, const Params& params, std::string_view context);

  // Sends the statements in one pipeline ending in a sync: one round trip for all of them. Returns the first
  // failure (the server skips everything after it up to the sync, so a failed transaction in it rolls back);
  // `failed_index` gets the failed statement's index. Statements run as given: wrap them in BEGIN/COMMIT.
  // A statement with a `name` is prepared once per session (its text must then never change) and executed by name,
  // so the server parses and plans it once instead of on every call.
  struct Statement {
    std::string sql;
    Params params;
    std::string name = {};
  };
  // With `expected_session` (a session() value), nothing is sent unless the statements would run in that session:
  // kConflict when the connection was re-established since (session-level locks died with the old session).
  core::Status Pipeline(const std::vector<Statement>& statements, std::string_view context,
                        size_t* failed_index = nullptr, uint64_t expected_session = 0);

  // Which server session this is: 1 after Open, one more after every reconnection.
  uint64_t session() const { return session_; }

  // True when the session is gone; the next call reconnects.
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // The server process of this session (pg_backend_pid), 0 when unknown.
  int backend_pid() const { return PQbackendPID(conn_); }

 private:
  Connection(PGconn* conn, std::string schema) : conn_(conn), schema_(std::move(schema)) {}
  core::Status Setup();
  core::Status EnsureConnected(std::string_view context);

  PGconn* conn_;
  const std::string schema_;
  std::set<std::string> prepared_;  // statement names prepared in this session
  uint64_t session_ = 1;
};

// A bounded pool of sessions, so readers never share one with the writer or with each other.
class ConnectionPool {
 public:
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

  ConnectionPool(std::string url, std::string schema, size_t max_open)
      : url_(std::move(url)), schema_(std::move(schema)), max_open_(max_open) {}

  // An idle session, a new one when fewer than max_open exist, or else the next one released (blocks).
  // kUnavailable when connecting fails. Thread-safe. A caller must not hold two leases at once.
  core::Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Connection> connection);

  const std::string url_;
  const std::string schema_;
  const size_t max_open_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  size_t open_ = 0;                                // guarded by mutex_
};

// `name` as an SQL identifier ("a""b").
std::string QuoteIdentifier(std::string_view name);

}  // namespace store::postgres
