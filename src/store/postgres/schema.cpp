#include "store/postgres/schema.h"

namespace store::postgres {
namespace {

// kMigrations[v] takes the schema from version v to v + 1. Never edit a shipped entry: append a new one.
// The same tables as store/sqlite (integers are bigint, times Unix milliseconds), plus the head check appends use.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE journal (
  seq bigint PRIMARY KEY,
  type bigint NOT NULL,
  time_ms bigint NOT NULL,
  bytes bytea NOT NULL,
  hash bytea NOT NULL
);

CREATE TABLE incidents (
  id bigint PRIMARY KEY,
  service text NOT NULL,
  group_key text NOT NULL,
  title text NOT NULL,
  severity text NOT NULL,
  state text NOT NULL,
  opened_at bigint NOT NULL,
  acknowledged_at bigint,
  resolved_at bigint,
  closed_at bigint,
  alert_count bigint NOT NULL,
  open_alert_count bigint NOT NULL,
  last_seq bigint NOT NULL,
  last_actor text NOT NULL,
  merged_into bigint NOT NULL DEFAULT 0,
  notifications bigint NOT NULL DEFAULT 0,
  notify_due bigint,
  category text NOT NULL DEFAULT '',
  subcategory text NOT NULL DEFAULT '',
  category_rule text NOT NULL DEFAULT '',
  major_reason text NOT NULL DEFAULT ''
);
-- ListIncidents filters on one of these and pages by id DESC; the trailing id keeps each index in page order.
CREATE INDEX incidents_by_state ON incidents(state, id);
CREATE INDEX incidents_by_service ON incidents(service, id);
CREATE INDEX incidents_by_severity ON incidents(severity, id);

CREATE TABLE alerts (
  id bigint PRIMARY KEY,
  incident_id bigint NOT NULL,
  service text NOT NULL,
  dedup_key text NOT NULL,
  status text NOT NULL,
  summary text NOT NULL,
  source text NOT NULL,
  severity text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  event_count bigint NOT NULL,
  details_json text NOT NULL,
  explanation text NOT NULL DEFAULT '',
  suppressed_by text NOT NULL DEFAULT ''
);
CREATE INDEX alerts_by_incident ON alerts(incident_id, id);
CREATE INDEX alerts_by_window ON alerts(suppressed_by, id) WHERE suppressed_by <> '';

-- One record may add several entries for one incident, so the key is a row id and entries sharing a seq keep
-- their insertion order.
CREATE TABLE timeline (
  entry bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL,
  seq bigint NOT NULL,
  time_ms bigint NOT NULL,
  actor text NOT NULL,
  kind text NOT NULL,
  text text NOT NULL
);
CREATE INDEX timeline_by_incident ON timeline(incident_id, seq);

CREATE TABLE snapshots (
  seq bigint PRIMARY KEY,
  hash bytea NOT NULL,
  taken_at bigint NOT NULL,
  state bytea NOT NULL
);

-- Fencing for appends: raises IC409 unless the journal's head is `expected_seq` (and, when given, its hash is
-- `expected_hash`), and, when `writer_lock` is given, unless this session still holds that advisory lock (the
-- writer lock of PostgresStore::AcquireWriterLock). With the primary key on seq, a writer whose idea of the head is
-- stale, or whose lock session was lost, cannot append.
CREATE FUNCTION incidentd_expect_head(expected_seq bigint, expected_hash bytea, writer_lock bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash bytea;
BEGIN
  IF writer_lock IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM pg_locks
      WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
        AND ((classid::bigint << 32) | objid::bigint) = writer_lock) THEN
    RAISE EXCEPTION 'this session no longer holds the writer lock' USING ERRCODE = 'IC409';
  END IF;
  SELECT seq, hash INTO head_seq, head_hash FROM journal ORDER BY seq DESC LIMIT 1;
  IF coalesce(head_seq, 0) <> expected_seq THEN
    RAISE EXCEPTION 'record % does not follow head %', expected_seq + 1, coalesce(head_seq, 0)
      USING ERRCODE = 'IC409';
  END IF;
  IF expected_hash IS NOT NULL AND head_hash IS DISTINCT FROM expected_hash THEN
    RAISE EXCEPTION 'the journal head % is not the record this writer appended last', head_seq
      USING ERRCODE = 'IC409';
  END IF;
END
$$;

