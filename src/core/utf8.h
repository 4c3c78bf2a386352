// UTF-8 validation for untrusted input (rejects overlongs, surrogates and code points past U+10FFFF).
#pragma once

#include <string_view>

namespace core {

// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace core
