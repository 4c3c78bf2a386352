// The embedded default Store: one SQLite file in WAL mode holding the journal, snapshots and query tables, with
// one writer connection (group commit: one fsync per Append) and a pool of read connections.
#pragma once

#include <memory>
#include <mutex>
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

  static constexpr int kKeptSnapshots = 3;
  static constexpr size_t kMaxQueryStates = 64;

 private:
  SqliteStore(std::string path, std::unique_ptr<Connection> writer, std::unique_ptr<ConnectionPool> readers);

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT on the writer, rolling back when it or the commit fails.
  template <typename Body>
  core::Status WriteTransaction(const std::string& context, Body&& body);

  const std::string path_;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;  // null when read-only; guarded by writer_mutex_
  // Declared after writer_ so readers close first and the writer, closing last, checkpoints and removes the WAL.
  std::unique_ptr<ConnectionPool> readers_;
};

}  // namespace store::sqlite
