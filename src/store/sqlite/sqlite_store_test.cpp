// Runs the store contract suite against SqliteStore, plus what only a file-backed store can get wrong:
// durability across reopen and a crash, the batch log (recovery, torn and missing frames, file reuse), read-only
// mode, damaged or foreign files, and readers racing the writer.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "journal/record.h"
#include "store/contract_test.h"
#include "store/sqlite/batch_log.h"

namespace store::sqlite {
namespace {

using namespace store::contract;  // NOLINT: the shared builders are this file's vocabulary
using engine::IncidentRow;
using engine::Projection;
using engine::StoredRecord;

// A fresh directory under /tmp, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string templ = "/tmp/incidentd-store-" + std::string(6, 'X');  // mkdtemp fills in the six X
    char* made = mkdtemp(templ.data());
    if (made == nullptr) std::abort();  // the test machine is broken, not the code under test
    path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::shared_ptr<engine::Store> MakeFreshStore() {
  auto dir = std::make_shared<TempDir>();
  auto opened = SqliteStore::Open(dir->File("incidentd.db"));
  if (!opened.ok()) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  // The deleter owns the directory, so it is removed only after the store has closed its files.
  return std::shared_ptr<engine::Store>(std::move(opened).value().release(), [dir](engine::Store* s) { delete s; });
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(StoreContractParam{"sqlite", MakeFreshStore}),
                         [](const auto& info) { return info.param.name; });

// Runs SQL on its own connection, the way another process (or an attacker with a hex editor) would.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

std::string RawQueryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::unique_ptr<SqliteStore> OpenOrFail(const std::string& path, Options options = {}) {
  auto opened = SqliteStore::Open(path, options);
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return opened.ok() ? std::move(opened).value() : nullptr;
}

TEST(SqliteStoreTest, DataSurvivesCloseAndReopen) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  IncidentRow incident = MakeIncident(1, "acknowledged");
  incident.acknowledged_at = core::FromUnixMillis(1234);
  {
    auto store = OpenOrFail(path);
    ASSERT_TRUE(
        store->Append(MakeRecords(1, 3), Projection{{incident}, {MakeAlert(2, 1)}, {MakeEntry(1, 3, "x")}}).ok());
    ASSERT_TRUE(store->SaveSnapshot({3, MakeRecord(3).hash, core::FromUnixMillis(99), "state"}).ok());
  }

  auto reopened = OpenOrFail(path);

  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->Head()->seq, 3u);
  EXPECT_TRUE(SameRecord(MakeRecord(2), ScanAll(*reopened)[1]));
  EXPECT_EQ(reopened->GetIncident(1).value(), incident);
  EXPECT_EQ(reopened->IncidentAlerts(1).value()[0], MakeAlert(2, 1));
  EXPECT_EQ(reopened->Timeline(1, 0, 10).value()[0], MakeEntry(1, 3, "x"));
  EXPECT_EQ(reopened->LatestSnapshot().value()->state, "state");
}

TEST(SqliteStoreTest, CheckpointerMovesTheWalIntoTheDatabaseFile) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  auto store = OpenOrFail(path);
  ASSERT_NE(store, nullptr);
  // Enough records, each with a padded payload, for more than kCheckpointPages WAL pages (the WAL hook's wake-up,
  // not only the idle one).
  const size_t count = static_cast<size_t>(SqliteStore::kCheckpointPages) * 16384 / 2000 + 2000;
  std::vector<StoredRecord> records = MakeRecords(1, count);
  for (auto& r : records) r.bytes += std::string(2000, 'p');

  for (size_t i = 0; i < records.size(); i += 100) {
    ASSERT_TRUE(store->Append(std::span(records).subspan(i, std::min<size_t>(100, records.size() - i)),
                              Projection{}).ok());
  }

  // The checkpointer runs on its own thread: poll (not a timing assertion; the deadline only bounds a hang).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  uintmax_t size = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    size = std::filesystem::file_size(path);
    if (size > 1'000'000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(size, 1'000'000u) << "the WAL was never checkpointed into the database file";
}

TEST(SqliteStoreTest, ReopenedStoreContinuesTheJournalAndRejectsReplays) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  ASSERT_TRUE(OpenOrFail(path)->Append(MakeRecords(1, 3), {}).ok());
  auto store = OpenOrFail(path);

  auto replay = store->Append(MakeRecords(3, 1), {});
  auto next = store->Append(MakeRecords(4, 1), {});

  EXPECT_EQ(replay.error().code, core::ErrorCode::kConflict);
  EXPECT_TRUE(next.ok());
  EXPECT_EQ(store->Head()->seq, 4u);
}

