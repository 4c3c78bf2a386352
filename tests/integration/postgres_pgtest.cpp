// The real binary on PostgreSQL (`incidentd serve --store postgres://...`, against tools/pg_test_server.sh): events
// acknowledged before a SIGKILL are all there after a restart, the journal verifies, state survives restarts, a
// server that cannot be reached is a start-up error, not a crash; and several nodes: a follower serves reads from
// its own fold of the journal, forwards writes to the writer and takes over when the writer dies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/test_server.h"
#include "support/api.h"
#include "support/server_process.h"
#include "support/webhook_receiver.h"

namespace {

using store::postgres::test_server::RawExec;
using store::postgres::test_server::ServerUrl;

using ::testing::HasSubstr;
using ::testing::StartsWith;
using test_support::AllIncidents;
using test_support::kCheckoutKey;
using test_support::StringField;

// A database of its own for one test, dropped (sessions and all) when the object dies.
class TempDatabase {
 public:
  TempDatabase() {
    static std::atomic<int> counter{0};
    name_ = "it" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    error_ = RawExec("CREATE DATABASE " + name_);
    const std::string base = ServerUrl();
    url_ = base.substr(0, base.rfind('/') + 1) + name_;
  }
  ~TempDatabase() { RawExec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& error() const { return error_; }

 private:
  std::string name_;
  std::string url_;
  std::string error_;
};

// Runs `sql` on `url` (the test's own database); "" on success, else the error.
std::string ExecOn(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return error;
}

// The first column of the first row of `sql` run on `url`, as a number; -1 (and a test failure) on error.
int64_t QueryNumber(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  int64_t out = -1;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) {
      out = std::stoll(PQgetvalue(result, 0, 0));
    } else {
      ADD_FAILURE() << sql << ": " << PQerrorMessage(conn);
    }
    PQclear(result);
  } else {
    ADD_FAILURE() << "cannot connect to " << url << ": " << PQerrorMessage(conn);
  }
  PQfinish(conn);
  return out;
}

// Writers posting triggers with unique dedup keys until stopped or the server goes, remembering what got a 202.
class Load {
 public:
  // Keys are "<prefix>-<writer>-<n>", so loads on several nodes never share one.
  Load(uint16_t port, int writers, std::string prefix = "pg") : acked_keys_(writers), unexpected_(writers) {
    for (int i = 0; i < writers; ++i) {
      threads_.emplace_back([this, port, i, prefix] {
        test_support::HttpClient client(port, test_support::kAdminToken);
        client.set_timeout(std::chrono::seconds(20));
        for (int n = 0; !stop_.load(); ++n) {
          const std::string key = prefix + "-" + std::to_string(i) + "-" + std::to_string(n);
          auto response = client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, key, "load " + key));
          if (!response.ok()) return;  // the server is gone
          if (response->status == 202) {
            acked_keys_[i].push_back(key);
            ++acked_;
          } else if (response->status == 503) {
            ++unavailable_;
          } else if (response->status != 429) {
            unexpected_[i] = std::to_string(response->status) + " " + response->body;
          }
        }
      });
    }
  }
  ~Load() { Stop(); }

  bool WaitForAcked(size_t count, std::chrono::seconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (acked_.load() < count) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // After Stop.
  std::vector<std::string> AckedKeys() const {
    std::vector<std::string> all;
    for (const auto& keys : acked_keys_) all.insert(all.end(), keys.begin(), keys.end());
    return all;
  }
  size_t unavailable() const { return unavailable_.load(); }
  std::string Unexpected() const {
    for (const auto& u : unexpected_) {
      if (!u.empty()) return u;
    }
    return "";
  }

 private:
  std::vector<std::vector<std::string>> acked_keys_;
  std::vector<std::string> unexpected_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> acked_{0};
  std::atomic<size_t> unavailable_{0};
};