-- The node holding the writer lock, so the others can say where writes go. Informational: the lock decides.
CREATE TABLE writer (
  id bigint PRIMARY KEY CHECK (id = 1),
  address text NOT NULL,
  since_ms bigint NOT NULL
);
)sql",
    // v1 → v2: large journal records (a request's batch of alerts) are compressed with lz4 rather than pglz, which
    // cost about 9% of the server's CPU under alert load; a server built without lz4 stores them uncompressed.
    R"sql(
DO $$
BEGIN
  ALTER TABLE journal ALTER COLUMN bytes SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
  ALTER TABLE journal ALTER COLUMN bytes SET STORAGE EXTERNAL;
END
$$;
)sql",
};

constexpr int64_t kMigrationCount = static_cast<int64_t>(sizeof(kMigrations) / sizeof(kMigrations[0]));
static_assert(kMigrationCount == kSchemaVersion, "one migration per schema version");

core::Status Steps(Connection& c, const std::string& schema) {
  Params lock;
  lock.Text(schema);
  if (auto st = c.Query("SELECT pg_advisory_xact_lock(hashtext('incidentd.migrate'), hashtext($1))", lock,
                        "take the migration lock");
      !st.ok()) {
    return st.error();
  }
  if (!schema.empty()) {
    if (auto st = c.Exec("CREATE SCHEMA IF NOT EXISTS " + QuoteIdentifier(schema), "create schema"); !st.ok()) {
      return st;
    }
  }
  int64_t version = 0;
  auto tables = c.Query("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()", {}, "read schema");
  if (!tables.ok()) return tables.error();
  const int64_t table_count = tables->Int(0, 0);
  auto versioned = c.Query("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                           "AND tablename = 'schema_version'",
                           {}, "read schema");
  if (!versioned.ok()) return versioned.error();
  if (versioned->Int(0, 0) == 0) {
    if (table_count > 0) return core::Corrupt("not an incidentd database: the schema holds other tables");
    if (auto st = c.Exec("CREATE TABLE schema_version (version bigint NOT NULL); "
                         "INSERT INTO schema_version VALUES (0)",
                         "create schema_version");
        !st.ok()) {
      return st;
    }
  } else {
    auto read = c.Query("SELECT version FROM schema_version", {}, "read schema version");
    if (!read.ok()) return read.error();
    if (read->size() != 1) return core::Corrupt("schema_version must hold one row");
    version = read->Int(0, 0);
    if (version < 0 || version > kSchemaVersion) {
      return core::Corrupt("schema version " + std::to_string(version) + " is not supported by this build (" +
                           std::to_string(kSchemaVersion) + ")");
    }
  }
  for (int64_t v = version; v < kSchemaVersion; ++v) {
    if (auto st = c.Exec(kMigrations[v], "migrate to schema " + std::to_string(v + 1)); !st.ok()) return st;
  }
  Params stamp;
  stamp.Int(kSchemaVersion);
  if (auto st = c.Query("UPDATE schema_version SET version = $1", stamp, "stamp schema version"); !st.ok()) {
    return st.error();
  }
  return core::Ok();
}

}  // namespace

core::Status CheckVersion(Connection& c) {
  auto versioned = c.Query("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                           "AND tablename = 'schema_version'",
                           {}, "read schema");
  if (!versioned.ok()) return versioned.error();
  if (versioned->Int(0, 0) == 0) return core::Corrupt("not an incidentd database: no schema_version table");
  auto read = c.Query("SELECT version FROM schema_version", {}, "read schema version");
  if (!read.ok()) return read.error();
  if (read->size() != 1) return core::Corrupt("schema_version must hold one row");
  const int64_t version = read->Int(0, 0);
  if (version != kSchemaVersion) {
    return core::Corrupt("schema version " + std::to_string(version) + " is not this build's (" +
                         std::to_string(kSchemaVersion) + ")");
  }
  return core::Ok();
}

core::Status Migrate(Connection& c, const std::string& schema) {
  if (auto st = c.Exec("BEGIN", "begin migration"); !st.ok()) return st;
  core::Status st = Steps(c, schema);
  if (st.ok()) st = c.Exec("COMMIT", "commit migration");
  if (!st.ok()) {
    (void)c.Exec("ROLLBACK", "roll back migration");
    return st.error().WithContext("migrate the PostgreSQL schema");
  }
  return core::Ok();
}

}  // namespace store::postgres
