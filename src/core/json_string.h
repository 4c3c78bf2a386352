// JSON string literals composed by hand, for text built without a JSON tree (record details, channel templates):
// escaped as boost::json::serialize escapes them, so text composed either way has the same bytes.
#pragma once

#include <string>
#include <string_view>

namespace core {

// Appends `text` escaped for the inside of a JSON string: \" and \\, the short escapes \b \t \n \f \r, \u00xx
// (lower-case hex) for the other control characters, every other byte as it is (`text` should be UTF-8).
void AppendJsonEscaped(std::string& out, std::string_view text);
// The same between double quotes.
void AppendJsonString(std::string& out, std::string_view text);
std::string JsonString(std::string_view text);

}  // namespace core