// The checkout incidents' group keys, and how many incidents there are (more incidents than keys: a key opened two).
struct Opened {
  std::set<std::string> keys;
  size_t incidents = 0;
};
Opened OpenedIncidents(test_support::HttpClient& client) {
  Opened opened;
  for (const auto& incident : AllIncidents(client, "service=checkout")) {
    opened.keys.insert(StringField(incident, "group_key"));
    ++opened.incidents;
  }
  return opened;
}

// A failure message when some of the load's acknowledged keys opened no incident; "" when none was lost.
std::string LostAcknowledged(const Load& load, const std::set<std::string>& present) {
  size_t missing = 0;
  const auto acked = load.AckedKeys();
  for (const auto& key : acked) missing += present.count(key) == 0 ? 1 : 0;
  if (missing == 0) return "";
  return std::to_string(missing) + " of " + std::to_string(acked.size()) + " acknowledged events were lost";
}

class PostgresServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ServerUrl().empty()) GTEST_SKIP() << "no PostgreSQL test server (tools/pg_test_server.sh)";
    database_ = std::make_unique<TempDatabase>();
    ASSERT_EQ(database_->error(), "");
  }
  std::string StoreYaml() const { return "store: " + database_->url() + "\n"; }

  std::unique_ptr<TempDatabase> database_;
};

TEST_F(PostgresServeTest, EveryAcknowledgedEventSurvivesSigkillAndTheJournalVerifies) {
  test_support::ServerProcess server(StoreYaml());
  auto started = server.Start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  Load load(server.port(), 6);
  const bool loaded = load.WaitForAcked(1500, std::chrono::seconds(60));

  const int killed = server.Kill();  // while every writer is still sending
  load.Stop();
  auto restarted = server.Start();

  ASSERT_TRUE(loaded) << "the load never reached 1500 acknowledged events";
  EXPECT_EQ(killed, 128 + 9);
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  EXPECT_EQ(load.Unexpected(), "");
  test_support::HttpClient client = server.Client();
  const Opened opened = OpenedIncidents(client);
  const std::set<std::string>& present = opened.keys;
  EXPECT_EQ(present.size(), opened.incidents) << "a dedup key opened more than one incident";
  EXPECT_EQ(LostAcknowledged(load, present), "");
  auto verified = server.Ctl({"journal", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, StartsWith("OK: "));
}

TEST_F(PostgresServeTest, StateIsTheSameAfterARestart) {
  test_support::ServerProcess server(StoreYaml());
  ASSERT_TRUE(server.Start().ok());
  test_support::HttpClient client = server.Client();
  for (int i = 0; i < 20; ++i) {
    auto r = client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "k" + std::to_string(i), "s"));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 202) << r->body;
  }
  auto before = server.Ctl({"incidents", "list", "--all", "--json"});

  auto again = server.Restart();
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto after = server.Ctl({"incidents", "list", "--all", "--json"});
  auto verified = server.Ctl({"journal", "verify"});

  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(test_support::ParseJson(before.out).as_object().at("incidents").as_array().size(), 20u);
  EXPECT_TRUE(before.out == after.out) << "the incident list changed across a restart";
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_FALSE(std::filesystem::exists(server.database_path())) << "the SQLite file was created anyway";
}

