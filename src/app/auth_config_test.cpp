// `auth.tokens` and `users`: roles, teams, password hashes, and token hashes that must all differ.
#include <gtest/gtest.h>

#include <string>

#include "app/config.h"
#include "http/auth.h"

namespace app {
namespace {

const char* FakeEnv(const char* name) {
  return std::string(name) == "INCIDENTD_TOKEN" ? "a-test-token-of-sufficient-length" : nullptr;
}

// A service token, two services' worth of nothing, one team, and `users` as given.
std::string WithUsers(const std::string& users) {
  return R"(
auth:
  tokens:
    - {name: admin, role: admin, token_env: INCIDENTD_TOKEN}
services:
  - name: checkout
    routing_keys: [checkout-key]
teams:
  dba: []
  web: []
)" + users;
}

std::string Error(const std::string& text) {
  auto cfg = ParseConfig(text, "t.yaml", FakeEnv);
  return cfg.ok() ? "(loaded)" : cfg.error().message;
}

TEST(UsersConfigTest, UsersLoadWithRoleTeamsPasswordAndTokens) {
  auto password = http::HashPassword("alice's password");
  ASSERT_TRUE(password.ok());
  const std::string text = WithUsers(
      "users:\n"
      "  - name: alice\n"
      "    role: commander\n"
      "    teams: [dba, web]\n"
      "    password_argon2id: \"" + *password + "\"\n"
      "    tokens:\n"
      "      - {name: laptop, sha256: " + http::HashTokenHex("alice-laptop-token") + "}\n"
      "  - {name: bob, role: communicator}\n");

  auto cfg = ParseConfig(text, "t.yaml", FakeEnv);

  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  ASSERT_EQ(cfg->http.users.size(), 2u);
  const http::User& alice = cfg->http.users[0];
  EXPECT_EQ(alice.name, "alice");
  EXPECT_EQ(alice.role, "commander");
  EXPECT_EQ(alice.teams, (std::vector<std::string>{"dba", "web"}));
  EXPECT_EQ(alice.password_argon2id, *password);
  ASSERT_EQ(alice.tokens.size(), 1u);
  EXPECT_EQ(alice.tokens[0].name, "laptop");
  EXPECT_EQ(alice.tokens[0].sha256, http::HashToken("alice-laptop-token"));
  EXPECT_TRUE(cfg->http.users[1].tokens.empty());
}

TEST(UsersConfigTest, TheVendorRoleIsRefusedForUsersAndTokens) {
  const std::string user = Error(WithUsers("users:\n  - {name: acme, role: vendor}\n"));
  const std::string token = Error(
      "auth: {tokens: [{name: acme, role: vendor, token_env: INCIDENTD_TOKEN}]}\nservices: [{name: x}]\n");

  EXPECT_NE(user.find("t.yaml:12: users[0].role: vendor access is granted per incident"), std::string::npos) << user;
  EXPECT_NE(token.find("auth.tokens[0].role: vendor access is granted per incident"), std::string::npos) << token;
}

TEST(UsersConfigTest, ATokenHashUsedTwiceNamesTheSecondField) {
  const std::string hash = http::HashTokenHex("shared-token");
  const std::string across_users = Error(WithUsers(
      "users:\n"
      "  - {name: alice, role: responder, tokens: [{name: a, sha256: " + hash + "}]}\n"
      "  - {name: bob, role: viewer, tokens: [{name: b, sha256: " + hash + "}]}\n"));
  const std::string with_service = Error(WithUsers(
      "users:\n  - {name: alice, role: responder, tokens: [{name: a, sha256: " +
      http::HashTokenHex("a-test-token-of-sufficient-length") + "}]}\n"));

  EXPECT_NE(across_users.find("users[1].tokens[0].sha256: the same token as users[0].tokens[0]"), std::string::npos)
      << across_users;
  EXPECT_NE(with_service.find("users[0].tokens[0].sha256: the same token as auth.tokens[0]"), std::string::npos)
      << with_service;
}

TEST(UsersConfigTest, TwoServiceTokensWithTheSameSecretAreRefused) {
  const std::string hash = http::HashTokenHex("a-test-token-of-sufficient-length");
  const std::string text = "auth:\n  tokens:\n"
                           "    - {name: a, role: admin, token_env: INCIDENTD_TOKEN}\n"
                           "    - {name: b, role: viewer, token_sha256: " + hash + "}\n"
                           "services: [{name: x}]\n";

  EXPECT_NE(Error(text).find("auth.tokens[1].token_sha256: the same token as auth.tokens[0]"), std::string::npos)
      << Error(text);
}

TEST(UsersConfigTest, RefusesUnknownTeamsBadPasswordsAndBadNames) {
  const std::string team = Error(WithUsers("users:\n  - {name: alice, role: viewer, teams: [dba, payments]}\n"));
  const std::string bcrypt = Error(WithUsers(
      "users:\n  - {name: alice, role: viewer, password_argon2id: '$2b$12$abcdefghijklmnopqrstuu'}\n"));
  const std::string name = Error(WithUsers("users:\n  - {name: 'alice smith', role: viewer}\n"));
  const std::string twice = Error(WithUsers("users:\n  - {name: alice, role: viewer}\n  - {name: alice, role: admin}\n"));
  const std::string role = Error(WithUsers("users:\n  - {name: alice}\n"));

  EXPECT_NE(team.find("users[0].teams[1]: names no team under `teams` ('payments')"), std::string::npos) << team;
  EXPECT_NE(bcrypt.find("users[0].password_argon2id: must be an Argon2id string"), std::string::npos) << bcrypt;
  EXPECT_NE(name.find("users[0].name: is required"), std::string::npos) << name;
  EXPECT_NE(twice.find("users[1].name: duplicate user name 'alice'"), std::string::npos) << twice;
  EXPECT_NE(role.find("users[0].role: must be one of admin, commander, communicator"), std::string::npos) << role;
}

TEST(UsersConfigTest, UsersAloneMaySupplyTheTokens) {
  const std::string users = "users:\n  - {name: alice, role: admin, tokens: [{name: a, sha256: " +
                            http::HashTokenHex("alice-token") + "}]}\n";
  const std::string no_tokens = "services: [{name: x}]\nusers:\n  - {name: alice, role: admin}\n";

  auto cfg = ParseConfig("services: [{name: x}]\n" + users, "t.yaml", FakeEnv);

  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  EXPECT_TRUE(cfg->http.tokens.empty());
  EXPECT_NE(Error(no_tokens).find("auth: is required: at least one token"), std::string::npos) << Error(no_tokens);
}

}  // namespace
}  // namespace app
