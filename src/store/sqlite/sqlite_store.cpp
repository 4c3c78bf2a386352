#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <bit>
#include <cstring>
#include <limits>
#include <utility>

#include "core/thread_name.h"
#include "store/sqlite/batch_log.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/connection_pool.h"
#include "store/sqlite/schema.h"

namespace store::sqlite {
namespace {

using engine::AlertRow;
using engine::IncidentRow;
using engine::StoredRecord;
using engine::TimelineRow;

// SQLite integers are signed 64-bit; larger seqs and ids would wrap and sort wrongly.
constexpr uint64_t kMaxStored = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
constexpr uint32_t kMaxPageSize = 500;
// Records per read in ScanJournal: large enough to amortise the query, small enough to hold in memory.
constexpr int kScanChunk = 512;

constexpr const char* kHeadSeqSql = "SELECT seq FROM journal ORDER BY seq DESC LIMIT 1";
constexpr const char* kHeadSql = "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1";
constexpr const char* kInsertRecordSql =
    "INSERT INTO journal (seq, type, time_ms, bytes, hash) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kScanSql =
    "SELECT seq, type, time_ms, bytes, hash FROM journal WHERE seq > ?1 ORDER BY seq LIMIT ?2";
constexpr const char* kUpsertIncidentSql =
    "INSERT INTO incidents (id, service, group_key, title, severity, state, opened_at, acknowledged_at, "
    "resolved_at, closed_at, alert_count, open_alert_count, last_seq, last_actor, merged_into, notifications, "
    "notify_due, category, subcategory, category_rule, major_reason) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) "
    "ON CONFLICT (id) DO UPDATE SET service = excluded.service, group_key = excluded.group_key, "
    "title = excluded.title, severity = excluded.severity, state = excluded.state, "
    "opened_at = excluded.opened_at, acknowledged_at = excluded.acknowledged_at, "
    "resolved_at = excluded.resolved_at, closed_at = excluded.closed_at, alert_count = excluded.alert_count, "
    "open_alert_count = excluded.open_alert_count, last_seq = excluded.last_seq, last_actor = excluded.last_actor, "
    "merged_into = excluded.merged_into, notifications = excluded.notifications, notify_due = excluded.notify_due, "
    "category = excluded.category, subcategory = excluded.subcategory, category_rule = excluded.category_rule, "
    "major_reason = excluded.major_reason";
constexpr const char* kUpsertAlertSql =
    "INSERT INTO alerts (id, incident_id, service, dedup_key, status, summary, source, severity, created_at, "
    "updated_at, event_count, details_json, explanation, suppressed_by) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14, ?15) "
    "ON CONFLICT (id) DO UPDATE SET incident_id = excluded.incident_id, service = excluded.service, "
    "dedup_key = excluded.dedup_key, status = excluded.status, "
    "summary = CASE WHEN ?13 THEN excluded.summary ELSE summary END, "
    "source = CASE WHEN ?13 AND excluded.source <> '' THEN excluded.source ELSE source END, "
    "severity = excluded.severity, created_at = excluded.created_at, "
    "updated_at = excluded.updated_at, event_count = excluded.event_count, "
    "details_json = CASE WHEN ?13 AND excluded.details_json <> '' THEN excluded.details_json ELSE details_json END, "
    "explanation = CASE WHEN excluded.explanation <> '' THEN excluded.explanation ELSE explanation END, "
    "suppressed_by = CASE WHEN excluded.suppressed_by <> '' THEN excluded.suppressed_by ELSE suppressed_by END";
constexpr const char* kInsertTimelineSql =
    "INSERT INTO timeline (incident_id, seq, time_ms, actor, kind, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kUpsertSnapshotSql =
    "INSERT INTO snapshots (seq, hash, taken_at, state) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (seq) DO UPDATE SET hash = excluded.hash, taken_at = excluded.taken_at, state = excluded.state";
// Deletes everything older than the kKeptSnapshots-th newest; with fewer rows the subquery is NULL and nothing goes.
constexpr const char* kPruneSnapshotsSql =
    "DELETE FROM snapshots WHERE seq < (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 1 OFFSET ?1)";
constexpr const char* kLatestSnapshotSql = "SELECT seq, hash, taken_at, state FROM snapshots ORDER BY seq DESC LIMIT 1";
constexpr const char* kSelectIncidents =
    "SELECT id, service, group_key, title, severity, state, opened_at, acknowledged_at, resolved_at, closed_at, "
    "alert_count, open_alert_count, last_seq, last_actor, merged_into, notifications, notify_due, category, "
    "subcategory, category_rule, major_reason FROM incidents";
constexpr const char* kGetIncidentSql =
    "SELECT id, service, group_key, title, severity, state, opened_at, acknowledged_at, resolved_at, closed_at, "
    "alert_count, open_alert_count, last_seq, last_actor, merged_into, notifications, notify_due, category, "
    "subcategory, category_rule, major_reason FROM incidents WHERE id = ?1";
constexpr const char* kTimelineSql =
    "SELECT incident_id, seq, time_ms, actor, kind, text FROM timeline "
    "WHERE incident_id = ?1 AND seq > ?2 ORDER BY seq, entry LIMIT ?3";
constexpr const char* kIncidentAlertsSql =
    "SELECT id, incident_id, service, dedup_key, status, summary, source, severity, created_at, updated_at, "
    "event_count, details_json, explanation, suppressed_by FROM alerts WHERE incident_id = ?1 ORDER BY id";
constexpr const char* kWindowAlertsSql =
    "SELECT id, incident_id, service, dedup_key, status, summary, source, severity, created_at, updated_at, "
    "event_count, details_json, explanation, suppressed_by FROM alerts WHERE suppressed_by = ?1 ORDER BY id "
    "LIMIT ?2";

int64_t Signed(uint64_t v) { return static_cast<int64_t>(v); }

std::string_view HashBytes(const journal::Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

// Reads one row's columns, remembering whether any value is impossible for its field, so a tampered or damaged
// row becomes kCorrupt instead of a silently wrapped number.
class RowReader {
 public:
  explicit RowReader(const Statement& stmt) : stmt_(stmt) {}

  uint64_t U64(int column) { return static_cast<uint64_t>(Bounded(column, std::numeric_limits<int64_t>::max())); }
  uint32_t U32(int column) { return static_cast<uint32_t>(Bounded(column, std::numeric_limits<uint32_t>::max())); }
  uint16_t U16(int column) { return static_cast<uint16_t>(Bounded(column, std::numeric_limits<uint16_t>::max())); }
  core::Timestamp Time(int column) const { return core::FromUnixMillis(stmt_.Int(column)); }
  std::optional<core::Timestamp> OptionalTime(int column) const {
    if (stmt_.IsNull(column)) return std::nullopt;
    return Time(column);
  }
  std::string Text(int column) const { return stmt_.Text(column); }
  std::string Blob(int column) const { return stmt_.Blob(column); }
  journal::Hash Hash(int column) {
    journal::Hash h{};
    std::string bytes = stmt_.Blob(column);
    if (bytes.size() != h.size()) {
      bad_ = true;
      return h;
    }
    std::memcpy(h.data(), bytes.data(), h.size());
    return h;
  }

  core::Status Check(const char* what) const {
    if (bad_) return core::Corrupt(std::string(what) + ": stored value out of range");
    return core::Ok();
  }

 private:
  int64_t Bounded(int column, int64_t max) {
    int64_t v = stmt_.Int(column);
    if (v < 0 || v > max) bad_ = true;
    return v;
  }

  const Statement& stmt_;
  bool bad_ = false;
};

IncidentRow ReadIncident(RowReader& r) {
  IncidentRow row;
  row.id = r.U64(0);
  row.service = r.Text(1);
  row.group_key = r.Text(2);
  row.title = r.Text(3);
  row.severity = r.Text(4);
  row.state = r.Text(5);
  row.opened_at = r.Time(6);
  row.acknowledged_at = r.OptionalTime(7);
  row.resolved_at = r.OptionalTime(8);
  row.closed_at = r.OptionalTime(9);
  row.alert_count = r.U32(10);
  row.open_alert_count = r.U32(11);
  row.last_seq = r.U64(12);
  row.last_actor = r.Text(13);
  row.merged_into = r.U64(14);
  row.notifications = r.U32(15);
  row.notify_due = r.OptionalTime(16);
  row.category = r.Text(17);
  row.subcategory = r.Text(18);
  row.category_rule = r.Text(19);
  row.major_reason = r.Text(20);
  return row;
}

void BindOptionalTime(Statement& s, int index, const std::optional<core::Timestamp>& t) {
  if (t.has_value()) {
    s.BindInt(index, core::ToUnixMillis(*t));
  } else {
    s.BindNull(index);
  }
}

// Steps a statement that returns no rows and resets it; the error is taken before the reset can touch it.
core::Status StepDone(Connection& c, Statement& s, std::string_view context) {
  int rc = s.Step();
  core::Status st = rc == SQLITE_DONE ? core::Ok() : core::Status(c.Error(rc, context));
  s.Reset();
  return st;
}

// The ListIncidents statement. Parameters: ?1 page size + 1, ?2 service, ?3 severity, ?4 before_id, ?5... states.
// The text depends only on which filters are present and on the state count rounded up to a power of two
// (`state_slots`, padded with NULLs), so each connection caches a few dozen texts at most.
std::string ListIncidentsSql(size_t state_slots, bool service, bool severity, bool bounded) {
  std::string filters;
  if (service) filters += " AND service = ?2";
  if (severity) filters += " AND severity = ?3";
  if (bounded) filters += " AND id < ?4";
  std::string sql;
  if (state_slots <= 1) {
    sql = kSelectIncidents;
    sql += " WHERE 1";
    if (state_slots == 1) sql += " AND state = ?5";
    sql += filters;
  } else {
    // One leg per state, each walking its index newest first and stopping after a page; SQLite merges the legs.
    // So the cost follows the page size, where "state IN (...)" would sort every matching incident.
    sql = "SELECT * FROM (";
    for (size_t i = 0; i < state_slots; ++i) {
      if (i > 0) sql += " UNION ALL ";
      sql += "SELECT * FROM (";
      sql += kSelectIncidents;
      sql += " WHERE state = ?" + std::to_string(5 + i);
      sql += filters;
      sql += " ORDER BY id DESC LIMIT ?1)";
    }
    sql += ")";
  }
  sql += " ORDER BY id DESC LIMIT ?1";
  return sql;
}

core::Status InsertRecords(Connection& w, std::span<const StoredRecord> records) {
  auto insert = w.Prepare(kInsertRecordSql);
  if (!insert.ok()) return insert.error();
  Statement& s = **insert;
  for (const StoredRecord& r : records) {
    s.BindInt(1, Signed(r.seq));
    s.BindInt(2, r.type);
    s.BindInt(3, core::ToUnixMillis(r.time));
    s.BindBlob(4, r.bytes);
    s.BindBlob(5, HashBytes(r.hash));
    if (auto st = StepDone(w, s, "insert"); !st.ok()) {
      return st.error().WithContext("record " + std::to_string(r.seq));
    }
  }
  return core::Ok();
}

core::Status UpsertIncidents(Connection& w, const std::vector<IncidentRow>& rows) {
  if (rows.empty()) return core::Ok();
  auto upsert = w.Prepare(kUpsertIncidentSql);
  if (!upsert.ok()) return upsert.error();
  Statement& s = **upsert;
  for (const IncidentRow& row : rows) {
    s.BindInt(1, Signed(row.id));
    s.BindText(2, row.service);
    s.BindText(3, row.group_key);
    s.BindText(4, row.title);
    s.BindText(5, row.severity);
    s.BindText(6, row.state);
    s.BindInt(7, core::ToUnixMillis(row.opened_at));
    BindOptionalTime(s, 8, row.acknowledged_at);
    BindOptionalTime(s, 9, row.resolved_at);
    BindOptionalTime(s, 10, row.closed_at);
    s.BindInt(11, row.alert_count);
    s.BindInt(12, row.open_alert_count);
    s.BindInt(13, Signed(row.last_seq));
    s.BindText(14, row.last_actor);
    s.BindInt(15, Signed(row.merged_into));
    s.BindInt(16, row.notifications);
    BindOptionalTime(s, 17, row.notify_due);
    s.BindText(18, row.category);
    s.BindText(19, row.subcategory);
    s.BindText(20, row.category_rule);
    s.BindText(21, row.major_reason);
    if (auto st = StepDone(w, s, "upsert"); !st.ok()) {
      return st.error().WithContext("incident " + std::to_string(row.id));
    }
  }
  return core::Ok();
}

core::Status UpsertAlerts(Connection& w, const std::vector<AlertRow>& rows) {
  if (rows.empty()) return core::Ok();
  auto upsert = w.Prepare(kUpsertAlertSql);
  if (!upsert.ok()) return upsert.error();
  Statement& s = **upsert;
  for (const AlertRow& row : rows) {
    s.BindInt(1, Signed(row.id));
    s.BindInt(2, Signed(row.incident_id));
    s.BindText(3, row.service);
    s.BindText(4, row.dedup_key);
    s.BindText(5, row.status);
    s.BindText(6, row.summary);
    s.BindText(7, row.source);
    s.BindText(8, row.severity);
    s.BindInt(9, core::ToUnixMillis(row.created_at));
    s.BindInt(10, core::ToUnixMillis(row.updated_at));
    s.BindInt(11, row.event_count);
    s.BindText(12, row.details_json);
    s.BindInt(13, row.text ? 1 : 0);
    s.BindText(14, row.explanation);
    s.BindText(15, row.suppressed_by);
    if (auto st = StepDone(w, s, "upsert"); !st.ok()) {
      return st.error().WithContext("alert " + std::to_string(row.id));
    }
  }
  return core::Ok();
}

core::Status InsertTimeline(Connection& w, const std::vector<TimelineRow>& rows) {
  if (rows.empty()) return core::Ok();
  auto insert = w.Prepare(kInsertTimelineSql);
  if (!insert.ok()) return insert.error();
  Statement& s = **insert;
  for (const TimelineRow& row : rows) {
    s.BindInt(1, Signed(row.incident_id));
    s.BindInt(2, Signed(row.seq));
    s.BindInt(3, core::ToUnixMillis(row.time));
    s.BindText(4, row.actor);
    s.BindText(5, row.kind);
    s.BindText(6, row.text);
    if (auto st = StepDone(w, s, "insert"); !st.ok()) {
      return st.error().WithContext("timeline entry of incident " + std::to_string(row.incident_id));
    }
  }
  return core::Ok();
}

core::Result<uint64_t> ReadHeadSeq(Connection& w) {
  auto head = w.Prepare(kHeadSeqSql);
  if (!head.ok()) return head.error();
  Statement& s = **head;
  StatementScope scope(s);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return uint64_t{0};
  if (rc != SQLITE_ROW) return w.Error(rc, "read head");
  RowReader r(s);
  uint64_t seq = r.U64(0);
  if (auto st = r.Check("journal head"); !st.ok()) return st.error();
  return seq;
}

}  // namespace

SqliteStore::SqliteStore(std::string path, std::unique_ptr<Connection> writer, std::unique_ptr<ConnectionPool> readers,
                         std::unique_ptr<Connection> snapshots)
    : snapshots_(std::move(snapshots)),
      path_(std::move(path)),
      writer_(std::move(writer)),
      readers_(std::move(readers)) {
  if (writer_ == nullptr) return;
  auto conn = Connection::Open(path_, SQLITE_OPEN_READWRITE, kBusyTimeoutMs);
  if (conn.ok()) {
    checkpointer_conn_ = std::move(conn).value();
    // A connection learns that the file is in WAL mode only when it first reads it; until then a checkpoint is a
    // silent no-op (it reports -1 frames), and the WAL would grow without bound.
    (void)checkpointer_conn_->Exec("SELECT count(*) FROM sqlite_master", "open the checkpoint connection");
    sqlite3_wal_hook(
        writer_->handle(),
        [](void* self, sqlite3*, const char*, int pages) -> int {
          if (pages >= kCheckpointPages) {
            auto* store = static_cast<SqliteStore*>(self);
            {
              std::lock_guard lock(store->checkpoint_mutex_);
              store->checkpoint_wanted_ = true;
            }
            store->checkpoint_cv_.notify_one();
          }
          return SQLITE_OK;
        },
        this);
    checkpointer_ = std::thread([this] {
      core::NameThisThread("checkpointer");
      core::MakeThisThreadBackground();
      RunCheckpointer();
    });
  } else {
    // Without a checkpoint connection the writer checkpoints itself, as SQLite does by default.
    sqlite3_wal_autocheckpoint(writer_->handle(), 1000);
  }
}

SqliteStore::~SqliteStore() {
  if (projector_.joinable()) {
    {
      std::lock_guard lock(projector_mutex_);
      projector_stopping_ = true;
    }
    projector_cv_.notify_one();
    catch_up_cv_.notify_one();
    catch_up_.join();
    projector_.join();  // applies what is still pending first
  } else if (log_ != nullptr) {
    std::unique_lock lock(projector_mutex_);
    while (!pending_.empty() && !applying_ && projector_error_.empty()) (void)ApplyPending(lock, UINT64_MAX, SIZE_MAX);
  }
  if (checkpointer_.joinable()) {
    {
      std::lock_guard lock(checkpoint_mutex_);
      stopping_ = true;
    }
    checkpoint_cv_.notify_one();
    checkpointer_.join();
  }
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

void SqliteStore::RunCheckpointer() {
  std::unique_lock lock(checkpoint_mutex_);
  for (;;) {
    // Also checkpoint now and then when idle, so the WAL does not stay large after a burst.
    checkpoint_cv_.wait_for(lock, std::chrono::seconds(2), [this] { return checkpoint_wanted_ || stopping_; });
    if (stopping_) return;
    checkpoint_wanted_ = false;
    lock.unlock();
    // PASSIVE copies what no reader still needs and never blocks the writer; SQLite syncs the WAL before copying
    // and the database file after. A busy or failed checkpoint loses nothing: the frames stay in the WAL.
    int log_frames = 0, done_frames = 0;
    sqlite3_wal_checkpoint_v2(checkpointer_conn_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                              &done_frames);
    lock.lock();
  }
}

core::Status SqliteStore::Sync() {
  if (log_ == nullptr) return core::Ok();
  return log_->Sync();
}

core::Status SqliteStore::SyncDatabase() {
  if (writer_ == nullptr) return core::Ok();
  std::lock_guard lock(sync_mutex_);
  const std::string wal = path_ + "-wal";
  struct stat st {};
  if (::stat(wal.c_str(), &st) != 0) {
    // No WAL file: everything committed lives in the database file, which checkpoints have synced.
    if (errno == ENOENT) return core::Ok();
    return core::Unavailable("sync: stat " + wal + ": " + std::strerror(errno));
  }
  if (wal_fd_ < 0 || wal_inode_ != static_cast<uint64_t>(st.st_ino)) {
    if (wal_fd_ >= 0) ::close(wal_fd_);
    wal_fd_ = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) return core::Unavailable("sync: open " + wal + ": " + std::strerror(errno));
    wal_inode_ = static_cast<uint64_t>(st.st_ino);
    // A new WAL file is a new directory entry: make that durable too.
    std::string dir = path_.substr(0, path_.find_last_of('/') == std::string::npos ? 0 : path_.find_last_of('/'));
    int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
  }
  if (::fdatasync(wal_fd_) != 0) return core::Unavailable("sync: fdatasync " + wal + ": " + std::strerror(errno));
  return core::Ok();
}

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, Options options) {
  const std::string context = "open store " + path;
  std::unique_ptr<Connection> writer;
  if (!options.read_only) {
    auto opened = Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kBusyTimeoutMs);
    if (!opened.ok()) return opened.error();
    writer = std::move(opened).value();
    if (auto st = PrepareWriter(*writer); !st.ok()) return st.error().WithContext(context);
  }
  // Readers are read-only even in a writable store: only the writer connection may ever change the file.
  auto readers = std::make_unique<ConnectionPool>(path, SQLITE_OPEN_READONLY, kBusyTimeoutMs, kMaxReaders);
  auto first = Connection::Open(path, SQLITE_OPEN_READONLY, kBusyTimeoutMs);
  if (!first.ok()) return first.error();
  if (options.read_only) {
    if (auto st = CheckSchema(**first); !st.ok()) return st.error().WithContext(context);
  }
  readers->Adopt(std::move(first).value());