TEST(SqliteStoreTest, SecondWriterOnTheSameFileIsRefusedWhileTheFirstIsOpen) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  auto first = OpenOrFail(path);
  ASSERT_TRUE(first->Append(MakeRecords(1, 3), {}).ok());

  auto second = SqliteStore::Open(path);
  auto reader = SqliteStore::Open(path, Options{.read_only = true});

  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(second.error().message.find("another incidentd"), std::string::npos) << second.error().message;
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  ASSERT_TRUE(first->Head().ok());  // waits until the batch is in SQLite, where the reader looks
  EXPECT_EQ((*reader)->Head()->seq, 3u);
  first.reset();
  EXPECT_TRUE(SqliteStore::Open(path).ok()) << "the lock goes with the store";
}

// Writes batches straight into a store's batch log, as a process that crashed before its projector ran would
// have left them.
void WriteToLog(const std::string& path, uint64_t next_batch, const std::vector<LogBatch>& batches) {
  auto log = BatchLog::Open(path, Options{}.log_file_bytes);
  ASSERT_TRUE(log.ok()) << log.error().message;
  (*log)->Restart(next_batch);
  for (const LogBatch& b : batches) {
    ASSERT_TRUE((*log)->Write(EncodeBatch(b.records, b.projection), {}).ok());
  }
  ASSERT_TRUE((*log)->Sync().ok());
}

TEST(SqliteStoreTest, BatchesOnlyInTheLogReachTheDatabaseAtOpen) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  ASSERT_TRUE(OpenOrFail(path)->Append(MakeRecords(1, 2), {}).ok());  // batch 1, applied
  IncidentRow incident = MakeIncident(7, "acknowledged");
  WriteToLog(path, 2,
             {LogBatch{MakeRecords(3, 2), Projection{{incident}, {MakeAlert(1, 7)}, {MakeEntry(7, 3, "opened")}}},
              LogBatch{MakeRecords(5, 1), {}}});

  auto store = OpenOrFail(path);

  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Head()->seq, 5u);
  EXPECT_EQ(ScanAll(*store).size(), 5u);
  EXPECT_EQ(store->GetIncident(7).value(), incident);
  EXPECT_EQ(store->IncidentAlerts(7).value().at(0), MakeAlert(1, 7));
  EXPECT_EQ(store->Timeline(7, 0, 10).value().at(0), MakeEntry(7, 3, "opened"));
  EXPECT_EQ(RawQueryText(path, "SELECT applied_batch FROM log_state"), "3");
  EXPECT_TRUE(store->Append(MakeRecords(6, 1), {}).ok());
}

TEST(SqliteStoreTest, ATornLastFrameIsIgnoredAndTheBatchesBeforeItAreApplied) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  OpenOrFail(path);
  WriteToLog(path, 1, {LogBatch{MakeRecords(1, 2), {}}, LogBatch{MakeRecords(3, 2), {}}});
  // Damage the second frame's last payload byte: its checksum no longer matches, as after a crash mid-write.
  std::string log = ReadFile(path + ".log0");
  size_t first_length = static_cast<unsigned char>(log[4]) | static_cast<unsigned char>(log[5]) << 8;
  size_t second = BatchLog::kHeaderBytes + first_length;
  size_t second_length = static_cast<unsigned char>(log[second + 4]) | static_cast<unsigned char>(log[second + 5]) << 8;
  log[second + BatchLog::kHeaderBytes + second_length - 1] ^= 0x01;
  std::ofstream(path + ".log0", std::ios::binary | std::ios::trunc) << log;

  auto store = OpenOrFail(path);

  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Head()->seq, 2u);
  EXPECT_TRUE(store->Append(MakeRecords(3, 1), {}).ok());
}

// CRC-32 as zlib and gzip define it (reflected polynomial 0xEDB88320, inverted in and out), one bit at a time:
// the reference the batch log's faster implementation must agree with.
uint32_t ReferenceCrc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string LittleEndian(uint64_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}

