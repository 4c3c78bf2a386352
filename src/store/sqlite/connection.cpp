#include "store/sqlite/connection.h"

#include <utility>

namespace store::sqlite {
namespace {

// A pointer SQLite accepts for a zero-length value: binding nullptr would store NULL instead of ''.
constexpr char kEmpty[] = "";

}  // namespace

core::Error ToError(int rc, std::string_view context, const char* sqlite_message) {
  std::string message(context);
  message += ": ";
  message += sqlite_message != nullptr ? sqlite_message : sqlite3_errstr(rc);
  message += " (sqlite " + std::to_string(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return core::Corrupt(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return core::Unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return core::Conflict(std::move(message));
    default:
      return core::Internal(std::move(message));
  }
}

void Statement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindInt(int index, int64_t value) { NoteBind(sqlite3_bind_int64(stmt_, index, value)); }

void Statement::BindNull(int index) { NoteBind(sqlite3_bind_null(stmt_, index)); }

void Statement::BindText(int index, std::string_view value) {
  const char* data = value.empty() ? kEmpty : value.data();
  NoteBind(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8));
}

void Statement::BindBlob(int index, std::string_view value) {
  const char* data = value.empty() ? kEmpty : value.data();
  NoteBind(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_STATIC));
}

int Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return bind_rc_;
  return sqlite3_step(stmt_);
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), Bytes(column));
}

std::string Statement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  if (blob == nullptr) return {};
  return std::string(static_cast<const char*>(blob), Bytes(column));
}

core::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int flags, int busy_timeout_ms) {
  // Before SQLite initialises (the first open): no memory statistics, which nothing here reads. Keeping them makes
  // every sqlite3_malloc and sqlite3_free take a process-wide mutex (5% of the projector under an alert storm).
  // Fails harmlessly (SQLITE_MISUSE) if something else initialised SQLite first.
  [[maybe_unused]] static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    core::Error error = ToError(rc, "open " + path, db != nullptr ? sqlite3_errmsg(db) : nullptr);
    sqlite3_close_v2(db);
    // Whatever the reason (missing directory, permissions, no memory), the file cannot be used right now.
    error.code = core::ErrorCode::kUnavailable;
    return error;
  }
  auto connection = std::unique_ptr<Connection>(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return connection;
}

Connection::~Connection() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

core::Error Connection::Error(int rc, std::string_view context) const {
  return ToError(rc, context, sqlite3_errmsg(db_));
}

core::Status Connection::Exec(const char* sql, std::string_view context) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, context);
  return core::Ok();
}

core::Result<int64_t> Connection::QueryInt(const char* sql, std::string_view context) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.error().WithContext(std::string(context));
  StatementScope scope(**stmt);
  int rc = (*stmt)->Step();
  if (rc != SQLITE_ROW) return Error(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, context);
  return (*stmt)->Int(0);
}

core::Result<std::string> Connection::QueryText(const char* sql, std::string_view context) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.error().WithContext(std::string(context));
  StatementScope scope(**stmt);
  int rc = (*stmt)->Step();
  if (rc != SQLITE_ROW) return Error(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, context);
  return (*stmt)->Text(0);
}

core::Result<Statement*> Connection::Prepare(std::string_view sql) {
  std::string key(sql);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second.get();
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "prepare");
  if (raw == nullptr) return core::Internal("prepare: empty statement");
  auto stmt = std::make_unique<Statement>(raw);
  Statement* out = stmt.get();
  cache_.emplace(std::move(key), std::move(stmt));
  return out;
}

void Connection::RollbackQuietly() {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace store::sqlite