// Polls until `text` appears in the server's stderr; false after `timeout`.
bool WaitForLog(const test_support::ServerProcess& server, const std::string& text, std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (server.ReadStderr().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The port a follower serves on, from its log ("follower: serving on 127.0.0.1:PORT"); 0 when it does not.
uint16_t FollowerPort(const test_support::ServerProcess& server) {
  constexpr std::string_view kServing = "follower: serving on ";
  if (!WaitForLog(server, std::string(kServing), std::chrono::seconds(20))) return 0;
  const std::string log = server.ReadStderr();
  const size_t at = log.find(kServing);
  const size_t colon = log.find(':', at + kServing.size());
  if (colon == std::string::npos) return 0;
  return static_cast<uint16_t>(std::stoul(log.substr(colon + 1)));
}

// Polls `target` on the node until it answers `status`; false after `timeout`.
bool WaitForStatus(test_support::HttpClient& client, const std::string& target, int status,
                   std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto r = client.Get(target);
    if (r.ok() && r->status == status) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A writer and a follower of it on the test's database: the writer started, the follower serving on its port.
struct TwoNodes {
  explicit TwoNodes(const std::string& yaml) : writer(yaml), follower(yaml) {}
  // Empty when both are up, else what went wrong.
  std::string Start() {
    if (auto st = writer.Start(); !st.ok()) return "writer: " + st.error().message;
    if (auto st = follower.Launch(); !st.ok()) return "follower: " + st.error().message;
    if (!WaitForLog(follower, "waiting to take over", std::chrono::seconds(20))) {
      return "the follower never waited for the writer lock:\n" + follower.ReadStderr();
    }
    follower_port = FollowerPort(follower);
    if (follower_port == 0) return "the follower does not serve:\n" + follower.ReadStderr();
    return "";
  }
  std::string writer_address() const { return "http://127.0.0.1:" + std::to_string(writer.port()); }
  test_support::HttpClient AtFollower(const std::string& token = test_support::kAdminToken) const {
    return test_support::HttpClient(follower_port, token);
  }

  test_support::ServerProcess writer;
  test_support::ServerProcess follower;
  uint16_t follower_port = 0;
};

// The must-hold test of several nodes: clients post to both nodes (the follower forwards to the writer), the
// writer is SIGKILLed mid-load, the follower takes over within 10 s, every event answered 2xx by either node is in
// the journal exactly once, and the chain verifies.
TEST_F(PostgresServeTest, FollowerForwardsWritesAndTakesOverWithinTenSecondsOfAWriterSigkillLosingNothing) {
  TwoNodes nodes(StoreYaml());
  ASSERT_EQ(nodes.Start(), "");
  test_support::HttpClient at_follower = nodes.AtFollower();
  auto health = at_follower.Get("/healthz");
  const bool follower_ready = WaitForStatus(at_follower, "/readyz", 200, std::chrono::seconds(20));
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "follower");
  EXPECT_TRUE(follower_ready) << "the follower never caught up";

  Load at_writer(nodes.writer.port(), 3, "w");
  Load forwarded(nodes.follower_port, 3, "f");
  const bool loaded = at_writer.WaitForAcked(500, std::chrono::seconds(60)) &&
                      forwarded.WaitForAcked(500, std::chrono::seconds(60));

  nodes.writer.Kill();  // mid-load, on both nodes
  const auto killed_at = std::chrono::steady_clock::now();
  at_writer.Stop();
  forwarded.Stop();
  auto took_over = nodes.follower.WaitReady(std::chrono::seconds(10));
  const auto takeover = std::chrono::steady_clock::now() - killed_at;

  ASSERT_TRUE(loaded) << "the loads never reached 500 acknowledged events each";
  ASSERT_TRUE(took_over.ok()) << took_over.error().message;
  RecordProperty("takeover_ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()));
  EXPECT_EQ(at_writer.Unexpected(), "");
  EXPECT_EQ(forwarded.Unexpected(), "");
  EXPECT_EQ(nodes.follower.port(), nodes.follower_port) << "the node serves on the address it served on as a follower";
  test_support::HttpClient client = nodes.follower.Client();
  auto after = client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "after-takeover", "s"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 202) << after->body;
  const Opened opened = OpenedIncidents(client);
  const std::set<std::string>& present = opened.keys;
  EXPECT_EQ(present.size(), opened.incidents) << "an event was journaled twice (a dedup key opened two incidents)";
  EXPECT_EQ(LostAcknowledged(at_writer, present), "");
  EXPECT_EQ(LostAcknowledged(forwarded, present), "") << "a write forwarded by the follower and answered 202 is lost";
  EXPECT_EQ(QueryNumber(database_->url(), "SELECT count(*) FROM alerts WHERE event_count <> 1"), 0)
      << "an event was applied twice";
  EXPECT_EQ(present.count("after-takeover"), 1u);
  auto verified = nodes.follower.Ctl({"journal", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

TEST_F(PostgresServeTest, AReadOnTheFollowerSeesAnIncidentOpenedThroughTheWriter) {
  TwoNodes nodes(StoreYaml());
  ASSERT_EQ(nodes.Start(), "");
  test_support::HttpClient at_writer = nodes.writer.Client();
  test_support::HttpClient at_follower = nodes.AtFollower();

  auto posted = at_writer.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "seen-on-follower", "db down"));
  // The follower folds the writer's records within its poll: wait for it, with a deadline.
  std::vector<boost::json::object> listed;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (listed.empty() && std::chrono::steady_clock::now() < until) {
    listed = AllIncidents(at_follower, "service=checkout");
    if (listed.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(listed.size(), 1u);
  const uint64_t id = test_support::NumberField(listed[0], "id");
  bool in_fold = false;
  while (!in_fold && std::chrono::steady_clock::now() < until) {
    auto paging = at_follower.Get("/api/v1/incidents/" + std::to_string(id) + "/paging");
    in_fold = paging.ok() && paging->status == 200;  // answered from the follower's own state
    if (!in_fold) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto incident = at_follower.Get("/api/v1/incidents/" + std::to_string(id));
  auto metrics = at_follower.Get("/metrics");

  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(posted->status, 202) << posted->body;
  EXPECT_EQ(StringField(listed[0], "group_key"), "seen-on-follower");
  EXPECT_TRUE(in_fold) << "the follower's own state never had the incident";
  ASSERT_TRUE(incident.ok());
  EXPECT_EQ(incident->status, 200);
  EXPECT_EQ(StringField(test_support::ParseJson(incident->body), "title"), "db down");
  ASSERT_TRUE(metrics.ok());
  EXPECT_THAT(metrics->body, HasSubstr("incidentd_open_incidents 1"));
}

TEST_F(PostgresServeTest, WithForwardingOffAWriteToTheFollowerIs503NamingTheWriter) {
  TwoNodes nodes(StoreYaml() + "cluster:\n  forward_writes: false\n");
  ASSERT_EQ(nodes.Start(), "");
  test_support::HttpClient at_follower = nodes.AtFollower();
  // The writer records its address once it serves; wait until the follower names it.
  test_support::HttpResponse refused;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    refused = test_support::Must(
        at_follower.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "at-follower", "s")));
    if (refused.status == 503 && refused.body.find("\"writer\":\"http") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < until);
  auto listed = at_follower.Get("/api/v1/incidents");

  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.Header("Retry-After"), "1");
  EXPECT_EQ(refused.Header("Location"), "");
  EXPECT_THAT(refused.Header("Content-Type"), StartsWith("application/problem+json"));
  const auto problem = test_support::ParseJson(refused.body);
  EXPECT_EQ(StringField(problem, "type"), "urn:incidentd:problem:unavailable");
  EXPECT_EQ(StringField(problem, "writer"), nodes.writer_address()) << refused.body;
  EXPECT_THAT(StringField(problem, "detail"), HasSubstr(nodes.writer_address()));
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->status, 200) << "reads are served with forwarding off too";
  EXPECT_EQ(QueryNumber(database_->url(), "SELECT count(*) FROM alerts"), 0) << "the refused write was journaled";
}

// How many requests the node refused as unauthenticated, from its /metrics.
int UnauthenticatedCount(test_support::HttpClient& client) {
  auto metrics = client.Get("/metrics");
  if (!metrics.ok()) return -1;
  const std::string name = "incidentd_rejected_total{reason=\"unauthenticated\"} ";
  const size_t at = metrics->body.find(name);
  if (at == std::string::npos) return -1;
  return std::stoi(metrics->body.substr(at + name.size()));
}

TEST_F(PostgresServeTest, ABadTokenOnTheFollowerIs401WithoutReachingTheWriter) {
  TwoNodes nodes(StoreYaml());
  ASSERT_EQ(nodes.Start(), "");
  test_support::HttpClient at_writer = nodes.writer.Client();
  test_support::HttpClient bad = nodes.AtFollower("not-a-configured-token");
  test_support::HttpClient viewer = nodes.AtFollower(test_support::kViewerToken);

  auto unauthenticated = bad.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "bad-token", "s"));
  auto denied = viewer.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "viewer", "s"));

  ASSERT_TRUE(unauthenticated.ok() && denied.ok());
  EXPECT_EQ(unauthenticated->status, 401) << unauthenticated->body;
  EXPECT_EQ(denied->status, 403) << denied->body;
  EXPECT_EQ(UnauthenticatedCount(at_writer), 0) << "the writer saw the bad token";
  EXPECT_EQ(QueryNumber(database_->url(), "SELECT count(*) FROM alerts"), 0);
}

