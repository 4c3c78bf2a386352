// bench/http_load, the load generator tools/bench.sh measures the durable enqueue with, against the real binary:
// the requests it counts are the ones the server stored, and each templated body is a distinct event.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <string>

#include "support/api.h"
#include "support/process.h"
#include "support/server_process.h"

namespace {

using ::testing::HasSubstr;
using test_support::kAdminToken;
using test_support::kCheckoutKey;
using test_support::Must;

// The value of an unlabelled metric in a Prometheus text page, -1 when absent.
double Metric(const std::string& page, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(page, m, std::regex("\n" + name + " ([0-9.e+]+)\n"))) return -1;
  return std::atof(m[1].str().c_str());
}

struct LoadRun {
  int exit_code = -1;
  std::string out;
};

LoadRun RunLoad(const test_support::ServerProcess& server, const std::vector<std::string>& args) {
  const std::string out_path = (server.data_dir().parent_path() / "http_load.out").string();
  test_support::SpawnOptions options;
  options.argv = {test_support::BinaryPath("HTTP_LOAD_BIN", "http_load")};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.stdout_path = out_path;
  options.stderr_path = out_path;
  auto pid = test_support::Spawn(options);
  if (!pid.ok()) return {};
  auto status = test_support::WaitFor(*pid, core::Duration(std::chrono::seconds(60)));
  return LoadRun{status.value_or(-1), test_support::ReadFile(out_path)};
}

TEST(LoadToolTest, EveryRequestItCountsIsADistinctEventTheServerStored) {
  test_support::ServerProcess server;
  auto started = server.Start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  const std::string body = std::string(R"({"routing_key":")") + kCheckoutKey +
                           R"(","event_action":"trigger","dedup_key":"load-{conn}-{seq}",)"
                           R"("payload":{"summary":"load {seq}","source":"host-{seq%7}","severity":"error"}})";

  LoadRun run = RunLoad(server, {"--url", server.url() + "/v2/enqueue", "--connections", "4", "--seconds", "0.5",
                                 "--header", std::string("Authorization: Bearer ") + kAdminToken, "--body", body});

  ASSERT_EQ(run.exit_code, 0) << run.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(run.out, m, std::regex(R"(requests (\d+) in)"))) << run.out;
  const double requests = std::atof(m[1].str().c_str());
  EXPECT_GT(requests, 0);
  EXPECT_THAT(run.out, HasSubstr("non-2xx 0, socket errors 0"));
  EXPECT_THAT(run.out, HasSubstr("status 202: " + m[1].str()));
  EXPECT_THAT(run.out, HasSubstr("latency p50 "));
  // One open alert per request: the placeholders made every dedup key different.
  auto metrics = Must(server.Client().Get("/metrics"));
  EXPECT_EQ(Metric(metrics.body, "incidentd_open_alerts"), requests);
  auto one = Must(server.Client().Get("/api/v1/incidents?limit=1"));
  EXPECT_THAT(one.body, HasSubstr("load-"));
}

TEST(LoadToolTest, RequestsPerConnectionAndTemplatesInTurnHoldASteadyCountOfOpenAlerts) {
  test_support::ServerProcess server;
  auto started = server.Start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  const std::string auth = std::string("Authorization: Bearer ") + kAdminToken;
  auto trigger = [](const std::string& key) {
    return std::string(R"({"routing_key":")") + kCheckoutKey + R"(","event_action":"trigger","dedup_key":"steady-{conn}-)" +
           key + R"(","payload":{"summary":"steady","source":"host-{conn}","severity":"error"}})";
  };
  const std::string resolve = std::string(R"({"routing_key":")") + kCheckoutKey +
                              R"(","event_action":"resolve","dedup_key":"steady-{conn}-{round}"})";

  // 4 connections x 50 requests: 200 open alerts, then not one more.
  LoadRun fill = RunLoad(server, {"--url", server.url() + "/v2/enqueue", "-c", "4", "-d", "30", "--requests", "50",
                                  "--header", auth, "--body", trigger("{seq}")});
  ASSERT_EQ(fill.exit_code, 0) << fill.out;
  EXPECT_THAT(fill.out, HasSubstr("requests 200 in"));
  EXPECT_EQ(Metric(Must(server.Client().Get("/metrics")).body, "incidentd_open_alerts"), 200);

  // Each connection triggers key round+50 and resolves key round, in turn.
  LoadRun steady = RunLoad(server, {"--url", server.url() + "/v2/enqueue", "-c", "4", "-d", "0.5", "--header", auth,
                                    "--body", trigger("{round+50}"), "--body", resolve});

  ASSERT_EQ(steady.exit_code, 0) << steady.out;
  EXPECT_THAT(steady.out, HasSubstr("non-2xx 0, socket errors 0"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(steady.out, m, std::regex(R"(requests (\d+) in)"))) << steady.out;
  EXPECT_GT(std::atof(m[1].str().c_str()), 8) << "at least one full turn per connection";
  // A connection that stopped after a trigger holds one more than it started with.
  const double open = Metric(Must(server.Client().Get("/metrics")).body, "incidentd_open_alerts");
  EXPECT_GE(open, 200);
  EXPECT_LE(open, 204);
  // The oldest alerts are the ones resolved: the first incident the fill opened is resolved.
  auto first = Must(server.Client().Get("/api/v1/incidents/1"));
  EXPECT_THAT(first.body, HasSubstr(R"("state":"resolved")"));
  EXPECT_THAT(first.body, ::testing::ContainsRegex(R"("group_key":"steady-[1-4]-0")"));
}

TEST(LoadToolTest, ItCountsRefusedRequestsAsNon2xx) {
  test_support::ServerProcess server;
  auto started = server.Start();
  ASSERT_TRUE(started.ok()) << started.error().message;

  LoadRun run = RunLoad(server, {"--url", server.url() + "/v2/enqueue", "-c", "2", "-d", "0.2", "--body", "{}"});

  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("status 401: "));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("non-2xx 0,")));
}

TEST(LoadToolTest, AnAddressItCannotUseIsAUsageError) {
  test_support::ServerProcess server;

  LoadRun run = RunLoad(server, {"--url", "http://localhost:9/x", "-d", "0.1"});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, HasSubstr("not a numeric IPv4 address"));
}

}  // namespace
