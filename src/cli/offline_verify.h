// Verifying without a running server: a journal straight from a data directory (e.g. after a crash) or from
// PostgreSQL, or an incident's exported bundle.
#pragma once

#include <string>

#include "cli/commands.h"

namespace cli {

// Opens <data_dir>/incidentd.db read-only and walks the whole journal; reports like ReportJournalCheck.
// kExitFailed also when there is no database there or it cannot be opened. Changes nothing on disk.
int VerifyJournalOffline(const std::string& data_dir, Console console);

// The same for the journal in PostgreSQL (`url`: postgres://...), through a read-only store: no migration, nothing
// written. kExitFailed also when the server cannot be reached or the database is not an incidentd one.
int VerifyJournalInPostgres(const std::string& url, Console console);

// Checks a bundle file (journal::VerifyBundleJson with the engine's record descriptions). Prints "OK: N records (M of
// incident X), chain links from seq A to B, head hash H" and how to compare H with the live journal (kExitOk), or
// "BROKEN: record N: what is wrong" (kExitFailed; also when the file cannot be read).
int VerifyBundleFile(const std::string& path, Console console);

}  // namespace cli
