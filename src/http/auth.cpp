#include "http/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <functional>
#include <set>

#include "core/result.h"
#include "journal/record.h"

namespace http {

namespace {

constexpr size_t kMaxPassword = 4096;

// The Argon2id hash of a random password nobody kept, at HashPassword's limits (PasswordTest pins those): what
// VerifyPassword checks an unknown user's password against, so that costs what a known user's does.
constexpr const char* kDummyPasswordHash =
    "$argon2id$v=19$m=65536,t=2,p=1$15NArKEP90WyeVjuFAWgAg$MAR7kCgk3XbB6lyJvOLGBk8EMuavkcSWmhRmkizUM0w";

bool SodiumReady() {
  // sodium_init is thread-safe and idempotent; 0 is the first success, 1 any later one.
  return sodium_init() >= 0;
}

core::Error Unauthenticated(std::string message) {
  return core::Error{core::ErrorCode::kUnauthenticated, std::move(message), {}};
}

}  // namespace

std::optional<Role> ParseRole(std::string_view text) {
  for (Role role : kAllRoles) {
    if (text == ToString(role)) return role;
  }
  return std::nullopt;
}

const char* ToString(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kIngest:
      return "ingest";
    case Role::kResponder:
      return "responder";
    case Role::kCommander:
      return "commander";
    case Role::kCommunicator:
      return "communicator";
    case Role::kAdmin:
      return "admin";
    case Role::kVendor:
      return "vendor";
  }
  return "viewer";
}

const char* ToString(Permission permission) {
  switch (permission) {
    case Permission::kNone:
      return "none";
    case Permission::kRead:
      return "read";
    case Permission::kIngest:
      return "ingest";
    case Permission::kRespond:
      return "respond";
    case Permission::kCommand:
      return "command";
    case Permission::kCommunicate:
      return "communicate";
    case Permission::kAdmin:
      return "admin";
  }
  return "none";
}

bool IsAssignable(Role role) { return role != Role::kVendor; }

const char* AssignableRoles() { return "admin, commander, communicator, responder, ingest, viewer"; }

// The table in docs/api.md. Written out role by role, so a new role or permission is a compile-time question
// (-Wswitch) rather than a silent default.
bool Allows(Role role, Permission permission) {
  if (permission == Permission::kNone) return true;
  switch (role) {
    case Role::kViewer:
      return permission == Permission::kRead;
    case Role::kIngest:
      return permission == Permission::kIngest;
    case Role::kResponder:
      return permission == Permission::kRead || permission == Permission::kIngest ||
             permission == Permission::kRespond;
    case Role::kCommander:
      return permission != Permission::kAdmin;
    case Role::kCommunicator:
      // Notes are kRespond, so a communicator cannot add them; its writes are status updates and external
      // messages (kCommunicate).
      return permission == Permission::kRead || permission == Permission::kCommunicate;
    case Role::kAdmin:
      return true;
    case Role::kVendor:
      return false;  // a vendor's access is per incident, granted elsewhere
  }
  return false;
}

TokenHash HashToken(std::string_view token) { return journal::Sha256(token); }

core::Result<std::string> HashPassword(std::string_view password) {
  if (!SodiumReady()) return core::Error{core::ErrorCode::kInternal, "libsodium failed to initialise", {}};
  if (password.size() > kMaxPassword) {
    return core::Invalid("a password is at most " + std::to_string(kMaxPassword) + " bytes", "password");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return core::Error{core::ErrorCode::kInternal, "Argon2id hashing failed (out of memory)", {}};
  }
  return std::string(out);
}

