// Subcommands. main() parses flags into these option structs and turns
// the returned exit status into the process exit code:
//   0 nothing at or above --fail-on, 1 findings at or above it,
//   2 usage error or the scan could not run at all.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/time.h"
#include "rule/prefilter_cache.h"
#include "rule/rule_info.h"

namespace exhunt {

struct ScanCommandOptions {
  std::vector<std::string> paths;
  std::string format;  // empty: from the -o file's extension, else text
  std::string output;  // empty: stdout
  std::vector<std::string> sigma_dirs;
  std::string sigma_placeholders;  // "" or a YAML file: placeholder -> values, for |expand
  std::vector<std::string> yara_dirs;
  std::vector<std::string> ioc_dirs;
  std::string baseline;  // a known-good baseline file or folder of them
  unsigned threads = 0;
  std::string since, until;
  std::string host;
  std::string fail_on = "medium";
  std::string max_file_size;  // "" or a size like 2G
  std::string memory_budget;  // "" or a size: bytes of findings one host may keep
  std::string max_content_size;  // "" or a size: the file plane reads no more of one file
  bool no_progress = false;
  bool quiet = false;
  bool no_builtin = false;
  std::string db;  // "" or a store: a SQLite file or postgresql://...
  bool fleet = false;      // every PATH is a fleet folder: one host per sub-folder or archive
  std::string hosts_from;  // a host list: PATH or NAME<TAB>PATH per line
  const PrefilterCache* prefilter_cache = nullptr;  // main() passes the built-in databases
};

int RunScan(const ScanCommandOptions& options, std::ostream& out, std::ostream& err);

struct ExposureCommandOptions {
  std::string path;
  std::string build;
  std::string url;
  bool insecure = false;
  std::string format;  // empty: from the -o file's extension, else text
  std::string output;  // empty: stdout
  std::string host;
  bool check_table = false;
};

// Exit: 0 nothing open, 1 a CVE open (vulnerable, no fix, fixed in a later
// CU) or the build unknown, 2 usage error.
int RunExposure(const ExposureCommandOptions& options, std::ostream& out, std::ostream& err);

struct RulesCommandOptions {
  std::string action;  // list | check
  std::vector<std::string> dirs;
  std::string sigma_placeholders;
  bool no_builtin = false;
};

int RunRules(const RulesCommandOptions& options, std::ostream& out, std::ostream& err);

struct BaselineCommandOptions {
  std::string path;    // a clean server's drive or install folder
  std::string output;  // the baseline file to write
  std::string build;   // "" : from ExSetup.exe
};

// exhunt baseline make: 0 written, 2 usage error or nothing to record.
int RunBaselineMake(const BaselineCommandOptions& options, std::ostream& out, std::ostream& err);

struct ReportCommandOptions {
  std::string db;
  std::string host;            // "" : every host
  std::optional<int64_t> scan;  // one scan; else each host's newest results
  std::string format;          // text, jsonl, csv, html ("" : from -o, else text)
  std::string output;
  bool list_scans = false;
};

// exhunt report DB: renders stored results without the evidence.
// 0 written, 2 usage error, an unreadable store or nothing stored.
int RunReport(const ReportCommandOptions& options, std::ostream& out, std::ostream& err);

struct ImportCommandOptions {
  std::vector<std::string> files;  // JSONL results ("-": standard input)
  std::string db;
};

// exhunt import FILE... --db DB: JSONL results (exhunt scan --format jsonl,
// as a Velociraptor server artifact returns them) into the store, one scan
// per file. 0 imported (bad lines reported and skipped), 2 nothing imported.
int RunImport(const ImportCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace exhunt