TEST(SqliteStoreTest, AFrameChecksummedWithZlibsCrc32IsReadSoLogsOfEarlierBuildsStillApply) {
  ASSERT_EQ(ReferenceCrc32("123456789"), 0xCBF43926u);  // the standard check value
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  OpenOrFail(path);
  // Frame 1 laid out by hand: magic "IDLG", payload length, frame number, CRC-32 of number and payload, zero.
  const std::string payload = EncodeBatch(MakeRecords(1, 3), {});
  const std::string number = LittleEndian(1, 8);
  const std::string frame = LittleEndian(0x474c4449, 4) + LittleEndian(payload.size(), 4) + number +
                            LittleEndian(ReferenceCrc32(number + payload), 4) + LittleEndian(0, 4) + payload;
  {
    std::fstream log(path + ".log0", std::ios::binary | std::ios::in | std::ios::out);
    log.write(frame.data(), static_cast<std::streamsize>(frame.size()));
  }

  auto store = OpenOrFail(path);

  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Head()->seq, 3u) << "the frame was applied at open";
  EXPECT_EQ(ScanAll(*store).size(), 3u);
}

TEST(SqliteStoreTest, ALogMissingBatchesTheDatabaseNeedsIsCorruptAndChangesNothing) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  OpenOrFail(path);
  WriteToLog(path, 2, {LogBatch{MakeRecords(1, 2), {}}});  // batch 1 never written

  auto opened = SqliteStore::Open(path);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, core::ErrorCode::kCorrupt);
  EXPECT_NE(opened.error().message.find("batch 1 is missing"), std::string::npos) << opened.error().message;
  EXPECT_EQ(RawQueryText(path, "SELECT count(*) FROM journal"), "0");
}

TEST(SqliteStoreTest, TheLogFilesAreReusedAndEveryBatchSurvivesAReopen) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  // Files of 4 KiB: about 20 of these batches fill one, so the two files are written in turn many times.
  Options small{.log_file_bytes = 4096};
  {
    auto opened = SqliteStore::Open(path, small);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    for (uint64_t seq = 1; seq <= 1000; seq += 2) {
      ASSERT_TRUE((*opened)->Append(MakeRecords(seq, 2), Projection{{MakeIncident(seq)}, {}, {}}).ok());
      if (seq % 50 == 1) {
        ASSERT_TRUE((*opened)->Sync().ok());
      }
    }
  }
  auto opened = SqliteStore::Open(path, small);

  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ((*opened)->Head()->seq, 1000u);
  engine::IncidentQuery query;
  query.limit = 500;
  EXPECT_EQ((*opened)->ListIncidents(query)->incidents.size(), 500u);
  EXPECT_LE(std::filesystem::file_size(path + ".log0"), 4096u);
  EXPECT_LE(std::filesystem::file_size(path + ".log1"), 4096u);
}

// The projector runs at idle priority and may get no CPU on a busy machine: a read then applies the batches it needs
// on its own thread, and so does the writer when the log must reuse a file whose batches are not in SQLite yet.
// With no projector at all, every read still sees every append before it, and the log files are still reused.
TEST(SqliteStoreTest, WithoutTheProjectorReadsAndTheLogApplyTheBatchesThemselves) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  Options no_projector{.log_file_bytes = 4096, .background_projector = false};
  {
    auto opened = SqliteStore::Open(path, no_projector);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    SqliteStore& store = **opened;
    for (uint64_t seq = 1; seq <= 400; seq += 2) {
      ASSERT_TRUE(store.Append(MakeRecords(seq, 2), Projection{{MakeIncident(seq)}, {}, {}}).ok());
      ASSERT_TRUE(store.Sync().ok());
      if (seq % 40 == 1) {
        auto got = store.GetIncident(seq);
        ASSERT_TRUE(got.ok()) << got.error().message;
        EXPECT_EQ(got->id, seq);
        EXPECT_EQ(store.Head()->seq, seq + 1);
      }
    }
    EXPECT_LE(std::filesystem::file_size(path + ".log0"), 4096u);
    EXPECT_LE(std::filesystem::file_size(path + ".log1"), 4096u);
    engine::IncidentQuery query;
    query.limit = 500;
    EXPECT_EQ(store.ListIncidents(query)->incidents.size(), 200u);
  }
  auto reopened = SqliteStore::Open(path);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_EQ((*reopened)->Head()->seq, 400u);
}

