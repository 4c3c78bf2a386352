// Verifying a journal straight from a data directory, without a running server (e.g. after a crash).
#pragma once

#include <string>

#include "cli/commands.h"

namespace cli {

// Opens <data_dir>/incidentd.db read-only and walks the whole journal; reports like ReportJournalCheck.
// kExitFailed also when there is no database there or it cannot be opened. Changes nothing on disk.
int VerifyJournalOffline(const std::string& data_dir, Console console);

}  // namespace cli
