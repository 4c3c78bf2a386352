#include "app/config_reload.h"

#include <gtest/gtest.h>

#include <string>

namespace app {
namespace {

const char* FakeEnv(const char* name) {
  return std::string(name) == "INCIDENTD_TOKEN" ? "a-test-token-of-sufficient-length" : nullptr;
}

std::string Text(const std::string& customers, const std::string& group_by, const std::string& zone,
                 const std::string& schedule_zone = "UTC") {
  return R"(
auth:
  tokens:
    - {name: admin, role: admin, token_env: INCIDENTD_TOKEN}
channels:
  hook: {type: webhook, url: "http://127.0.0.1:1/hook"}
people:
  - {name: alice, contacts: [{channel: hook}]}
schedules:
  - name: primary
    time_zone: )" + schedule_zone + R"(
    layers:
      - name: base
        rotations:
          - {name: weekly, participants: [alice], frequency: weekly, start: "2026-01-05T09:00"}
services:
  - name: checkout
    routing_keys: [checkout-key]
    group_by: [)" + group_by + R"(]
    customers: )" + customers + R"(
    time_zone: )" + zone + R"(
)";
}

Config Load(const std::string& text) {
  auto cfg = ParseConfig(text, "t.yaml", FakeEnv);
  EXPECT_TRUE(cfg.ok()) << cfg.error().message;
  return cfg.ok() ? std::move(cfg).value() : Config{};
}

TEST(ConfigReloadTest, AServiceIsDigestedAsCatalogueFactsPagingFactsAndTheRest) {
  const Config cfg = Load(Text("500", "source", "UTC"));
  EXPECT_TRUE(cfg.digests.count("services/checkout"));
  EXPECT_TRUE(cfg.digests.count("services/checkout/catalogue"));
  EXPECT_TRUE(cfg.digests.count("services/checkout/paging"));
  EXPECT_TRUE(cfg.digests.count("schedules"));
  EXPECT_EQ(cfg.digests.at("services/checkout").size(), 64u);
}

TEST(ConfigReloadTest, ACatalogueChangeTakesEffectNowAndNothingElseIsReported) {
  const Config old = Load(Text("500", "source", "UTC"));
  Config fresh = Load(Text("90000", "source", "UTC"));
  engine::ReloadConfig cmd = PlanReload(old.digests, fresh, false);
  EXPECT_EQ(cmd.changes, std::vector<std::string>{"services/checkout/catalogue changed: in force now"});
  ASSERT_NE(cmd.classify, nullptr);
  EXPECT_EQ(cmd.classify->FindService("checkout")->customers, 90000u);
  EXPECT_EQ(cmd.paging, nullptr);
  EXPECT_EQ(cmd.digests, fresh.digests);
}

TEST(ConfigReloadTest, GroupingChangesSayTheyNeedARestart) {
  const Config old = Load(Text("500", "source", "UTC"));
  Config fresh = Load(Text("500", "component", "UTC"));
  engine::ReloadConfig cmd = PlanReload(old.digests, fresh, false);
  EXPECT_EQ(cmd.changes, std::vector<std::string>{"services/checkout changed: takes effect at restart"});
  EXPECT_EQ(cmd.classify, nullptr);
  EXPECT_EQ(cmd.paging, nullptr);
}

TEST(ConfigReloadTest, PagingFactsReloadUnlessTheSchedulesChangedToo) {
  const Config old = Load(Text("500", "source", "UTC"));
  Config zone = Load(Text("500", "source", "Europe/Berlin"));
  engine::ReloadConfig cmd = PlanReload(old.digests, zone, false);
  EXPECT_EQ(cmd.changes, std::vector<std::string>{"services/checkout/paging changed: in force now"});
  EXPECT_NE(cmd.paging, nullptr);

  Config both = Load(Text("500", "source", "Europe/Berlin", "Europe/Paris"));
  cmd = PlanReload(old.digests, both, false);
  EXPECT_EQ(cmd.changes, (std::vector<std::string>{
                             "schedules changed: takes effect at restart",
                             "services/checkout/paging changed: takes effect at restart (schedules or channels "
                             "changed too)"}));
  EXPECT_EQ(cmd.paging, nullptr) << "paging and the schedules it names change together, at restart";
}

TEST(ConfigReloadTest, AtStartEveryDifferenceFromTheJournalIsInForceAndTheSettingsAreNotTaken) {
  Config fresh = Load(Text("500", "source", "UTC"));
  engine::ReloadConfig cmd = PlanReload({{"services/gone", "x"}}, fresh, true);
  ASSERT_FALSE(cmd.changes.empty());
  for (const auto& line : cmd.changes) EXPECT_TRUE(line.ends_with(": in force since start")) << line;
  EXPECT_NE(std::find(cmd.changes.begin(), cmd.changes.end(), "services/gone removed: in force since start"),
            cmd.changes.end());
  EXPECT_EQ(cmd.classify, nullptr);
  EXPECT_EQ(cmd.paging, nullptr);
}

TEST(ConfigReloadTest, TheFirstStartIsOneLine) {
  Config fresh = Load(Text("500", "source", "UTC"));
  engine::ReloadConfig cmd = PlanReload({}, fresh, true);
  EXPECT_EQ(cmd.changes, std::vector<std::string>{"first configuration: " + std::to_string(fresh.digests.size()) +
                                                  " sections in force"});
  EXPECT_EQ(cmd.digests, fresh.digests);
}

TEST(ConfigReloadTest, AnUnchangedConfigurationPlansNothing) {
  Config fresh = Load(Text("500", "source", "UTC"));
  const auto digests = fresh.digests;
  engine::ReloadConfig cmd = PlanReload(digests, fresh, false);
  EXPECT_TRUE(cmd.changes.empty());
  EXPECT_EQ(cmd.classify, nullptr);
}

}  // namespace
}  // namespace app
