#include "app/regulatory_rules.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace app {
namespace {

core::Timestamp At(const char* rfc3339) { return core::ParseRfc3339(rfc3339).value(); }

std::vector<classify::Regime> Shipped() {
  const char* src = std::getenv("INCIDENTD_SOURCE_DIR");
  EXPECT_NE(src, nullptr);
  auto r = LoadRegimes(std::string(src ? src : ".") + "/rules/regulatory.yaml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : std::vector<classify::Regime>{};
}

TEST(RegulatoryRulesTest, TheShippedRulesLoadWithASourceAndEffectiveDateEach) {
  auto regimes = Shipped();
  ASSERT_GE(regimes.size(), 10u);
  for (const auto& r : regimes) {
    EXPECT_FALSE(r.source.empty()) << r.id;
    EXPECT_EQ(r.effective.size(), 10u) << r.id;
    EXPECT_FALSE(r.confidence.empty()) << r.id;
  }
}

TEST(RegulatoryRulesTest, AnIncidentUnderGdprNis2AndDoraAtOnceGetsEveryDeadline) {
  // A bank in the EU (a DORA financial entity, also an NIS2 entity) with customer personal data leaked: a confirmed
  // breach, classified major two hours after awareness.
  classify::Facts f;
  f.jurisdictions = {"EU"};
  f.data = {"personal"};
  f.entity = {"financial_entity", "nis2_entity"};
  f.category = "security";
  f.major = true;
  f.breach = true;
  f.anchors[classify::Anchor::kAwareness] = At("2026-03-06T16:00:00Z");  // a Friday afternoon
  f.anchors[classify::Anchor::kAwarenessOfSignificant] = At("2026-03-06T16:00:00Z");
  f.anchors[classify::Anchor::kClassificationAsMajor] = At("2026-03-06T18:00:00Z");
  f.submissions[{"eu_nis2_art23", "incident_notification"}] = At("2026-03-08T10:00:00Z");
  auto deadlines = classify::Evaluate(Shipped(), f);
  std::map<std::string, std::string> due;
  for (const auto& d : deadlines) {
    due[d.regime + "/" + d.stage] = d.due ? core::FormatRfc3339(*d.due) : "waiting for " + d.waiting_for;
  }
  EXPECT_EQ(due.size(), 7u);
  EXPECT_EQ(due["eu_gdpr_art33/notification"], "2026-03-09T16:00:00Z");  // 72 h, weekend included
  EXPECT_EQ(due["eu_nis2_art23/early_warning"], "2026-03-07T16:00:00Z");
  EXPECT_EQ(due["eu_nis2_art23/incident_notification"], "2026-03-09T16:00:00Z");
  EXPECT_EQ(due["eu_nis2_art23/final_report"], "2026-04-08T10:00:00Z");  // a month after the notification
  EXPECT_EQ(due["eu_dora_major_ict_incident/initial_notification"], "2026-03-06T22:00:00Z");
  EXPECT_EQ(due["eu_dora_major_ict_incident/intermediate_report"],
            "waiting for submission of the initial notification");
  EXPECT_EQ(due["eu_dora_major_ict_incident/final_report"], "waiting for submission of the intermediate report");
  // Outside the EU, or without personal data, fewer regimes apply.
  f.jurisdictions = {"US"};
  EXPECT_TRUE(classify::Evaluate(Shipped(), f).empty());
}

TEST(RegulatoryRulesTest, MistakesInTheRulesFileNameTheLine) {
  auto bad = ParseRegimes("regimes:\n  - id: x\n    stages:\n      - {id: s, anchor: sometime, hours: 4}\n", "r.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "r.yaml:4: regimes[0].stages[0].anchor: unknown anchor 'sometime'");
  bad = ParseRegimes("regimes:\n  - id: x\n    stages:\n      - {id: s, anchor: awareness, hours: 4, months: 1}\n",
                     "r.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("give exactly one of hours"), std::string::npos);
  bad = ParseRegimes("regimes:\n  - {id: x, stages: [{id: s, anchor: awareness, hours: 4}]}\n"
                     "  - {id: x, stages: [{id: s, anchor: awareness, hours: 4}]}\n",
                     "r.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "r.yaml: regimes/1/id: a regime needs a unique id");
}

}  // namespace
}  // namespace app
