#include "cli/report_output.h"

#include <cerrno>
#include <cstring>

#include "base/text.h"

namespace exhunt {

namespace {

std::string Reason(int saved_errno) { return saved_errno ? std::strerror(saved_errno) : "write error"; }

}  // namespace

bool ReportOutput::Open(const std::string& path, std::ostream& standard, std::ostream& err) {
  path_ = path;
  if (path.empty()) {
    stream_ = &standard;
    return true;
  }
  errno = 0;
  file_.open(path, std::ios::binary | std::ios::trunc);
  if (!file_) {
    err << "exhunt: cannot write " << path << ": " << Reason(errno) << "\n";
    return false;
  }
  stream_ = &file_;
  return true;
}

void ReportOutput::Check() {
  if (failed_ || *stream_) return;
  failed_ = true;
  failed_errno_ = errno;
}

bool ReportOutput::Finish(std::ostream& err) {
  Check();
  errno = 0;
  stream_->flush();
  Check();
  if (file_.is_open()) {
    errno = 0;
    file_.close();
    if (file_.fail() && !failed_) {
      failed_ = true;
      failed_errno_ = errno;
    }
  }
  if (!failed_) return true;
  err << "exhunt: writing the report to " << (path_.empty() ? "standard output" : path_)
      << " failed: " << Reason(failed_errno_) << "; the report is incomplete\n";
  return false;
}

std::string FormatFromFileName(const std::string& path) {
  auto ends = [&](std::string_view ext) { return EndsWithIgnoreCase(path, ext); };
  if (ends(".jsonl") || ends(".json") || ends(".ndjson")) return "jsonl";
  if (ends(".csv")) return "csv";
  if (ends(".html") || ends(".htm")) return "html";
  return "text";
}

std::optional<ReportFormat> ChooseReportFormat(const std::string& format, const std::string& output,
                                               std::ostream& err) {
  const std::string name = format.empty() ? FormatFromFileName(output) : format;
  if (auto f = ParseReportFormat(name)) return f;
  err << "exhunt: --format must be text, jsonl, csv or html"
      << (format.empty() ? " (taken from the name of -o " + output + ")" : std::string()) << "\n";
  return std::nullopt;
}

}  // namespace exhunt
