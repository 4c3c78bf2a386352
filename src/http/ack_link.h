// Signed, expiring acknowledgement links carried in notifications: the token names the incident and the person
// and is valid until its expiry, authenticated by an HMAC-SHA256 under a server secret (no bearer token needed).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace http {

struct AckClaim {
  uint64_t incident_id = 0;
  std::string user;
  core::Timestamp expires{};
};

// "<incident>.<user>.<expiry unix s>.<hex HMAC-SHA256(secret, those three joined by '.')>"; the user is
// percent-encoded so the token is URL-safe.
std::string MakeAckToken(std::string_view secret, const AckClaim& claim);

// kUnauthenticated when malformed or the signature does not match (compared in constant time); kConflict (with
// the claim's incident in the message) when expired at `now`.
core::Result<AckClaim> VerifyAckToken(std::string_view secret, std::string_view token, core::Timestamp now);

}  // namespace http
