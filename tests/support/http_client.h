// A small blocking HTTP/1.1 client for integration tests: keep-alive requests, and raw bytes for malformed ones.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace test_support {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;

  // The first header named `name` (case-insensitive), or "" when there is none.
  std::string Header(std::string_view name) const;
};

// Not thread-safe: one client per thread. Errors are kUnavailable (cannot connect, reset, timeout).
class HttpClient {
 public:
  // Talks to 127.0.0.1:`port`, sending `token` as a bearer token when not empty.
  explicit HttpClient(uint16_t port, std::string token = "");
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  core::Result<HttpResponse> Get(std::string_view target);
  core::Result<HttpResponse> Post(std::string_view target, std::string body,
                                  std::string_view content_type = "application/json");
  // Any request; `headers` are added after Host, Authorization and Content-Length, replacing those of the same
  // name (an empty value removes one). Uses the open connection; one that the server closed while idle is replaced
  // and the request sent again, but only when nothing of an answer had arrived.
  core::Result<HttpResponse> Send(std::string_view method, std::string_view target, std::string body,
                                  const Headers& headers = {});
  // Writes `bytes` exactly as given on a fresh connection and reads one response. The response is read while
  // writing, so an early answer (413, 431) is seen even when the server stops reading.
  core::Result<HttpResponse> SendRaw(std::string_view bytes);

  // Bounds each exchange; 30 s unless changed.
  void set_timeout(core::Duration timeout);
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace test_support
