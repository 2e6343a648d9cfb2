// Findings, errors and per-host verdicts: what a scan produces.
//
// These are plain values; reporters turn them into text, JSONL or CSV and
// nothing downstream re-reads evidence.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/time.h"
#include "exposure/assessment.h"
#include "record/log_format.h"
#include "rule/sigma_rule.h"

namespace exhunt {

struct Finding {
  std::shared_ptr<const SigmaRule> rule;
  std::string host;
  std::optional<TimeMs> time;
  std::string path;   // relative to the scan root, '/'-separated
  uint64_t line = 0;  // 1-based line of the record's first byte
  LogType log_type = LogType::kUnknown;
  std::vector<std::pair<std::string, std::string>> evidence;  // field -> value, rule order
};

struct ScanError {
  std::string path;
  std::string message;
};

// What the logs of one family cover for one host.
struct Coverage {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::optional<TimeMs> first, last;
};

enum class Verdict { kCompromised, kAttempted, kNoEvidence, kInsufficientEvidence };
std::string_view VerdictName(Verdict v);

struct HostReport {
  std::string host;
  Verdict verdict = Verdict::kNoEvidence;
  std::array<uint64_t, 5> by_severity{};  // indexed by Severity
  std::map<std::string, uint64_t> by_cve;
  std::optional<TimeMs> first, last;  // of findings
  std::map<LogType, Coverage> coverage;
  // Why the verdict is what it is, one sentence each.
  std::vector<std::string> reasons;
  // Patch and mitigation state, when the evidence shows a build.
  std::optional<ExposureAssessment> exposure;
  // Traces set against the build the logs show in force at their time:
  // hits while that build was open to the trace's CVE weigh more than
  // attempts after the fix was installed.
  uint64_t traces_while_exposed = 0, traces_after_fix = 0;
  // Findings over the per-rule limit: counted in the totals, not listed.
  std::map<std::string, uint64_t> unlisted;
};

struct ScanStats {
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t records = 0;
  uint64_t candidates = 0;  // records parsed and evaluated
  double seconds = 0;
};

// A period in which a campaign was exploited at large. Logs that start
// after a window closed cannot show that campaign's traces.
struct CampaignWindow {
  std::string_view name;
  TimeMs start, end;
};
const std::vector<CampaignWindow>& CampaignWindows();

// Joins the findings of one host with its log coverage and, when known, its
// exposure over time.
HostReport JudgeHost(const std::string& host, const std::vector<const Finding*>& findings,
                     const std::map<LogType, Coverage>& coverage, const std::optional<ExposureAssessment>& exposure = {},
                     const ExposureTable* table = nullptr);

}  // namespace exhunt
