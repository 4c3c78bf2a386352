// What each channel sends, built from a message without any I/O, and the checks on its addresses: internal to
// channels/, declared here for the sender and the unit tests.
#pragma once

#include <string>
#include <string_view>

#include "channels/channel.h"
#include "core/time.h"

namespace channels {

// `text` with each byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD.
std::string ToValidUtf8(std::string_view text);

// True when `text` holds CR, LF or NUL: such a value must not go into a header line.
bool HasLineBreak(std::string_view text);

// The webhook body: RenderTemplate(channel.body_template) over the message's fields plus "subject", "text",
// "ack_url" and "idempotency_key" (these four win over fields of the same name), or, when the template is empty,
// {"idempotency_key", "subject", "text", "ack_url" (null when empty), "fields": {name: value, ...}}.
std::string WebhookBody(const ChannelConfig& channel, const Message& message);

// The Slack-compatible incoming-webhook body: {"text": "*subject*\ntext\n<ack_url|Acknowledge>"}, lines left out
// when empty, with &, < and > escaped as Slack asks.
std::string ChatBody(const Message& message);

// The whole RFC 5322 message handed to SMTP DATA: From, To, Subject, Date (from `now`), Message-ID, MIME headers,
// a blank line and the text (plus the ack URL), every line ending in CRLF. Not dot-stuffed: libcurl does that.
// The body is 8bit, or quoted-printable when a line would pass SMTP's 998-byte limit.
std::string EmailMessage(const ChannelConfig& channel, const Message& message, core::Timestamp now);

// `text` as an RFC 2047 header value: unchanged when printable ASCII (and not holding "=?"), else UTF-8 "B" encoded
// words of at most 75 characters, folded with CRLF + space.
std::string EncodeHeaderText(std::string_view text);

// "Thu, 13 Feb 2025 09:05:03 +0000" (RFC 5322 date-time, always UTC, English names whatever the locale).
std::string FormatEmailDate(core::Timestamp t);

// "<key@incidentd>" with the key reduced to dot-atom text: bytes outside it are written =XX ('=' itself as =3D),
// and dots that would open, close or double are too. An empty key gives a random one (128 bits, hex).
std::string MessageId(std::string_view idempotency_key);

// The address inside "Display Name <addr@host>", or `from` itself when it has no angle brackets.
std::string EnvelopeAddress(std::string_view from);

// kInvalid on `field` unless `address` is a bare mailbox: has an '@', no white space, angle brackets or line breaks.
core::Status CheckMailbox(std::string_view address, const char* field);

// kInvalid on `field` unless `url` is an absolute http:// or https:// URL with a host.
core::Status CheckWebhookUrl(std::string_view url, const char* field);

}  // namespace channels
