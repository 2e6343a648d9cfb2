// The scan engine: discovery -> prefiltered reading -> rule evaluation ->
// findings and host verdicts, over many files in parallel.
//
// Each file is mapped read-only; a large file is split at record
// boundaries into chunks that run on different threads. Every chunk runs
// the log type's prefilter database once over its bytes and parses only
// the records that hold a candidate literal (or every record when a rule
// has no literal). Pages of finished chunks are released, so resident
// memory stays bounded whatever the size of the tree.
//
// The core never prints: Scan() returns everything as values.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "exposure/exposure_table.h"
#include "finding/finding.h"
#include "rule/prefilter.h"
#include "rule/rule_set.h"
#include "source/file_system.h"

namespace exhunt {

struct ScanProgress {
  uint64_t files_done = 0, files_total = 0;
  uint64_t bytes_done = 0, bytes_total = 0;
};

struct ScanOptions {
  std::vector<std::string> roots;
  unsigned threads = 0;  // 0: all cores
  std::optional<TimeMs> since, until;
  std::string host;  // overrides the host name taken from each root
  // If set, each host record carries its exposure (build, CVEs, mitigations).
  const ExposureTable* exposure_table = nullptr;
  // Called after each file, from worker threads (never concurrently).
  std::function<void(const ScanProgress&)> on_progress;
  // Findings kept per rule and host; further ones are counted, not kept, so
  // that a noisy rule cannot exhaust memory on a huge tree.
  size_t max_findings_per_rule = 10000;
  size_t chunk_bytes = size_t(16) << 20;
  size_t split_threshold = size_t(24) << 20;
};

struct ScanResult {
  std::vector<Finding> findings;  // sorted by host, time, path, line
  std::vector<ScanError> errors;
  std::vector<HostReport> hosts;
  ScanStats stats;
};

// The header a log type uses when a file has no "#Fields:" line before its
// first record (a truncated head, a copied excerpt).
const FieldHeader* DefaultHeader(LogType type);

class Scanner {
 public:
  Scanner(FileSystem* fs, const RuleSet* rules, ScanOptions options);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Compiles one prefilter per log type. Fails only on an engine error.
  Status Prepare();
  ScanResult Scan();

  // The prefilter of a log type, after Prepare (for rules check and benchmarks).
  const Prefilter* prefilter(LogType type) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Host name for a scan root: its last path component.
std::string HostNameForRoot(const std::string& root);

}  // namespace exhunt
