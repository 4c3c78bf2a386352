// Runs the store contract suite against PostgresStore on a real server (tools/pg_test_server.sh; the URL comes from
// INCIDENTD_PG_URL or the file INCIDENTD_PG_URL_FILE names), plus what only a server-backed store can get wrong:
// reopening, a second writer, migrations racing, foreign schemas, lost sessions, an unreachable server.
// Each store lives in a schema of its own, dropped with it.
#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/contract_test.h"
#include "store/postgres/schema.h"
#include "store/postgres/test_server.h"

namespace store::postgres {
namespace {

using store::postgres::test_server::RawExec;
using store::postgres::test_server::ServerUrl;

using namespace store::contract;  // NOLINT: the shared builders are this file's vocabulary
using engine::Projection;
using engine::StoredRecord;

std::string RawQueryText(const std::string& sql) {
  PGconn* conn = PQconnectdb(ServerUrl().c_str());
  std::string out;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) out = PQgetvalue(res, 0, 0);
    PQclear(res);
  }
  PQfinish(conn);
  return out;
}

std::string FreshSchemaName() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

// A schema name that is dropped, with everything in it, when the object dies.
class TempSchema {
 public:
  TempSchema() : name_(FreshSchemaName()) {}
  ~TempSchema() { RawExec("DROP SCHEMA IF EXISTS \"" + name_ + "\" CASCADE"); }
  TempSchema(const TempSchema&) = delete;
  TempSchema& operator=(const TempSchema&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

std::unique_ptr<PostgresStore> OpenOrFail(const std::string& schema) {
  auto opened = PostgresStore::Open(ServerUrl(), Options{.schema = schema});
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return opened.ok() ? std::move(opened).value() : nullptr;
}

std::shared_ptr<engine::Store> MakeFreshStore() {
  auto schema = std::make_shared<TempSchema>();
  auto store = OpenOrFail(schema->name());
  if (store == nullptr) return nullptr;
  // The deleter owns the schema, so it is dropped only after the store has closed its sessions.
  return std::shared_ptr<engine::Store>(store.release(), [schema](engine::Store* s) { delete s; });
}

std::vector<StoreContractParam> Stores() {
  if (ServerUrl().empty()) return {};
  return {StoreContractParam{"postgres", MakeFreshStore}};
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreContractTest);
INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest, ::testing::ValuesIn(Stores()),
                         [](const auto& info) { return info.param.name; });

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ServerUrl().empty()) GTEST_SKIP() << "no PostgreSQL test server (tools/pg_test_server.sh)";
  }
  TempSchema schema_;
};

TEST_F(PostgresStoreTest, DataSurvivesCloseAndReopen) {
  engine::IncidentRow incident = MakeIncident(1, "acknowledged");
  incident.acknowledged_at = core::FromUnixMillis(1234);
  {
    auto store = OpenOrFail(schema_.name());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        store->Append(MakeRecords(1, 3), Projection{{incident}, {MakeAlert(2, 1)}, {MakeEntry(1, 3, "x")}}).ok());
    ASSERT_TRUE(store->SaveSnapshot({3, MakeRecord(3).hash, core::FromUnixMillis(99), "state"}).ok());
  }

  auto reopened = OpenOrFail(schema_.name());

  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->Head()->seq, 3u);
  EXPECT_TRUE(SameRecord(MakeRecord(2), ScanAll(*reopened)[1]));
  EXPECT_EQ(reopened->GetIncident(1).value(), incident);
  EXPECT_EQ(reopened->IncidentAlerts(1).value()[0], MakeAlert(2, 1));
  EXPECT_EQ(reopened->Timeline(1, 0, 10).value()[0], MakeEntry(1, 3, "x"));
  EXPECT_EQ(reopened->LatestSnapshot().value()->state, "state");
}

