// Reporters: turn a ScanResult into text for people, JSONL for scripts, or
// CSV for spreadsheets. Reporters only format; they never read evidence.
#pragma once

#include <ostream>
#include <string>

#include "scan/scanner.h"

namespace exhunt {

enum class ReportFormat { kText, kJsonl, kCsv };

struct ReportOptions {
  ReportFormat format = ReportFormat::kText;
  size_t max_per_rule = 20;  // text: occurrences listed under each rule
  const ExposureTable* exposure_table = nullptr;  // to name builds in exposure blocks
};

void WriteReport(const ScanResult& result, const ReportOptions& options, std::ostream& out);

// Building blocks, exposed for tests and for other subcommands.
std::string FindingJson(const Finding& f);
std::string HostJson(const HostReport& h, const ExposureTable* table = nullptr);
std::string ErrorJson(const ScanError& e);
std::string StatsJson(const ScanStats& s);
std::string HumanBytes(uint64_t bytes);

}  // namespace exhunt
