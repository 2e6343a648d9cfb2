// Where a command writes its report: standard output or the -o file,
// opened before any work starts, with every write failure caught and its
// reason kept (a full disk, a closed pipe), so that a report that could
// not be written ends the command with status 2, never 0 or 1.
#pragma once

#include <fstream>
#include <optional>
#include <ostream>
#include <string>

#include "report/reporter.h"

namespace exhunt {

class ReportOutput {
 public:
  // Opens `path` for writing (empty: `standard`). False, with the reason
  // on `err`, if it cannot be written.
  bool Open(const std::string& path, std::ostream& standard, std::ostream& err);
  std::ostream& stream() { return *stream_; }
  bool to_standard_output() const { return path_.empty(); }
  // After writes: keeps the first failure and the errno that caused it.
  void Check();
  // Flushes (and closes a file). False, with the reason on `err`, if any
  // write failed.
  bool Finish(std::ostream& err);

 private:
  std::string path_;
  std::ofstream file_;
  std::ostream* stream_ = nullptr;
  bool failed_ = false;
  int failed_errno_ = 0;
};

// A format from a report file's name: "jsonl" for .jsonl/.json/.ndjson,
// "csv", "html" for .html/.htm, else "text".
std::string FormatFromFileName(const std::string& path);

// The report format `--format` names, else the one of the -o file's name;
// nullopt, with the reason on `err`, if it is not text, jsonl, csv or html.
std::optional<ReportFormat> ChooseReportFormat(const std::string& format, const std::string& output,
                                               std::ostream& err);

}  // namespace exhunt
