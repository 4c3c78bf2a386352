// Internal to cli/: one request to the server with its refusal reported on the console, and the JSON field readers
// the commands format their tables with.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"

namespace cli {

// A finished call: the parsed body, or the exit code of a failure already reported on the console.
struct Reply {
  int exit_code = kExitOk;
  boost::json::value body;
};

// Names the command-line option that sets a request field, "" when none does.
using OptionNamer = std::string (*)(std::string_view field);

// Sends the request; a refusal is printed (the problem's detail and field) and comes back as kExitFailed, an
// unreachable server as kExitUnreachable.
Reply Call(Transport& transport, const Request& request, Console console, OptionNamer option_for = nullptr);
// A field as display text: strings as they are, numbers in decimal, null or missing as "-".
std::string Text(const boost::json::value& object, std::string_view key);
uint64_t Number(const boost::json::value& object, std::string_view key);
const boost::json::array& ArrayField(const boost::json::value& object, std::string_view key);
const boost::json::value& Member(const boost::json::value& object, std::string_view key);
// Percent-encodes a query or path value (',' stays literal).
std::string QueryValue(std::string_view value);
std::string Join(const std::vector<std::string>& parts, std::string_view separator);
void PrintJson(const boost::json::value& value, Console console);

}  // namespace cli