TEST_F(PostgresStoreTest, SecondWriterOnTheSameSchemaGetsConflictNotAFork) {
  auto first = OpenOrFail(schema_.name());
  auto second = OpenOrFail(schema_.name());
  ASSERT_TRUE(first->Append(MakeRecords(1, 3), {}).ok());

  auto replay = second->Append(MakeRecords(1, 2), {});
  auto gap = second->Append(MakeRecords(5, 1), {});

  EXPECT_EQ(replay.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(gap.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(first->Head()->seq, 3u);
}

TEST_F(PostgresStoreTest, WriterWhoseLastRecordWasReplacedCannotAppend) {
  // Fencing by hash: the head has the seq this writer expects, but not the record it appended.
  auto stale = OpenOrFail(schema_.name());
  ASSERT_TRUE(stale->Append(MakeRecords(1, 3), {}).ok());
  ASSERT_EQ(RawExec("SET search_path TO \"" + schema_.name() + "\"; UPDATE journal SET hash = '\\x00' || "
                    "substring(hash from 2) WHERE seq = 3"),
            "");

  auto st = stale->Append(MakeRecords(4, 1), {});

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kConflict) << st.error().message;
}

TEST_F(PostgresStoreTest, BatchLargerThanOneStatementIsAppendedWhole) {
  auto store = OpenOrFail(schema_.name());
  const size_t n = PostgresStore::kRowsPerStatement * 2 + 7;
  Projection projection;
  for (uint64_t i = 1; i <= n; ++i) {
    projection.incidents.push_back(MakeIncident(i % 50 + 1));  // repeated ids: later rows win
    projection.timeline.push_back(MakeEntry(1, i, "k" + std::to_string(i)));
  }

  ASSERT_TRUE(store->Append(MakeRecords(1, n), projection).ok());

  EXPECT_EQ(store->Head()->seq, n);
  EXPECT_EQ(ScanAll(*store).size(), n);
  auto timeline = store->Timeline(1, 0, 10000).value();
  ASSERT_EQ(timeline.size(), n);
  EXPECT_EQ(timeline.back().kind, "k" + std::to_string(n));
}

TEST_F(PostgresStoreTest, FailedBatchWritesNothingAndTheNextOneWorks) {
  auto store = OpenOrFail(schema_.name());
  ASSERT_TRUE(store->Append(MakeRecords(1, 2), {}).ok());
  // Conflicts inside the pipeline, after the head check passed: a duplicate seq in the second statement.
  std::vector<StoredRecord> records = MakeRecords(3, PostgresStore::kRowsPerStatement + 1);
  ASSERT_EQ(RawExec("SET search_path TO \"" + schema_.name() + "\"; INSERT INTO journal VALUES (" +
                    std::to_string(3 + PostgresStore::kRowsPerStatement) + ", 1, 0, '\\x00', '\\x00')"),
            "");

  auto failed = store->Append(records, Projection{{MakeIncident(9)}, {}, {}});
  ASSERT_EQ(RawExec("SET search_path TO \"" + schema_.name() + "\"; DELETE FROM journal WHERE seq > 2"), "");
  auto next = store->Append(MakeRecords(3, 1), {});

  EXPECT_EQ(failed.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(store->GetIncident(9).error().code, core::ErrorCode::kNotFound);
  EXPECT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(store->Head()->seq, 3u);
}

TEST_F(PostgresStoreTest, NodesStartingTogetherMigrateOnce) {
  std::vector<std::thread> nodes;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    nodes.emplace_back([&] {
      if (PostgresStore::Open(ServerUrl(), Options{.schema = schema_.name()}).ok()) ++opened;
    });
  }
  for (auto& t : nodes) t.join();

  EXPECT_EQ(opened.load(), 4);
  EXPECT_EQ(RawQueryText("SELECT version FROM \"" + schema_.name() + "\".schema_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(RawQueryText("SELECT count(*) FROM \"" + schema_.name() + "\".schema_version"), "1");
}

TEST_F(PostgresStoreTest, LargeRecordsAreStoredWithoutPglzAndReadBackWhole) {
  auto store = OpenOrFail(schema_.name());
  std::vector<StoredRecord> records = MakeRecords(1, 3);
  records[1].bytes = std::string(40000, 'a') + std::string(2000, 'b');  // a batch-of-alerts sized record
  ASSERT_TRUE(store->Append(records, {}).ok());

  // lz4 where the server has it, else no compression at all (pglz cost ~9% of the server's CPU under load).
  const std::string how = RawQueryText(
      "SELECT attcompression::text || attstorage::text FROM pg_attribute WHERE attrelid = '\"" + schema_.name() +
      "\".journal'::regclass AND attname = 'bytes'");
  std::vector<std::string> read;
  ASSERT_TRUE(store->ScanJournal(0, [&](const StoredRecord& r) {
                     read.push_back(r.bytes);
                     return core::Ok();
                   }).ok());

  EXPECT_TRUE(how == "lx" || how == "e") << how;
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[1], records[1].bytes);
}

