// Event times: milliseconds since the Unix epoch, UTC. Parsing is strict
// and locale-free (Exchange and IIS both log UTC in fixed formats).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace exhunt {

using TimeMs = int64_t;

// "2021-03-03T06:49:43.699Z", "2021-03-03T06:49:43Z", "2021-03-03 06:49:43",
// "2021-03-03" (midnight). Trailing 'Z' optional; fractions to any digits.
std::optional<TimeMs> ParseIsoTime(std::string_view s);
// W3C: separate date "2021-03-03" and time "06:49:43[.fff]".
std::optional<TimeMs> ParseDateAndTime(std::string_view date, std::string_view time);
// "2021-03-03T06:49:43.699Z"
std::string FormatIsoTime(TimeMs t);
TimeMs DaysFromCivil(int y, unsigned m, unsigned d);

}  // namespace exhunt
