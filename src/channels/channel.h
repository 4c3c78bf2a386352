// Delivery of one message over one channel: an outbound webhook, SMTP email, or a Slack-compatible chat incoming
// webhook. What to send, when, and how often to retry is the caller's business (the outbox); this only sends.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace channels {

enum class ChannelType { kWebhook, kEmail, kChat };

// One configured channel, e.g. "ops-webhook". See docs/channels.md for the configuration keys.
struct ChannelConfig {
  std::string name;
  ChannelType type = ChannelType::kWebhook;
  std::string url;            // webhook/chat: http(s)://...; email: smtp://host:port or smtps://host:port
  std::string secret;         // webhook: HMAC-SHA256 key (empty = unsigned)
  std::string body_template;  // webhook: JSON with {{placeholders}} (empty = the default JSON shape)
  std::map<std::string, std::string> headers;  // extra HTTP headers (webhook/chat)
  std::string from;           // email: "ops@example.com" or "Incidentd <ops@example.com>"
  std::string username, password;  // email: SMTP AUTH, used when username is not empty
  std::string ca_file;        // CA bundle for TLS verification instead of the system's (empty = system)
  std::chrono::milliseconds timeout{10000};  // the whole exchange, connecting included
};

struct Message {
  std::string idempotency_key;  // stable across retries: Idempotency-Key header / Message-ID
  std::string address;          // email: the recipient; webhook/chat: a URL overriding config.url (may be empty)
  std::string subject;          // one line
  std::string text;             // body: plain text, may be multi-line
  std::string ack_url;          // may be empty; when set, every format carries it
  std::map<std::string, std::string> fields;  // template variables: "incident.id", "service", "severity", ...
};

struct SendResult {
  bool ok = false;
  bool permanent = false;  // do not retry: HTTP 3xx/4xx other than 408/429; SMTP 5xx; bad URL, config or message
  int status = 0;          // HTTP status or last SMTP reply code; 0 when there was no reply (connection error)
  std::string error;       // short reason for people: "HTTP 503", "connection refused", "SMTP 550 ..."
  std::optional<std::chrono::seconds> retry_after;  // an HTTP Retry-After header in its seconds form
};

// Sends messages, reusing connections between calls (HTTP keep-alive, an open SMTP session). Not thread-safe: use
// one Sender per thread. Send never throws and returns within about channel.timeout. It reads the system clock
// for the webhook timestamp and the email Date. A moved-from Sender may only be destroyed or assigned to.
class Sender {
 public:
  Sender();
  ~Sender();
  Sender(Sender&&) noexcept;
  Sender& operator=(Sender&&) noexcept;

  // Delivers `message` over `channel`. ok when the receiver accepted it (HTTP 2xx, SMTP 250 after the data).
  // An invalid channel or message (see ValidateChannel; CR/LF in a header value) fails permanently with status 0
  // and nothing sent.
  SendResult Send(const ChannelConfig& channel, const Message& message);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Replaces each {{name}} in `tmpl` by fields[name] escaped as the inside of a JSON string, without quotes: authors
// write "{{incident.title}}". Spaces inside the braces are ignored; unknown names become empty; a "{{" not closed
// by "}}" around a name is kept as is. Invalid UTF-8 in a value becomes U+FFFD. A template that is valid JSON with
// every placeholder inside a string renders to valid JSON.
std::string RenderTemplate(std::string_view tmpl, const std::map<std::string, std::string>& fields);

// "sha256=" + lower-case hex of HMAC-SHA256(secret, timestamp + "." + body): the X-Incidentd-Signature header.
std::string SignatureHeader(std::string_view secret, std::string_view timestamp, std::string_view body);

// True when `header` is the signature of timestamp and body under `secret`; compares in constant time. For
// receivers and tests.
bool VerifySignature(std::string_view secret, std::string_view timestamp, std::string_view body,
                     std::string_view header);

// kInvalid with `field` naming the culprit ("url", "from", "headers", "timeout", ...) when the channel cannot
// work: a URL scheme that does not fit the type, an email channel without a from address, a header with CR/LF.
core::Status ValidateChannel(const ChannelConfig& channel);

}  // namespace channels