TEST_F(PostgresStoreTest, AppendsKeepWorkingAcrossBatchSizesOnOnePreparedSession) {
  auto store = OpenOrFail(schema_.name());
  uint64_t seq = 1;
  for (size_t n : {1u, 7u, 1u, 600u, 2u}) {
    Projection p;
    p.incidents.push_back(MakeIncident(seq));
    ASSERT_TRUE(store->Append(MakeRecords(seq, n), p).ok()) << n;
    seq += n;
  }

  EXPECT_EQ(store->Head()->seq, seq - 1);
  EXPECT_TRUE(store->GetIncident(1).ok());
  EXPECT_TRUE(store->GetIncident(610).ok());
}

TEST_F(PostgresStoreTest, ForeignSchemaIsCorruptAndLeftUntouched) {
  ASSERT_EQ(RawExec("CREATE SCHEMA \"" + schema_.name() + "\"; CREATE TABLE \"" + schema_.name() +
                    "\".recipes (name text); INSERT INTO \"" + schema_.name() + "\".recipes VALUES ('soup')"),
            "");

  auto opened = PostgresStore::Open(ServerUrl(), Options{.schema = schema_.name()});

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, core::ErrorCode::kCorrupt);
  EXPECT_EQ(RawQueryText("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema_.name() + "'"), "1");
}

TEST_F(PostgresStoreTest, SchemaNewerThanThisBuildIsRefused) {
  OpenOrFail(schema_.name());
  ASSERT_EQ(RawExec("UPDATE \"" + schema_.name() + "\".schema_version SET version = 99"), "");

  auto opened = PostgresStore::Open(ServerUrl(), Options{.schema = schema_.name()});

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, core::ErrorCode::kCorrupt);
}

TEST_F(PostgresStoreTest, UnreachableServerIsUnavailable) {
  auto opened = PostgresStore::Open("postgres://incidentd@127.0.0.1:1/incidentd?connect_timeout=2");

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, core::ErrorCode::kUnavailable);
}

TEST_F(PostgresStoreTest, TerminatedSessionsAreUnavailableOnceThenReconnect) {
  auto store = OpenOrFail(schema_.name());
  ASSERT_TRUE(store->Append(MakeRecords(1, 1), {}).ok());
  ASSERT_TRUE(store->Head().ok());

  // What a restarting server or a network cut does to every session of this store.
  ASSERT_EQ(RawExec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
                    "datname = current_database() AND application_name LIKE 'incidentd%'"),
            "");
  int unavailable = 0;
  core::Status appended = core::Unavailable("not tried");
  for (int attempt = 0; attempt < 3 && !appended.ok(); ++attempt) {
    appended = store->Append(MakeRecords(2, 1), {});
    if (!appended.ok()) {
      EXPECT_EQ(appended.error().code, core::ErrorCode::kUnavailable) << appended.error().message;
      ++unavailable;
    }
  }
  auto head = store->Head();
  if (!head.ok()) head = store->Head();

  EXPECT_TRUE(appended.ok());
  EXPECT_LE(unavailable, 1);
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head->seq, 2u);
}

TEST_F(PostgresStoreTest, OnlyOneStoreHoldsTheWriterLock) {
  auto first = OpenOrFail(schema_.name());
  auto second = OpenOrFail(schema_.name());
  ASSERT_TRUE(first->AcquireWriterLock([] { return false; }, core::Duration(10)).ok());
  ASSERT_TRUE(first->SetWriterAddress("node-a:9797").ok());
  int polls = 0;
  bool waited = false;

  auto st = second->AcquireWriterLock([&] { return ++polls >= 3; }, core::Duration(10), [&] { waited = true; });

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kUnavailable);
  EXPECT_TRUE(waited);
  EXPECT_EQ(second->WriterAddress().value(), "node-a:9797");
}