  std::unique_ptr<Connection> snapshots;
  const std::string snapshots_path = SnapshotsPath(path);
  if (!options.read_only) {
    auto opened = Connection::Open(snapshots_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kBusyTimeoutMs);
    if (!opened.ok()) return opened.error().WithContext(context);
    snapshots = std::move(opened).value();
    if (auto st = PrepareSnapshots(*snapshots); !st.ok()) return st.error().WithContext(context);
  } else if (::access(snapshots_path.c_str(), F_OK) == 0) {
    auto opened = Connection::Open(snapshots_path, SQLITE_OPEN_READONLY, kBusyTimeoutMs);
    if (!opened.ok()) return opened.error().WithContext(context);
    snapshots = std::move(opened).value();
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, std::move(writer), std::move(readers), std::move(snapshots)));
  if (!options.read_only) {
    if (auto st = store->RecoverLog(options); !st.ok()) return st.error().WithContext(context);
  }
  return store;
}

core::Status SqliteStore::RecoverLog(Options options) {
  auto log = BatchLog::Open(path_, options.log_file_bytes);
  if (!log.ok()) return log.error();
  uint64_t applied = 0;
  {
    std::lock_guard lock(writer_mutex_);
    auto stored = writer_->QueryInt("SELECT applied_batch FROM log_state WHERE id = 1", "read the batch log state");
    if (!stored.ok()) return stored.error();
    if (*stored < 0) return core::Corrupt("log_state: negative batch number");
    applied = static_cast<uint64_t>(*stored);
  }
  auto frames = (*log)->ReadAfter(applied);
  if (!frames.ok()) return frames.error();
  if (!frames->empty()) {
    std::vector<std::string> payloads;
    payloads.reserve(frames->size());
    for (auto& f : *frames) payloads.push_back(std::move(f.payload));
    if (auto st = ApplyFrames(payloads, frames->front().number); !st.ok()) {
      return st.error().WithContext("apply the batch log");
    }
    applied = frames->back().number;
  }
  // Always, not only after applying: the last commits of a clean run may still be in the page cache only, and
  // their log frames are about to be overwritten.
  if (auto st = SyncDatabase(); !st.ok()) return st;
  (*log)->Restart(applied + 1);
  {
    std::lock_guard lock(writer_mutex_);
    auto head = ReadHeadSeq(*writer_);
    if (!head.ok()) return head.error();
    appended_seq_ = *head;
  }
  written_ = applied_ = durable_ = durable_wanted_ = applied;
  log_ = std::move(log).value();
  if (options.background_projector) {
    catch_up_from_ = std::max<uint64_t>(options.log_file_bytes / 2, 1);
    catch_up_to_ = options.log_file_bytes / 4;
    projector_ = std::thread([this] {
      core::NameThisThread("projector");
      core::MakeThisThreadIdle();
      RunProjector();
    });
    catch_up_ = std::thread([this] {
      core::NameThisThread("catch-up");
      core::MakeThisThreadBackground();
      RunCatchUp();
    });
  }
  return core::Ok();
}

