#include "domain/classify/taxonomy.h"

#include <re2/re2.h>

#include <algorithm>
#include <set>

#include "domain/incident/lifecycle.h"

namespace classify {

TaxonomyInput DefaultTaxonomy() {
  TaxonomyInput t;
  t.categories = {
      {"security", {"intrusion", "malware", "data_exfiltration", "credential_compromise", "denial_of_service"}},
      {"outage", {"full", "partial", "dependency"}},
      {"performance", {"latency", "errors", "saturation"}},
      {"data_corruption", {"integrity", "loss", "replication"}},
      {"configuration", {"deploy", "feature_flag", "infrastructure"}},
  };
  return t;
}

core::Result<std::shared_ptr<const Taxonomy>> Taxonomy::Make(TaxonomyInput in) {
  if (in.categories.empty()) return core::Invalid("a taxonomy needs categories", "/categories");
  if (in.categories.size() > kMaxTopLevel) {
    return core::Invalid("at most 7 top-level categories: a longer choice list is not used well", "/categories");
  }
  std::set<std::string> names;
  for (const auto& [name, subs] : in.categories) {
    if (name.empty() || !names.insert(name).second) {
      return core::Invalid("category '" + name + "' is empty or appears twice", "/categories");
    }
  }
  auto t = std::shared_ptr<Taxonomy>(new Taxonomy());
  for (size_t i = 0; i < in.rules.size(); ++i) {
    const TaxonomyRule& r = in.rules[i];
    const std::string at = "/rules/" + std::to_string(i);
    if (r.matchers.empty() && r.text.empty()) return core::Invalid("a rule needs matchers or text", at);
    Compiled c;
    for (size_t k = 0; k < r.matchers.size(); ++k) {
      auto m = core::Matcher::Parse(r.matchers[k]);
      if (!m.ok()) return core::Invalid(m.error().message, at + "/matchers/" + std::to_string(k));
      c.matchers.push_back(std::move(m).value());
    }
    if (!r.text.empty()) {
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_shared<const RE2>(r.text, options);
      if (!re->ok()) return core::Invalid("text is not a valid RE2 pattern: " + re->error(), at + "/text");
      c.text = std::move(re);
    }
    t->compiled_.push_back(std::move(c));
  }
  t->in_ = std::move(in);
  for (size_t i = 0; i < t->in_.rules.size(); ++i) {
    const TaxonomyRule& r = t->in_.rules[i];
    if (auto st = t->Check(r.category, r.subcategory); !st.ok()) {
      return core::Invalid(st.error().message, "/rules/" + std::to_string(i) + st.error().field);
    }
  }
  return std::shared_ptr<const Taxonomy>(std::move(t));
}

incident::Category Taxonomy::Classify(const incident::NewAlert& a) const {
  static const core::LabelSet kNoLabels;
  const core::LabelSet& labels = a.labels != nullptr ? *a.labels : kNoLabels;
  for (size_t i = 0; i < in_.rules.size(); ++i) {
    const Compiled& c = compiled_[i];
    bool match = std::all_of(c.matchers.begin(), c.matchers.end(), [&](const core::Matcher& m) {
      return m.Matches(labels);
    });
    if (match && c.text) match = RE2::PartialMatch(a.title, *c.text) || RE2::PartialMatch(a.summary, *c.text);
    if (match) return incident::Category{in_.rules[i].category, in_.rules[i].subcategory, in_.rules[i].name};
  }
  return {};
}

core::Status Taxonomy::Check(const std::string& category, const std::string& subcategory) const {
  for (const auto& [name, subs] : in_.categories) {
    if (name != category) continue;
    if (subcategory.empty() || std::find(subs.begin(), subs.end(), subcategory) != subs.end()) return core::Ok();
    return core::Invalid("category " + category + " has no subcategory '" + subcategory + "'", "/subcategory");
  }
  std::string known;
  for (const auto& [name, subs] : in_.categories) known += (known.empty() ? "" : ", ") + name;
  return core::Invalid("no category '" + category + "' (the taxonomy has " + known + ")", "/category");
}

}  // namespace classify
