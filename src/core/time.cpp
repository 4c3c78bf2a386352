#include "core/time.h"

#include <cstdio>

namespace core {
namespace {

bool ReadDigits(std::string_view s, size_t& pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += count;
  out = v;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::string FormatRfc3339(Timestamp t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  auto ms = (t - day).count();
  int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
  char buf[96];
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), (long long)h, (long long)m, (long long)s,
                  (long long)frac);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), (long long)h, (long long)m, (long long)s);
  }
  return buf;
}

Result<Timestamp> ParseRfc3339(std::string_view s) {
  using namespace std::chrono;
  // Built only on failure: this runs for every timestamp of every ingested alert.
  auto bad_error = [s] { return Invalid("not an RFC 3339 date-time: '" + std::string(s.substr(0, 64)) + "'"); };
  size_t pos = 0;
  int Y, M, D, h, m, sec;
  if (!ReadDigits(s, pos, 4, Y) || !Expect(s, pos, '-') || !ReadDigits(s, pos, 2, M) || !Expect(s, pos, '-') ||
      !ReadDigits(s, pos, 2, D)) {
    return bad_error();
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return bad_error();
  ++pos;
  if (!ReadDigits(s, pos, 2, h) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, m) || !Expect(s, pos, ':') ||
      !ReadDigits(s, pos, 2, sec)) {
    return bad_error();
  }
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad_error();
    for (size_t i = digits; i < 3; ++i) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!ReadDigits(s, pos, 2, oh)) return bad_error();
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (!ReadDigits(s, pos, 2, om)) return bad_error();
    if (oh > 23 || om > 59) return bad_error();
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return bad_error();
  }
  if (pos != s.size()) return bad_error();
  year_month_day ymd{year{Y}, month{unsigned(M)}, day{unsigned(D)}};
  if (!ymd.ok() || h > 23 || m > 59 || sec > 60) return bad_error();
  if (sec == 60) sec = 59;  // leap second: clamp rather than reject
  auto tp = sys_days{ymd} + hours{h} + minutes{m} + seconds{sec} + milliseconds{millis} - minutes{offset_minutes};
  return time_point_cast<Duration>(tp);
}

Result<Duration> ParseDuration(std::string_view s) {
  if (s.empty()) return Invalid("empty duration");
  int64_t total = 0;
  size_t pos = 0;
  bool any = false;
  while (pos < s.size()) {
    int64_t n = 0;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n > 1'000'000'000'000LL) return Invalid("duration out of range: '" + std::string(s) + "'");
      n = n * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start) return Invalid("not a duration: '" + std::string(s) + "' (use e.g. 30s, 5m, 1h30m, 2d)");
    int64_t unit;
    if (s.substr(pos, 2) == "ms") {
      unit = 1;
      pos += 2;
    } else if (pos < s.size()) {
      switch (s[pos]) {
        case 's': unit = 1000; break;
        case 'm': unit = 60'000; break;
        case 'h': unit = 3'600'000; break;
        case 'd': unit = 86'400'000; break;
        case 'w': unit = 7 * 86'400'000LL; break;
        default: return Invalid("not a duration: '" + std::string(s) + "' (use e.g. 30s, 5m, 1h30m, 2d)");
      }
      ++pos;
    } else {
      return Invalid("duration '" + std::string(s) + "' lacks a unit (s, m, h, d)");
    }
    total += n * unit;
    any = true;
  }
  if (!any) return Invalid("empty duration");
  return Duration(total);
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  const std::pair<int64_t, const char*> units[] = {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"},
                                                  {1, "ms"}};
  for (auto [size, name] : units) {
    if (ms >= size) {
      out += std::to_string(ms / size) + name;
      ms %= size;
    }
  }
  return out;
}

}  // namespace core
