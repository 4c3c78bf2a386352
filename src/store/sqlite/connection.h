// RAII ownership of sqlite3 connections and prepared statements, and the mapping of SQLite result codes to
// core::Error. Internal to store/sqlite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

namespace store::sqlite {

// kCorrupt for SQLITE_CORRUPT / SQLITE_NOTADB, kUnavailable for busy, locked, I/O, full, read-only and can't-open,
// kConflict for constraint violations, kInternal otherwise. The message carries `context`, SQLite's own message
// and the extended result code.
core::Error ToError(int rc, std::string_view context, const char* sqlite_message);

// One prepared statement. Binding errors are remembered and reported by the next Step, so callers can bind a row
// without checking each call. Not thread-safe: used by the thread holding its connection.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameter indexes start at 1. Text and blob values are bound without copying: they must stay alive until
  // the statement is reset.
  void BindInt(int index, int64_t value);
  void BindNull(int index);
  void BindText(int index, std::string_view value);
  void BindBlob(int index, std::string_view value);

  // SQLITE_ROW, SQLITE_DONE, or an error code (including the first failed bind since the last Reset).
  int Step();
  // Ends the current execution (releasing its read snapshot) and clears the bindings.
  void Reset();

  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  // Text or blob content; NULL reads as empty.
  std::string Text(int column) const;
  std::string Blob(int column) const;
  size_t Bytes(int column) const { return static_cast<size_t>(sqlite3_column_bytes(stmt_, column)); }

 private:
  void NoteBind(int rc);

  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

// Resets a statement when the scope ends, so no execution (and no read snapshot) outlives the call using it.
class StatementScope {
 public:
  explicit StatementScope(Statement& stmt) : stmt_(stmt) {}
  ~StatementScope() { stmt_.Reset(); }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;

 private:
  Statement& stmt_;
};

// One sqlite3 connection with its cache of prepared statements. Not thread-safe: one thread at a time.
class Connection {
 public:
  // `flags` are sqlite3_open_v2 flags; SQLITE_OPEN_NOMUTEX is added. kUnavailable when the file cannot be opened.
  static core::Result<std::unique_ptr<Connection>> Open(const std::string& path, int flags, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows needed by the caller (pragmas, DDL, BEGIN/COMMIT).
  core::Status Exec(const char* sql, std::string_view context);
  // Runs a statement returning one integer (e.g. "PRAGMA user_version").
  core::Result<int64_t> QueryInt(const char* sql, std::string_view context);
  // Runs a statement returning one text value (e.g. "PRAGMA journal_mode=WAL").
  core::Result<std::string> QueryText(const char* sql, std::string_view context);

  // The cached statement for `sql`, prepared on first use; the pointer stays valid while the connection lives.
  // Callers use a bounded set of texts (query shapes, not values), so the cache is never evicted.
  core::Result<Statement*> Prepare(std::string_view sql);

  // Wraps the connection's last error for `rc`.
  core::Error Error(int rc, std::string_view context) const;
  sqlite3* handle() const { return db_; }
  // Rolls back an open transaction, if any; used on error paths.
  void RollbackQuietly();

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

}  // namespace store::sqlite
