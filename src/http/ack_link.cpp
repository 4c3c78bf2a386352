#include "http/ack_link.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <vector>

namespace http {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

std::string Mac(std::string_view secret, std::string_view payload) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), out, &len);
  return Hex(out, len);
}

bool Unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '~';
}

std::string Encode(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (Unreserved(c)) {
      out.push_back(c);
    } else {
      static constexpr char kDigits[] = "0123456789ABCDEF";
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out.push_back(kDigits[u >> 4]);
      out.push_back(kDigits[u & 15]);
    }
  }
  return out;
}

bool Decode(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      if (!Unreserved(s[i])) return false;
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return false;
    unsigned v = 0;
    auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + i + 3) return false;
    out.push_back(static_cast<char>(v));
    i += 2;
  }
  return true;
}

template <typename T>
bool Number(std::string_view s, T& out) {
  if (s.empty() || s.size() > 19) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

std::string MakeAckToken(std::string_view secret, const AckClaim& claim) {
  const int64_t exp = std::chrono::duration_cast<std::chrono::seconds>(claim.expires.time_since_epoch()).count();
  std::string payload = std::to_string(claim.incident_id) + "." + Encode(claim.user) + "." + std::to_string(exp);
  return payload + "." + Mac(secret, payload);
}

core::Result<AckClaim> VerifyAckToken(std::string_view secret, std::string_view token, core::Timestamp now) {
  auto bad = [] { return core::Error{core::ErrorCode::kUnauthenticated, "the acknowledgement link is not valid", {}}; };
  if (token.size() > 1024) return bad();
  auto last = token.rfind('.');
  if (last == std::string_view::npos) return bad();
  std::string_view payload = token.substr(0, last);
  std::string_view mac = token.substr(last + 1);
  const std::string want = Mac(secret, payload);
  if (mac.size() != want.size() || CRYPTO_memcmp(mac.data(), want.data(), want.size()) != 0) return bad();
  auto d1 = payload.find('.');
  auto d2 = payload.rfind('.');
  if (d1 == std::string_view::npos || d1 == d2) return bad();
  AckClaim c;
  int64_t exp = 0;
  if (!Number(payload.substr(0, d1), c.incident_id) || !Decode(payload.substr(d1 + 1, d2 - d1 - 1), c.user) ||
      !Number(payload.substr(d2 + 1), exp)) {
    return bad();
  }
  c.expires = core::Timestamp(std::chrono::duration_cast<core::Duration>(std::chrono::seconds(exp)));
  if (now >= c.expires) {
    return core::Conflict("the acknowledgement link for incident " + std::to_string(c.incident_id) +
                          " expired at " + core::FormatRfc3339(c.expires));
  }
  return c;
}

}  // namespace http
