#include "store/sqlite/schema.h"

#include <string>

namespace store::sqlite {
namespace {

// "icdd": marks a file as ours, so a foreign SQLite database is refused instead of being migrated.
constexpr int64_t kApplicationId = 0x69636464;

// kMigrations[v] takes the schema from version v to v + 1. Never edit a shipped entry: append a new one.
// STRICT tables make SQLite refuse values of the wrong type, so reads can rely on column types.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE journal (
  seq INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  hash BLOB NOT NULL
) STRICT;

CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  group_key TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  acknowledged_at INTEGER,
  resolved_at INTEGER,
  closed_at INTEGER,
  alert_count INTEGER NOT NULL,
  open_alert_count INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  last_actor TEXT NOT NULL
) STRICT;
-- ListIncidents filters on one of these and pages by id DESC; the trailing id keeps each index in page order.
CREATE INDEX incidents_by_state ON incidents(state, id);
CREATE INDEX incidents_by_service ON incidents(service, id);
CREATE INDEX incidents_by_severity ON incidents(severity, id);

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL,
  service TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  status TEXT NOT NULL,
  summary TEXT NOT NULL,
  source TEXT NOT NULL,
  severity TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  details_json TEXT NOT NULL
) STRICT;
CREATE INDEX alerts_by_incident ON alerts(incident_id, id);

-- One record may add several entries for one incident (opened + alert_triggered), so the key is a row id and
-- entries sharing a seq keep their insertion order.
CREATE TABLE timeline (
  entry INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL
) STRICT;
CREATE INDEX timeline_by_incident ON timeline(incident_id, seq);
)sql",
    // 2: correlation (why an alert is where it is, merges, maintenance windows) and notifications.
    R"sql(
ALTER TABLE incidents ADD COLUMN merged_into INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN notifications INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN notify_due INTEGER;
ALTER TABLE alerts ADD COLUMN explanation TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN suppressed_by TEXT NOT NULL DEFAULT '';
CREATE INDEX alerts_by_window ON alerts(suppressed_by, id) WHERE suppressed_by <> '';
)sql",
    // 3: classification (the incident's category and what chose it, why it is major).
    R"sql(
ALTER TABLE incidents ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN subcategory TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN category_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN major_reason TEXT NOT NULL DEFAULT '';
)sql",
    // 4: the batch log in front of the database (store/sqlite/batch_log.h): the last batch applied here.
    R"sql(
CREATE TABLE log_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  applied_batch INTEGER NOT NULL
) STRICT;
INSERT INTO log_state (id, applied_batch) VALUES (1, 0);
)sql",
};

constexpr int64_t kMigrationCount = static_cast<int64_t>(sizeof(kMigrations) / sizeof(kMigrations[0]));
static_assert(kMigrationCount == kSchemaVersion, "one migration per schema version");

// The schema version of an incidentd database, 0 for a brand-new empty file; kCorrupt for anything else.
core::Result<int64_t> ReadVersion(Connection& c) {
  // The first read of a file that is not SQLite at all fails here with SQLITE_NOTADB.
  auto app_id = c.QueryInt("PRAGMA application_id", "read application id");
  if (!app_id.ok()) return app_id.error();
  auto version = c.QueryInt("PRAGMA user_version", "read schema version");
  if (!version.ok()) return version.error();
  if (*app_id == kApplicationId) {
    if (*version > kSchemaVersion || *version < 0) {
      return core::Corrupt("schema version " + std::to_string(*version) + " is not supported by this build (" +
                           std::to_string(kSchemaVersion) + ")");
    }
    return *version;
  }
  auto objects = c.QueryInt("SELECT count(*) FROM sqlite_schema", "read schema");
  if (!objects.ok()) return objects.error();
  if (*app_id == 0 && *version == 0 && *objects == 0) return int64_t{0};
  return core::Corrupt("not an incidentd database (application id " + std::to_string(*app_id) + ")");
}

