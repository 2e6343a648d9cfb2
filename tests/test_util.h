// Helpers for tests: build evidence trees in memory and scan them with the
// built-in rules.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "record/log_format.h"
#include "rule/prefilter.h"
#include "rule/rule_set.h"
#include "scan/scanner.h"
#include "source/memory_file_system.h"

namespace exhunt::testing {

inline const std::string kHttpProxyFields(KindOf(LogType::kHttpProxy).default_fields);
inline const std::string kIisFields(KindOf(LogType::kIisW3c).default_fields);

// A CSV row for `fields` (comma list) with the given values by name; others empty.
std::string CsvRow(const std::string& fields, const std::map<std::string, std::string>& values);
std::string HttpProxyFile(const std::vector<std::map<std::string, std::string>>& rows);
std::string IisFile(const std::vector<std::string>& lines);

struct MemoryScan {
  MemoryFileSystem fs;
  RuleSet rules;
  std::string root = "/evidence/EXCH01";

  MemoryScan() { rules.AddBuiltin(); }
  void Add(const std::string& rel, std::string contents) { fs.AddFile(root + "/" + rel, std::move(contents)); }
  ScanResult Run(ScanOptions options = {});
};

// Scans real files (a directory or a file) with the built-in rules.
ScanResult ScanPath(const std::string& path, ScanOptions options = {});

// The path of `rel` below ../shared, or "" if ../shared lacks it. Tests read
// third-party samples from there at run time and skip only when it is absent.
std::string SharedPath(const std::string& rel);
#define EXHUNT_REQUIRE_SHARED(var, rel)                       \
  const std::string var = ::exhunt::testing::SharedPath(rel); \
  if (var.empty()) GTEST_SKIP() << "../shared/" << (rel) << " is absent: test skipped"

// Runs argv[0] (looked up in PATH) with its arguments and returns what it
// wrote to stdout; `status` gets its exit status (-1 if it could not run).
std::string CommandOutput(const std::vector<std::string>& argv, int* status);

// An empty folder of this test process under $TMPDIR (made anew).
std::string Dir(const std::string& name);
// Writes `bytes` to `path`, making its folder.
void Write(const std::string& path, const std::string& bytes);
std::string ReadAll(const std::string& path);
// The lines of a text, without their line ends.
std::vector<std::string> Lines(const std::string& text);

struct CliRun {
  int status = -1;
  std::string out, err;
};
// Runs the exhunt binary with `args` (shell words), capturing stdout and stderr.
CliRun Exhunt(const std::string& args);

// Scans the path `root` with `rules` only (through discovery, the event
// rule index and the prefilter, as exhunt scan does).
ScanResult ScanWithRules(const RuleSet& rules, const std::string& root);

// EVTX files below `dir` (recursively), sorted.
std::vector<std::string> EvtxFilesUnder(const std::string& dir);

// Every (literal id, end offset) a prefilter reports over `text`.
std::set<std::pair<unsigned, size_t>> PrefilterHits(const Prefilter& pf, const std::string& text);
// The same for one database (Prefilter::CompileLiterals).
std::set<std::pair<unsigned, size_t>> PrefilterHits(const hs_database_t* db, const std::string& text);

struct PackEntry {
  std::string name, content;
  bool symlink = false;  // content is the link's target
};
// The bytes of `entries` written by libarchive as `format` ("zip", "7zip",
// "gnutar", or "raw": the one entry as a bare compressed stream) through
// `filter` ("gzip", "bzip2", "xz", "zstd" or "" for none); zip entries
// encrypted with a password when `encrypt`.
std::string Pack(const std::string& format, const std::string& filter, const std::vector<PackEntry>& entries,
                 bool encrypt = false);

// Rule ids of the findings at path:line.
std::set<std::string> RulesAt(const ScanResult& r, const std::string& path, uint64_t line);
const Finding* FindingAt(const ScanResult& r, const std::string& path, uint64_t line, const std::string& rule);

}  // namespace exhunt::testing
