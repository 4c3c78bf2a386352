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

core::Result<const Principal*> Authenticator::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) {
    return core::Error{core::ErrorCode::kUnauthenticated, "missing bearer token", {}};
  }
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return core::Error{core::ErrorCode::kUnauthenticated, "missing bearer token", {}};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
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
