// The incident taxonomy: at most seven top-level categories with subcategories, and ordered rules over an alert's
// labels and text (RE2) that choose a new incident's category, recording which rule did. Pure.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/matcher.h"
#include "core/result.h"
#include "domain/incident/config.h"

namespace re2 {
class RE2;
}

namespace classify {

struct TaxonomyRule {
  std::string name;
  std::string category;
  std::string subcategory;             // may be empty
  std::vector<std::string> matchers;   // label matchers, Alertmanager syntax (`alertname=~"Disk.*"`); all must match
  std::string text;                    // an RE2 pattern searched in the alert's title and summary; empty = any
};

struct TaxonomyInput {
  // Top-level categories in display order, each with its subcategories.
  std::vector<std::pair<std::string, std::vector<std::string>>> categories;
  std::vector<TaxonomyRule> rules;     // first match wins
};

// The default choice list: security breach, service outage, performance degradation, data corruption, configuration
// error (and their subcategories), five of the seven allowed.
TaxonomyInput DefaultTaxonomy();

class Taxonomy final : public incident::Classifier {
 public:
  static constexpr size_t kMaxTopLevel = 7;

  // kInvalid naming the field: "/categories" (more than 7, or a duplicate), "/rules/2/category" (not in the list),
  // "/rules/2/subcategory", "/rules/2/matchers/0" (does not parse), "/rules/2/text" (RE2 refuses it), "/rules/2"
  // (neither matchers nor text: it would match everything).
  static core::Result<std::shared_ptr<const Taxonomy>> Make(TaxonomyInput input);

  bool active() const override { return !in_.rules.empty(); }
  incident::Category Classify(const incident::NewAlert& alert) const override;
  core::Status Check(const std::string& category, const std::string& subcategory) const override;

  const std::vector<std::pair<std::string, std::vector<std::string>>>& categories() const { return in_.categories; }
  const std::vector<TaxonomyRule>& rules() const { return in_.rules; }

 private:
  struct Compiled {
    std::vector<core::Matcher> matchers;
    std::shared_ptr<const re2::RE2> text;
  };
  TaxonomyInput in_;
  std::vector<Compiled> compiled_;
};

}  // namespace classify
