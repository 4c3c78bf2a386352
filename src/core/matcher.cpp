#include "core/matcher.h"

#include <re2/re2.h>

#include <cctype>

namespace core {

const char* ToString(MatchType type) {
  switch (type) {
    case MatchType::kEqual: return "=";
    case MatchType::kNotEqual: return "!=";
    case MatchType::kRegex: return "=~";
    case MatchType::kNotRegex: return "!~";
  }
  return "=";
}

Result<Matcher> Matcher::Create(std::string name, MatchType type, std::string value) {
  if (name.empty()) return Invalid("matcher has an empty label name", "matchers");
  std::shared_ptr<const re2::RE2> re;
  if (type == MatchType::kRegex || type == MatchType::kNotRegex) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_max_mem(1 << 20);
    re = std::make_shared<const re2::RE2>("^(?:" + value + ")$", opts);
    if (!re->ok()) return Invalid("invalid regex for label '" + name + "': " + re->error(), "matchers");
  }
  return Matcher(std::move(name), type, std::move(value), std::move(re));
}

Result<Matcher> Matcher::Parse(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t name_start = i;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
  std::string name(text.substr(name_start, i - name_start));
  while (i < text.size() && text[i] == ' ') ++i;
  MatchType type;
  if (text.substr(i, 2) == "=~") {
    type = MatchType::kRegex;
    i += 2;
  } else if (text.substr(i, 2) == "!~") {
    type = MatchType::kNotRegex;
    i += 2;
  } else if (text.substr(i, 2) == "!=") {
    type = MatchType::kNotEqual;
    i += 2;
  } else if (text.substr(i, 1) == "=") {
    type = MatchType::kEqual;
    i += 1;
  } else {
    return Invalid("bad matcher '" + std::string(text) + "': expected =, !=, =~ or !~", "matchers");
  }
  while (i < text.size() && text[i] == ' ') ++i;
  std::string_view rest = text.substr(i);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  std::string value;
  auto unbalanced = [&] {
    return Invalid("bad matcher '" + std::string(text) + "': matcher value contains unescaped double quote",
                   "matchers");
  };
  if (!rest.empty() && rest.front() == '"') {
    // Quoted: closed by the last character, with every inner quote escaped.
    if (rest.size() < 2 || rest.back() != '"') return unbalanced();
    rest = rest.substr(1, rest.size() - 2);
    for (size_t k = 0; k < rest.size(); ++k) {
      if (rest[k] == '\\') {
        if (k + 1 == rest.size()) return unbalanced();  // the closing quote was escaped
        ++k;
        value += rest[k] == 'n' ? '\n' : rest[k];
      } else if (rest[k] == '"') {
        return unbalanced();
      } else {
        value += rest[k];
      }
    }
  } else {
    if (rest.find('"') != std::string_view::npos) return unbalanced();
    value = std::string(rest);
  }
  return Create(std::move(name), type, std::move(value));
}

bool Matcher::MatchesValue(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegex: return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
    case MatchType::kNotRegex: return !RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
  }
  return false;
}

bool Matcher::Matches(const LabelSet& labels) const { return MatchesValue(labels.Get(name_)); }

std::string Matcher::ToString() const { return name_ + core::ToString(type_) + "\"" + value_ + "\""; }

}  // namespace core
