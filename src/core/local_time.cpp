#include "core/local_time.h"

namespace core {

bool ReadDigits(std::string_view s, size_t pos, size_t n, int& out) {
  out = 0;
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<LocalSeconds> ParseLocalDateTime(std::string_view s) {
  using std::chrono::hours, std::chrono::minutes, std::chrono::seconds;
  if (s.size() != 16 && s.size() != 19) return std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, 0, 4, y) || s[4] != '-' || !ReadDigits(s, 5, 2, mo) || s[7] != '-' ||
      !ReadDigits(s, 8, 2, d) || s[10] != 'T' || !ReadDigits(s, 11, 2, h) || s[13] != ':' ||
      !ReadDigits(s, 14, 2, mi)) {
    return std::nullopt;
  }
  if (s.size() == 19 && (s[16] != ':' || !ReadDigits(s, 17, 2, sec))) return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (y < kMinLocalYear || y > kMaxLocalYear || !ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  return LocalSeconds{date::local_days{ymd}} + hours(h) + minutes(mi) + seconds(sec);
}

Timestamp LocalToInstant(const date::time_zone& zone, date::local_time<Duration> t) {
  const date::local_info info = zone.get_info(date::floor<std::chrono::seconds>(t));
  if (info.result == date::local_info::nonexistent) return Timestamp{info.second.begin};
  return Timestamp{(t - info.first.offset).time_since_epoch()};
}

}  // namespace core
