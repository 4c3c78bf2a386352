#include "app/auth_config.h"

#include <map>
#include <set>

#include "http/auth.h"

namespace app {
namespace {

bool ParseHex32(const std::string& hex, std::array<uint8_t, 32>& out) {
  if (hex.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

// A configured role: known and assignable. Fails naming `key` otherwise.
bool ReadRole(Reader& r, const YAML::Node& parent, const std::string& key, const std::string& text) {
  const YAML::Node at = parent["role"].IsDefined() ? parent["role"] : parent;
  std::optional<http::Role> role = http::ParseRole(text);
  if (!role) return r.Fail(at, key, std::string("must be one of ") + http::AssignableRoles());
  if (!http::IsAssignable(*role)) {
    return r.Fail(at, key,
                  "vendor access is granted per incident, never in the configuration (use one of " +
                      std::string(http::AssignableRoles()) + ")");
  }
  return true;
}

// A user name as it appears in actors ("user:<name>"): 1..100 of [A-Za-z0-9._@-].
bool IsUserName(const std::string& name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '@';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void ReadTokens(Reader& r, const YAML::Node& root, const Getenv& getenv, Config& cfg) {
  const YAML::Node auth = root["auth"];
  if (!auth.IsDefined()) {
    if (!root["users"].IsDefined()) {
      r.Fail(auth, "auth", "is required: at least one token (every API call is authenticated)");
    }
    return;
  }
  if (!r.CheckKeys(auth, "auth", {"tokens"})) return;
  const YAML::Node tokens = auth["tokens"];
  if (!tokens.IsDefined() || !tokens.IsSequence() || tokens.size() == 0) {
    r.Fail(tokens.IsDefined() ? tokens : auth, "auth.tokens", "must be a non-empty list");
    return;
  }
  std::set<std::string> names;
  std::map<http::TokenHash, size_t> hashes;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const YAML::Node t = tokens[i];
    std::string path = "auth.tokens[" + std::to_string(i) + "]";
    if (!r.CheckKeys(t, path, {"name", "role", "token_env", "token_sha256"})) return;
    http::Token token;
    std::string env, hash;
    if (!r.String(t["name"], path + ".name", token.name) || !r.String(t["role"], path + ".role", token.role) ||
        !r.String(t["token_env"], path + ".token_env", env) ||
        !r.String(t["token_sha256"], path + ".token_sha256", hash)) {
      return;
    }
    if (token.name.empty()) {
      r.Fail(t, path + ".name", "is required");
      return;
    }
    if (!names.insert(token.name).second) {
      r.Fail(t["name"], path + ".name", "duplicate token name '" + token.name + "'");
      return;
    }
    if (!ReadRole(r, t, path + ".role", token.role)) return;
    if (env.empty() == hash.empty()) {
      r.Fail(t, path, "needs exactly one of token_env (read from the environment) or token_sha256");
      return;
    }
    const std::string key = env.empty() ? path + ".token_sha256" : path + ".token_env";
    const YAML::Node at = env.empty() ? t["token_sha256"] : t["token_env"];
    if (!env.empty()) {
      const char* value = getenv(env.c_str());
      if (value == nullptr || std::string_view(value).size() < 16) {
        r.Fail(at, key, "environment variable " + env + " is unset or shorter than 16 characters");
        return;
      }
      // The plain token is hashed at once; only the hash is kept.
      token.sha256 = http::HashToken(value);
    } else if (!ParseHex32(hash, token.sha256)) {
      r.Fail(at, key, "must be 64 hex digits (the SHA-256 of the token)");
      return;
    }
    if (auto [it, fresh] = hashes.emplace(token.sha256, i); !fresh) {
      r.Fail(at, key, "the same token as auth.tokens[" + std::to_string(it->second) + "] (every token must differ)");
      return;
    }
    cfg.http.tokens.push_back(std::move(token));
  }
}

void ReadUsers(Reader& r, const YAML::Node& root, Config& cfg) {
  const YAML::Node list = root["users"];
  std::map<http::TokenHash, std::string> hashes;  // → the key that holds it
  for (size_t i = 0; i < cfg.http.tokens.size(); ++i) {
    hashes.emplace(cfg.http.tokens[i].sha256, "auth.tokens[" + std::to_string(i) + "]");
  }
  if (list.IsDefined() && !list.IsNull() && !list.IsSequence()) {
    r.Fail(list, "users", "must be a list of {name, role, teams, password_argon2id, tokens}");
    return;
  }
  std::set<std::string> names;
  // An undefined node's IsSequence throws (yaml-cpp), hence IsDefined first.
  const bool listed = list.IsDefined() && list.IsSequence();
  for (size_t i = 0; listed && i < list.size() && r.ok(); ++i) {
    const YAML::Node n = list[i];
    const std::string path = "users[" + std::to_string(i) + "]";
    http::User user;
    if (!r.CheckKeys(n, path, {"name", "role", "teams", "password_argon2id", "tokens"}) ||
        !r.String(n["name"], path + ".name", user.name) || !r.String(n["role"], path + ".role", user.role) ||
        !r.StringList(n["teams"], path + ".teams", user.teams) ||
        !r.String(n["password_argon2id"], path + ".password_argon2id", user.password_argon2id)) {
      return;
    }
    if (!IsUserName(user.name)) {
      r.Fail(n["name"].IsDefined() ? n["name"] : n, path + ".name",
             "is required: 1 to 100 letters, digits and . _ @ -");
      return;
    }
    if (!names.insert(user.name).second) {
      r.Fail(n["name"], path + ".name", "duplicate user name '" + user.name + "'");
      return;
    }
    if (!ReadRole(r, n, path + ".role", user.role)) return;
    for (size_t k = 0; k < user.teams.size(); ++k) {
      if (!cfg.paging_input.teams.contains(user.teams[k])) {
        r.Fail(n["teams"], path + ".teams[" + std::to_string(k) + "]",
               "names no team under `teams` ('" + user.teams[k] + "')");
        return;
      }
    }
    if (!user.password_argon2id.empty() && !http::IsArgon2idHash(user.password_argon2id)) {
      r.Fail(n["password_argon2id"], path + ".password_argon2id",
             "must be an Argon2id string ($argon2id$v=19$m=...; make one with: incidentd hash-password)");
      return;
    }
    const YAML::Node tokens = n["tokens"];
    if (tokens.IsDefined() && !tokens.IsNull() && !tokens.IsSequence()) {
      r.Fail(tokens, path + ".tokens", "must be a list of {name, sha256}");
      return;
    }
    std::set<std::string> token_names;
    const bool has_tokens = tokens.IsDefined() && tokens.IsSequence();
    for (size_t k = 0; has_tokens && k < tokens.size(); ++k) {
      const YAML::Node t = tokens[k];
      const std::string tpath = path + ".tokens[" + std::to_string(k) + "]";
      http::UserToken token;
      std::string hash;
      if (!r.CheckKeys(t, tpath, {"name", "sha256"}) || !r.String(t["name"], tpath + ".name", token.name) ||
          !r.String(t["sha256"], tpath + ".sha256", hash)) {
        return;
      }
      if (token.name.empty() || !token_names.insert(token.name).second) {
        r.Fail(t["name"].IsDefined() ? t["name"] : t, tpath + ".name", "is required and unique per user");
        return;
      }
      if (!ParseHex32(hash, token.sha256)) {
        r.Fail(t["sha256"].IsDefined() ? t["sha256"] : t, tpath + ".sha256",
               "must be 64 hex digits (the SHA-256 of the token: echo -n \"$TOKEN\" | incidentd hash-token)");
        return;
      }
      if (auto [it, fresh] = hashes.emplace(token.sha256, tpath); !fresh) {
        r.Fail(t["sha256"], tpath + ".sha256", "the same token as " + it->second + " (every token must differ)");
        return;
      }
      user.tokens.push_back(std::move(token));
    }
    cfg.http.users.push_back(std::move(user));
  }
  if (!r.ok()) return;
  if (cfg.http.tokens.empty() && hashes.empty()) {
    r.Fail(root, "auth", "is required: at least one token in auth.tokens or users[].tokens (every API call is "
                         "authenticated)");
  }
}

}  // namespace app
