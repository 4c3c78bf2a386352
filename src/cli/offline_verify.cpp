#include "cli/offline_verify.h"

#include <filesystem>
#include <ostream>

#include "engine/journal_tools.h"
#include "journal/record.h"
#include "store/sqlite/sqlite_store.h"

namespace cli {

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
  const engine::VerifyReport report = engine::VerifyJournal(**store);
  JournalCheck check;
  check.ok = report.ok;
  check.records = report.records;
  check.head_seq = report.head_seq;
  check.head_hash = journal::HashHex(report.head_hash);
  check.error = report.error;
  return ReportJournalCheck(check, console);
}

}  // namespace cli