TEST_F(PostgresServeTest, IncidentctlVerifiesTheJournalInPostgresOfflineAndFindsATamperedRecord) {
  test_support::ServerProcess server(StoreYaml());
  ASSERT_TRUE(server.Start().ok());
  test_support::HttpClient client = server.Client();
  for (int i = 0; i < 5; ++i) {
    auto r = client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "v" + std::to_string(i), "s"));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 202) << r->body;
  }
  ASSERT_EQ(server.Stop(), 0);

  auto intact = server.Ctl({"journal", "verify", "--store", database_->url()});
  ASSERT_EQ(ExecOn(database_->url(), "UPDATE journal SET bytes = set_byte(bytes, 20, get_byte(bytes, 20) # 1) "
                                     "WHERE seq = 3"),
            "");
  auto tampered = server.Ctl({"journal", "verify", "--store", database_->url()});
  auto unreachable =
      server.Ctl({"journal", "verify", "--store", "postgres://incidentd@127.0.0.1:1/x?connect_timeout=2"});

  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_THAT(intact.out, StartsWith("OK: "));
  EXPECT_NE(tampered.exit_code, 0) << tampered.out;
  EXPECT_THAT(tampered.out + tampered.err, HasSubstr("record 3"));
  EXPECT_NE(unreachable.exit_code, 0);
  EXPECT_THAT(unreachable.err, HasSubstr("cannot open the PostgreSQL store"));
}