void SqliteStore::RunProjector() {
  std::unique_lock lock(projector_mutex_);
  for (;;) {
    projector_cv_.wait(lock, [this] {
      // A reader or the log applies, or waits to: it wakes this thread when it is done.
      if (applying_ || apply_waiters_ > 0) return false;
      if (projector_stopping_) return true;
      if (!projector_error_.empty()) return !pending_.empty();
      return !pending_.empty() || (durable_wanted_ > durable_ && applied_ >= durable_wanted_);
    });
    // Let batches gather for a few milliseconds unless the log waits for them: one transaction then carries many
    // batches, and each touched page is written to the WAL once for all of them. (A read that needs them applies
    // them itself.)
    if (!pending_.empty() && !projector_stopping_ && projector_error_.empty()) {
      const auto until = std::chrono::steady_clock::now() + kProjectorGather;
      projector_cv_.wait_until(lock, until, [this] {
        return projector_stopping_ || durable_wanted_ > applied_ || pending_bytes_ >= kProjectorBatchBytes;
      });
    }
    if (!projector_error_.empty()) {
      // Failed: nothing more reaches SQLite; the next start applies the log.
      if (!applying_) pending_.clear();
      if (projector_stopping_ && !applying_) return;
      continue;
    }
    // In bounded transactions, so that a thread that needs the rows and waits for this one (see MakeThisThreadIdle)
    // never waits long; at shutdown all at once.
    while (!pending_.empty() && !applying_ && apply_waiters_ == 0 && projector_error_.empty()) {
      (void)ApplyPending(lock, UINT64_MAX, projector_stopping_ ? SIZE_MAX : kProjectorChunkBytes);
    }
    if (durable_wanted_ > durable_ && applied_ >= durable_wanted_ && !applying_ && projector_error_.empty()) {
      (void)SyncApplied(lock);
    }
    if (projector_stopping_ && pending_.empty() && !applying_) return;
  }
}

