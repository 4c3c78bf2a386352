// The PostgreSQL schema of store/postgres and its versioned migrations. Internal to store/postgres.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "store/postgres/connection.h"

namespace store::postgres {

inline constexpr int64_t kSchemaVersion = 2;

// Brings the schema (`schema`, or the session's default when empty; created when missing) to kSchemaVersion in one
// transaction that holds a transaction-level advisory lock, so nodes starting together never migrate at once and
// the loser finds the work done. kCorrupt when the schema holds tables but no incidentd schema_version, or a
// version newer than this build; kUnavailable when the server cannot be reached.
core::Status Migrate(Connection& c, const std::string& schema);

// Checks, writing nothing, that the session's schema is at kSchemaVersion: kCorrupt when it holds no incidentd
// schema_version or another version, kUnavailable when the server cannot be reached.
core::Status CheckVersion(Connection& c);

}  // namespace store::postgres
