// Who is calling and what they may do: roles and permissions, service tokens and users' tokens (kept only as SHA-256
// hashes, compared in constant time), and users' passwords (Argon2id, for the web UI's sign-in).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace http {

// kCommander is "commander-eligible": may take or hand off the incident-commander role. kVendor is never assigned
// in the configuration; a vendor's access is granted per incident elsewhere, so Allows gives it nothing.
enum class Role { kViewer, kIngest, kResponder, kCommander, kCommunicator, kAdmin, kVendor };

inline constexpr std::array<Role, 7> kAllRoles = {Role::kViewer,       Role::kIngest, Role::kResponder, Role::kCommander,
                                                  Role::kCommunicator, Role::kAdmin,  Role::kVendor};

// What a route needs (docs/api.md has the table of which role may do what).
enum class Permission {
  kNone,         // open endpoints: /healthz, /readyz, /metrics, /-/healthy, /-/ready, /ack/{token}
  kRead,         // every GET: viewer, responder, commander, communicator, admin
  kIngest,       // events, alerts, SLI samples: ingest, responder, commander, admin
  kRespond,      // acknowledge, resolve, notes, silences, maintenance, reassign, drills: responder, commander, admin
  kCommand,      // take or hand off the incident-commander role: commander, admin
  kCommunicate,  // status updates and external messages: communicator, commander, admin
  kAdmin,        // journal verification: admin
};

// "viewer", "ingest", "responder", "commander", "communicator", "admin", "vendor"; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view text);
const char* ToString(Role role);
const char* ToString(Permission permission);
// False only for kVendor: the roles a service token or a user may be given in the configuration.
bool IsAssignable(Role role);
// "admin, commander, communicator, responder, ingest, viewer": the assignable roles, for error messages.
const char* AssignableRoles();
bool Allows(Role role, Permission permission);

using TokenHash = std::array<uint8_t, 32>;

// SHA-256 of the token text (what the configuration stores and the server compares).
TokenHash HashToken(std::string_view token);

// The Argon2id encoding ("$argon2id$v=19$m=65536,t=2,p=1$...") of `password` with a fresh salt, at libsodium's
// interactive limits (64 MiB, 2 passes). kInternal when libsodium cannot allocate the memory.
core::Result<std::string> HashPassword(std::string_view password);
// Whether `encoded` is a well-formed Argon2id string that VerifyPassword can check.
bool IsArgon2idHash(std::string_view encoded);

// An authenticated caller.
struct Principal {
  std::string name;  // the token's name, or the user's
  Role role = Role::kViewer;
  std::string actor;  // "token:<name>" or "user:<name>", the actor of the commands it submits
  std::string user = {};  // the user's name; empty for a service token
  std::vector<std::string> teams = {};  // the user's teams; empty for a service token
  // A vendor (role kVendor): the grant and the one incident it covers, its scopes (read, log).
  uint64_t vendor_grant = 0;
  uint64_t vendor_incident = 0;
  std::vector<std::string> vendor_scopes = {};
};

// The token an `Authorization` header presents (Bearer, or the password of Basic); nullopt when there is none.
std::optional<std::string> PresentedToken(std::string_view authorization);
// Lower-case hex of HashToken(token), as vendor grants store it.
std::string HashTokenHex(std::string_view token);

// A user's API token (`users[].tokens[]`): the user's role applies.
struct UserToken {
  std::string name;
  TokenHash sha256{};
};

// A person (`users[]`).
struct User {
  std::string name;
  std::string role;
  std::vector<std::string> teams = {};
  std::string password_argon2id = {};  // empty: the user cannot sign in with a password
  std::vector<UserToken> tokens = {};
};

// Immutable after construction: safe to use from every I/O thread.
class Authenticator {
 public:
  // A service token (`auth.tokens[]`).
  struct Entry {
    std::string name;
    std::string role;
    TokenHash sha256{};
  };
  // kInvalid when a role is unknown or vendor, a name is empty, a user name repeats, a password is not an Argon2id
  // string, or a token hash is used twice (field "auth.tokens" or "users").
  static core::Result<Authenticator> Create(const std::vector<Entry>& tokens, const std::vector<User>& users = {});

  // The principal for an `Authorization` header value: "Bearer <token>", or "Basic base64(<any user>:<token>)" for
  // clients that only speak basic auth. kUnauthenticated when it is missing, neither of those,
  // or the token is unknown. Every configured hash is compared, so timing does not reveal which one matched.
  core::Result<const Principal*> Authenticate(std::string_view authorization) const;

  // The user's principal when `password` is theirs. kUnauthenticated ("wrong user name or password") when the user
  // is unknown, has no password, or the password is wrong. An unknown user costs one Argon2id verification too
  // (against a dummy hash at HashPassword's limits), so the time taken does not tell whether the user exists.
  // Slow on purpose (tens of milliseconds, 64 MiB): call it off the I/O threads.
  core::Result<const Principal*> VerifyPassword(std::string_view user, std::string_view password) const;

 private:
  struct Known {
    TokenHash hash;
    size_t principal;  // index into principals_
  };
  struct Account {
    size_t principal;
    std::string password_argon2id;
  };
  std::vector<Principal> principals_;
  std::vector<Known> known_;
  std::vector<Account> accounts_;
};

}  // namespace http
