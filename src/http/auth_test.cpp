#include <gtest/gtest.h>

#include "http/auth.h"

namespace http {
namespace {

Authenticator MakeAuth() {
  auto auth = Authenticator::Create({{"ops", "admin", HashToken("s3cret")}, {"ci", "ingest", HashToken("ci-token")}});
  EXPECT_TRUE(auth.ok());
  return std::move(*auth);
}

TEST(AuthenticatorTest, AcceptsAKnownBearerTokenAndNamesTheActor) {
  Authenticator auth = MakeAuth();

  auto principal = auth.Authenticate("Bearer s3cret");

  ASSERT_TRUE(principal.ok());
  EXPECT_EQ((*principal)->name, "ops");
  EXPECT_EQ((*principal)->role, Role::kAdmin);
  EXPECT_EQ((*principal)->actor, "token:ops");
}

TEST(AuthenticatorTest, SchemeIsCaseInsensitive) {
  Authenticator auth = MakeAuth();

  auto principal = auth.Authenticate("bearer ci-token");

  ASSERT_TRUE(principal.ok());
  EXPECT_EQ((*principal)->name, "ci");
}

TEST(AuthenticatorTest, RefusesMissingMalformedAndUnknownTokens) {
  Authenticator auth = MakeAuth();

  for (std::string_view header : {"", "Bearer", "Bearer ", "Basic czNjcmV0", "Bearer wrong", "s3cret"}) {
    auto principal = auth.Authenticate(header);
    ASSERT_FALSE(principal.ok()) << header;
    EXPECT_EQ(principal.error().code, core::ErrorCode::kUnauthenticated) << header;
  }
}

TEST(AuthenticatorTest, RefusesAnUnknownRoleAtCreation) {
  auto auth = Authenticator::Create({{"x", "superuser", HashToken("t")}});

  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.error().code, core::ErrorCode::kInvalid);
  EXPECT_EQ(auth.error().field, "auth.tokens");
}

TEST(AuthenticatorTest, HashIsSha256OfTheToken) {
  TokenHash h = HashToken("abc");

  // SHA-256("abc") = ba7816bf...
  EXPECT_EQ(h[0], 0xba);
  EXPECT_EQ(h[1], 0x78);
  EXPECT_EQ(h[31], 0xad);
}

TEST(RoleTest, PermissionsFollowTheApiTable) {
  EXPECT_TRUE(Allows(Role::kViewer, Permission::kRead));
  EXPECT_FALSE(Allows(Role::kViewer, Permission::kIngest));
  EXPECT_FALSE(Allows(Role::kViewer, Permission::kRespond));
  EXPECT_FALSE(Allows(Role::kIngest, Permission::kRead));
  EXPECT_TRUE(Allows(Role::kIngest, Permission::kIngest));
  EXPECT_FALSE(Allows(Role::kIngest, Permission::kRespond));
  EXPECT_TRUE(Allows(Role::kResponder, Permission::kRead));
  EXPECT_TRUE(Allows(Role::kResponder, Permission::kIngest));
  EXPECT_TRUE(Allows(Role::kResponder, Permission::kRespond));
  EXPECT_FALSE(Allows(Role::kResponder, Permission::kAdmin));
  EXPECT_TRUE(Allows(Role::kAdmin, Permission::kAdmin));
}

}  // namespace
}  // namespace http
