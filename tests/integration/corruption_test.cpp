// A journal whose bytes changed on disk is named, never trusted and never repaired: offline verify reports the
// record, the server refuses to start, and the failed start leaves the file as it was.
#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/api.h"
#include "support/process.h"
#include "support/server_process.h"

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using test_support::kCheckoutKey;
using test_support::Must;
using test_support::ReadFile;
using test_support::ServerProcess;

// Flips one bit in the middle of the stored bytes of journal record `seq` (SQLite C API, no incidentd code), then
// checkpoints so that the change is in the main database file. Returns false with `error` set on failure.
bool FlipByteInRecord(const std::filesystem::path& db_path, int64_t seq, std::string& error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    error = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close(db);
    return false;
  }
  std::string bytes;
  sqlite3_stmt* select = nullptr;
  sqlite3_prepare_v2(db, "SELECT bytes FROM journal WHERE seq = ?", -1, &select, nullptr);
  sqlite3_bind_int64(select, 1, seq);
  if (select != nullptr && sqlite3_step(select) == SQLITE_ROW) {
    const void* blob = sqlite3_column_blob(select, 0);
    bytes.assign(static_cast<const char*>(blob), static_cast<size_t>(sqlite3_column_bytes(select, 0)));
  }
  sqlite3_finalize(select);
  bool ok = !bytes.empty();
  if (ok) {
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
    sqlite3_stmt* update = nullptr;
    sqlite3_prepare_v2(db, "UPDATE journal SET bytes = ? WHERE seq = ?", -1, &update, nullptr);
    sqlite3_bind_blob(update, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(update, 2, seq);
    ok = update != nullptr && sqlite3_step(update) == SQLITE_DONE && sqlite3_changes(db) == 1;
    sqlite3_finalize(update);
  }
  if (!ok) error = "no journal record " + std::to_string(seq) + " to change: " + sqlite3_errmsg(db);
  ok = ok && sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

class CorruptionTest : public ::testing::Test {
 protected:
  // Starts the server, posts three triggers (each durable once answered 202), and returns the journal head.
  uint64_t RecordSomeEvents() {
    auto started = server_.Start();
    EXPECT_TRUE(started.ok()) << started.error().message;
    auto client = server_.Client();
    for (int i = 0; i < 3; ++i) {
      auto body = test_support::TriggerEvent(kCheckoutKey, "corrupt-" + std::to_string(i), "event " + std::to_string(i));
      EXPECT_EQ(Must(client.Post("/v2/enqueue", body)).status, 202);
    }
    return test_support::NumberField(test_support::ParseJson(Must(client.Get("/api/v1/journal/verify")).body),
                                     "head_seq");
  }

  test_support::CtlResult VerifyOffline() {
    return test_support::RunCtl({"journal", "verify", "--data-dir", server_.data_dir().string()});
  }

  ServerProcess server_;
};

TEST_F(CorruptionTest, OfflineVerifyOfAnIntactJournalSaysOk) {
  RecordSomeEvents();
  ASSERT_EQ(server_.Stop(), 0);

  auto verified = VerifyOffline();

  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, StartsWith("OK: "));
}

TEST_F(CorruptionTest, OfflineVerifyNamesAFlippedRecordAfterACleanStop) {
  const uint64_t head = RecordSomeEvents();
  ASSERT_GE(head, 2u);
  ASSERT_EQ(server_.Stop(), 0);
  std::string error;
  ASSERT_TRUE(FlipByteInRecord(server_.database_path(), 2, error)) << error;

  auto verified = VerifyOffline();

  EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
  EXPECT_THAT(verified.out, StartsWith("BROKEN: "));
  EXPECT_THAT(verified.out, HasSubstr("record 2"));
  EXPECT_THAT(verified.out, HasSubstr("(1 records verified before it)"));
}

TEST_F(CorruptionTest, ServerRefusesToStartOnAFlippedRecordAfterACleanStop) {
  const uint64_t head = RecordSomeEvents();
  ASSERT_GE(head, 2u);
  ASSERT_EQ(server_.Stop(), 0);
  std::string error;
  ASSERT_TRUE(FlipByteInRecord(server_.database_path(), 2, error)) << error;

  auto started = server_.Start();

  EXPECT_FALSE(started.ok()) << "incidentd started on a corrupt journal";
  EXPECT_NE(server_.exit_status().value_or(0), 0);
  EXPECT_THAT(server_.ReadStderr(), HasSubstr("record 2"));
  EXPECT_THAT(server_.ReadStderr(), HasSubstr("journal"));
}

TEST_F(CorruptionTest, ServerRefusesToStartOnAFlippedRecordAfterACrash) {
  const uint64_t head = RecordSomeEvents();
  ASSERT_GE(head, 1u);
  server_.Kill();
  std::string error;
  ASSERT_TRUE(FlipByteInRecord(server_.database_path(), static_cast<int64_t>(head), error)) << error;

  auto started = server_.Start();

  EXPECT_FALSE(started.ok()) << "incidentd started on a corrupt journal";
  EXPECT_NE(server_.exit_status().value_or(0), 0);
  EXPECT_THAT(server_.ReadStderr(), HasSubstr("record " + std::to_string(head)));
  EXPECT_THAT(server_.ReadStderr(), HasSubstr("journal"));
}

TEST_F(CorruptionTest, AFailedStartRepairsNothing) {
  const uint64_t head = RecordSomeEvents();
  ASSERT_GE(head, 1u);
  server_.Kill();
  std::string error;
  ASSERT_TRUE(FlipByteInRecord(server_.database_path(), static_cast<int64_t>(head), error)) << error;
  const std::string before = ReadFile(server_.database_path().string());

  auto started = server_.Start();
  auto verified = VerifyOffline();

  EXPECT_FALSE(started.ok());
  EXPECT_TRUE(ReadFile(server_.database_path().string()) == before) << "the database file changed";
  EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("record " + std::to_string(head)));
}

}  // namespace
