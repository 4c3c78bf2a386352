// The embedded default Store: one SQLite file in WAL mode holding the journal and query tables, a second one for
// snapshots, and a batch log in front of them: an Append is durable once its frame in the log is synced, and a
// projector thread applies the batches to SQLite in larger transactions behind it.
#pragma once

#include <chrono>
#include <memory>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <string>

#include "core/result.h"
#include "engine/store.h"

namespace store::sqlite {

class BatchLog;
struct LogBatch;
class Connection;
class ConnectionPool;

struct Options {
  // No writer connection and no batch log: Append and SaveSnapshot fail, no file is modified. Batches still only in
  // the log (after a crash, until the next writable open applies them) are not seen.
  bool read_only = false;
  uint64_t log_file_bytes = uint64_t{16} << 20;  // the size of each of the batch log's two files
  // The projector thread applies logged batches to SQLite in the background at idle priority, and a catch-up thread
  // when it falls behind. Without them (false) batches reach SQLite only when a read, or the log's reuse of a file,
  // needs them, and then on that caller's thread.
  bool background_projector = true;
};

// Thread safety: as engine::Store. Append writes the batch log (one writer at a time, and one process: the log is
// locked); one thread at a time applies logged batches with the SQLite writer connection: the projector, or a
// caller that needs them. Every read first waits until the batches appended before it began are in SQLite (applying
// them itself when no one else is), so a read sees every Append that returned before it. Reads take a
// connection from the pool (up to kMaxReaders open, then callers wait). Values above INT64_MAX (seqs, ids) cannot
// be stored: Append returns kInvalid for them.
class SqliteStore final : public engine::Store {
 public:
  static constexpr size_t kMaxReaders = 8;
  static constexpr int kBusyTimeoutMs = 5000;

  // Opens (creating it unless read_only) the database file at `path`, applies schema migrations
  // (PRAGMA user_version) and returns the store. kUnavailable when the file cannot be opened (or, read-only, still
  // needs migrating), kCorrupt when it is not an incidentd database or has a newer schema.
  static core::Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, Options options = {});
  ~SqliteStore() override;

  // Opening a writable store first applies what the batch log holds beyond the database (batches acknowledged
  // before a crash), then syncs the database; kCorrupt when the log lacks batches the database needs, kUnavailable
  // when another process holds the log.

  // Errors: kConflict (first seq does not follow the head), kInvalid (seqs not consecutive within the batch, or a
  // value above INT64_MAX), kUnavailable (read-only store, disk full, I/O error, or an earlier batch could not be
  // applied to SQLite). On any error nothing is written.
  core::Status Append(std::span<const engine::StoredRecord> records, const engine::Projection& projection) override;
  // fdatasync of the batch log: every Append that returned before the call is then durable.
  core::Status Sync() override;
  core::Result<engine::JournalHead> Head() override;
  // Reads in chunks and calls `visit` while holding no connection, so a visitor may itself query the store.
  // Records appended during the scan may or may not be visited. A stored row that cannot be a record (wrong
  // hash length, negative numbers) stops the scan with kCorrupt; record bytes are returned exactly as stored.
  core::Status ScanJournal(uint64_t after_seq,
                           const std::function<core::Status(const engine::StoredRecord&)>& visit) override;

  // Replaces a snapshot with the same seq; keeps only the newest kKeptSnapshots. Errors as Append.
  core::Status SaveSnapshot(const engine::Snapshot& snapshot) override;
  core::Result<std::optional<engine::Snapshot>> LatestSnapshot() override;

  // kInvalid when the query names more than kMaxQueryStates distinct states.
  core::Result<engine::IncidentPage> ListIncidents(const engine::IncidentQuery& query) override;
  core::Result<engine::IncidentRow> GetIncident(uint64_t id) override;
  core::Result<std::vector<engine::TimelineRow>> Timeline(uint64_t incident_id, uint64_t after_seq,
                                                          uint32_t limit) override;
  core::Result<std::vector<engine::AlertRow>> IncidentAlerts(uint64_t incident_id) override;
  core::Result<std::vector<engine::AlertRow>> WindowAlerts(std::string_view window_id, uint32_t limit) override;

  // The projector applies pending batches when this long has passed since it woke, when they reach this size, or
  // at once when the log waits for them; at most kProjectorChunkBytes of them in one transaction. A read that
  // needs them applies them itself. 4 MiB, not 1: under Alertmanager batches of new alerts each commit rewrote the
  // tables' last pages and the checkpoints copied them again; a quarter of the commits took 4-7% off the server's
  // CPU per alert, and reads under that load waited no longer (docs/performance.md, twelfth pass).
  static constexpr std::chrono::milliseconds kProjectorGather{20};
  static constexpr size_t kProjectorBatchBytes = size_t{4} << 20;
  static constexpr size_t kProjectorChunkBytes = size_t{4} << 20;
  static constexpr int kKeptSnapshots = 3;
  static constexpr int kCheckpointPages = 1000;
  static constexpr size_t kMaxQueryStates = 64;