core::Status SqliteStore::ApplyPending(std::unique_lock<std::mutex>& lock, uint64_t up_to, size_t max_bytes) {
  if (pending_.empty()) return core::Ok();
  std::vector<std::string> work;
  size_t bytes = 0;
  uint64_t last = applied_;
  while (!pending_.empty() && last < up_to && (work.empty() || bytes + pending_.front().size() <= max_bytes)) {
    bytes += pending_.front().size();
    work.push_back(std::move(pending_.front()));
    pending_.pop_front();
    ++last;
  }
  pending_bytes_ -= bytes;
  const uint64_t first = applied_ + 1;
  applying_ = true;
  lock.unlock();
  core::Status st = ApplyFrames(work, first);
  work.clear();
  lock.lock();
  applying_ = false;
  if (st.ok()) {
    applied_ = last;
  } else {
    projector_error_ = st.error().message;
  }
  applied_cv_.notify_all();
  projector_cv_.notify_one();
  return st;
}

void SqliteStore::RunCatchUp() {
  std::unique_lock lock(projector_mutex_);
  for (;;) {
    catch_up_cv_.wait(lock, [this] {
      return projector_stopping_ || (projector_error_.empty() && pending_bytes_ >= catch_up_from_);
    });
    if (projector_stopping_) return;
    while (projector_error_.empty() && pending_bytes_ > catch_up_to_ && !projector_stopping_) {
      if (applying_) {
        WaitForApplier(lock);
      } else {
        (void)ApplyPending(lock, UINT64_MAX, kProjectorChunkBytes);
      }
    }
  }
}

