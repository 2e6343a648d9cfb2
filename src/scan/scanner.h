// The scan driver: discover -> schedule chunks on a pool -> reader ->
// prefilter -> rules -> a sink, host by host.
//
// The scanner knows no evidence format: each file goes to the reader of
// its kind (reader/), which selects records with the prefilter and hands
// them back here to be evaluated; findings, coverage and the header facts
// the readers saw are joined per host, the exposure is assessed from those
// facts (no evidence file is opened twice) and the host's results stream
// to the sink as soon as the host is done. Memory is bounded by one host's
// results (at most max_findings_per_rule findings per rule are kept).
//
// The core never prints: results go to the ScanSink.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "exposure/exposure_table.h"
#include "finding/scan_sink.h"
#include "rule/prefilter.h"
#include "rule/rule_set.h"
#include "source/archive.h"
#include "source/file_system.h"

namespace exhunt {

struct ScanProgress {
  uint64_t hosts_done = 0, hosts_total = 0;
  // Files of the hosts started so far: the total grows as hosts start.
  uint64_t files_done = 0, files_total = 0;
  uint64_t bytes_done = 0, bytes_total = 0;
};

struct ScanOptions {
  std::vector<std::string> roots;
  unsigned threads = 0;  // 0: all cores
  std::optional<TimeMs> since, until;
  std::string host;  // overrides the host name taken from each root
  // The host name of each root, by index ("" or missing: from the root);
  // a fleet folder's hosts are named by their sub-folder or by --hosts-from.
  std::vector<std::string> host_names;
  // Hosts read at once: the next starts while the last files of the one
  // before finish. Memory holds at most this many hosts' results.
  size_t hosts_in_flight = 2;
  // Databases compiled at build time for the built-in rules; others compile.
  const PrefilterCache* prefilter_cache = nullptr;
  // If set, each host record carries its exposure (build, CVEs, mitigations).
  const ExposureTable* exposure_table = nullptr;
  // Called after each file and host, from worker threads (never concurrently).
  std::function<void(const ScanProgress&)> on_progress;
  // Findings kept per rule and host (the first in evidence order); further
  // ones are counted, not kept, so that a noisy rule cannot exhaust memory
  // on a huge tree.
  size_t max_findings_per_rule = 10000;
  // Bytes of findings one host may keep (evidence included); past it,
  // findings are counted, not kept, and an error record says so (0: none).
  uint64_t max_findings_bytes = uint64_t(512) << 20;
  // Logs larger than this are listed as skipped, not read (0: no limit).
  uint64_t max_file_size = 0;
  // The file plane reads the bytes (hashes, YARA) of files up to this size;
  // larger ones are judged by name and place, and listed.
  uint64_t max_content_bytes = uint64_t(64) << 20;
  // Collections given as roots are unpacked below this folder ("": $TMPDIR
  // or /tmp), within these limits (source/archive.h).
  std::string unpack_dir;
  UnpackLimits unpack_limits;
  size_t chunk_bytes = size_t(16) << 20;
  size_t split_threshold = size_t(24) << 20;
};

class Scanner {
 public:
  Scanner(FileSystem* fs, const RuleSet* rules, ScanOptions options);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Compiles one prefilter per log type. Fails only on an engine error.
  Status Prepare();
  // Scans every root, streaming each host's findings, host record and
  // errors to `sink`; returns the totals. Begin and End are the caller's.
  ScanStats Run(ScanSink& sink);
  // Run into memory, with End called: for tests and small scans.
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
