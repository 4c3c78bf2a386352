// The JSON bodies of the webhook and chat channels.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <string>

#include "channels/channel.h"
#include "channels/format.h"

namespace channels {
namespace {

namespace json = boost::json;

// Slack reads &, < and > as markup (links, mentions); everything else is sent as is. Mattermost and Rocket.Chat
// decode the same entities.
std::string EscapeChatText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

// The URL inside <url|label>: '|' and '>' would end it early.
std::string EscapeChatUrl(std::string_view url) {
  std::string out;
  for (char c : url) {
    switch (c) {
      case '|': out += "%7C"; break;
      case '>': out += "%3E"; break;
      case '<': out += "%3C"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string WebhookBody(const ChannelConfig& channel, const Message& message) {
  if (!channel.body_template.empty()) {
    std::map<std::string, std::string> vars = message.fields;
    vars["subject"] = message.subject;
    vars["text"] = message.text;
    vars["ack_url"] = message.ack_url;
    vars["idempotency_key"] = message.idempotency_key;
    return RenderTemplate(channel.body_template, vars);
  }
  // Boost.JSON copies string bytes as they are, so each one is made valid UTF-8 first.
  json::object fields;
  for (const auto& [name, value] : message.fields) fields[ToValidUtf8(name)] = ToValidUtf8(value);
  json::object body;
  body["idempotency_key"] = ToValidUtf8(message.idempotency_key);
  body["subject"] = ToValidUtf8(message.subject);
  body["text"] = ToValidUtf8(message.text);
  if (message.ack_url.empty()) {
    body["ack_url"] = nullptr;
  } else {
    body["ack_url"] = ToValidUtf8(message.ack_url);
  }
  body["fields"] = std::move(fields);
  return json::serialize(body);
}

std::string ChatBody(const Message& message) {
  std::string text;
  if (!message.subject.empty()) text += "*" + EscapeChatText(message.subject) + "*";
  if (!message.text.empty()) {
    if (!text.empty()) text += "\n";
    text += EscapeChatText(message.text);
  }
  if (!message.ack_url.empty()) {
    if (!text.empty()) text += "\n";
    text += "<" + EscapeChatUrl(message.ack_url) + "|Acknowledge>";
  }
  json::object body;
  body["text"] = ToValidUtf8(text);
  return json::serialize(body);
}

}  // namespace channels
