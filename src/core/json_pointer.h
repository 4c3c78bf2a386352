// JSON pointers (RFC 6901) for naming the field at fault in an error.
#pragma once

#include <string>
#include <string_view>

namespace core {

// `parent` + "/" + `token`, with "~" and "/" in the token escaped as "~0" and "~1".
std::string JsonPointer(std::string_view parent, std::string_view token);

}  // namespace core
