#include "cli/offline_verify.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <ostream>

#include "engine/journal_tools.h"
#include "journal/bundle.h"
#include "journal/record.h"
#include "store/sqlite/sqlite_store.h"
#ifdef INCIDENTCTL_POSTGRES_VERIFY
#include "store/postgres/postgres_store.h"
#endif

namespace cli {

namespace {

// Walks the whole journal in `store` and reports like ReportJournalCheck.
int ReportStoredJournal(engine::Store& store, Console console) {
  const engine::VerifyReport report = engine::VerifyJournal(store);
  JournalCheck check;
  check.ok = report.ok;
  check.records = report.records;
  check.head_seq = report.head_seq;
  check.head_hash = journal::HashHex(report.head_hash);
  check.error = report.error;
  return ReportJournalCheck(check, console);
}

}  // namespace

int VerifyJournalOffline(const std::string& data_dir, Console console) {
  const std::filesystem::path path = std::filesystem::path(data_dir) / "incidentd.db";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    console.err << "incidentctl: no database at " << path.string() << "\n";
    return kExitFailed;
  }
  auto store = store::sqlite::SqliteStore::Open(path.string(), {.read_only = true});
  if (!store.ok()) {
    console.err << "incidentctl: cannot open " << path.string() << ": " << store.error().message << "\n";
    return kExitFailed;
  }
  return ReportStoredJournal(**store, console);
}

#ifdef INCIDENTCTL_POSTGRES_VERIFY
int VerifyJournalInPostgres(const std::string& url, Console console) {
  auto store = store::postgres::PostgresStore::Open(url, {.read_only = true});
  if (!store.ok()) {
    console.err << "incidentctl: cannot open the PostgreSQL store: " << store.error().message << "\n";
    return kExitFailed;
  }
  return ReportStoredJournal(**store, console);
}
#endif

int VerifyBundleFile(const std::string& path, Console console) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  if (file.is_open()) text << file.rdbuf();
  if (!file.is_open() || file.bad()) {
    console.err << "incidentctl: cannot read " << path << "\n";
    return kExitFailed;
  }
  auto check = journal::VerifyBundleJson(text.str(), engine::DescribeForBundle);
  if (!check.ok()) {
    console.out << "BROKEN: " << check.error().message << "\n";
    return kExitFailed;
  }
  const journal::BundleCheck& c = *check;
  const std::string hash = journal::HashHex(c.last_hash);
  console.out << "OK: " << c.records << " records (" << c.incident_records << " of incident " << c.incident_id
              << "), chain links from seq " << c.first_seq << " to " << c.last_seq << ", head hash " << hash << "\n";
  console.out << "Compare with the live journal: `incidentctl journal hash " << c.last_seq
              << "` must print this hash (the journal's head was record " << c.head.seq << " at export).\n";
  return kExitOk;
}

}  // namespace cli
