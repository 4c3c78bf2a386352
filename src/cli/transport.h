// The port incidentctl speaks HTTP through: one request in, one response out. HttpTransport is the real one;
// tests use a fake.
#pragma once

#include <string>

#include "core/result.h"

namespace cli {

struct Request {
  std::string method = "GET";
  std::string target;  // path and query, e.g. "/api/v1/incidents?limit=50"
  std::string body;    // sent as application/json when not empty
};

struct Response {
  int status = 0;
  std::string content_type;
  std::string body;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Returns the server's response whatever its status. kUnavailable when the server cannot be reached or the
  // exchange fails midway (connection refused, reset, timeout); the message says which.
  virtual core::Result<Response> Send(const Request& request) = 0;
};

}  // namespace cli
