// Debian's real amtool (0.25) pointed at incidentd as at an Alertmanager: alerts added and queried, silences added,
// listed, shown on the alerts they mute, and expired, all checked in what amtool prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "interop/external_program.h"
#include "interop/observe.h"
#include "support/api.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using interop::Eventually;
using interop::ProgramRun;
using test_support::HasLineWith;
using test_support::kAdminToken;

// The two http_config forms amtool's --http.config.file accepts for incidentd's token.
const std::string kBearerHttpConfig = std::string("authorization:\n  credentials: ") + kAdminToken + "\n";
const std::string kBasicHttpConfig =
    std::string("basic_auth:\n  username: amtool\n  password: ") + kAdminToken + "\n";

class AmtoolInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(interop::Installed(interop::kAmtoolBin));
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    UseHttpConfig(kBearerHttpConfig);
  }

  void UseHttpConfig(const std::string& yaml) { std::ofstream(dir_.path() / "http.yml") << yaml; }

  // amtool --alertmanager.url=<incidentd> --http.config.file=<http.yml> args..., with HOME in the temp directory
  // so no amtool.yml of the machine's user applies.
  ProgramRun Amtool(const std::vector<std::string>& args) {
    std::vector<std::string> argv{interop::kAmtoolBin, "--alertmanager.url=" + server_.url(),
                                  "--http.config.file=" + (dir_.path() / "http.yml").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return interop::RunProgram(argv, {"HOME=" + dir_.path().string()});
  }

  // Runs amtool with `args` until it exits 0 with output `accept` likes; the last run either way.
  template <typename Accept>
  ProgramRun AmtoolUntil(const std::vector<std::string>& args, Accept accept) {
    ProgramRun run;
    Eventually([&] {
      run = Amtool(args);
      return run.exit_code == 0 && accept(run.out);
    });
    return run;
  }

  void AddAlert(const std::string& alertname, const std::string& summary) {
    ProgramRun added = Amtool({"alert", "add", "alertname=" + alertname, "severity=critical",
                               "--annotation=summary=" + summary});
    ASSERT_EQ(added.exit_code, 0) << added.Describe();
  }

  // The id `amtool silence add` printed for a one-hour silence of `alertname`.
  std::string AddSilence(const std::string& alertname) {
    ProgramRun added = Amtool({"silence", "add", "alertname=" + alertname, "--comment=interop silence",
                               "--author=interop", "--duration=1h"});
    EXPECT_EQ(added.exit_code, 0) << added.Describe();
    std::string id = added.out;
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    EXPECT_THAT(id, MatchesRegex("[^ \n]+")) << added.Describe();
    return id;
  }

  test_support::ServerProcess server_;
  test_support::TempDir dir_;
};

TEST_F(AmtoolInteropTest, AddedAlertIsListedByAlertQuery) {
  ASSERT_NO_FATAL_FAILURE(AddAlert("AmtoolAdded", "added by amtool"));

  ProgramRun query = AmtoolUntil({"alert", "query", "alertname=AmtoolAdded"},
                                 [](const std::string& out) { return HasLineWith(out, {"AmtoolAdded"}); });

  EXPECT_EQ(query.exit_code, 0) << query.Describe();
  EXPECT_TRUE(HasLineWith(query.out, {"Alertname", "Starts At", "Summary", "State"})) << query.Describe();
  EXPECT_TRUE(HasLineWith(query.out, {"AmtoolAdded", "added by amtool", "active"})) << query.Describe();
}

TEST_F(AmtoolInteropTest, BasicAuthHttpConfigIsAccepted) {
  UseHttpConfig(kBasicHttpConfig);
  ASSERT_NO_FATAL_FAILURE(AddAlert("AmtoolBasicAuth", "basic auth"));

  ProgramRun query = AmtoolUntil({"alert", "query", "alertname=AmtoolBasicAuth"},
                                 [](const std::string& out) { return HasLineWith(out, {"AmtoolBasicAuth"}); });

  EXPECT_EQ(query.exit_code, 0) << query.Describe();
  EXPECT_TRUE(HasLineWith(query.out, {"AmtoolBasicAuth", "basic auth", "active"})) << query.Describe();
}

