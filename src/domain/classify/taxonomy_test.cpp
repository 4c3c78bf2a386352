#include "domain/classify/taxonomy.h"

#include <gtest/gtest.h>

#include "domain/incident/lifecycle.h"

namespace classify {
namespace {

TaxonomyInput WithRules() {
  TaxonomyInput t = DefaultTaxonomy();
  t.rules = {
      {"exfiltration-text", "security", "data_exfiltration", {}, "(?i)exfiltrat|data leak"},
      {"auth-anomaly", "security", "credential_compromise", {R"(alertname=~"(?i).*login.*")"}, ""},
      {"disk-corruption", "data_corruption", "integrity", {R"(alertname="ChecksumMismatch")"}, ""},
      {"latency", "performance", "latency", {R"(alertname=~".*Latency.*")"}, ""},
      {"host-down", "outage", "full", {R"(class="host_down")"}, ""},
  };
  return t;
}

incident::Category Classify(const Taxonomy& t, core::LabelSet labels, std::string title, std::string summary = "") {
  incident::NewAlert a;
  a.title = std::move(title);
  a.summary = std::move(summary);
  a.labels = &labels;
  return t.Classify(a);
}

TEST(Taxonomy, TheFirstMatchingRuleChoosesTheCategoryAndIsRecorded) {
  auto t = Taxonomy::Make(WithRules()).value();
  auto c = Classify(*t, core::LabelSet::FromUnsorted({{"alertname", "HighLatency"}}), "p99 above 2s");
  EXPECT_EQ(c.category, "performance");
  EXPECT_EQ(c.subcategory, "latency");
  EXPECT_EQ(c.rule, "latency");
  // Text wins over a later label rule: the rules are ordered.
  c = Classify(*t, core::LabelSet::FromUnsorted({{"alertname", "HighLatency"}}), "Possible data leak via export API");
  EXPECT_EQ(c.rule, "exfiltration-text");
  c = Classify(*t, core::LabelSet::FromUnsorted({{"alertname", "FailedLoginSpike"}}), "many failed logins");
  EXPECT_EQ(c.category, "security");
  EXPECT_EQ(c.subcategory, "credential_compromise");
  c = Classify(*t, core::LabelSet::FromUnsorted({{"alertname", "CPU"}}), "cpu high");
  EXPECT_TRUE(c.category.empty()) << "no rule matched";
}

TEST(Taxonomy, ChecksAPersonsChoiceAgainstTheList) {
  auto t = Taxonomy::Make(WithRules()).value();
  EXPECT_TRUE(t->Check("security", "intrusion").ok());
  EXPECT_TRUE(t->Check("security", "").ok());
  EXPECT_EQ(t->Check("security", "spaceship").error().field, "/subcategory");
  auto bad = t->Check("aliens", "");
  EXPECT_EQ(bad.error().field, "/category");
  EXPECT_NE(bad.error().message.find("security, outage, performance, data_corruption, configuration"),
            std::string::npos);
}

TEST(Taxonomy, KeepsTheChoiceListShortAndRulesValid) {
  TaxonomyInput t = DefaultTaxonomy();
  t.categories.push_back({"six", {}});
  t.categories.push_back({"seven", {}});
  EXPECT_TRUE(Taxonomy::Make(t).ok());
  t.categories.push_back({"eight", {}});
  EXPECT_EQ(Taxonomy::Make(t).error().field, "/categories");
  t = WithRules();
  t.rules[1].category = "weather";
  EXPECT_EQ(Taxonomy::Make(t).error().field, "/rules/1/category");
  t = WithRules();
  t.rules[2].subcategory = "vibes";
  EXPECT_EQ(Taxonomy::Make(t).error().field, "/rules/2/subcategory");
  t = WithRules();
  t.rules[0].text = "(unclosed";
  EXPECT_EQ(Taxonomy::Make(t).error().field, "/rules/0/text");
  t = WithRules();
  t.rules[3].matchers = {"not a matcher"};
  EXPECT_EQ(Taxonomy::Make(t).error().field, "/rules/3/matchers/0");
  t = WithRules();
  t.rules[4].matchers.clear();
  EXPECT_EQ(Taxonomy::Make(t).error().field, "/rules/4");
}

}  // namespace
}  // namespace classify
