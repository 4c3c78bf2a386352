// The YAML reader the configuration loaders share: typed getters that record the first error with file, line and
// key. Internal to app/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <vector>

#include "core/time.h"

namespace app {

// Collects the first error with its location; every reader returns false once an error is recorded.
class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  bool Fail(const YAML::Node& node, const std::string& key, const std::string& message) {
    if (error_.empty()) {
      int line = node.IsDefined() ? node.Mark().line + 1 : 0;
      error_ = name_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " + key + ": " + message;
    }
    return false;
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  bool CheckKeys(const YAML::Node& map, const std::string& path, const std::set<std::string>& allowed) {
    if (!map.IsMap()) return Fail(map, path.empty() ? "(top level)" : path, "must be a mapping");
    for (const auto& kv : map) {
      std::string key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string known;
        for (const auto& a : allowed) known += (known.empty() ? "" : ", ") + a;
        return Fail(kv.first, path.empty() ? key : path + "." + key, "unknown key (known keys: " + known + ")");
      }
    }
    return true;
  }

  bool String(const YAML::Node& node, const std::string& key, std::string& out) {
    if (!node.IsDefined() || node.IsNull()) return true;
    if (!node.IsScalar()) return Fail(node, key, "must be a string");
    out = node.Scalar();
    return true;
  }

  template <typename T>
  bool Unsigned(const YAML::Node& node, const std::string& key, T& out, uint64_t min, uint64_t max) {
    if (!node.IsDefined() || node.IsNull()) return true;
    if (!node.IsScalar()) return Fail(node, key, "must be a number");
    const std::string& s = node.Scalar();
    uint64_t v = 0;
    if (s.empty() || s.size() > 19) return Fail(node, key, "must be a whole number");
    for (char c : s) {
      if (c < '0' || c > '9') return Fail(node, key, "must be a whole number");
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v < min || v > max) {
      return Fail(node, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    out = static_cast<T>(v);
    return true;
  }

  bool Duration(const YAML::Node& node, const std::string& key, core::Duration& out) {
    if (!node.IsDefined() || node.IsNull()) return true;
    if (!node.IsScalar()) return Fail(node, key, "must be a duration like 30s, 5m, 1h");
    if (node.Scalar() == "0") {
      out = core::Duration(0);
      return true;
    }
    auto d = core::ParseDuration(node.Scalar());
    if (!d.ok()) return Fail(node, key, d.error().message);
    out = d.value();
    return true;
  }

  bool Bool(const YAML::Node& node, const std::string& key, bool& out) {
    if (!node.IsDefined() || node.IsNull()) return true;
    if (!node.IsScalar() || (node.Scalar() != "true" && node.Scalar() != "false")) {
      return Fail(node, key, "must be true or false");
    }
    out = node.Scalar() == "true";
    return true;
  }

  bool StringList(const YAML::Node& node, const std::string& key, std::vector<std::string>& out) {
    if (!node.IsDefined() || node.IsNull()) return true;
    if (!node.IsSequence()) return Fail(node, key, "must be a list");
    out.clear();
    for (size_t i = 0; i < node.size(); ++i) {
      if (!node[i].IsScalar()) return Fail(node[i], key + "[" + std::to_string(i) + "]", "must be a string");
      out.push_back(node[i].Scalar());
    }
    return true;
  }

 private:
  std::string name_;
  std::string error_;
};

}  // namespace app
