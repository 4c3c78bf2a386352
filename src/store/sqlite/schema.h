// The incidentd SQLite schema and its migrations, versioned through PRAGMA user_version and recognised through
// PRAGMA application_id. Internal to store/sqlite.
#pragma once

#include <cstdint>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace store::sqlite {

inline constexpr int64_t kSchemaVersion = 4;

// Makes the writer connection ready: refuses files that are not incidentd databases (kCorrupt), switches to WAL
// with synchronous=NORMAL, and applies pending migrations in one transaction. kCorrupt also for a schema newer than
// this binary; kUnavailable when the file is busy or cannot be written.
core::Status PrepareWriter(Connection& writer);

// Checks, without writing, that the file is an incidentd database at kSchemaVersion. kCorrupt when it is not one
// (or is newer); kUnavailable when it still needs migrating (it was never opened read-write by this version).
// Creates the snapshots table in the separate snapshot database if needed.
core::Status PrepareSnapshots(Connection& connection);

core::Status CheckSchema(Connection& reader);

}  // namespace store::sqlite