void SqliteStore::WaitForApplier(std::unique_lock<std::mutex>& lock) {
  // Counted, so that the projector takes no next chunk meanwhile and this thread gets the next turn.
  ++apply_waiters_;
  applied_cv_.wait(lock);
  --apply_waiters_;
  if (apply_waiters_ == 0) projector_cv_.notify_one();
}

core::Status SqliteStore::SyncApplied(std::unique_lock<std::mutex>& lock) {
  const uint64_t target = applied_;
  lock.unlock();
  core::Status st = SyncDatabase();
  lock.lock();
  if (st.ok()) {
    durable_ = std::max(durable_, target);
  } else if (projector_error_.empty()) {
    projector_error_ = st.error().message;
  }
  applied_cv_.notify_all();
  return st;
}

core::Status SqliteStore::WaitApplied() {
  if (log_ == nullptr) return core::Ok();
  std::unique_lock lock(projector_mutex_);
  const uint64_t target = written_;
  while (applied_ < target && projector_error_.empty()) {
    // Apply them on this thread rather than wait for the projector, which may be starved at idle priority.
    if (!applying_) {
      (void)ApplyPending(lock, target, SIZE_MAX);
    } else {
      WaitForApplier(lock);
    }
  }
  if (applied_ >= target) return core::Ok();
  return core::Unavailable("the store could not apply its batch log to SQLite: " + projector_error_);
}

void SqliteStore::RequestDurable(uint64_t number) {
  {
    std::lock_guard lock(projector_mutex_);
    durable_wanted_ = std::max(durable_wanted_, number);
  }
  projector_cv_.notify_one();
}

