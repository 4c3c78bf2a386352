#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

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
  using P = Permission;
  // The table of docs/api.md: every permission each role has (kNone is everyone's).
  const std::map<Role, std::set<P>> table = {
      {Role::kViewer, {P::kRead}},
      {Role::kIngest, {P::kIngest}},
      {Role::kResponder, {P::kRead, P::kIngest, P::kRespond}},
      {Role::kCommander, {P::kRead, P::kIngest, P::kRespond, P::kCommand, P::kCommunicate}},
      {Role::kCommunicator, {P::kRead, P::kCommunicate}},
      {Role::kAdmin, {P::kRead, P::kIngest, P::kRespond, P::kCommand, P::kCommunicate, P::kAdmin}},
      {Role::kVendor, {}},
  };

  for (Role role : kAllRoles) {
    for (P p : {P::kNone, P::kRead, P::kIngest, P::kRespond, P::kCommand, P::kCommunicate, P::kAdmin}) {
      const bool expected = p == P::kNone || table.at(role).contains(p);
      EXPECT_EQ(Allows(role, p), expected) << ToString(role) << " " << ToString(p);
    }
  }
}

TEST(RoleTest, EveryRoleParsesFromItsNameAndOnlyVendorIsUnassignable) {
  for (Role role : kAllRoles) {
    EXPECT_EQ(ParseRole(ToString(role)), role);
    EXPECT_EQ(IsAssignable(role), role != Role::kVendor) << ToString(role);
  }
  EXPECT_EQ(ParseRole("commander-eligible"), std::nullopt);
  EXPECT_EQ(ParseRole("Admin"), std::nullopt);
}

User Alice(std::string password_hash = {}) {
  return User{"alice", "commander", {"dba", "web"}, std::move(password_hash),
              {{"laptop", HashToken("alice-laptop-token")}, {"ci", HashToken("alice-ci-token")}}};
}

TEST(AuthenticatorTest, AUserTokenAuthenticatesAsTheUserWithTheirRoleAndTeams) {
  auto auth = Authenticator::Create({{"ops", "admin", HashToken("s3cret")}}, {Alice()});
  ASSERT_TRUE(auth.ok()) << auth.error().message;

  auto laptop = auth->Authenticate("Bearer alice-laptop-token");
  auto ci = auth->Authenticate("Bearer alice-ci-token");
  auto service = auth->Authenticate("Bearer s3cret");

  ASSERT_TRUE(laptop.ok());
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(*laptop, *ci);
  EXPECT_EQ((*laptop)->name, "alice");
  EXPECT_EQ((*laptop)->role, Role::kCommander);
  EXPECT_EQ((*laptop)->actor, "user:alice");
  EXPECT_EQ((*laptop)->user, "alice");
  EXPECT_EQ((*laptop)->teams, (std::vector<std::string>{"dba", "web"}));
  ASSERT_TRUE(service.ok());
  EXPECT_EQ((*service)->actor, "token:ops");
  EXPECT_EQ((*service)->user, "");
  EXPECT_TRUE((*service)->teams.empty());
}

TEST(AuthenticatorTest, RefusesATokenHashUsedTwice) {
  auto across = Authenticator::Create({{"ops", "admin", HashToken("alice-ci-token")}}, {Alice()});
  User twice = Alice();
  twice.tokens.push_back({"again", HashToken("alice-laptop-token")});
  auto within = Authenticator::Create({}, {twice});

  ASSERT_FALSE(across.ok());
  EXPECT_EQ(across.error().code, core::ErrorCode::kInvalid);
  ASSERT_FALSE(within.ok());
  EXPECT_EQ(within.error().field, "users");
}

TEST(AuthenticatorTest, RefusesTheVendorRoleForTokensAndUsers) {
  User vendor = Alice();
  vendor.role = "vendor";

  auto token = Authenticator::Create({{"acme", "vendor", HashToken("acme-token")}});
  auto user = Authenticator::Create({}, {vendor});

  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().field, "auth.tokens");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().field, "users");
}

TEST(AuthenticatorTest, RefusesAPasswordThatIsNotArgon2id) {
  auto bcrypt = Authenticator::Create({}, {Alice("$2b$12$abcdefghijklmnopqrstuuNfeDkz0x7mi0Tq2hRvqkCTq8uRM0Eby")});

  ASSERT_FALSE(bcrypt.ok());
  EXPECT_EQ(bcrypt.error().code, core::ErrorCode::kInvalid);
}

TEST(PasswordTest, HashPasswordMakesASaltedArgon2idString) {
  auto first = HashPassword("correct horse battery staple");
  auto second = HashPassword("correct horse battery staple");

  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(first->starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << *first;
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(IsArgon2idHash(*first));
}

TEST(PasswordTest, OnlyWellFormedArgon2idStringsAreAccepted) {
  auto good = HashPassword("pw");
  ASSERT_TRUE(good.ok());
  std::string argon2i = *good;
  argon2i.replace(0, std::string("$argon2id$").size(), "$argon2i$");

  EXPECT_TRUE(IsArgon2idHash(*good));
  EXPECT_FALSE(IsArgon2idHash(argon2i));
  EXPECT_FALSE(IsArgon2idHash(""));
  EXPECT_FALSE(IsArgon2idHash("$argon2id$"));
  EXPECT_FALSE(IsArgon2idHash("$argon2id$v=19$m=65536,t=2,p=1$not-base64$"));
  EXPECT_FALSE(IsArgon2idHash("hunter2"));
}

TEST(PasswordTest, VerifyPasswordAcceptsOnlyTheUsersOwnPassword) {
  auto hash = HashPassword("alice's password");
  ASSERT_TRUE(hash.ok());
  User bob{"bob", "viewer", {}, {}, {}};  // no password: cannot sign in with one
  auto auth = Authenticator::Create({}, {Alice(*hash), bob});
  ASSERT_TRUE(auth.ok()) << auth.error().message;

  auto right = auth->VerifyPassword("alice", "alice's password");
  auto wrong = auth->VerifyPassword("alice", "alice's passwort");
  auto unknown = auth->VerifyPassword("mallory", "alice's password");
  auto none = auth->VerifyPassword("bob", "");

  ASSERT_TRUE(right.ok());
  EXPECT_EQ((*right)->actor, "user:alice");
  EXPECT_EQ((*right)->role, Role::kCommander);
  for (const auto* refused : {&wrong, &unknown, &none}) {
    ASSERT_FALSE(refused->ok());
    EXPECT_EQ(refused->error().code, core::ErrorCode::kUnauthenticated);
    EXPECT_EQ(refused->error().message, "wrong user name or password");
  }
}

// An unknown user's attempt runs one Argon2id verification too. Without it, the refusal would come back about a
// thousand times sooner; the bound is loose so a busy machine does not fail the test.
TEST(PasswordTest, AnUnknownUserCostsAboutWhatAKnownOneDoes) {
  auto hash = HashPassword("alice's password");
  ASSERT_TRUE(hash.ok());
  auto auth = Authenticator::Create({}, {Alice(*hash)});
  ASSERT_TRUE(auth.ok());
  auto fastest = [&](std::string_view user) {
    auto best = std::chrono::steady_clock::duration::max();
    for (int i = 0; i < 3; ++i) {
      const auto start = std::chrono::steady_clock::now();
      (void)auth->VerifyPassword(user, "a wrong password");
      best = std::min(best, std::chrono::steady_clock::now() - start);
    }
    return best;
  };

  const auto known = fastest("alice");
  const auto unknown = fastest("mallory");

  EXPECT_GT(unknown * 4, known);
}

}  // namespace
}  // namespace http
