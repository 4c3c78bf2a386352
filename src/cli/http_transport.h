// The real Transport: a small blocking HTTP/1.1 client over plain TCP that keeps its connection alive between
// requests. http:// only; TLS is for a proxy in front of incidentd.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "cli/transport.h"
#include "core/result.h"
#include "core/time.h"

namespace cli {

class HttpTransport final : public Transport {
 public:
  // kInvalid when `server_url` is not "http://host[:port][/prefix]". `token`, when not empty, is sent as a bearer
  // token. `timeout` bounds each step (resolve, connect, write, read). Connects lazily, on the first Send.
  static core::Result<std::unique_ptr<HttpTransport>> Create(std::string_view server_url, std::string token,
                                                             core::Duration timeout);
  ~HttpTransport() override;

  // A GET that fails on a reused connection (the server closed it while idle) is retried once on a new one;
  // other requests are never retried, so a POST is sent at most once. Not thread-safe.
  core::Result<Response> Send(const Request& request) override;

 private:
  struct Impl;
  explicit HttpTransport(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace cli
