// The RFC 5322 message the email channel hands to SMTP DATA.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "channels/channel.h"
#include "channels/format.h"

namespace channels {
namespace {

// SMTP limits a line to 998 bytes plus CRLF (RFC 5321 4.5.3.1.6); longer lines go quoted-printable.
constexpr size_t kMaxLine = 998;
// Raw bytes per encoded word: 52 base64 characters, so "Subject: " plus one word stays under 76 characters.
constexpr size_t kWordBytes = 39;
constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kLowerHex[] = "0123456789abcdef";

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool IsPrintableAscii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// `text` split into lines at CRLF, LF or a lone CR.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r' && text[i] != '\n') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// One line as quoted-printable (RFC 2045 6.7), with soft breaks keeping encoded lines at 76 characters.
void AppendQuotedPrintable(std::string& out, std::string_view line) {
  size_t width = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    // Trailing white space would be stripped in transit, so it is encoded like any other unsafe byte.
    const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
    std::string piece;
    if (literal) {
      piece = static_cast<char>(c);
    } else {
      piece = {'=', kHex[c >> 4], kHex[c & 0xF]};
    }
    // Room for the piece plus, unless this is the line's end, the '=' of a soft break.
    if (width + piece.size() > (last ? 76u : 75u)) {
      out += "=\r\n";
      width = 0;
    }
    out += piece;
    width += piece.size();
  }
  out += "\r\n";
}

// The From header value: a non-ASCII display name is encoded, one with specials quoted.
std::string FromHeader(std::string_view from) {
  const size_t open = from.rfind('<');
  if (open == from.npos) return std::string(from);
  std::string_view name = from.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  const std::string address = "<" + EnvelopeAddress(from) + ">";
  if (name.empty()) return address;
  if (!IsPrintableAscii(name)) return EncodeHeaderText(name) + " " + address;
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') return std::string(name) + " " + address;
  if (name.find_first_of("()<>[]:;@\\,.\"") == name.npos) return std::string(name) + " " + address;
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\" " + address;
}

}  // namespace

std::string EncodeHeaderText(std::string_view text) {
  if (IsPrintableAscii(text) && text.find("=?") == text.npos) return std::string(text);
  const std::string valid = ToValidUtf8(text);
  std::string_view rest = valid;
  std::string out;
  while (!rest.empty()) {
    size_t n = std::min(rest.size(), kWordBytes);
    // Never split a UTF-8 sequence across two words: back up over continuation bytes.
    while (n < rest.size() && n > 0 && (static_cast<unsigned char>(rest[n]) & 0xC0) == 0x80) --n;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(rest.substr(0, n)) + "?=";
    rest.remove_prefix(n);
  }
  return out;
}

std::string FormatEmailDate(core::Timestamp t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string MessageId(std::string_view idempotency_key) {
  std::string local;
  if (idempotency_key.empty()) {
    unsigned char random[16];
    // Failing to draw 16 random bytes means the process has no usable entropy: abort rather than send duplicates.
    INCIDENTD_CHECK(RAND_bytes(random, sizeof random) == 1);
    for (unsigned char c : random) {
      local += kLowerHex[c >> 4];
      local += kLowerHex[c & 0xF];
    }
    return "<" + local + "@incidentd>";
  }
  static constexpr std::string_view kAtext = "!#$%&'*+-/?^_`{|}~";
  for (size_t i = 0; i < idempotency_key.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(idempotency_key[i]);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    const bool dot_ok = c == '.' && !local.empty() && local.back() != '.' && i + 1 < idempotency_key.size();
    if (alnum || dot_ok || (c != 0 && kAtext.find(static_cast<char>(c)) != kAtext.npos)) {
      local += static_cast<char>(c);
    } else {
      local += {'=', kHex[c >> 4], kHex[c & 0xF]};
    }
  }
  return "<" + local + "@incidentd>";
}

std::string EnvelopeAddress(std::string_view from) {
  const size_t open = from.rfind('<');
  if (open == from.npos) {
    while (!from.empty() && from.front() == ' ') from.remove_prefix(1);
    while (!from.empty() && from.back() == ' ') from.remove_suffix(1);
    return std::string(from);
  }
  const size_t close = from.find('>', open);
  return std::string(from.substr(open + 1, close == from.npos ? from.npos : close - open - 1));
}

std::string EmailMessage(const ChannelConfig& channel, const Message& message, core::Timestamp now) {
  std::vector<std::string_view> lines = SplitLines(message.text);
  const std::string ack = "Acknowledge: " + message.ack_url;
  if (!message.ack_url.empty()) {
    if (!lines.empty()) lines.emplace_back();
    lines.emplace_back(ack);
  }
  bool long_line = false;
  for (std::string_view line : lines) long_line = long_line || line.size() > kMaxLine;

  std::string out;
  out += "From: " + FromHeader(channel.from) + "\r\n";
  out += "To: " + message.address + "\r\n";
  out += "Subject: " + EncodeHeaderText(message.subject) + "\r\n";
  out += "Date: " + FormatEmailDate(now) + "\r\n";
  out += "Message-ID: " + MessageId(message.idempotency_key) + "\r\n";
  // RFC 3834: tells vacation responders and the like not to answer.
  out += "Auto-Submitted: auto-generated\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += long_line ? "Content-Transfer-Encoding: quoted-printable\r\n" : "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\n";
  for (std::string_view line : lines) {
    const std::string valid = ToValidUtf8(line);
    if (long_line) {
      AppendQuotedPrintable(out, valid);
    } else {
      out += valid;
      out += "\r\n";
    }
  }
  return out;
}

}  // namespace channels
