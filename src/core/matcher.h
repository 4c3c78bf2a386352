// Label matchers (=, !=, =~, !~) with RE2 regexes anchored at both ends, as Alertmanager and Prometheus anchor them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/labels.h"
#include "core/result.h"

namespace re2 {
class RE2;
}

namespace core {

enum class MatchType { kEqual, kNotEqual, kRegex, kNotRegex };

class Matcher {
 public:
  // kInvalid (field "matchers") when the name is empty or the regex does not compile.
  static Result<Matcher> Create(std::string name, MatchType type, std::string value);
  // Parses `name="value"`, `name!=value`, `name=~"re"`, `name!~re` (quotes optional).
  static Result<Matcher> Parse(std::string_view text);

  // A label missing from the set matches as the empty string.
  bool Matches(const LabelSet& labels) const;
  bool MatchesValue(std::string_view value) const;

  const std::string& name() const { return name_; }
  MatchType type() const { return type_; }
  const std::string& value() const { return value_; }
  std::string ToString() const;

 private:
  Matcher(std::string name, MatchType type, std::string value, std::shared_ptr<const re2::RE2> re)
      : name_(std::move(name)), type_(type), value_(std::move(value)), re_(std::move(re)) {}

  std::string name_;
  MatchType type_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // set for the regex types; immutable, so shared copies are thread-safe
};

const char* ToString(MatchType type);

}  // namespace core
