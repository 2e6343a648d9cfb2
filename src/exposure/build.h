// Exchange build numbers: parsing, comparison and the product they belong to.
//
// Builds are four integers and are compared as integers, never as strings:
// "15.1.2176.9" and Microsoft's padded "15.01.2176.009" are the same build.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace exhunt {

struct Build {
  std::array<int, 4> part{};  // major, minor, build, revision
  auto operator<=>(const Build&) const = default;
  int major() const { return part[0]; }
  int minor() const { return part[1]; }
  int build() const { return part[2]; }
  int revision() const { return part[3]; }
  // Same product and CU line (major.minor.build), any revision.
  bool SameCuLine(const Build& o) const { return part[0] == o.part[0] && part[1] == o.part[1] && part[2] == o.part[2]; }
  std::string ToString() const;      // 15.1.2176.9
  std::string ToLongString() const;  // 15.01.2176.009
};

// "15.1.2176.9", "15.01.2176.009", "15.1.2176" (revision 0, `*three_parts` set).
std::optional<Build> ParseBuild(std::string_view text, bool* three_parts = nullptr);

// "Exchange Server 2016" etc. from the build: 14.3 = 2010 SP3, 15.0 = 2013,
// 15.1 = 2016, 15.2 below build 2562 = 2019, 15.2 from 2562 = SE. Empty if none.
std::string_view ProductOf(const Build& b);

}  // namespace exhunt