TEST_F(PostgresServeTest, WriterWhoseLockSessionIsTerminatedStopsAppendingAndStartsOver) {
  test_support::ServerProcess server(StoreYaml());
  ASSERT_TRUE(server.Start().ok());
  test_support::HttpClient client = server.Client();
  auto first = client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "before", "s"));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->status, 202);
  const uint16_t old_port = server.port();

  // A network partition as PostgreSQL sees it: the writer's session, and with it the writer lock, is gone.
  ASSERT_EQ(RawExec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                    "'incidentd-writer' AND datname = '" + database_->url().substr(database_->url().rfind('/') + 1) +
                    "'"),
            "");
  auto during = client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "during", "s"));
  bool restarted = WaitForLog(server, "starting over", std::chrono::seconds(20));
  core::Status ready = core::Unavailable("not ready");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    ready = server.WaitReady(std::chrono::seconds(20));
    if (!ready.ok() || server.port() != old_port) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  test_support::HttpClient again = server.Client();
  auto later = again.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "later", "s"));

  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->status, 503) << during->body;
  EXPECT_TRUE(restarted) << server.ReadStderr();
  ASSERT_TRUE(ready.ok()) << ready.error().message;
  EXPECT_NE(server.port(), old_port) << "the node did not start over";
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->status, 202) << later->body;
  std::set<std::string> present;
  for (const auto& incident : AllIncidents(again, "service=checkout")) present.insert(StringField(incident, "group_key"));
  EXPECT_EQ(present, (std::set<std::string>{"before", "later"}));
  auto verified = server.Ctl({"journal", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

// Paging over a webhook to `hook`: every checkout incident pages alice once (one delivery, key "...-alice-0").
std::string PagingYaml(const test_support::WebhookReceiver& hook) {
  return "services:\n"
         "  - {name: checkout, routing_keys: [checkout-key], group_by: [dedup_key], group_wait: 0, ack_timeout: 0}\n"
         "  - {name: prometheus}\n"
         "  - {name: db}\n"
         "channels:\n"
         "  hook: {type: webhook, url: \"" + hook.Url("/page") + "\", timeout: 30s}\n"
         "people:\n"
         "  - {name: alice, contacts: [{channel: hook}]}\n"
         "escalation_policies:\n"
         "  - name: default\n"
         "    steps:\n"
         "      - {targets: [\"user:alice\"]}\n"
         "routing:\n"
         "  - {name: everything, policy: default}\n"
         "delivery:\n"
         "  retry_base: 1s\n"
         "  retry_cap: 2s\n";
}

// The node's deliveries (key -> state), and how many are pending.
std::map<std::string, std::string> Deliveries(test_support::HttpClient& client, size_t& pending) {
  std::map<std::string, std::string> out;
  pending = 0;
  auto r = client.Get("/api/v1/deliveries?limit=1000");
  if (!r.ok() || r->status != 200) return out;
  const auto body = test_support::ParseJson(r->body);
  pending = static_cast<size_t>(body.at("pending").to_number<int64_t>());
  const auto& list = body.at("deliveries").as_array();
  for (const auto& d : list) out[StringField(d, "key")] = StringField(d, "state");
  return out;
}

// Polls until the node lists `count` deliveries, none pending; false after `timeout`.
bool WaitAllDelivered(test_support::HttpClient& client, size_t count, std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t pending = 0;
    auto deliveries = Deliveries(client, pending);
    size_t delivered = 0;
    for (const auto& [key, state] : deliveries) delivered += state == "delivered" ? 1 : 0;
    if (delivered >= count && pending == 0) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// How many times the receiver got each idempotency key.
std::map<std::string, int> ReceivedKeys(const test_support::WebhookReceiver& hook) {
  std::map<std::string, int> out;
  for (const auto& request : hook.Requests()) ++out[request.Header("Idempotency-Key")];
  return out;
}

// The outbox across a failover. Deliveries recorded as delivered before the writer died are never sent again; a
// notification the receiver got but never acknowledged (it stalls, so the writer cannot have journaled its outcome)
// is sent again by the new writer with the same idempotency key: at least once, deduplicable by key
// (docs/deploy.md).
TEST_F(PostgresServeTest, NoNotificationJournaledAsDeliveredIsSentAgainAfterFailoverAndResendsKeepTheirKey) {
  test_support::WebhookReceiver hook;
  const std::string yaml = StoreYaml() + PagingYaml(hook);
  test_support::ServerProcess writer(yaml);
  ASSERT_TRUE(writer.Start().ok()) << writer.ReadStderr();
  test_support::ServerProcess follower(yaml);
  ASSERT_TRUE(follower.Launch().ok());
  ASSERT_TRUE(WaitForLog(follower, "waiting to take over", std::chrono::seconds(20))) << follower.ReadStderr();
  const uint16_t follower_port = FollowerPort(follower);
  ASSERT_NE(follower_port, 0) << follower.ReadStderr();
  test_support::HttpClient client = writer.Client();
  test_support::HttpClient at_follower(follower_port, test_support::kAdminToken);

  // Ten pages, posted through the follower (which forwards them), all acknowledged by the receiver and journaled
  // as delivered (as the follower's own fold of the journal shows).
  for (int i = 0; i < 10; ++i) {
    auto r = at_follower.Post("/v2/enqueue",
                              test_support::TriggerEvent(kCheckoutKey, "page-a" + std::to_string(i), "s"));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 202) << r->body;
  }
  ASSERT_TRUE(WaitAllDelivered(at_follower, 10, std::chrono::seconds(30)));
  size_t pending = 0;
  std::set<std::string> journaled_delivered;
  for (const auto& [key, state] : Deliveries(at_follower, pending)) {
    if (state == "delivered") journaled_delivered.insert(key);
  }
  // Ten more while the receiver takes requests but never answers: sent, not acknowledged, not journaled.
  hook.SetStalled(true);
  const size_t before_stall = hook.Count();
  for (int i = 0; i < 10; ++i) {
    auto r = client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "page-b" + std::to_string(i), "s"));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 202) << r->body;
  }
  ASSERT_TRUE(hook.WaitFor(before_stall + 1, std::chrono::seconds(20)));
  std::set<std::string> sent_unacknowledged;
  {
    const auto requests = hook.Requests();
    for (size_t i = before_stall; i < requests.size(); ++i) {
      sent_unacknowledged.insert(requests[i].Header("Idempotency-Key"));
    }
  }

  writer.Kill();
  hook.SetStalled(false);
  auto took_over = follower.WaitReady(std::chrono::seconds(20));
  ASSERT_TRUE(took_over.ok()) << took_over.error().message << follower.ReadStderr();
  test_support::HttpClient after = follower.Client();
  const bool all_delivered = WaitAllDelivered(after, 20, std::chrono::seconds(60));
  std::map<std::string, std::string> requested = Deliveries(after, pending);
  const auto received = ReceivedKeys(hook);

  EXPECT_TRUE(all_delivered) << "pending: " << pending;
  EXPECT_EQ(journaled_delivered.size(), 10u);
  EXPECT_EQ(requested.size(), 20u);
  size_t resent = 0;
  for (const auto& [key, state] : requested) {
    EXPECT_EQ(state, "delivered") << key;
    auto got = received.find(key);
    ASSERT_NE(got, received.end()) << key << " was requested but never reached the receiver";
    if (journaled_delivered.count(key) != 0) {
      EXPECT_EQ(got->second, 1) << key << " was journaled as delivered before the failover and sent again";
    } else {
      EXPECT_LE(got->second, 2) << key;
      resent += got->second == 2 ? 1 : 0;
    }
  }
  EXPECT_EQ(received.size(), requested.size()) << "the receiver got a key no delivery has";
  for (const auto& key : sent_unacknowledged) {
    EXPECT_EQ(received.count(key) != 0 ? received.at(key) : 0, 2) << key << ": sent before the failover, never "
                                                                  << "acknowledged, so sent again with its key";
  }
  RecordProperty("resent_after_failover", static_cast<int>(resent));
  auto verified = follower.Ctl({"journal", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

// A PostgreSQL server of the test's own (tools/pg_test_server.sh), so it can be stopped and started again without
// disturbing the other tests' server.
class OwnPostgres {
 public:
  OwnPostgres() {
    dir_ = std::filesystem::temp_directory_path() / ("incidentd-pg-own-" + std::to_string(::getpid()));
    Script("start");
    std::ifstream in(dir_ / "url");
    std::getline(in, url_);
  }
  ~OwnPostgres() { Script("stop"); }
  OwnPostgres(const OwnPostgres&) = delete;
  OwnPostgres& operator=(const OwnPostgres&) = delete;

  int Script(const std::string& command) const {
    const char* source = std::getenv("INCIDENTD_SOURCE_DIR");
    std::string script = std::string(source != nullptr ? source : ".") + "/tools/pg_test_server.sh";
    return std::system((script + " " + command + " " + dir_.string() + " >/dev/null 2>&1").c_str());
  }
  const std::string& url() const { return url_; }

 private:
  std::filesystem::path dir_;
  std::string url_;
};

TEST_F(PostgresServeTest, PostgresRestartUnderLoadIs503WhileDownThenRecoversByItselfLosingNothing) {
  OwnPostgres postgres;
  ASSERT_FALSE(postgres.url().empty());
  test_support::ServerProcess server("store: " + postgres.url() + "\n");
  ASSERT_TRUE(server.Start().ok());
  const uint16_t old_port = server.port();
  Load load(server.port(), 4);
  ASSERT_TRUE(load.WaitForAcked(300, std::chrono::seconds(60)));

  ASSERT_EQ(postgres.Script("halt"), 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the outage: writers keep posting
  const size_t unavailable_while_down = load.unavailable();
  ASSERT_EQ(postgres.Script("resume"), 0);
  const bool restarted = WaitForLog(server, "starting over", std::chrono::seconds(30));
  load.Stop();
  core::Status ready = core::Unavailable("not ready");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    ready = server.WaitReady(std::chrono::seconds(30));
    if (!ready.ok() || server.port() != old_port) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  EXPECT_GT(unavailable_while_down, 0u) << "no request was answered 503 while PostgreSQL was down";
  EXPECT_EQ(load.Unexpected(), "");
  ASSERT_TRUE(restarted) << server.ReadStderr();
  ASSERT_TRUE(ready.ok()) << ready.error().message;
  ASSERT_NE(server.port(), old_port);
  test_support::HttpClient client = server.Client();
  EXPECT_EQ(LostAcknowledged(load, OpenedIncidents(client).keys), "");
  auto verified = server.Ctl({"journal", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

TEST_F(PostgresServeTest, AFollowerKeepsServingReadsWhilePostgresIsDownAndWritesThroughItWorkAgainAfter) {
  OwnPostgres postgres;
  ASSERT_FALSE(postgres.url().empty());
  TwoNodes nodes("store: " + postgres.url() + "\n");
  ASSERT_EQ(nodes.Start(), "");
  test_support::HttpClient at_writer = nodes.writer.Client();
  auto before = at_writer.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "before-outage", "s"));
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->status, 202);
  test_support::HttpClient at_follower = nodes.AtFollower();
  // /api/v1/incidents/1/paging answers from the node's own state, without PostgreSQL.
  ASSERT_TRUE(WaitForStatus(at_follower, "/api/v1/incidents/1/paging", 200, std::chrono::seconds(20)));

  ASSERT_EQ(postgres.Script("halt"), 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the outage
  auto during = nodes.AtFollower().Get("/api/v1/incidents/1/paging");
  auto health = nodes.AtFollower().Get("/healthz");
  ASSERT_EQ(postgres.Script("resume"), 0);
  // Whichever node is the writer after the outage (the old one started over, or the follower took over on the same
  // port), a write sent to the follower's port is committed again.
  bool committed = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!committed && std::chrono::steady_clock::now() < until) {
    test_support::HttpClient client = nodes.AtFollower();
    auto r = client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, "after-outage", "s"));
    committed = r.ok() && r->status == 202;
    if (!committed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  ASSERT_TRUE(during.ok() && health.ok()) << "the follower went away with PostgreSQL:\n" << nodes.follower.ReadStderr();
  EXPECT_EQ(during->status, 200) << during->body;
  EXPECT_EQ(health->body, "follower");
  EXPECT_TRUE(committed) << nodes.follower.ReadStderr() << nodes.writer.ReadStderr();
  EXPECT_EQ(QueryNumber(postgres.url(), "SELECT count(*) FROM alerts"), 2);
}

TEST_F(PostgresServeTest, UnreachableServerIsAStoreErrorAtStart) {
  test_support::ServerProcess server("store: postgres://incidentd@127.0.0.1:1/incidentd?connect_timeout=2\n");

  auto started = server.Start();

  ASSERT_FALSE(started.ok());
  EXPECT_EQ(server.exit_status(), 4);
  EXPECT_THAT(server.ReadStderr(), HasSubstr("cannot open postgres://"));
}

}  // namespace
