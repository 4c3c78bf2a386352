// Follow mode: a follower engine over a second store on the writer's own SQLite file catches up to exactly the
// writer's state, publishes what the writer published, and refuses a journal that does not verify.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "engine/engine.h"
#include "engine/engine_test_util.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace engine {
namespace {

using namespace std::chrono_literals;
using store::sqlite::SqliteStore;

// A temporary directory holding the one SQLite file writer and follower share.
class TempDir {
 public:
  std::string File(const std::string& name) const { return (dir_.path() / name).string(); }

 private:
  test_support::TempDir dir_;
};

using testing_util::TestConfig;
using testing_util::Trigger;

// Flips one byte in the middle of record `seq`'s stored bytes, as a damaged disk or a tampering hand would.
void TamperWith(const std::string& path, uint64_t seq) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* read = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT bytes FROM journal WHERE seq = ?", -1, &read, nullptr), SQLITE_OK);
  sqlite3_bind_int64(read, 1, static_cast<sqlite3_int64>(seq));
  ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);
  std::string bytes(static_cast<const char*>(sqlite3_column_blob(read, 0)),
                    static_cast<size_t>(sqlite3_column_bytes(read, 0)));
  sqlite3_finalize(read);
  bytes[bytes.size() / 2] ^= 0x20;
  sqlite3_stmt* write = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE journal SET bytes = ? WHERE seq = ?", -1, &write, nullptr), SQLITE_OK);
  sqlite3_bind_blob(write, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(write, 2, static_cast<sqlite3_int64>(seq));
  EXPECT_EQ(sqlite3_step(write), SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(write);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);
}

// A writer engine on a fresh SQLite file and a follower engine on a second, read-only store over the same file,
// both recovered (the follower before anything was written).
struct Pair {
  Pair() {
    auto w = SqliteStore::Open(dir.File("incidentd.db"));
    EXPECT_TRUE(w.ok()) << w.error().message;
    writer_store = std::move(w).value();
    auto f = SqliteStore::Open(dir.File("incidentd.db"), store::sqlite::Options{true});
    EXPECT_TRUE(f.ok()) << f.error().message;
    follower_store = std::move(f).value();
    writer = std::make_unique<Engine>(*writer_store, config, clock, Options{});
    follower = std::make_unique<Engine>(*follower_store, config, clock, Options{});
    EXPECT_TRUE(writer->Recover().ok());
    EXPECT_TRUE(follower->Recover().ok());
  }
  ~Pair() {
    follower.reset();
    writer.reset();
  }

  // Runs one batch on the writer and waits until its store has applied it to the SQLite file the follower reads
  // (the writer's store answers a read only once every batch appended before it is there).
  void Write(std::vector<Command> commands) {
    writer->ProcessForTest(std::move(commands));
    ASSERT_TRUE(writer_store->Head().ok());
  }

  TempDir dir;
  incident::Config config = TestConfig();
  core::Timestamp now = core::FromUnixMillis(1'700'000'000'000);
  Engine::Clock clock = [this] { return now; };
  std::unique_ptr<SqliteStore> writer_store;
  std::unique_ptr<SqliteStore> follower_store;
  std::unique_ptr<Engine> writer;
  std::unique_ptr<Engine> follower;
};

TEST(FollowTest, CatchUpMakesTheFollowersStateTheWritersAfterEveryBatch) {
  Pair p;
  std::vector<std::vector<Command>> batches = {
      {Trigger("a"), Trigger("b")},
      {Command{"u", AcknowledgeIncident{1}}, Command{"u", AddNote{2, "looking"}}},
      {Command{"u", ResolveIncident{1, "fixed"}}, Trigger("c"), Trigger("a")},
      {Command{"timer", Tick{}}},
  };

  uint64_t folded_total = 0;
  for (auto& batch : batches) {
    p.now += 1min;
    p.Write(std::move(batch));
    auto folded = p.follower->CatchUp();
    ASSERT_TRUE(folded.ok()) << folded.error().message;
    folded_total += *folded;

    EXPECT_EQ(p.follower->EncodedStateForTest(), p.writer->EncodedStateForTest());
    EXPECT_EQ(p.follower->stats().last_seq.load(), p.writer->stats().last_seq.load());
    EXPECT_EQ(p.follower->stats().open_incidents.load(), p.writer->stats().open_incidents.load());
    EXPECT_EQ(p.follower->stats().open_alerts.load(), p.writer->stats().open_alerts.load());
  }
  EXPECT_EQ(folded_total, p.writer->stats().last_seq.load());
  auto again = p.follower->CatchUp();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  EXPECT_GT(p.follower->stats().followed_at_ms.load(), 0);
}

