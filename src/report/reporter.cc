#include "report/reporter.h"

#include <fmt/format.h>

namespace exhunt {

// Each reporter lives in its own file.
std::unique_ptr<ScanSink> NewJsonlReporter(std::ostream& out);
std::unique_ptr<ScanSink> NewCsvReporter(std::ostream& out);
std::unique_ptr<ScanSink> NewHtmlReporter(std::ostream& out);
std::unique_ptr<ScanSink> NewTextReporter(const ReportOptions& options, std::ostream& out);

std::unique_ptr<ScanSink> NewReporter(const ReportOptions& options, std::ostream& out) {
  switch (options.format) {
    case ReportFormat::kJsonl:
      return NewJsonlReporter(out);
    case ReportFormat::kCsv:
      return NewCsvReporter(out);
    case ReportFormat::kHtml:
      return NewHtmlReporter(out);
    case ReportFormat::kText:
      break;
  }
  return NewTextReporter(options, out);
}

std::optional<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "text") return ReportFormat::kText;
  if (name == "jsonl") return ReportFormat::kJsonl;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "html") return ReportFormat::kHtml;
  return std::nullopt;
}

std::string HumanBytes(uint64_t b) {
  if (b >= (uint64_t(1) << 30)) return fmt::format("{:.2f} GB", double(b) / double(uint64_t(1) << 30));
  if (b >= (uint64_t(1) << 20)) return fmt::format("{:.1f} MB", double(b) / double(uint64_t(1) << 20));
  if (b >= 1024) return fmt::format("{:.1f} KB", double(b) / 1024.0);
  return fmt::format("{} B", b);
}

}  // namespace exhunt
