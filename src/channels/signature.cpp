#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <string_view>

#include "channels/channel.h"

namespace channels {
namespace {

constexpr std::string_view kPrefix = "sha256=";

}  // namespace

std::string SignatureHeader(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string signed_text;
  signed_text.reserve(timestamp.size() + 1 + body.size());
  signed_text.append(timestamp).append(".").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // HMAC over in-memory bytes fails only on allocation failure: a bug-class abort, not an expected error.
  INCIDENTD_CHECK(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
                       &len) != nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kPrefix);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xF];
  }
  return out;
}

bool VerifySignature(std::string_view secret, std::string_view timestamp, std::string_view body,
                     std::string_view header) {
  const std::string expected = SignatureHeader(secret, timestamp, body);
  // The length is no secret (always 71); only the bytes are compared in constant time.
  if (header.size() != expected.size()) return false;
  return CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

}  // namespace channels