TEST(FollowTest, CatchUpPublishesWhatTheWriterPublished) {
  Pair p;
  std::mutex mu;
  std::vector<Published> at_writer, at_follower;
  p.writer->Subscribe([&](const std::vector<Published>& batch) {
    std::lock_guard lock(mu);
    at_writer.insert(at_writer.end(), batch.begin(), batch.end());
  });
  p.follower->Subscribe([&](const std::vector<Published>& batch) {
    std::lock_guard lock(mu);
    at_follower.insert(at_follower.end(), batch.begin(), batch.end());
  });

  p.Write({Trigger("a"), Trigger("b")});
  p.Write({Command{"u", AcknowledgeIncident{1}}, Command{"u", AddNote{2, "looking"}}});
  ASSERT_TRUE(p.follower->CatchUp().ok());

  std::lock_guard lock(mu);
  ASSERT_EQ(at_follower.size(), at_writer.size());
  ASSERT_FALSE(at_writer.empty());
  for (size_t i = 0; i < at_writer.size(); ++i) {
    EXPECT_EQ(at_follower[i].seq, at_writer[i].seq);
    EXPECT_EQ(at_follower[i].time, at_writer[i].time);
    EXPECT_EQ(at_follower[i].actor, at_writer[i].actor);
    EXPECT_EQ(at_follower[i].type, at_writer[i].type);
    EXPECT_EQ(at_follower[i].incident_id, at_writer[i].incident_id);
    EXPECT_EQ(at_follower[i].summary, at_writer[i].summary) << at_writer[i].type;
  }
}

TEST(FollowTest, ATamperedRecordMakesCatchUpFailCorruptAndTheStateStopsBeforeIt) {
  Pair p;
  p.Write({Trigger("a")});
  ASSERT_TRUE(p.follower->CatchUp().ok());
  const uint64_t first = p.writer->stats().last_seq.load();
  p.Write({Trigger("b"), Trigger("c")});
  const uint64_t head = p.writer->stats().last_seq.load();
  ASSERT_GT(head, first + 1);

  TamperWith(p.dir.File("incidentd.db"), first + 2);
  auto folded = p.follower->CatchUp();

  ASSERT_FALSE(folded.ok());
  EXPECT_EQ(folded.error().code, core::ErrorCode::kCorrupt);
  EXPECT_NE(folded.error().message.find("record " + std::to_string(first + 2)), std::string::npos)
      << folded.error().message;
  EXPECT_EQ(p.follower->stats().last_seq.load(), first + 1) << "the records before the damaged one are folded";
}

TEST(FollowTest, AFollowerRefusesCommandsAndItsThreadFollowsTheWriter) {
  Pair p;
  p.follower->StartFollowing(5ms);

  auto refused = p.follower->Submit(Trigger("x"), [](Outcome) { ADD_FAILURE() << "a follower ran a command"; });
  p.Write({Trigger("a"), Trigger("b")});
  const uint64_t head = p.writer->stats().last_seq.load();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (p.follower->stats().last_seq.load() < head && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  p.follower->Stop();

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message.find("follower"), std::string::npos) << refused.error().message;
  EXPECT_EQ(p.follower->stats().last_seq.load(), head);
  EXPECT_EQ(p.follower->EncodedStateForTest(), p.writer->EncodedStateForTest());
  EXPECT_FALSE(p.follower->failed());
}

TEST(FollowTest, AFollowThreadMeetingADamagedRecordStopsAndFailsTheEngine) {
  Pair p;
  p.Write({Trigger("a"), Trigger("b")});
  TamperWith(p.dir.File("incidentd.db"), 2);

  p.follower->StartFollowing(5ms);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!p.follower->failed() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  p.follower->Stop();

  ASSERT_TRUE(p.follower->failed());
  EXPECT_NE(p.follower->fatal_error().find("record 2"), std::string::npos) << p.follower->fatal_error();
  EXPECT_EQ(p.follower->stats().last_seq.load(), 1u);
}

}  // namespace
}  // namespace engine
