// A server on a free loopback port over a FakeBackend, with one token per role ("<role>-token" for role <role>).
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "http/auth.h"
#include "http/server.h"
#include "http/testing/client.h"
#include "http/testing/fake_backend.h"

namespace http::testing {

class ServerTest : public ::testing::Test {
 protected:
  static ServerOptions DefaultOptions() {
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    for (const char* role : {"admin", "responder", "ingest", "viewer"}) {
      options.tokens.push_back(Token{role, role, HashToken(std::string(role) + "-token")});
    }
    return options;
  }

  void StartServer(ServerOptions options = DefaultOptions()) {
    server_ = std::make_unique<Server>(backend_, std::move(options));
    auto bound = server_->Start();
    ASSERT_TRUE(bound.ok()) << bound.error().message;
    address_ = *bound;
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  Client Connect() { return Client(address_); }

  FakeBackend backend_;
  std::unique_ptr<Server> server_;
  std::string address_;
};

inline Headers JsonHeaders(const std::string& token) { return Bearer(token, {{"Content-Type", "application/json"}}); }

}  // namespace http::testing
