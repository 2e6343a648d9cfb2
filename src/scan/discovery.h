// Discovery: which files under a scan root are which evidence.
//
// Knows where Exchange and IIS keep their logs (matched case-insensitively:
// NTFS copies arrive in any case), finds the Exchange install folder
// wherever it lies, and recognises log files elsewhere by their content
// ("#Fields:", "#Log-type:", "#Software:" headers).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "finding/finding.h"
#include "record/log_format.h"
#include "source/file_system.h"

namespace exhunt {

struct EvidenceFile {
  std::string path;      // as opened
  std::string rel_path;  // relative to the scan root, '/'-separated
  LogType type = LogType::kUnknown;
  uint64_t size = 0;
};

struct DiscoveredTree {
  std::vector<EvidenceFile> logs;
  // Exchange install folders, in the form LogContext::install_roots wants.
  std::vector<std::string> install_roots;
  std::vector<ScanError> errors;
  uint64_t files_seen = 0;
};

// Classifies by path alone; kUnknown if the path says nothing.
LogType ClassifyLogPath(std::string_view rel_path);
// Classifies by the first bytes of a file; kUnknown if not a known log.
LogType ClassifyLogContent(std::string_view head);

// Walks `root` (a directory or a single file). Unreadable directories and
// files become errors; the walk goes on.
DiscoveredTree Discover(FileSystem* fs, const std::string& root);

}  // namespace exhunt