core::Status SqliteStore::WaitDurable(uint64_t number) {
  std::unique_lock lock(projector_mutex_);
  durable_wanted_ = std::max(durable_wanted_, number);
  // As WaitApplied: the waiting thread applies and syncs itself.
  while (durable_ < number && projector_error_.empty()) {
    if (applied_ < number) {
      if (!applying_) {
        (void)ApplyPending(lock, number, SIZE_MAX);
      } else {
        WaitForApplier(lock);
      }
    } else {
      (void)SyncApplied(lock);
    }
  }
  if (durable_ >= number) return core::Ok();
  return core::Unavailable("the store could not apply its batch log to SQLite: " + projector_error_);
}

core::Status SqliteStore::ApplyFrames(const std::vector<std::string>& payloads, uint64_t first) {
  std::lock_guard lock(writer_mutex_);
  return WriteTransaction("apply batches", [&](Connection& w) -> core::Status {
    auto head = ReadHeadSeq(w);
    if (!head.ok()) return head.error();
    uint64_t seq = *head;
    if (!apply_scratch_) apply_scratch_ = std::make_unique<LogBatch>();
    LogBatch* batch = apply_scratch_.get();
    for (size_t i = 0; i < payloads.size(); ++i) {
      if (auto st = DecodeBatch(payloads[i], *batch); !st.ok()) {
        return st.error().WithContext("batch " + std::to_string(first + i));
      }
      if (!batch->records.empty()) {
        if (batch->records.front().seq != seq + 1) {
          return core::Conflict("batch " + std::to_string(first + i) + ": record " +
                                std::to_string(batch->records.front().seq) + " does not follow head " +
                                std::to_string(seq));
        }
        if (auto st = InsertRecords(w, batch->records); !st.ok()) return st;
        seq = batch->records.back().seq;
      }
      const engine::Projection& projection = batch->projection;
      if (auto st = UpsertIncidents(w, projection.incidents); !st.ok()) return st;
      if (auto st = UpsertAlerts(w, projection.alerts); !st.ok()) return st;
      if (auto st = InsertTimeline(w, projection.timeline); !st.ok()) return st;
    }
    // A storm's huge batch is not kept around for the quiet that follows.
    constexpr size_t kMaxKeptRows = 65536;
    if (batch->records.size() + batch->projection.alerts.size() > kMaxKeptRows) apply_scratch_.reset();
    auto update = w.Prepare("UPDATE log_state SET applied_batch = ?1 WHERE id = 1");
    if (!update.ok()) return update.error();
    (*update)->BindInt(1, Signed(first + payloads.size() - 1));
    return StepDone(w, **update, "record the applied batch");
  });
}

std::string SqliteStore::SnapshotsPath(const std::string& path) {
  constexpr std::string_view kExt = ".db";
  if (path.size() > kExt.size() && path.compare(path.size() - kExt.size(), kExt.size(), kExt) == 0) {
    return path.substr(0, path.size() - kExt.size()) + "-snapshots.db";
  }
  return path + "-snapshots";
}

template <typename Body>
core::Status SqliteStore::WriteTransaction(const std::string& context, Body&& body) {
  if (writer_ == nullptr) return core::Unavailable(context + ": store is open read-only");
  Connection& w = *writer_;
  // IMMEDIATE takes the write lock up front, so the head read below cannot go stale before the inserts.
  if (auto st = w.Exec("BEGIN IMMEDIATE", "begin"); !st.ok()) return st.error().WithContext(context);
  core::Status st = body(w);
  if (st.ok()) st = w.Exec("COMMIT", "commit");
  if (!st.ok()) {
    w.RollbackQuietly();
    return st.error().WithContext(context);
  }
  return core::Ok();
}

core::Status SqliteStore::Append(std::span<const StoredRecord> records, const engine::Projection& projection) {
  if (records.empty() && projection.empty()) return core::Ok();
  if (auto st = engine::ValidateAppend(records, projection); !st.ok()) return st.error().WithContext("append");
  if (log_ == nullptr) return core::Unavailable("append: store is open read-only");
  std::lock_guard lock(append_mutex_);
  {
    std::lock_guard projector_lock(projector_mutex_);
    if (!projector_error_.empty()) {
      return core::Unavailable("append: an earlier batch could not be applied to SQLite: " + projector_error_);
    }
  }
  if (!records.empty() && records.front().seq != appended_seq_ + 1) {
    return core::Conflict("append: record " + std::to_string(records.front().seq) + " does not follow head " +
                          std::to_string(appended_seq_));
  }
  std::string payload = EncodeBatch(records, projection);
  auto number = log_->Write(payload, BatchLog::Retire{[this](uint64_t n) { RequestDurable(n); },
                                                      [this](uint64_t n) { return WaitDurable(n); }});
  if (!number.ok()) return number.error().WithContext("append");
  bool wake = false;
  bool wake_catch_up = false;
  {
    std::lock_guard projector_lock(projector_mutex_);
    // Wake the projector when this is the first pending batch (it sleeps until there is one) or when the pending
    // ones grew past the gathering size; in between it is gathering and needs no wake-up per batch.
    wake = pending_.empty() || (pending_bytes_ < kProjectorBatchBytes &&
                                pending_bytes_ + payload.size() >= kProjectorBatchBytes);
    wake_catch_up = pending_bytes_ < catch_up_from_ && pending_bytes_ + payload.size() >= catch_up_from_;
    pending_bytes_ += payload.size();
    pending_.push_back(std::move(payload));
    written_ = *number;
  }
  if (wake) projector_cv_.notify_one();
  if (wake_catch_up) catch_up_cv_.notify_one();
  if (!records.empty()) appended_seq_ = records.back().seq;
  return core::Ok();
}