core::Status Migrate(Connection& writer) {
  // IMMEDIATE takes the write lock before re-reading the version, so two processes opening a new file at once
  // cannot both apply the same migration.
  if (auto st = writer.Exec("BEGIN IMMEDIATE", "begin migration"); !st.ok()) return st;
  auto version = ReadVersion(writer);
  if (!version.ok()) {
    writer.RollbackQuietly();
    return version.error();
  }
  for (int64_t v = *version; v < kSchemaVersion; ++v) {
    if (auto st = writer.Exec(kMigrations[v], "migrate to schema " + std::to_string(v + 1)); !st.ok()) {
      writer.RollbackQuietly();
      return st;
    }
  }
  // Pragma values cannot be bound parameters; both numbers are compile-time constants.
  std::string stamp = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                      "; PRAGMA user_version = " + std::to_string(kSchemaVersion);
  if (auto st = writer.Exec(stamp.c_str(), "stamp schema version"); !st.ok()) {
    writer.RollbackQuietly();
    return st;
  }
  if (auto st = writer.Exec("COMMIT", "commit migration"); !st.ok()) {
    writer.RollbackQuietly();
    return st;
  }
  return core::Ok();
}

}  // namespace

core::Status PrepareWriter(Connection& writer) {
  // Identify the file before changing anything in it: a foreign database must not be switched to WAL.
  auto version = ReadVersion(writer);
  if (!version.ok()) return version.error();
  // A new file gets 16 KiB pages (an existing one keeps its size; SQLite ignores this for it). The projector's
  // transactions append rows at the ends of the journal, alert and timeline B-trees, and SQLite writes the WAL one
  // page per write call: with 16 KiB pages and the page cache below, the projector and the checkpointer took about
  // 30% less CPU per alert than with 4 KiB pages and SQLite's default cache (docs/performance.md).
  if (*version == 0) {
    if (auto st = writer.Exec("PRAGMA page_size = 16384", "set page size"); !st.ok()) return st;
  }
  auto mode = writer.QueryText("PRAGMA journal_mode = WAL", "enable WAL");
  if (!mode.ok()) return mode.error();
  if (*mode != "wal") return core::Unavailable("enable WAL: journal mode stayed " + *mode);
  // NORMAL does not sync on commit: what is acknowledged is durable in the batch log first (SqliteStore::Sync), and
  // the store syncs the WAL itself before a log file holding those batches is written again.
  // Checkpoints run on a separate thread (see SqliteStore), so the writer's automatic checkpoint is off.
  // journal_size_limit truncates the WAL after checkpoints so a burst does not leave a huge file behind.
  // A 16 MiB page cache holds what one projector transaction (up to 20 ms of batches) dirties: with the default
  // 2 MiB, SQLite spilled dirty pages into the WAL in the middle of a transaction and read them back.
  if (auto st = writer.Exec("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0; "
                            "PRAGMA journal_size_limit = 67108864; PRAGMA cache_size = -16384",
                            "set durability");
      !st.ok()) {
    return st;
  }
  if (*version == kSchemaVersion) return core::Ok();
  return Migrate(writer);
}

core::Status PrepareSnapshots(Connection& c) {
  // Snapshots live in a file of their own, so writing a large one never holds the journal's write lock. They are
  // only a start-up shortcut: losing this file costs a longer replay, nothing else.
  return c.Exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
      "CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY, hash BLOB NOT NULL, "
      "taken_at INTEGER NOT NULL, state BLOB NOT NULL) STRICT",
      "prepare snapshot file");
}

core::Status CheckSchema(Connection& reader) {
  auto version = ReadVersion(reader);
  if (!version.ok()) return version.error();
  if (*version != kSchemaVersion) {
    return core::Unavailable("schema version " + std::to_string(*version) + " needs migrating to " +
                             std::to_string(kSchemaVersion) + "; open the database read-write once");
  }
  return core::Ok();
}

}  // namespace store::sqlite
