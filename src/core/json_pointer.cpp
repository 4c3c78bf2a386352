#include "core/json_pointer.h"

namespace core {

std::string JsonPointer(std::string_view parent, std::string_view token) {
  std::string out(parent);
  out.reserve(parent.size() + token.size() + 1);
  out += '/';
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace core
