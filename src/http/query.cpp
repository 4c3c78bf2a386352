#include <string>
#include <string_view>

#include "http/handlers.h"

namespace http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of one query component ('+' is a space, as browsers send it). False on a bad escape.
// (Boost.URL 1.81's parse_query reads past the end of a view that is not NUL-terminated, so it is not used.)
bool DecodeComponent(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return true;
}

}  // namespace

core::Status ForEachQueryParam(std::string_view query,
                               const std::function<core::Status(const std::string&, const std::string&)>& visit) {
  std::string key;
  std::string value;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view raw_value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!DecodeComponent(pair.substr(0, eq), key) || !DecodeComponent(raw_value, value)) {
      return core::Invalid("malformed query string");
    }
    core::Status st = visit(key, value);
    if (!st.ok()) return st;
  }
  return core::Ok();
}

}  // namespace http
