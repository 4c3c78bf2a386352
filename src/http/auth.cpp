#include "http/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/result.h"

namespace http {

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "ingest") return Role::kIngest;
  if (text == "responder") return Role::kResponder;
  if (text == "admin") return Role::kAdmin;
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
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

bool Allows(Role role, Permission permission) {
  switch (permission) {
    case Permission::kNone:
      return true;
    case Permission::kRead:
      return role != Role::kIngest;
    case Permission::kIngest:
      return role != Role::kViewer;
    case Permission::kRespond:
      return role == Role::kResponder || role == Role::kAdmin;
    case Permission::kAdmin:
      return role == Role::kAdmin;
  }
  return false;
}

TokenHash HashToken(std::string_view token) {
  TokenHash out{};
  unsigned int len = 0;
  // EVP_Digest cannot fail for SHA-256 on in-memory input short of allocation failure, which is a bug-class abort.
  INCIDENTD_CHECK(EVP_Digest(token.data(), token.size(), out.data(), &len, EVP_sha256(), nullptr) == 1);
  INCIDENTD_CHECK(len == out.size());
  return out;
}

core::Result<Authenticator> Authenticator::Create(const std::vector<Entry>& tokens) {
  Authenticator auth;
  auth.known_.reserve(tokens.size());
  for (const Entry& t : tokens) {
    if (t.name.empty()) return core::Invalid("token without a name", "auth.tokens");
    std::optional<Role> role = ParseRole(t.role);
    if (!role) {
      return core::Invalid("token " + t.name + ": unknown role \"" + t.role + "\" (admin, responder, ingest, viewer)",
                           "auth.tokens");
    }
    auth.known_.push_back(Known{t.sha256, Principal{t.name, *role, "token:" + t.name}});
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
    if (equal && match == nullptr) match = &k.principal;
  }
  if (match == nullptr) return core::Error{core::ErrorCode::kUnauthenticated, "unknown token", {}};
  return match;
}

}  // namespace http
