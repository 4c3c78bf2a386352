// The PostgreSQL Store: the journal, snapshots and query tables of store/sqlite in a PostgreSQL schema, for
// deployments that keep their data on a server (several nodes, the operators' own backups and replication).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.h"
#include "engine/store.h"

namespace store::postgres {

class Connection;
class ConnectionPool;

struct Options {
  // The schema holding the tables (created when missing); empty: the session's default (normally `public`).
  std::string schema = {};
  // Reads only (incidentctl's offline journal verify): no migration (kCorrupt for a schema this build does not
  // read), no writer or snapshot session; Append, SaveSnapshot, AcquireWriterLock and SetWriterAddress answer
  // kUnavailable.
  bool read_only = false;
};

// Thread safety: as engine::Store. Append runs on a writer session of its own, SaveSnapshot on another (so a large
// snapshot never holds up appends), reads take a session from a pool of up to kMaxReaders.
// Durability: an Append that returned ok is committed with synchronous_commit on, so Sync has nothing to add.
// Every error caused by the server being unreachable, restarting or refusing is kUnavailable; sessions reconnect
// on their next use, so the store recovers by itself when the server is back.
class PostgresStore final : public engine::Store {
 public:
  static constexpr size_t kMaxReaders = 8;
  static constexpr int kKeptSnapshots = 3;
  static constexpr size_t kMaxQueryStates = 64;
  // Rows per multi-row INSERT; a batch larger than this becomes several statements in the same pipeline.
  static constexpr size_t kRowsPerStatement = 500;

  // Connects to `url` (postgres://user@host:port/db or a libpq key=value string) and migrates the schema
  // (see schema.h). kUnavailable when the server cannot be reached, kCorrupt when the schema is not incidentd's or
  // is newer than this build.
  static core::Result<std::unique_ptr<PostgresStore>> Open(const std::string& url, Options options = {});
  ~PostgresStore() override;

  // One transaction sent as one pipeline (one round trip): a head check, multi-row inserts and upserts, COMMIT.
  // Errors: kConflict when the first seq does not follow the stored head, or the head is not the record this store
  // appended last (another writer appended: fencing); kInvalid (non-consecutive seqs, values above INT64_MAX);
  // kUnavailable (server unreachable; the outcome of a COMMIT whose answer was lost is unknown, and the next
  // Append or a restart's Head tells). Nothing is written on any error the server answered.
  core::Status Append(std::span<const engine::StoredRecord> records, const engine::Projection& projection) override;

  // Makes this store the one writer of its schema among every node on the server: tries the session-level advisory
  // writer lock on the writer's own session every `poll` until it holds it, or until `stop()` returns true
  // (kUnavailable). From then on every Append checks, inside its transaction, that its session still holds the
  // lock: once the session was lost (terminated, cut off, the server restarted), Append fails with kConflict and
  // writes nothing, so a stale writer cannot append after another node may have taken over. `on_wait` is called
  // once when another session holds the lock.
  core::Status AcquireWriterLock(const std::function<bool()>& stop, core::Duration poll,
                                 const std::function<void()>& on_wait = {});
  // Records where the writer takes writes (its HTTP address) in the `writer` table, for the other nodes.
  core::Status SetWriterAddress(const std::string& address);
  // The address the current (or last) writer recorded; "" when none did.
  core::Result<std::string> WriterAddress();

  core::Result<engine::JournalHead> Head() override;
  core::Status ScanJournal(uint64_t after_seq,
                           const std::function<core::Status(const engine::StoredRecord&)>& visit) override;
  // Replaces a snapshot with the same seq; keeps only the newest kKeptSnapshots.
  core::Status SaveSnapshot(const engine::Snapshot& snapshot) override;
  core::Result<std::optional<engine::Snapshot>> LatestSnapshot() override;
  // kInvalid when the query names more than kMaxQueryStates distinct states.
  core::Result<engine::IncidentPage> ListIncidents(const engine::IncidentQuery& query) override;
  core::Result<engine::IncidentRow> GetIncident(uint64_t id) override;
  core::Result<std::vector<engine::TimelineRow>> Timeline(uint64_t incident_id, uint64_t after_seq,
                                                          uint32_t limit) override;
  core::Result<std::vector<engine::AlertRow>> IncidentAlerts(uint64_t incident_id) override;
  core::Result<std::vector<engine::AlertRow>> WindowAlerts(std::string_view window_id, uint32_t limit) override;

 private:
  PostgresStore(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> snapshots,
                std::unique_ptr<ConnectionPool> readers);

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;  // guarded by writer_mutex_
  // The record this store appended last, for the fencing check of the next Append; unset until the first one
  // (then only the seq is checked). Guarded by writer_mutex_.
  std::optional<engine::JournalHead> appended_;
  // The writer lock's key once AcquireWriterLock succeeded; every Append then runs only in the session that took
  // it. Guarded by writer_mutex_.
  std::optional<int64_t> writer_lock_;
  // The writer session that took the lock: an append in any other session is refused (the lock died with it).
  uint64_t lock_session_ = 0;
  std::mutex snapshot_mutex_;
  std::unique_ptr<Connection> snapshots_;  // guarded by snapshot_mutex_
  std::unique_ptr<ConnectionPool> readers_;
};

}  // namespace store::postgres
