#include <gtest/gtest.h>

#include <string>

#include "channels/channel.h"

namespace channels {
namespace {

// Computed independently:
//   printf '%s' '1700000000.{"subject":"db down"}' | openssl dgst -sha256 -hmac 'whsec_test'
constexpr char kKnownSignature[] = "sha256=64f1d75f60bbe6f6e68c6c61673c07a56b94c94cbd37893baab4889d6d80da10";
//   printf '%s' '1700000000.' | openssl dgst -sha256 -hmac 'k'
constexpr char kEmptyBodySignature[] = "sha256=5c2999a43333a6877f49c8003f235c4f6de40f85b1b7414b70bd470a8db53d97";

TEST(SignatureTest, MatchesOpensslForAKnownVector) {
  EXPECT_EQ(SignatureHeader("whsec_test", "1700000000", R"({"subject":"db down"})"), kKnownSignature);
  EXPECT_EQ(SignatureHeader("k", "1700000000", ""), kEmptyBodySignature);
}

TEST(SignatureTest, VerifiesItsOwnSignature) {
  EXPECT_TRUE(VerifySignature("whsec_test", "1700000000", R"({"subject":"db down"})", kKnownSignature));
}

TEST(SignatureTest, RejectsAnyChangedPart) {
  const std::string body = R"({"subject":"db down"})";

  EXPECT_FALSE(VerifySignature("whsec_other", "1700000000", body, kKnownSignature));
  EXPECT_FALSE(VerifySignature("whsec_test", "1700000001", body, kKnownSignature));
  EXPECT_FALSE(VerifySignature("whsec_test", "1700000000", body + " ", kKnownSignature));
  std::string flipped = kKnownSignature;
  flipped.back() = '1';
  EXPECT_FALSE(VerifySignature("whsec_test", "1700000000", body, flipped));
}

TEST(SignatureTest, RejectsMalformedHeaders) {
  const std::string body = R"({"subject":"db down"})";
  const std::string hex = std::string(kKnownSignature).substr(7);

  EXPECT_FALSE(VerifySignature("whsec_test", "1700000000", body, ""));
  EXPECT_FALSE(VerifySignature("whsec_test", "1700000000", body, hex));
  EXPECT_FALSE(VerifySignature("whsec_test", "1700000000", body, std::string(kKnownSignature) + "0"));
  EXPECT_FALSE(VerifySignature("whsec_test", "1700000000", body, "sha1=" + hex));
}

}  // namespace
}  // namespace channels
