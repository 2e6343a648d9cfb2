#include "exposure/build.h"

#include <cstdio>

#include "base/text.h"

namespace exhunt {

std::string Build::ToString() const {
  return std::to_string(part[0]) + "." + std::to_string(part[1]) + "." + std::to_string(part[2]) + "." +
         std::to_string(part[3]);
}

std::string Build::ToLongString() const {
  char buf[48];
  snprintf(buf, sizeof buf, "%d.%02d.%04d.%03d", part[0], part[1], part[2], part[3]);
  return buf;
}

std::optional<Build> ParseBuild(std::string_view text, bool* three_parts) {
  auto pieces = Split(Trim(text), '.');
  if (pieces.size() != 3 && pieces.size() != 4) return std::nullopt;
  Build b;
  for (size_t i = 0; i < pieces.size(); ++i) {
    uint64_t v;
    if (!ParseUint(pieces[i], &v) || v > 99999) return std::nullopt;
    b.part[i] = int(v);
  }
  if (three_parts) *three_parts = pieces.size() == 3;
  return b;
}

std::string_view ProductOf(const Build& b) {
  if (b.major() == 14 && b.minor() == 3) return "Exchange Server 2010 SP3";
  if (b.major() != 15) return "";
  if (b.minor() == 0) return "Exchange Server 2013";
  if (b.minor() == 1) return "Exchange Server 2016";
  if (b.minor() == 2) return b.build() >= 2562 ? "Exchange Server SE" : "Exchange Server 2019";
  return "";
}

}  // namespace exhunt