 private:
  SqliteStore(std::string path, std::unique_ptr<Connection> writer, std::unique_ptr<ConnectionPool> readers,
              std::unique_ptr<Connection> snapshots);

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT on the writer, rolling back when it or the commit fails.
  template <typename Body>
  core::Status WriteTransaction(const std::string& context, Body&& body);
  // Applies encoded batches (log frames `first`, `first + 1`, ...) to SQLite in one transaction.
  core::Status ApplyFrames(const std::vector<std::string>& payloads, uint64_t first);
  // fdatasync of the WAL file (commits run with synchronous=NORMAL; checkpoints sync the database file).
  core::Status SyncDatabase();
  // Opening: applies the log's frames beyond the database, syncs, and starts the log and the projector.
  core::Status RecoverLog(Options options);
  void RunProjector();
  // The catch-up thread: applies, at the priority of the other background threads, while the idle projector is
  // more than catch_up_to_ behind, from when it falls catch_up_from_ behind. Without it a busy machine leaves the
  // projector so little CPU that the log fills and the writer stops to apply a file's worth of batches itself.
  void RunCatchUp();
  // With projector_mutex_ held in `lock` and no one else applying: applies pending frames up to `up_to`, at most
  // `max_bytes` of them (at least one), with the lock released meanwhile. Its error is also projector_error_.
  core::Status ApplyPending(std::unique_lock<std::mutex>& lock, uint64_t up_to, size_t max_bytes);
  // With projector_mutex_ held in `lock` and another thread applying: waits for it to finish a transaction.
  void WaitForApplier(std::unique_lock<std::mutex>& lock);
  // With projector_mutex_ held in `lock`: syncs SQLite's WAL and moves durable_ to what was applied before.
  core::Status SyncApplied(std::unique_lock<std::mutex>& lock);
  // Waits until every batch appended before the call is in SQLite; the projector's error if it failed. The
  // waiting thread applies them itself when no one else is applying.
  core::Status WaitApplied();
  // Waits until every frame up to `number` is in SQLite and synced there, applying and syncing as WaitApplied.
  core::Status WaitDurable(uint64_t number);
  void RequestDurable(uint64_t number);

  void RunCheckpointer();

  // "<dir>/incidentd.db" → "<dir>/incidentd-snapshots.db".
  static std::string SnapshotsPath(const std::string& path);
  std::mutex snapshot_mutex_;
  std::unique_ptr<Connection> snapshots_;  // null when read-only and no snapshot file exists

  const std::string path_;
  // Sync state: the WAL file's descriptor, reopened when SQLite replaces the file.
  std::mutex sync_mutex_;
  int wal_fd_ = -1;
  uint64_t wal_inode_ = 0;
  // Checkpoints run on their own connection and thread, so copying the WAL into the database file never stalls
  // an append; the writer's WAL hook wakes the thread when the WAL grows past kCheckpointPages.
  std::unique_ptr<Connection> checkpointer_conn_;
  std::thread checkpointer_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool stopping_ = false;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;  // null when read-only; guarded by writer_mutex_
  std::unique_ptr<LogBatch> apply_scratch_;  // ApplyFrames' decoded frame, reused; guarded by writer_mutex_

  // The batch log and its appender's view: the last seq appended (Append runs on one thread at a time).
  std::mutex append_mutex_;
  std::unique_ptr<BatchLog> log_;  // null when read-only
  uint64_t appended_seq_ = 0;
  // The projector: frames written to the log wait here until it applies them to SQLite.
  std::thread projector_;
  std::mutex projector_mutex_;
  std::condition_variable projector_cv_;  // work for the projector
  std::condition_variable applied_cv_;    // applied_ or durable_ moved, or the projector failed
  std::deque<std::string> pending_;       // encoded batches, frames applied_ + 1 ...
  size_t pending_bytes_ = 0;
  bool applying_ = false;                 // a thread applies frames taken from pending_ (one at a time)
  std::thread catch_up_;
  std::condition_variable catch_up_cv_;
  uint64_t catch_up_from_ = UINT64_MAX;   // pending bytes: half a log file
  uint64_t catch_up_to_ = 0;              // a quarter
  int apply_waiters_ = 0;                 // threads waiting for the applying one to finish, to apply next
  uint64_t written_ = 0;                  // the last frame written to the log
  uint64_t applied_ = 0;                  // the last frame committed to SQLite
  uint64_t durable_ = 0;                  // the last frame committed to SQLite and synced
  uint64_t durable_wanted_ = 0;
  bool projector_stopping_ = false;
  std::string projector_error_;           // non-empty once applying failed: Append and reads fail with it
  // Declared after writer_ so readers close first and the writer, closing last, checkpoints and removes the WAL.
  std::unique_ptr<ConnectionPool> readers_;
};

}  // namespace store::sqlite
