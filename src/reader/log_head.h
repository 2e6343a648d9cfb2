// The head of a text log: the directives before its first record (and the
// version columns of that record), as the exposure plane wants them. Read
// from the first bytes of a file only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "source/discovery.h"
#include "source/file_system.h"

namespace exhunt {

struct LogHead {
  std::optional<std::string> version;   // last "#Version:" value, trimmed
  std::optional<TimeMs> date;           // last "#Date:" (nullopt if it did not parse)
  std::optional<std::string> software;  // "#Software:" value
  // The first record's MajorVersion..RevisionVersion columns joined with
  // '.' ("" if the header names them but the row lacks one), and its
  // DateTime; set only when the header has a MajorVersion column.
  std::optional<std::string> row_version;
  std::optional<TimeMs> row_time;
};

// How many leading bytes ReadLogHead looks at.
inline constexpr size_t kLogHeadBytes = 4096;

// Parses the directives at the start of `head` (a file's first bytes).
LogHead ReadLogHead(std::string_view head);

// The head of one log of a tree.
struct LoggedHead {
  std::string rel_path;
  LogType type = LogType::kUnknown;
  LogHead head;
};

// Reads the heads of the logs of `tree` whose kind shows the running build
// (HttpProxy, Rps_Http), for an exposure assessment without a scan; a scan
// gets the same heads from its readers and opens no file twice.
std::vector<LoggedHead> ReadBuildHeads(FileSystem* fs, const DiscoveredTree& tree);
// Whether the head of a log of this kind names the running build.
bool HeadShowsBuild(LogType type);

}  // namespace exhunt
