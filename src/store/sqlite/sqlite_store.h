// The embedded default Store: one SQLite file in WAL mode holding the journal, snapshots and query tables, with
// one writer connection (group commit: one fsync per Append) and a pool of read connections.
#pragma once

#include <memory>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <string>

#include "core/result.h"
#include "engine/store.h"

namespace store::sqlite {

class Connection;
class ConnectionPool;

struct Options {
  bool read_only = false;  // no writer connection: Append and SaveSnapshot fail, the file is never modified
};

// Thread safety: as engine::Store. Append and SaveSnapshot share the one writer connection (serialised by a mutex);
// reads take a connection from the pool (up to kMaxReaders open, then callers wait) and never see an uncommitted
// Append. Values above INT64_MAX (seqs, ids) cannot be stored: Append returns kInvalid for them.
class SqliteStore final : public engine::Store {
 public:
  static constexpr size_t kMaxReaders = 8;
  static constexpr int kBusyTimeoutMs = 5000;

  // Opens (creating it unless read_only) the database file at `path`, applies schema migrations
  // (PRAGMA user_version) and returns the store. kUnavailable when the file cannot be opened (or, read-only, still
  // needs migrating), kCorrupt when it is not an incidentd database or has a newer schema.
  static core::Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, Options options = {});
  ~SqliteStore() override;

  // Errors: kConflict (first seq does not follow the head), kInvalid (seqs not consecutive within the batch, or a
  // value above INT64_MAX), kUnavailable (read-only store, disk full, I/O error, lock held too long by another
  // process), kCorrupt (damaged file). On any error the transaction is rolled back and nothing is written.
  core::Status Append(std::span<const engine::StoredRecord> records, const engine::Projection& projection) override;
  // fdatasync of the WAL file: commits run with synchronous=NORMAL, and this makes them durable (what FULL does on
  // every commit, moved off the writer's path).
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

  static constexpr int kKeptSnapshots = 3;
  static constexpr int kCheckpointPages = 1000;
  static constexpr size_t kMaxQueryStates = 64;

 private:
  SqliteStore(std::string path, std::unique_ptr<Connection> writer, std::unique_ptr<ConnectionPool> readers,
              std::unique_ptr<Connection> snapshots);

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT on the writer, rolling back when it or the commit fails.
  template <typename Body>
  core::Status WriteTransaction(const std::string& context, Body&& body);

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
  // Declared after writer_ so readers close first and the writer, closing last, checkpoints and removes the WAL.
  std::unique_ptr<ConnectionPool> readers_;
};

}  // namespace store::sqlite
