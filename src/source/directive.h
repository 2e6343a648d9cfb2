// The header lines of W3C and Exchange text logs: "#Name: value" before
// (and between) records. Discovery reads them to tell a log's kind, readers
// to follow the header in force, the prefilter searches for their markers.
#pragma once

#include <string_view>

namespace exhunt {

enum class DirectiveName { kNone, kFields, kDate, kVersion, kSoftware, kLogType, kOther };

struct Directive {
  DirectiveName name = DirectiveName::kNone;
  std::string_view value;  // trimmed
};

// Markers the prefilter searches for (byte-exact, as Exchange and IIS write them).
inline constexpr std::string_view kFieldsMarker = "#Fields:";
inline constexpr std::string_view kDateMarker = "#Date:";

// One physical line (a UTF-8 BOM and a trailing CR are allowed); kNone if
// it is not a "#Name:" line. Names are matched ignoring case.
Directive ParseDirective(std::string_view line);

}  // namespace exhunt