// The engine's syncer (or writer) and its snapshotter both call Sync, at times at once. Each Sync must cover what
// was written before it started even while the other's fdatasync is still running, and neither may fail or wait
// on the other for ever, also when the writer switches log files under them (4 KiB files).
TEST(SqliteStoreTest, SyncsFromSeveralThreadsAtOnceWhileTheWriterAppendsAllSucceed) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  Options small{.log_file_bytes = 4096};
  std::atomic<bool> writing{true};
  std::atomic<int> failed_syncs{0};
  std::atomic<int> syncs{0};
  {
    auto opened = SqliteStore::Open(path, small);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    SqliteStore& store = **opened;
    std::vector<std::thread> syncers;
    for (int i = 0; i < 2; ++i) {
      syncers.emplace_back([&] {
        while (writing.load()) {
          if (!store.Sync().ok()) ++failed_syncs;
          ++syncs;
        }
      });
    }
    for (uint64_t seq = 1; seq <= 600; seq += 2) {
      ASSERT_TRUE(store.Append(MakeRecords(seq, 2), Projection{{MakeIncident(seq)}, {}, {}}).ok());
      ASSERT_TRUE(store.Sync().ok());
    }
    writing = false;
    for (auto& t : syncers) t.join();
  }
  auto reopened = OpenOrFail(path, small);

  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(failed_syncs.load(), 0);
  EXPECT_GT(syncs.load(), 0);
  EXPECT_EQ(reopened->Head()->seq, 600u);
  EXPECT_EQ(reopened->GetIncident(599)->last_seq, MakeIncident(599).last_seq);
}

TEST(SqliteStoreTest, AcknowledgedBatchesSurviveAProcessThatDiesWithoutClosingTheStore) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto opened = SqliteStore::Open(path);
    if (!opened.ok()) _exit(2);
    for (uint64_t seq = 1; seq <= 3000; seq += 3) {
      if (!(*opened)->Append(MakeRecords(seq, 3), Projection{{MakeIncident(seq)}, {}, {}}).ok()) _exit(3);
    }
    if (!(*opened)->Sync().ok()) _exit(4);
    _exit(0);  // no destructors: whatever the projector had not applied is only in the log
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  auto store = OpenOrFail(path);

  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Head()->seq, 3000u);
  EXPECT_EQ(store->GetIncident(2998)->last_seq, MakeIncident(2998).last_seq);
}

TEST(SqliteStoreTest, DatabaseIsInWalMode) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");

  auto store = OpenOrFail(path);

  EXPECT_EQ(RawQueryText(path, "PRAGMA journal_mode"), "wal");
}

TEST(SqliteStoreTest, NewDatabaseHas16KiBPagesAndAnExistingOneKeepsItsOwn) {
  TempDir dir;
  const std::string fresh = dir.File("incidentd.db");
  const std::string older = dir.File("older.db");
  RawExec(older, "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL");

  ASSERT_NE(OpenOrFail(fresh), nullptr);
  ASSERT_NE(OpenOrFail(older), nullptr);

  EXPECT_EQ(RawQueryText(fresh, "PRAGMA page_size"), "16384");
  EXPECT_EQ(RawQueryText(older, "PRAGMA page_size"), "4096");
}

TEST(SqliteStoreTest, ReadOnlyStoreReadsButCannotWrite) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  ASSERT_TRUE(OpenOrFail(path)->Append(MakeRecords(1, 2), Projection{{MakeIncident(1)}, {}, {}}).ok());
  auto store = OpenOrFail(path, Options{.read_only = true});
  ASSERT_NE(store, nullptr);

  auto append = store->Append(MakeRecords(3, 1), {});
  auto snapshot = store->SaveSnapshot({2, {}, {}, "state"});

  EXPECT_EQ(append.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(snapshot.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(store->Head()->seq, 2u);
  EXPECT_EQ(store->GetIncident(1).value(), MakeIncident(1));
  EXPECT_FALSE(store->LatestSnapshot()->has_value());
}

TEST(SqliteStoreTest, ReadOnlyOpenOfMissingFileIsUnavailableAndCreatesNothing) {
  TempDir dir;
  const std::string path = dir.File("missing.db");

  auto opened = SqliteStore::Open(path, Options{.read_only = true});

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, core::ErrorCode::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SqliteStoreTest, OpenInMissingDirectoryIsUnavailable) {
  TempDir dir;

  auto opened = SqliteStore::Open(dir.File("no/such/dir/incidentd.db"));

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, core::ErrorCode::kUnavailable);
}

