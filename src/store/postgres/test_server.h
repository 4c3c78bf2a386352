// For tests only: the PostgreSQL test server that tools/pg_test_server.sh starts (its URL from INCIDENTD_PG_URL or
// the file INCIDENTD_PG_URL_FILE names) and raw SQL on a session of its own. Header-only; the includer links libpq.
#pragma once

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace store::postgres::test_server {

// The test server's URL, or "" when there is none (the tests then skip).
inline std::string ServerUrl() {
  if (const char* url = std::getenv("INCIDENTD_PG_URL"); url != nullptr && *url != '\0') return url;
  const char* file = std::getenv("INCIDENTD_PG_URL_FILE");
  if (file == nullptr) return "";
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

// Runs `sql` on a session of its own, the way an operator (or another node) would; "" on success, else the error.
inline std::string RawExec(const std::string& sql) {
  PGconn* conn = PQconnectdb(ServerUrl().c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PQclear(PQexec(conn, "SET client_min_messages TO warning"));
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(res);
    }
    PQclear(res);
  }
  PQfinish(conn);
  return error;
}

}  // namespace store::postgres::test_server
