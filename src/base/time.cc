#include "base/time.h"

#include <cstdio>

namespace exhunt {

TimeMs DaysFromCivil(int y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm (public domain description of the Gregorian calendar).
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return TimeMs(era) * 146097 + TimeMs(doe) - 719468;
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

std::optional<TimeMs> ParseDate(std::string_view s) {
  int y, m, d;
  if (s.size() < 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &m) || s[7] != '-' ||
      !Digits(s, 8, 2, &d))
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return DaysFromCivil(y, unsigned(m), unsigned(d)) * 86400000LL;
}

std::optional<TimeMs> ParseClock(std::string_view s) {
  int h, mi, sec;
  if (s.size() < 8 || !Digits(s, 0, 2, &h) || s[2] != ':' || !Digits(s, 3, 2, &mi) || s[5] != ':' ||
      !Digits(s, 6, 2, &sec))
    return std::nullopt;
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  TimeMs ms = 0;
  size_t i = 8;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    int scale = 100, digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 3) ms += (s[i] - '0') * scale;
      scale /= 10;
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
  }
  if (i < s.size() && s[i] == 'Z') ++i;
  if (i != s.size()) return std::nullopt;
  return ((h * 60 + mi) * 60 + sec) * 1000LL + ms;
}

}  // namespace

std::optional<TimeMs> ParseIsoTime(std::string_view s) {
  auto date = ParseDate(s);
  if (!date) return std::nullopt;
  if (s.size() == 10) return date;
  if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
  auto clock = ParseClock(s.substr(11));
  if (!clock) return std::nullopt;
  return *date + *clock;
}

std::optional<TimeMs> ParseDateAndTime(std::string_view date, std::string_view time) {
  auto d = ParseDate(date);
  if (!d || date.size() != 10) return std::nullopt;
  auto c = ParseClock(time);
  if (!c) return std::nullopt;
  return *d + *c;
}

std::string FormatIsoTime(TimeMs t) {
  TimeMs days = t >= 0 ? t / 86400000LL : (t - 86399999LL) / 86400000LL;
  TimeMs rem = t - days * 86400000LL;
  // civil_from_days
  TimeMs z = days + 719468;
  const TimeMs era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  TimeMs y = TimeMs(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];
  snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", (long long)y, m, d,
           (long long)(rem / 3600000), (long long)(rem / 60000 % 60), (long long)(rem / 1000 % 60),
           (long long)(rem % 1000));
  return buf;
}

}  // namespace exhunt