TEST(SqliteStoreTest, GarbageFileIsCorruptAndLeftUntouched) {
  TempDir dir;
  const std::string path = dir.File("garbage.db");
  std::string garbage(16384, '\0');
  std::mt19937 random(7);
  for (char& c : garbage) c = static_cast<char>(random());
  std::ofstream(path, std::ios::binary) << garbage;

  auto writable = SqliteStore::Open(path);
  auto read_only = SqliteStore::Open(path, Options{.read_only = true});

  ASSERT_FALSE(writable.ok());
  EXPECT_EQ(writable.error().code, core::ErrorCode::kCorrupt) << writable.error().message;
  ASSERT_FALSE(read_only.ok());
  EXPECT_EQ(read_only.error().code, core::ErrorCode::kCorrupt) << read_only.error().message;
  EXPECT_EQ(ReadFile(path), garbage);
}

TEST(SqliteStoreTest, ForeignSqliteDatabaseIsCorruptAndLeftUntouched) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RawExec(path, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')");

  auto opened = SqliteStore::Open(path);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, core::ErrorCode::kCorrupt);
  EXPECT_EQ(RawQueryText(path, "PRAGMA journal_mode"), "delete");
  EXPECT_EQ(RawQueryText(path, "SELECT name FROM recipes"), "soup");
}

TEST(SqliteStoreTest, SchemaNewerThanThisBuildIsRefused) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  OpenOrFail(path);
  RawExec(path, "PRAGMA user_version = 99");

  auto opened = SqliteStore::Open(path);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, core::ErrorCode::kCorrupt);
}

TEST(SqliteStoreTest, FlippedByteInStoredRecordIsReturnedAsIsForTheVerifierToCatch) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  auto store = OpenOrFail(path);
  journal::Chain chain;
  std::vector<StoredRecord> records;
  for (int i = 0; i < 3; ++i) {
    journal::Record record{.time = core::FromUnixMillis(1000 + i), .actor = "system", .type = 1, .payload = "p"};
    std::string bytes = chain.Link(record);
    records.push_back(StoredRecord{record.seq, record.type, record.time, bytes, record.hash});
  }
  ASSERT_TRUE(store->Append(records, {}).ok());
  ASSERT_TRUE(store->Head().ok());  // a read waits until the batch is in SQLite, which the test then edits
  std::string tampered = records[1].bytes;
  tampered[tampered.size() / 2] ^= 0x20;
  RawExec(path, "UPDATE journal SET bytes = x'" + Hex(tampered) + "' WHERE seq = 2");

  auto scanned = ScanAll(*store);
  journal::Verifier verifier;
  core::Status verdict = core::Ok();
  for (const StoredRecord& r : scanned) {
    auto checked = verifier.Next(r.bytes, r.hash);
    if (!checked.ok()) {
      verdict = checked.error();
      break;
    }
  }

  ASSERT_EQ(scanned.size(), 3u);
  EXPECT_EQ(scanned[1].bytes, tampered);
  EXPECT_EQ(scanned[1].hash, records[1].hash);
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().code, core::ErrorCode::kCorrupt);
  EXPECT_EQ(verifier.count(), 1u);
}

TEST(SqliteStoreTest, StoredHashOfWrongLengthIsCorruptNotACrash) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  auto store = OpenOrFail(path);
  ASSERT_TRUE(store->Append(MakeRecords(1, 3), {}).ok());
  ASSERT_TRUE(store->ScanJournal(0, [](const StoredRecord&) { return core::Ok(); }).ok());  // applied to SQLite
  RawExec(path, "UPDATE journal SET hash = x'0102' WHERE seq = 3");

  auto head = store->Head();
  core::Status scan = store->ScanJournal(0, [](const StoredRecord&) { return core::Ok(); });

  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.error().code, core::ErrorCode::kCorrupt);
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.error().code, core::ErrorCode::kCorrupt);
}

TEST(SqliteStoreTest, KeepsOnlyTheNewestThreeSnapshots) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  auto store = OpenOrFail(path);

  for (uint64_t seq = 1; seq <= 5; ++seq) ASSERT_TRUE(store->SaveSnapshot({seq, {}, {}, "s"}).ok());

  // Snapshots live in their own file, so writing one never holds the journal's write lock.
  EXPECT_EQ(RawQueryText(dir.File("incidentd-snapshots.db"),
                         "SELECT group_concat(seq) FROM (SELECT seq FROM snapshots ORDER BY seq)"),
            "3,4,5");
}

TEST(SqliteStoreTest, TooManyDistinctStatesInAQueryIsInvalid) {
  TempDir dir;
  auto store = OpenOrFail(dir.File("incidentd.db"));
  engine::IncidentQuery query;
  for (size_t i = 0; i <= SqliteStore::kMaxQueryStates; ++i) query.states.push_back("s" + std::to_string(i));

  auto page = store->ListIncidents(query);

  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, core::ErrorCode::kInvalid);
}

