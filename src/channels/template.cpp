#include <string>
#include <string_view>

#include "channels/channel.h"
#include "channels/format.h"
#include "core/json_string.h"
#include "core/utf8.h"

namespace channels {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length a UTF-8 sequence starting with `lead` claims, or 0 when `lead` cannot start one.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Placeholder names: letters, digits and "._-" (so "{{incident.id}}" and "{{ service }}" are names, and the braces
// of a JSON object next to each other are not).
bool IsName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string ToValidUtf8(std::string_view text) {
  if (core::IsValidUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    if (n != 0 && i + n <= text.size() && core::IsValidUtf8(text.substr(i, n))) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

bool HasLineBreak(std::string_view text) { return text.find_first_of(std::string_view("\r\n\0", 3)) != text.npos; }

std::string RenderTemplate(std::string_view tmpl, const std::map<std::string, std::string>& fields) {
  std::string out;
  out.reserve(tmpl.size());
  size_t pos = 0;
  while (pos < tmpl.size()) {
    const size_t open = tmpl.find("{{", pos);
    if (open == tmpl.npos) break;
    out.append(tmpl.substr(pos, open - pos));
    const size_t close = tmpl.find("}}", open + 2);
    const std::string_view name =
        close == tmpl.npos ? std::string_view() : Trim(tmpl.substr(open + 2, close - open - 2));
    if (!IsName(name)) {
      // Not a placeholder ("{{" in literal text, or "{{{x}}}"): keep one brace and look again after it.
      out += '{';
      pos = open + 1;
      continue;
    }
    if (auto it = fields.find(std::string(name)); it != fields.end()) {
      core::AppendJsonEscaped(out, ToValidUtf8(it->second));
    }
    pos = close + 2;
  }
  if (pos < tmpl.size()) out.append(tmpl.substr(pos));
  return out;
}

}  // namespace channels
