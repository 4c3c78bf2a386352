// A small blocking HTTP/1.1 client for the HTTP edge's tests: one keep-alive connection, every read bounded in
// time so a misbehaving server fails a test instead of hanging it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http::testing {

struct Reply {
  int status = 0;  // 0: no response (connection closed or timed out)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool keep_alive = false;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class Client {
 public:
  // Connects to "host:port"; aborts the test on failure.
  explicit Client(const std::string& host_port);
  ~Client();

  // Sends one request (Content-Length set from the body) and reads the response.
  Reply Send(std::string_view method, std::string_view target, std::string body = {}, const Headers& headers = {});
  // Writes bytes as they are; false when the connection is gone.
  bool WriteRaw(std::string_view bytes);
  // Reads one response (status 0 on close or timeout).
  Reply ReadReply(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Raw bytes read within `timeout` (at least one read), empty on timeout; `closed` is set when the peer closed.
  std::string ReadSome(std::chrono::milliseconds timeout, bool* closed = nullptr);
  // Reads raw bytes until `needle` appears or `timeout`; returns everything read.
  std::string ReadUntil(std::string_view needle, std::chrono::milliseconds timeout);
  // True when the server closes the connection within `timeout` (bytes it sends meanwhile are discarded).
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "Bearer <token>" header for the tests' tokens.
Headers Bearer(const std::string& token, Headers more = {});

}  // namespace http::testing