TEST_F(PostgresStoreTest, WriterLockPassesToTheNextStoreWhenTheWriterCloses) {
  auto second = OpenOrFail(schema_.name());
  {
    auto first = OpenOrFail(schema_.name());
    ASSERT_TRUE(first->AcquireWriterLock([] { return false; }, core::Duration(10)).ok());
    ASSERT_TRUE(first->SetWriterAddress("node-a:9797").ok());
    ASSERT_TRUE(first->Append(MakeRecords(1, 2), {}).ok());
  }

  auto st = second->AcquireWriterLock([] { return false; }, core::Duration(10));
  ASSERT_TRUE(second->SetWriterAddress("node-b:9797").ok());

  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_TRUE(second->Append(MakeRecords(3, 1), {}).ok());
  EXPECT_EQ(second->WriterAddress().value(), "node-b:9797");
}

TEST_F(PostgresStoreTest, StaleWriterWhoseLockSessionWasTerminatedCannotAppend) {
  auto stale = OpenOrFail(schema_.name());
  ASSERT_TRUE(stale->AcquireWriterLock([] { return false; }, core::Duration(10)).ok());
  ASSERT_TRUE(stale->Append(MakeRecords(1, 2), {}).ok());
  // A network partition as the server sees it: the writer's session is gone, and with it the lock.
  ASSERT_EQ(RawExec("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND "
                    "((classid::bigint << 32) | objid::bigint) = hashtextextended('incidentd.writer:" +
                    schema_.name() + "', 0)"),
            "");
  auto successor = OpenOrFail(schema_.name());
  ASSERT_TRUE(successor->AcquireWriterLock([] { return false; }, core::Duration(10)).ok());

  std::vector<core::Status> attempts;
  for (int i = 0; i < 3; ++i) attempts.push_back(stale->Append(MakeRecords(3, 1), {}));
  auto successor_append = successor->Append(MakeRecords(3, 1), {});

  for (const auto& st : attempts) {
    ASSERT_FALSE(st.ok());
    EXPECT_TRUE(st.error().code == core::ErrorCode::kConflict || st.error().code == core::ErrorCode::kUnavailable)
        << st.error().message;
  }
  EXPECT_EQ(attempts.back().error().code, core::ErrorCode::kConflict) << attempts.back().error().message;
  EXPECT_TRUE(successor_append.ok()) << successor_append.error().message;
  EXPECT_TRUE(SameRecord(MakeRecord(3), ScanAll(*successor).back()));
}

TEST_F(PostgresStoreTest, TextPostgresCannotHoldIsStoredWithReplacementCharacters) {
  auto store = OpenOrFail(schema_.name());
  engine::IncidentRow row = MakeIncident(1);
  row.title = std::string("nul\0here \xff end", 14);

  ASSERT_TRUE(store->Append(MakeRecords(1, 1), Projection{{row}, {}, {}}).ok());

  EXPECT_EQ(store->GetIncident(1)->title, "nul\xEF\xBF\xBDhere \xEF\xBF\xBD end");
}

TEST_F(PostgresStoreTest, ReadersRacingTheWriterSeeOnlyWholeCommittedBatches) {
  auto store = OpenOrFail(schema_.name());
  constexpr uint64_t kBatch = 10;
  constexpr uint64_t kBatches = 60;
  std::atomic<bool> done{false};
  std::atomic<int> violations{0};
  std::atomic<int> reads{0};
  auto reader = [&] {
    while (!done.load()) {
      auto head = store->Head();
      if (!head.ok() || head->seq % kBatch != 0) ++violations;
      auto incident = store->GetIncident(1);
      if (incident.ok() && incident->last_seq % kBatch != 0) ++violations;
      ++reads;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 10; ++i) readers.emplace_back(reader);  // more threads than pooled sessions

  for (uint64_t b = 0; b < kBatches; ++b) {
    engine::IncidentRow row = MakeIncident(1);
    row.last_seq = (b + 1) * kBatch;
    ASSERT_TRUE(store->Append(MakeRecords(b * kBatch + 1, kBatch), Projection{{row}, {}, {}}).ok());
  }
  done = true;
  for (auto& t : readers) t.join();

  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

}  // namespace
}  // namespace store::postgres
