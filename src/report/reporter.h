// Reporters: a ScanSink that turns streamed results into text for people,
// JSONL for scripts or CSV for spreadsheets. Reporters only format; they
// never read evidence. A new output format is a new reporter file and one
// case in NewReporter.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "finding/scan_sink.h"

namespace exhunt {

enum class ReportFormat { kText, kJsonl, kCsv, kHtml };
// "text", "jsonl", "csv", "html"; nullopt for anything else.
std::optional<ReportFormat> ParseReportFormat(std::string_view name);

struct ReportOptions {
  ReportFormat format = ReportFormat::kText;
  size_t max_events = 200;        // text: timeline events listed per host
  size_t max_value_bytes = 200;   // text: longer evidence values are cut, with a marker
  bool colour = false;            // text: ANSI colour (a terminal, and no NO_COLOR)
};

// A value for a terminal: control bytes shown as U+FFFD, cut on a character
// boundary after at most `max_bytes` bytes with a visible "…[+N bytes]".
std::string ShortenForTerminal(std::string_view value, size_t max_bytes);

// `out` must outlive the reporter. Output is written as results arrive
// (text: at End, since its header sums up the whole scan).
std::unique_ptr<ScanSink> NewReporter(const ReportOptions& options, std::ostream& out);

// "1.5 MB", for people.
std::string HumanBytes(uint64_t bytes);

}  // namespace exhunt