core::Result<engine::JournalHead> SqliteStore::Head() {
  if (auto st = WaitApplied(); !st.ok()) return st.error();
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext("read head");
  auto stmt = (*lease)->Prepare(kHeadSql);
  if (!stmt.ok()) return stmt.error().WithContext("read head");
  Statement& s = **stmt;
  StatementScope scope(s);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return engine::JournalHead{};
  if (rc != SQLITE_ROW) return (*lease)->Error(rc, "read head");
  RowReader r(s);
  engine::JournalHead head{r.U64(0), r.Hash(1)};
  if (auto st = r.Check("journal head"); !st.ok()) return st.error();
  return head;
}

core::Status SqliteStore::ScanJournal(uint64_t after_seq,
                                      const std::function<core::Status(const StoredRecord&)>& visit) {
  if (auto st = WaitApplied(); !st.ok()) return st;
  std::vector<StoredRecord> chunk;
  chunk.reserve(kScanChunk);
  uint64_t cursor = after_seq;
  while (cursor < kMaxStored) {
    chunk.clear();
    {
      auto lease = readers_->Acquire();
      if (!lease.ok()) return lease.error().WithContext("scan journal");
      auto stmt = (*lease)->Prepare(kScanSql);
      if (!stmt.ok()) return stmt.error().WithContext("scan journal");
      Statement& s = **stmt;
      StatementScope scope(s);
      s.BindInt(1, Signed(cursor));
      s.BindInt(2, kScanChunk);
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) {
        RowReader r(s);
        StoredRecord& rec = chunk.emplace_back();
        rec.seq = r.U64(0);
        rec.type = r.U16(1);
        rec.time = r.Time(2);
        rec.bytes = r.Blob(3);
        rec.hash = r.Hash(4);
        if (auto st = r.Check("scan journal"); !st.ok()) {
          return st.error().WithContext("record " + std::to_string(rec.seq));
        }
      }
      if (rc != SQLITE_DONE) return (*lease)->Error(rc, "scan journal");
    }
    // The lease is back in the pool: visiting may take long, and may query the store itself.
    for (const StoredRecord& rec : chunk) {
      if (auto st = visit(rec); !st.ok()) return st;
    }
    if (chunk.size() < static_cast<size_t>(kScanChunk)) break;
    cursor = chunk.back().seq;
  }
  return core::Ok();
}

core::Status SqliteStore::SaveSnapshot(const engine::Snapshot& snapshot) {
  if (snapshot.seq > kMaxStored) return core::Invalid("save snapshot: seq above INT64_MAX");
  std::lock_guard lock(snapshot_mutex_);
  const std::string context = "save snapshot " + std::to_string(snapshot.seq);
  if (snapshots_ == nullptr || writer_ == nullptr) return core::Unavailable(context + ": store is open read-only");
  Connection& c = *snapshots_;
  if (auto st = c.Exec("BEGIN IMMEDIATE", "begin"); !st.ok()) return st.error().WithContext(context);
  core::Status st = [&]() -> core::Status {
    auto upsert = c.Prepare(kUpsertSnapshotSql);
    if (!upsert.ok()) return upsert.error();
    Statement& s = **upsert;
    s.BindInt(1, Signed(snapshot.seq));
    s.BindBlob(2, HashBytes(snapshot.hash));
    s.BindInt(3, core::ToUnixMillis(snapshot.taken_at));
    s.BindBlob(4, snapshot.state);
    if (auto inserted = StepDone(c, s, "insert"); !inserted.ok()) return inserted;
    auto prune = c.Prepare(kPruneSnapshotsSql);
    if (!prune.ok()) return prune.error();
    (*prune)->BindInt(1, kKeptSnapshots - 1);
    return StepDone(c, **prune, "prune old snapshots");
  }();
  if (st.ok()) st = c.Exec("COMMIT", "commit");
  if (!st.ok()) {
    c.RollbackQuietly();
    return st.error().WithContext(context);
  }
  return core::Ok();
}

core::Result<std::optional<engine::Snapshot>> SqliteStore::LatestSnapshot() {
  std::lock_guard lock(snapshot_mutex_);
  if (snapshots_ == nullptr) return std::optional<engine::Snapshot>();
  auto stmt = snapshots_->Prepare(kLatestSnapshotSql);
  if (!stmt.ok()) return stmt.error().WithContext("read latest snapshot");
  Statement& s = **stmt;
  StatementScope scope(s);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<engine::Snapshot>();
  if (rc != SQLITE_ROW) return snapshots_->Error(rc, "read latest snapshot");
  RowReader r(s);
  engine::Snapshot snapshot{r.U64(0), r.Hash(1), r.Time(2), r.Blob(3)};
  if (auto st = r.Check("latest snapshot"); !st.ok()) return st.error();
  return std::optional<engine::Snapshot>(std::move(snapshot));
}