TEST_F(AmtoolInteropTest, JsonOutputOfAlertQueryParses) {
  ASSERT_NO_FATAL_FAILURE(AddAlert("AmtoolJson", "as json"));

  ProgramRun query = AmtoolUntil({"-o", "json", "alert", "query", "alertname=AmtoolJson"},
                                 [](const std::string& out) { return out.find("AmtoolJson") != std::string::npos; });

  ASSERT_EQ(query.exit_code, 0) << query.Describe();
  boost::json::error_code ec;
  boost::json::value alerts = boost::json::parse(query.out, ec);
  ASSERT_FALSE(ec) << ec.message() << "\n" << query.Describe();
  ASSERT_TRUE(alerts.is_array()) << query.Describe();
  ASSERT_EQ(alerts.as_array().size(), 1u) << query.Describe();
  const boost::json::value& alert = alerts.as_array().front();
  EXPECT_EQ(test_support::StringField(alert.at("labels"), "alertname"), "AmtoolJson");
  EXPECT_EQ(test_support::StringField(alert.at("labels"), "severity"), "critical");
  EXPECT_EQ(test_support::StringField(alert.at("annotations"), "summary"), "as json");
  EXPECT_EQ(test_support::StringField(alert.at("status"), "state"), "active");
  EXPECT_FALSE(test_support::StringField(alert, "fingerprint").empty()) << query.Describe();
}

TEST_F(AmtoolInteropTest, AddedSilenceIsListedBySilenceQuery) {
  const std::string id = AddSilence("AmtoolSilenced");
  ASSERT_FALSE(id.empty());

  ProgramRun query = AmtoolUntil({"silence", "query"}, [&](const std::string& out) { return HasLineWith(out, {id}); });

  EXPECT_EQ(query.exit_code, 0) << query.Describe();
  EXPECT_TRUE(HasLineWith(query.out, {"ID", "Matchers", "Ends At", "Created By", "Comment"})) << query.Describe();
  EXPECT_TRUE(HasLineWith(query.out, {id, "alertname=\"AmtoolSilenced\"", "interop", "interop silence"}))
      << query.Describe();
}

TEST_F(AmtoolInteropTest, SilencedAlertIsShownSuppressed) {
  ASSERT_NO_FATAL_FAILURE(AddAlert("AmtoolMuted", "muted by a silence"));
  ASSERT_FALSE(AddSilence("AmtoolMuted").empty());

  ProgramRun query =
      AmtoolUntil({"alert", "query", "--silenced", "alertname=AmtoolMuted"},
                  [](const std::string& out) { return HasLineWith(out, {"AmtoolMuted", "suppressed"}); });

  EXPECT_EQ(query.exit_code, 0) << query.Describe();
  EXPECT_TRUE(HasLineWith(query.out, {"AmtoolMuted", "muted by a silence", "suppressed"})) << query.Describe();
}

TEST_F(AmtoolInteropTest, ExpiredSilenceIsListedByExpiredQuery) {
  const std::string id = AddSilence("AmtoolExpired");
  ASSERT_FALSE(id.empty());

  ProgramRun expired = Amtool({"silence", "expire", id});
  ProgramRun query =
      AmtoolUntil({"silence", "query", "--expired"}, [&](const std::string& out) { return HasLineWith(out, {id}); });
  ProgramRun active = Amtool({"silence", "query"});

  EXPECT_EQ(expired.exit_code, 0) << expired.Describe();
  EXPECT_TRUE(HasLineWith(query.out, {id, "alertname=\"AmtoolExpired\""})) << query.Describe();
  EXPECT_EQ(active.exit_code, 0) << active.Describe();
  EXPECT_THAT(active.out, ::testing::Not(HasSubstr(id)));
}

}  // namespace
