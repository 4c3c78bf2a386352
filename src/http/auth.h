// Token authentication (Bearer, or Basic with the token as password) and role checks: tokens are kept only as SHA-256 hashes and compared in constant time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace http {

enum class Role { kViewer, kIngest, kResponder, kAdmin };

// What a route needs (see docs/api.md for which role may do what).
enum class Permission {
  kNone,     // open endpoints: /healthz, /readyz, /metrics
  kRead,     // every GET: viewer, responder, admin
  kIngest,   // POST /v2/enqueue: ingest, responder, admin
  kRespond,  // acknowledge, resolve, notes: responder, admin
  kAdmin,    // journal verification: admin
};

// "admin", "responder", "ingest", "viewer"; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view text);
const char* ToString(Role role);
bool Allows(Role role, Permission permission);

using TokenHash = std::array<uint8_t, 32>;

// SHA-256 of the token text (what the configuration stores and the server compares).
TokenHash HashToken(std::string_view token);

// An authenticated caller.
struct Principal {
  std::string name;
  Role role = Role::kViewer;
  std::string actor;  // "token:<name>", the actor of the commands it submits
};

// Immutable after construction: safe to use from every I/O thread.
class Authenticator {
 public:
  struct Entry {
    std::string name;
    std::string role;
    TokenHash sha256{};
  };
  // kInvalid (field "auth.tokens") when a role is unknown or a name is empty.
  static core::Result<Authenticator> Create(const std::vector<Entry>& tokens);

  // The principal for an `Authorization` header value: "Bearer <token>", or "Basic base64(<any user>:<token>)" for
  // clients that only speak basic auth. kUnauthenticated when it is missing, neither of those,
  // or the token is unknown. Every configured hash is compared, so timing does not reveal which one matched.
  core::Result<const Principal*> Authenticate(std::string_view authorization) const;

 private:
  struct Known {
    TokenHash hash;
    Principal principal;
  };
  std::vector<Known> known_;
};

}  // namespace http
