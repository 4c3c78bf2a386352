// ValidateChannel: what a channel needs before anything is sent over it.
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <cctype>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <system_error>

#include "channels/channel.h"
#include "channels/format.h"

namespace channels {
namespace {

bool IsTokenChar(char c) {
  // RFC 9110 tchar.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// kInvalid on `field` unless `url` is absolute, has a host, and its scheme is one of `schemes` (lower case).
core::Status CheckUrl(std::string_view url, std::initializer_list<std::string_view> schemes, const char* field) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return core::Invalid(std::string(field) + " is not an absolute URL: " + std::string(url), field);
  std::string scheme(parsed->scheme());
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool known = false;
  std::string expected;
  for (std::string_view s : schemes) {
    known = known || scheme == s;
    if (!expected.empty()) expected += " or ";
    expected += std::string(s) + "://";
  }
  if (!known) {
    return core::Invalid(std::string(field) + " must start with " + expected + ": " + std::string(url), field);
  }
  if (parsed->encoded_host().empty()) {
    return core::Invalid(std::string(field) + " has no host: " + std::string(url), field);
  }
  return core::Ok();
}

}  // namespace

core::Status CheckMailbox(std::string_view address, const char* field) {
  if (address.empty()) return core::Invalid(std::string(field) + " is empty", field);
  if (address.find('@') == address.npos || address.find_first_of(std::string_view(" \t\r\n<>\0", 7)) != address.npos) {
    return core::Invalid(std::string(field) + " is not an email address: " + ToValidUtf8(address), field);
  }
  return core::Ok();
}

core::Status CheckWebhookUrl(std::string_view url, const char* field) {
  return CheckUrl(url, {"http", "https"}, field);
}

core::Status ValidateChannel(const ChannelConfig& channel) {
  if (channel.timeout.count() <= 0) return core::Invalid("timeout must be positive", "timeout");
  if (!channel.ca_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(channel.ca_file, ec)) {
      return core::Invalid("ca_file is not a readable file: " + channel.ca_file, "ca_file");
    }
  }
  switch (channel.type) {
    case ChannelType::kWebhook:
    case ChannelType::kChat: {
      // An empty URL is allowed: then every message names its own (a per-person chat hook, say).
      if (!channel.url.empty()) {
        if (auto st = CheckWebhookUrl(channel.url, "url"); !st.ok()) return st;
      }
      for (const auto& [name, value] : channel.headers) {
        bool token = !name.empty();
        for (char c : name) token = token && IsTokenChar(c);
        if (!token) return core::Invalid("header name is not an HTTP token: " + ToValidUtf8(name), "headers");
        if (HasLineBreak(value)) return core::Invalid("header " + name + " holds a line break", "headers");
      }
      if (channel.type == ChannelType::kWebhook && !channel.body_template.empty()) {
        // Placeholders render as string contents, so the template with every value empty must already be JSON.
        boost::system::error_code ec;
        boost::json::parse(RenderTemplate(channel.body_template, {}), ec);
        if (ec) {
          return core::Invalid("template is not JSON with its placeholders inside strings: " + ec.message(),
                               "template");
        }
      }
      return core::Ok();
    }
    case ChannelType::kEmail: {
      if (auto st = CheckUrl(channel.url, {"smtp", "smtps"}, "url"); !st.ok()) return st;
      if (HasLineBreak(channel.from)) return core::Invalid("from holds a line break", "from");
      if (auto st = CheckMailbox(EnvelopeAddress(channel.from), "from"); !st.ok()) return st;
      if (channel.username.empty() && !channel.password.empty()) {
        return core::Invalid("password is set but username is not", "username");
      }
      return core::Ok();
    }
  }
  return core::Invalid("unknown channel type", "type");
}

}  // namespace channels