bool IsArgon2idHash(std::string_view encoded) {
  if (!encoded.starts_with("$argon2id$") || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  if (!SodiumReady()) return false;
  // needs_rehash parses the string: -1 when it is not a valid Argon2id encoding.
  const std::string text(encoded);
  return crypto_pwhash_argon2id_str_needs_rehash(text.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) != -1;
}

core::Result<Authenticator> Authenticator::Create(const std::vector<Entry>& tokens, const std::vector<User>& users) {
  if (!SodiumReady()) return core::Error{core::ErrorCode::kInternal, "libsodium failed to initialise", {}};
  Authenticator auth;
  std::set<TokenHash> hashes;
  for (const Entry& t : tokens) {
    if (t.name.empty()) return core::Invalid("token without a name", "auth.tokens");
    std::optional<Role> role = ParseRole(t.role);
    if (!role || !IsAssignable(*role)) {
      return core::Invalid("token " + t.name + ": role \"" + t.role + "\" is not one of " + AssignableRoles(),
                           "auth.tokens");
    }
    if (!hashes.insert(t.sha256).second) {
      return core::Invalid("token " + t.name + ": its hash is also another token's", "auth.tokens");
    }
    auth.principals_.push_back(Principal{t.name, *role, "token:" + t.name, {}, {}});
    auth.known_.push_back(Known{t.sha256, auth.principals_.size() - 1});
  }
  std::set<std::string, std::less<>> names;
  for (const User& u : users) {
    if (u.name.empty()) return core::Invalid("user without a name", "users");
    if (!names.insert(u.name).second) return core::Invalid("user " + u.name + " is listed twice", "users");
    std::optional<Role> role = ParseRole(u.role);
    if (!role || !IsAssignable(*role)) {
      return core::Invalid("user " + u.name + ": role \"" + u.role + "\" is not one of " + AssignableRoles(), "users");
    }
    if (!u.password_argon2id.empty() && !IsArgon2idHash(u.password_argon2id)) {
      return core::Invalid("user " + u.name + ": password_argon2id is not an Argon2id string", "users");
    }
    auth.principals_.push_back(Principal{u.name, *role, "user:" + u.name, u.name, u.teams});
    const size_t index = auth.principals_.size() - 1;
    for (const UserToken& t : u.tokens) {
      if (!hashes.insert(t.sha256).second) {
        return core::Invalid("user " + u.name + ", token " + t.name + ": its hash is also another token's", "users");
      }
      auth.known_.push_back(Known{t.sha256, index});
    }
    auth.accounts_.push_back(Account{index, u.password_argon2id});
  }
  return auth;
}

namespace {

bool HasScheme(std::string_view header, std::string_view scheme_lower) {
  if (header.size() <= scheme_lower.size()) return false;
  for (size_t i = 0; i < scheme_lower.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme_lower[i]) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The password of "Basic base64(user:password)"; nullopt when it does not decode.
std::optional<std::string> BasicPassword(std::string_view encoded) {
  if (encoded.empty() || encoded.size() % 4 != 0 || encoded.size() > 8192) return std::nullopt;
  std::string decoded(encoded.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t len = static_cast<size_t>(n);
  if (encoded.back() == '=') --len;
  if (encoded.size() >= 2 && encoded[encoded.size() - 2] == '=') --len;
  decoded.resize(len);
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return decoded.substr(colon + 1);
}

}  // namespace

std::optional<std::string> PresentedToken(std::string_view authorization) {
  if (HasScheme(authorization, "bearer ")) {
    std::string_view token = Trim(authorization.substr(7));
    if (token.empty()) return std::nullopt;
    return std::string(token);
  }
  if (HasScheme(authorization, "basic ")) {
    auto password = BasicPassword(Trim(authorization.substr(6)));
    if (!password || password->empty()) return std::nullopt;
    return password;
  }
  return std::nullopt;
}

std::string HashTokenHex(std::string_view token) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : HashToken(token)) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

core::Result<const Principal*> Authenticator::Authenticate(std::string_view authorization) const {
  std::string_view token;
  std::optional<std::string> password;
  if (HasScheme(authorization, "bearer ")) {
    token = Trim(authorization.substr(7));
  } else if (HasScheme(authorization, "basic ")) {
    // Basic auth for clients that only speak it (Prometheus basic_auth, amtool's http config): any user name, the
    // token as the password.
    password = BasicPassword(Trim(authorization.substr(6)));
    if (!password) return core::Error{core::ErrorCode::kUnauthenticated, "malformed basic credentials", {}};
    token = *password;
  }
  if (token.empty()) return core::Error{core::ErrorCode::kUnauthenticated, "missing bearer token", {}};

  const TokenHash presented = HashToken(token);
  const Principal* match = nullptr;
  for (const Known& k : known_) {
    // No early exit: every hash is compared.
    const bool equal = CRYPTO_memcmp(presented.data(), k.hash.data(), presented.size()) == 0;
    if (equal && match == nullptr) match = &principals_[k.principal];
  }
  if (match == nullptr) return Unauthenticated("unknown token");
  return match;
}

core::Result<const Principal*> Authenticator::VerifyPassword(std::string_view user, std::string_view password) const {
  if (password.size() > kMaxPassword) return Unauthenticated("wrong user name or password");
  const Account* account = nullptr;
  for (const Account& a : accounts_) {
    if (principals_[a.principal].user == user) account = &a;
  }
  const bool has_password = account != nullptr && !account->password_argon2id.empty();
  const char* encoded = has_password ? account->password_argon2id.c_str() : kDummyPasswordHash;
  const bool verified = crypto_pwhash_str_verify(encoded, password.data(), password.size()) == 0;
  if (!has_password || !verified) return Unauthenticated("wrong user name or password");
  return &principals_[account->principal];
}

}  // namespace http