core::Result<engine::IncidentPage> SqliteStore::ListIncidents(const engine::IncidentQuery& query) {
  if (auto st = WaitApplied(); !st.ok()) return st.error();
  std::vector<std::string> states = query.states;
  std::sort(states.begin(), states.end());
  states.erase(std::unique(states.begin(), states.end()), states.end());
  if (states.size() > kMaxQueryStates) {
    return core::Invalid("list incidents: at most " + std::to_string(kMaxQueryStates) + " states", "states");
  }
  const uint32_t limit = std::clamp<uint32_t>(query.limit, 1, kMaxPageSize);
  const bool bounded = query.before_id != 0 && query.before_id <= kMaxStored;

  const size_t state_slots = states.empty() ? 0 : std::bit_ceil(states.size());
  const std::string sql = ListIncidentsSql(state_slots, !query.service.empty(), !query.severity.empty(), bounded);

  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext("list incidents");
  auto stmt = (*lease)->Prepare(sql);
  if (!stmt.ok()) return stmt.error().WithContext("list incidents");
  Statement& s = **stmt;
  StatementScope scope(s);
  s.BindInt(1, int64_t{limit} + 1);  // one extra row tells whether another page follows
  if (!query.service.empty()) s.BindText(2, query.service);
  if (!query.severity.empty()) s.BindText(3, query.severity);
  if (bounded) s.BindInt(4, Signed(query.before_id));
  for (size_t i = 0; i < state_slots; ++i) {
    if (i < states.size()) {
      s.BindText(static_cast<int>(5 + i), states[i]);
    } else {
      s.BindNull(static_cast<int>(5 + i));  // padding: "state = NULL" matches nothing
    }
  }

  engine::IncidentPage page;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (page.incidents.size() == limit) {
      page.next_before_id = page.incidents.back().id;
      break;
    }
    RowReader r(s);
    page.incidents.push_back(ReadIncident(r));
    if (auto st = r.Check("list incidents"); !st.ok()) return st.error();
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return (*lease)->Error(rc, "list incidents");
  return page;
}

core::Result<IncidentRow> SqliteStore::GetIncident(uint64_t id) {
  if (auto st = WaitApplied(); !st.ok()) return st.error();
  const std::string context = "get incident " + std::to_string(id);
  if (id > kMaxStored) return core::NotFound(context + ": no such incident");
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext(context);
  auto stmt = (*lease)->Prepare(kGetIncidentSql);
  if (!stmt.ok()) return stmt.error().WithContext(context);
  Statement& s = **stmt;
  StatementScope scope(s);
  s.BindInt(1, Signed(id));
  int rc = s.Step();
  if (rc == SQLITE_DONE) return core::NotFound(context + ": no such incident");
  if (rc != SQLITE_ROW) return (*lease)->Error(rc, context);
  RowReader r(s);
  IncidentRow row = ReadIncident(r);
  if (auto st = r.Check(context.c_str()); !st.ok()) return st.error();
  return row;
}

core::Result<std::vector<TimelineRow>> SqliteStore::Timeline(uint64_t incident_id, uint64_t after_seq, uint32_t limit) {
  if (auto st = WaitApplied(); !st.ok()) return st.error();
  std::vector<TimelineRow> rows;
  if (limit == 0 || incident_id > kMaxStored || after_seq >= kMaxStored) return rows;
  const std::string context = "read timeline of incident " + std::to_string(incident_id);
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext(context);
  auto stmt = (*lease)->Prepare(kTimelineSql);
  if (!stmt.ok()) return stmt.error().WithContext(context);
  Statement& s = **stmt;
  StatementScope scope(s);
  s.BindInt(1, Signed(incident_id));
  s.BindInt(2, Signed(after_seq));
  s.BindInt(3, limit);
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    RowReader r(s);
    rows.push_back(TimelineRow{r.U64(0), r.U64(1), r.Time(2), r.Text(3), r.Text(4), r.Text(5)});
    if (auto st = r.Check(context.c_str()); !st.ok()) return st.error();
  }
  if (rc != SQLITE_DONE) return (*lease)->Error(rc, context);
  return rows;
}

namespace {

core::Status ReadAlerts(Statement& s, Connection& c, const std::string& context, std::vector<AlertRow>& rows) {
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    RowReader r(s);
    AlertRow& row = rows.emplace_back();
    row.id = r.U64(0);
    row.incident_id = r.U64(1);
    row.service = r.Text(2);
    row.dedup_key = r.Text(3);
    row.status = r.Text(4);
    row.summary = r.Text(5);
    row.source = r.Text(6);
    row.severity = r.Text(7);
    row.created_at = r.Time(8);
    row.updated_at = r.Time(9);
    row.event_count = r.U32(10);
    row.details_json = r.Text(11);
    row.explanation = r.Text(12);
    row.suppressed_by = r.Text(13);
    if (auto st = r.Check(context.c_str()); !st.ok()) return st;
  }
  if (rc != SQLITE_DONE) return c.Error(rc, context);
  return core::Ok();
}

}  // namespace

core::Result<std::vector<AlertRow>> SqliteStore::IncidentAlerts(uint64_t incident_id) {
  if (auto st = WaitApplied(); !st.ok()) return st.error();
  std::vector<AlertRow> rows;
  if (incident_id > kMaxStored) return rows;
  const std::string context = "read alerts of incident " + std::to_string(incident_id);
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext(context);
  auto stmt = (*lease)->Prepare(kIncidentAlertsSql);
  if (!stmt.ok()) return stmt.error().WithContext(context);
  Statement& s = **stmt;
  StatementScope scope(s);
  s.BindInt(1, Signed(incident_id));
  if (auto st = ReadAlerts(s, **lease, context, rows); !st.ok()) return st.error();
  return rows;
}

core::Result<std::vector<AlertRow>> SqliteStore::WindowAlerts(std::string_view window_id, uint32_t limit) {
  if (auto st = WaitApplied(); !st.ok()) return st.error();
  std::vector<AlertRow> rows;
  if (window_id.empty() || limit == 0) return rows;
  const std::string context = "read alerts of maintenance window " + std::string(window_id);
  auto lease = readers_->Acquire();
  if (!lease.ok()) return lease.error().WithContext(context);
  auto stmt = (*lease)->Prepare(kWindowAlertsSql);
  if (!stmt.ok()) return stmt.error().WithContext(context);
  Statement& s = **stmt;
  StatementScope scope(s);
  s.BindText(1, window_id);  // bound without a copy: window_id outlives the statement
  s.BindInt(2, limit);
  if (auto st = ReadAlerts(s, **lease, context, rows); !st.ok()) return st.error();
  return rows;
}

}  // namespace store::sqlite