TEST(SqliteStoreTest, SeqAboveInt64MaxIsInvalidAndWritesNothing) {
  TempDir dir;
  auto store = OpenOrFail(dir.File("incidentd.db"));
  Projection projection;
  projection.incidents.push_back(MakeIncident(std::numeric_limits<uint64_t>::max()));

  auto st = store->Append(MakeRecords(1, 1), projection);

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(store->Head()->seq, 0u);
}

TEST(SqliteStoreTest, ReadersRacingTheWriterSeeOnlyWholeCommittedBatches) {
  TempDir dir;
  auto store = OpenOrFail(dir.File("incidentd.db"));
  constexpr uint64_t kBatch = 10;
  constexpr uint64_t kBatches = 150;
  std::atomic<bool> done{false};
  std::atomic<int> violations{0};
  std::atomic<int> reads{0};
  auto reader = [&] {
    while (!done.load()) {
      auto incident = store->GetIncident(1);
      auto head = store->Head();
      if (!head.ok() || head->seq % kBatch != 0) ++violations;
      // The incident row is written in the same transaction as the batch that names it in last_seq.
      if (incident.ok() && (incident->last_seq % kBatch != 0 || incident->last_seq > head->seq)) ++violations;
      auto scanned = ScanAll(*store);
      for (size_t i = 0; i < scanned.size(); ++i) {
        if (scanned[i].seq != i + 1) ++violations;
      }
      if (scanned.size() % kBatch != 0) ++violations;
      ++reads;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 12; ++i) readers.emplace_back(reader);  // more threads than pooled connections

  for (uint64_t b = 0; b < kBatches; ++b) {
    IncidentRow row = MakeIncident(1);
    row.last_seq = (b + 1) * kBatch;
    ASSERT_TRUE(store->Append(MakeRecords(b * kBatch + 1, kBatch), Projection{{row}, {}, {}}).ok());
    if (b % 15 == 0) {
      // Appends only write the batch log and return at once: let the readers complete some reads in between, so
      // that they do race the projector's transactions (the deadline only bounds a hang).
      const int seen = reads.load();
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (reads.load() < seen + 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    }
  }
  done = true;
  for (auto& t : readers) t.join();

  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(store->Head()->seq, kBatch * kBatches);
}

// Everyone who applies batches at once: the idle projector, the catch-up thread (log files of 4 KiB put it half a
// file behind after a few batches), readers that apply what they need themselves, and the writer when the log must
// reuse a file. Batches are applied in order, each exactly once, and nothing waits for ever.
TEST(SqliteStoreTest, ProjectorCatchUpReadersAndTheLogApplyTogetherInOrder) {
  TempDir dir;
  const std::string path = dir.File("incidentd.db");
  Options small{.log_file_bytes = 4096};
  constexpr uint64_t kBatches = 400;
  {
    auto opened = SqliteStore::Open(path, small);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    SqliteStore& store = **opened;
    std::atomic<bool> done{false};
    std::atomic<int> violations{0};
    std::atomic<int> reads{0};
    auto reader = [&] {
      while (!done.load()) {
        // The incident first: a read sees every append before it, so the head read after it is at least as new.
        auto incident = store.GetIncident(1);
        auto head = store.Head();
        if (!head.ok() || head->seq % 2 != 0) ++violations;
        if (incident.ok() && incident->last_seq > head->seq) ++violations;
        ++reads;
      }
    };
    std::vector<std::thread> readers;
    for (int i = 0; i < 3; ++i) readers.emplace_back(reader);
    for (uint64_t b = 0; b < kBatches; ++b) {
      IncidentRow row = MakeIncident(1);
      row.last_seq = (b + 1) * 2;
      ASSERT_TRUE(store.Append(MakeRecords(b * 2 + 1, 2), Projection{{row}, {}, {}}).ok());
      if (b % 10 == 0) {
        ASSERT_TRUE(store.Sync().ok());
      }
    }
    done = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(violations.load(), 0);
    EXPECT_GT(reads.load(), 0);
    EXPECT_EQ(store.Head()->seq, kBatches * 2);
    EXPECT_EQ(store.GetIncident(1)->last_seq, kBatches * 2);
    EXPECT_EQ(ScanAll(store).size(), kBatches * 2);
  }
  auto reopened = SqliteStore::Open(path, small);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_EQ((*reopened)->Head()->seq, kBatches * 2);
}

}  // namespace
}  // namespace store::sqlite
